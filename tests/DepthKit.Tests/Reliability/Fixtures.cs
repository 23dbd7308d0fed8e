using System.Buffers.Binary;
using DepthKit.Data;
using DepthKit.Data.Synth;
using DepthKit.Models;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Tests.Reliability;

/// <summary>Small broken and unusual inputs for the reliability tests.</summary>
static class Fixtures
{
    /// <summary>A CNN run folder (best.ckpt) with a 16x16 input that predicts 2 m everywhere.</summary>
    /// <remarks>edit: changes the weights before they are saved (NaN weights, a head that predicts nothing valid)</remarks>
    public static string ConstantModel(string runDir, int size = 16, Action<string, TorchSharp.Modules.Parameter>? edit = null)
    {
        var config = new ModelConfig("cnn", inputHeight: size, inputWidth: size, options: new() { ["width"] = "4", ["initial_depth"] = "2" });
        var model = Architectures.Create(config);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                if (name == "head.weight") p.zero_();
                edit?.Invoke(name, p);
            }
        Checkpoint.Save(Path.Combine(runDir, "best.ckpt"),
            new CheckpointInfo { Model = ModelFactory.Identity(config), Options = new TrainOptions { Height = size, Width = size } }, model, null);
        return runDir;
    }

    /// <summary>A synth folder (index.csv, 16-bit depth PNGs) of <paramref name="count"/> images.</summary>
    public static string SynthFolder(string folder, int count, int size = 16, long seed = 3)
    {
        SynthRooms.WriteDataset(folder, count, size, size, seed);
        return folder;
    }

    /// <summary>Overwrites a file with bytes that are no image.</summary>
    public static void Corrupt(string path) => File.WriteAllBytes(path, "not an image at all"u8.ToArray());

    /// <summary>A PNG made of the given chunks (each with a correct CRC) after the signature.</summary>
    public static byte[] Png(params (string Type, byte[] Data)[] chunks)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks) WriteChunk(ms, type, data, data.Length);
        return ms.ToArray();
    }

    /// <summary>An IHDR for a grey (0) or RGB (2) image of the given size and bit depth.</summary>
    public static byte[] Ihdr(int width, int height, int bitDepth = 8, int colorType = 0)
    {
        var h = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(h, width);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), height);
        h[8] = (byte)bitDepth; h[9] = (byte)colorType;
        return h;
    }

    public static void WriteChunk(Stream s, string type, byte[] data, int claimedLength)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, claimedLength);
        s.Write(word);
        var t = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc(t, data));
        s.Write(word);
    }

    static uint Crc(byte[] type, byte[] data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in type.Concat(data))
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>A JPEG of the given pixels with an EXIF APP1 segment carrying <paramref name="orientation"/> (1-8).</summary>
    public static byte[] JpegWithOrientation(int h, int w, byte[] rgb, ushort orientation)
    {
        var jpeg = RgbImage.EncodeJpeg(h, w, rgb, 100);
        // TIFF big-endian: header, one IFD with one SHORT entry (0x0112 Orientation), no next IFD
        var tiff = new byte[8 + 2 + 12 + 4];
        "MM\0*"u8.CopyTo(tiff);
        BinaryPrimitives.WriteInt32BigEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x0112);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 3);
        BinaryPrimitives.WriteInt32BigEndian(tiff.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), orientation);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        using var ms = new MemoryStream();
        ms.Write(jpeg.AsSpan(0, 2)); // SOI
        ms.Write([0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        ms.Write(payload);
        ms.Write(jpeg.AsSpan(2));
        return ms.ToArray();
    }
}
