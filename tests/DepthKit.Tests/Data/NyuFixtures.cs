using System.Buffers.Binary;
using System.IO.Compression;
using DepthKit.Data;
using PureHDF;
using SkiaSharp;

namespace DepthKit.Tests.Data;

/// <summary>Tiny NYU-shaped fixtures in every format, built from one asymmetric pattern so transposes show.</summary>
static class NyuFixtures
{
    /// <summary>RGB of frame n at (y, x): R = 10x + n, G = 20y + n, B = 7 (x and y distinguishable, frames too).</summary>
    public static byte[] Rgb(int n, int h, int w)
    {
        var rgb = new byte[h * w * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = (y * w + x) * 3;
                rgb[p] = (byte)(10 * x + n); rgb[p + 1] = (byte)(20 * y + n); rgb[p + 2] = 7;
            }
        return rgb;
    }

    /// <summary>Depth of frame n at (y, x) in millimetres: 1000 + 100y + 10x + n; (0, 0) is 0 (invalid).</summary>
    public static ushort DepthMm(int n, int y, int x) => y == 0 && x == 0 ? (ushort)0 : (ushort)(1000 + 100 * y + 10 * x + n);

    public static float[] DepthMetres(int n, int h, int w)
    {
        var d = new float[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) d[y * w + x] = DepthMm(n, y, x) / 1000f;
        return d;
    }

