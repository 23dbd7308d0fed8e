using System.IO.Compression;
using DepthKit.Data;

namespace DepthKit.Tests.Data;

public class DepthPngTests
{
    [Fact]
    public void SixteenBitRoundTripKeepsEveryValue()
    {
        using var dir = new TempDir();
        var values = new ushort[] { 0, 1, 255, 256, 1000, 9999, 65534, 65535, 4242, 7, 500, 12345 };
        DepthPng.Write16(dir["d.png"], 3, 4, values);
        var image = DepthPng.Read(dir["d.png"]);
        Assert.Equal((3, 4, 16), (image.Height, image.Width, image.BitDepth));
        Assert.Equal(values, image.Values);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp file left behind
    }

    [Fact]
    public void MetresToMillimetresRoundsAndMarksInvalidAsZero()
    {
        var mm = DepthPng.MetresToMillimetres([1.2344f, 1.2346f, 0f, float.NaN, -1f, 70f, float.PositiveInfinity]);
        Assert.Equal(new ushort[] { 1234, 1235, 0, 0, 0, 65535, 0 }, mm);
    }

    [Fact]
    public void ReadsEightBitGrayAndEveryFilterType()
    {
        // Skia writes 8-bit gray PNGs with adaptive filters; decode must agree with what we encoded
        using var dir = new TempDir();
        int h = 17, w = 23;
        var gray = new byte[h * w * 3];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
        { byte v = (byte)((x * 11 + y * 7 + x * y) % 256); gray[(y * w + x) * 3] = gray[(y * w + x) * 3 + 1] = gray[(y * w + x) * 3 + 2] = v; }
        using (var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(w, h, SkiaSharp.SKColorType.Gray8)))
        {
            var px = bitmap.GetPixelSpan();
            for (int i = 0; i < h * w; i++) px[(i / w) * bitmap.RowBytes + i % w] = gray[i * 3];
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(dir["g.png"], data.ToArray());
        }
        var image = DepthPng.Read(dir["g.png"]);
        Assert.Equal(8, image.BitDepth);
        for (int i = 0; i < h * w; i++) Assert.Equal(gray[i * 3], image.Values[i]);
    }

    [Fact]
    public void RgbPngIsRejectedAsDepthWithTheFileNamed()
    {
        using var dir = new TempDir();
        RgbImage.WritePng(dir["rgb.png"], 2, 2, new byte[12]);
        var e = Assert.Throws<DepthKitDataException>(() => DepthPng.Read(dir["rgb.png"]));
        Assert.Contains("rgb.png", e.Message);
        Assert.Contains("grayscale", e.Message);
    }

    [Fact]
    public void TruncatedAndCorruptFilesGiveDataErrors()
    {
        using var dir = new TempDir();
        DepthPng.Write16(dir["d.png"], 8, 8, Enumerable.Range(0, 64).Select(i => (ushort)(i * 1000)).ToArray());
        var bytes = File.ReadAllBytes(dir["d.png"]);
        File.WriteAllBytes(dir["cut.png"], bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<DepthKitDataException>(() => DepthPng.Read(dir["cut.png"])).Message);
        File.WriteAllBytes(dir["junk.png"], "definitely not a png"u8.ToArray());
        Assert.Contains("junk.png", Assert.Throws<DepthKitDataException>(() => DepthPng.Read(dir["junk.png"])).Message);
        Assert.Contains("not found", Assert.Throws<DepthKitDataException>(() => DepthPng.Read(dir["missing.png"])).Message);
    }
}

public class NpyTests
{
    [Fact]
    public void FloatRoundTripWithSlices()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(i => i * 0.5f).ToArray();
        Npy.WriteFloat32(dir["a.npy"], values, 2, 3, 4);
        using var file = NpyFile.Open(dir["a.npy"]);
        Assert.Equal(new long[] { 2, 3, 4 }, file.Shape);
        Assert.Equal("<f4", file.DType);
        Assert.Equal(values[12..], file.ReadSliceAsFloat(1));
        Assert.Equal(values[..12], file.ReadSliceAsFloat(0));
        Assert.Equal(values, file.ReadAllAsFloat());
    }

    [Fact]
    public void ReadsNumpyWrittenHeaderAndUint8()
    {
        using var dir = new TempDir();
        // header exactly as numpy 1.x writes it for np.arange(6, dtype=np.uint8).reshape(2,3)
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
        header = header.PadRight(128 - 10 - 1) + "\n";
        using (var s = File.Create(dir["u.npy"]))
        {
            s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
            s.Write(System.Text.Encoding.ASCII.GetBytes(header));
            s.Write([0, 1, 2, 3, 4, 5]);
        }
        using var file = NpyFile.Open(dir["u.npy"]);
        Assert.Equal(new byte[] { 3, 4, 5 }, file.ReadSliceBytes(1));
    }

    [Fact]
    public void TruncatedFortranAndBadDtypeAreClearErrors()
    {
        using var dir = new TempDir();
        Npy.WriteFloat32(dir["a.npy"], new float[100], 10, 10);
        var bytes = File.ReadAllBytes(dir["a.npy"]);
        File.WriteAllBytes(dir["cut.npy"], bytes[..(bytes.Length - 8)]);
        Assert.Contains("truncated", Assert.Throws<DepthKitDataException>(() => NpyFile.Open(dir["cut.npy"])).Message);
        Npy.Write(dir["big.npy"], ">f4", [1], new byte[4]);
        Assert.Contains("dtype", Assert.Throws<DepthKitDataException>(() => NpyFile.Open(dir["big.npy"])).Message);
        File.WriteAllText(dir["f.npy"], "");
        Assert.Contains("f.npy", Assert.Throws<DepthKitDataException>(() => NpyFile.Open(dir["f.npy"])).Message);
    }
}

public class RgbImageTests
{
    [Fact]
    public void PngRoundTripIsExactAndOrientationKept()
    {
        using var dir = new TempDir();
        int h = 3, w = 5;
        var rgb = Enumerable.Range(0, h * w * 3).Select(i => (byte)(i * 5)).ToArray();
        RgbImage.WritePng(dir["c.png"], h, w, rgb);
        var (rh, rw, back) = RgbImage.Read(dir["c.png"]);
        Assert.Equal((h, w), (rh, rw));
        Assert.Equal(rgb, back);
    }

    [Fact]
    public void CorruptImageNamesTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["bad.jpg"], [0xFF, 0xD8, 0xFF, 0x00, 0x01]);
        Assert.Contains("bad.jpg", Assert.Throws<DepthKitDataException>(() => RgbImage.Read(dir["bad.jpg"])).Message);
    }
}