    public static void WriteGray8Png(string path, int h, int w, Func<int, int, byte> value)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Gray8));
        var px = bitmap.GetPixelSpan();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[y * bitmap.RowBytes + x] = value(y, x);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>
    /// DenseDepth layout under <paramref name="root"/>: data/nyu2_train.csv (JPEG RGB, 8-bit depth v = 10y + x + 1 + n)
    /// and data/nyu2_test.csv (PNG RGB, 16-bit depth in mm), <paramref name="frames"/> frames each.
    /// </summary>
    public static void WriteDenseDepth(string root, int frames = 2, int h = 4, int w = 6)
    {
        var train = new List<string>();
        var test = new List<string>();
        for (int n = 0; n < frames; n++)
        {
            var rgb = Rgb(n, h, w);
            var dir = Path.Combine(root, "data", "nyu2_train", "room_0001_out");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"{n}.jpg"), RgbImage.EncodeJpeg(h, w, rgb, 100));
            int frame = n;
            WriteGray8Png(Path.Combine(dir, $"{n}.png"), h, w, (y, x) => (byte)(10 * y + x + 1 + frame));
            train.Add($"data/nyu2_train/room_0001_out/{n}.jpg,data/nyu2_train/room_0001_out/{n}.png");

            var testDir = Path.Combine(root, "data", "nyu2_test");
            Directory.CreateDirectory(testDir);
            RgbImage.WritePng(Path.Combine(testDir, $"{n:D5}_colors.png"), h, w, rgb);
            var mm = new ushort[h * w];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) mm[y * w + x] = DepthMm(n, y, x);
            DepthPng.Write16(Path.Combine(testDir, $"{n:D5}_depth.png"), h, w, mm);
            test.Add($"data/nyu2_test/{n:D5}_colors.png,data/nyu2_test/{n:D5}_depth.png");
        }
        File.WriteAllText(Path.Combine(root, "data", "nyu2_train.csv"), string.Join("\n", train) + "\n");
        File.WriteAllText(Path.Combine(root, "data", "nyu2_test.csv"), string.Join("\r\n", test));
    }

    /// <summary>Zips a folder's contents (entry names relative to it, '/' separated), deflated or stored.</summary>
    public static void Zip(string folder, string zipPath, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order())
            zip.CreateEntryFromFile(file, Path.GetRelativePath(folder, file).Replace('\\', '/'), level);
    }

    /// <summary>
    /// A labeled .mat in MATLAB's layout as HDF5 sees it: images uint8 [N, 3, W, H], depths float32 [N, W, H],
    /// element [n, c, x, y] = pixel (row y, column x).
    /// </summary>
    public static void WriteLabeledMat(string path, int frames, int h, int w, bool matlabHeader = true, bool chunkedDeflate = false)
    {
        var images = new byte[frames * 3 * w * h];
        var depths = new float[frames * w * h];
        for (int n = 0; n < frames; n++)
        {
            var rgb = Rgb(n, h, w);
            var d = DepthMetres(n, h, w);
            for (int x = 0; x < w; x++)
                for (int y = 0; y < h; y++)
                {
                    for (int c = 0; c < 3; c++) images[((n * 3 + c) * w + x) * h + y] = rgb[(y * w + x) * 3 + c];
                    depths[(n * w + x) * h + y] = d[y * w + x];
                }
        }
        // MATLAB writes big arrays chunked and deflated; chunkedDeflate does the same (one chunk per 2 frames)
        uint[]? imageChunks = chunkedDeflate ? [2, 3, (uint)w, (uint)h] : null, depthChunks = chunkedDeflate ? [2, (uint)w, (uint)h] : null;
        new H5File
        {
            ["images"] = new H5Dataset(images, chunks: imageChunks, fileDims: [(ulong)frames, 3, (ulong)w, (ulong)h]),
            ["depths"] = new H5Dataset(depths, chunks: depthChunks, fileDims: [(ulong)frames, (ulong)w, (ulong)h]),
        }.Write(path, new H5WriteOptions { UserBlockSize = matlabHeader ? 512UL : 0UL, Filters = chunkedDeflate ? [PureHDF.Filters.DeflateFilter.Id] : [] });
        if (!matlabHeader) return;
        // MATLAB v7.3 files start with a 512-byte user block holding a text header; HDF5 begins at byte 512
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Write(System.Text.Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: test HDF5 schema 1.00 ."));
    }

    /// <summary>
    /// A MATLAB v5 file with numeric column vectors; each is stored as the given element type (9 = miDOUBLE,
    /// 4 = miUINT16, 2 = miUINT8) in class double, optionally inside a zlib-compressed element, as MATLAB does.
    /// </summary>
    public static void WriteMatV5(string path, params (string Name, double[] Values, int StorageType, bool Compressed)[] arrays)
    {
        using var file = new MemoryStream();
        var header = new byte[128];
        var text = System.Text.Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test fixture");
        Array.Fill(header, (byte)' ', 0, 116);
        text.CopyTo(header, 0);
        header[124] = 0x00; header[125] = 0x01; header[126] = (byte)'I'; header[127] = (byte)'M';
        file.Write(header);
        foreach (var (name, values, storage, compressed) in arrays)
        {
            using var matrix = new MemoryStream();
            Element(matrix, 6, [6, 0, 0, 0, 0, 0, 0, 0]); // array flags: class 6 = double
            var dims = new byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(dims, values.Length);
            BinaryPrimitives.WriteInt32LittleEndian(dims.AsSpan(4), 1);
            Element(matrix, 5, dims);
            Element(matrix, 1, System.Text.Encoding.ASCII.GetBytes(name));
            int size = storage switch { 9 => 8, 4 => 2, _ => 1 };
            var data = new byte[values.Length * size];
            for (int i = 0; i < values.Length; i++)
                if (storage == 9) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
                else if (storage == 4) BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), (ushort)values[i]);
                else data[i] = (byte)values[i];
            Element(matrix, storage, data);
            using var element = new MemoryStream();
            Element(element, 14, matrix.ToArray());
            if (!compressed) { file.Write(element.ToArray()); continue; }
            using var z = new MemoryStream();
            using (var zlib = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(element.ToArray());
            var tag = new byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(tag, 15);
            BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), (int)z.Length);
            file.Write(tag);
            file.Write(z.ToArray());
        }
        File.WriteAllBytes(path, file.ToArray());
    }

    /// <summary>A data element: small format when it fits in 4 bytes (as MATLAB writes names), else tag + padded data.</summary>
    static void Element(Stream s, int type, byte[] data)
    {
        var tag = new byte[8];
        if (data.Length <= 4 && type != 14)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(tag, (uint)(data.Length << 16 | type));
            data.CopyTo(tag, 4);
            s.Write(tag);
            return;
        }
        BinaryPrimitives.WriteInt32LittleEndian(tag, type);
        BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), data.Length);
        s.Write(tag);
        s.Write(data);
        s.Write(new byte[(8 - data.Length % 8) % 8]);
    }

    /// <summary>DenseDepth nyu_test.zip contents: rgb [N,H,W,3] uint8, depth [N,H,W] float32 m, crop [20,460,24,616] int64.</summary>
    public static void WriteNyuTestNpy(string folder, int frames, int h, int w)
    {
        Directory.CreateDirectory(folder);
        var rgb = new List<byte>();
        var depth = new List<float>();
        for (int n = 0; n < frames; n++) { rgb.AddRange(Rgb(n, h, w)); depth.AddRange(DepthMetres(n, h, w)); }
        Npy.WriteUInt8(Path.Combine(folder, NyuTestNpy.RgbFile), rgb.ToArray(), frames, h, w, 3);
        Npy.WriteFloat32(Path.Combine(folder, NyuTestNpy.DepthFile), depth.ToArray(), frames, h, w);
        var crop = new byte[32];
        long[] values = [20, 460, 24, 616];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt64LittleEndian(crop.AsSpan(8 * i), values[i]);
        Npy.Write(Path.Combine(folder, NyuTestNpy.CropFile), "<i8", [4], crop);
    }
}
