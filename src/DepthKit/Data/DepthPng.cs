using System.Buffers.Binary;
using System.IO.Compression;

namespace DepthKit.Data;

/// <summary>
/// Grayscale PNG read and write at 8 or 16 bits, the way depth maps are stored (NYU/DenseDepth: 16-bit millimetres
/// for test, 8-bit v/255*10 m for train; TUM: 16-bit / 5000). Written here rather than through SkiaSharp because
/// Skia converts 16-bit images to 8 bits on decode.
/// </summary>
public static class DepthPng
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Raw grayscale values (row-major) and the bit depth they were stored with.</summary>
    public sealed record Image(int Height, int Width, int BitDepth, ushort[] Values);

    public static Image Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Read(stream, path);
        }
        catch (FileNotFoundException) { throw new DepthKitDataException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new DepthKitDataException(path, "file not found (no such folder)"); }
    }

    /// <summary>Decodes a grayscale PNG; <paramref name="name"/> is used in errors (a path or zip entry).</summary>
    public static Image Read(Stream stream, string name)
    {
        var reader = new BinaryReader(stream);
        try
        {
            if (!reader.ReadBytes(8).AsSpan().SequenceEqual(Signature)) throw new DepthKitDataException(name, "not a PNG file (bad signature)");
            int width = 0, height = 0, bitDepth = 0, colorType = -1;
            using var compressed = new MemoryStream();
            while (true)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(ReadExactly(reader, 4, name));
                string type = System.Text.Encoding.ASCII.GetString(ReadExactly(reader, 4, name));
                if (length < 0) throw new DepthKitDataException(name, $"corrupt PNG chunk length {length}");
                // checked before allocating: a corrupt length would otherwise ask for up to 2 GB
                if (stream.CanSeek && length > stream.Length - stream.Position)
                    throw new DepthKitDataException(name, $"PNG file is truncated or corrupt: chunk '{Printable(type)}' claims {length} bytes but only {stream.Length - stream.Position} are left");
                if (length > MaxChunk) throw new DepthKitDataException(name, $"corrupt PNG: chunk '{Printable(type)}' claims {length} bytes (more than {MaxChunk})");
                var data = ReadExactly(reader, length, name);
                ReadExactly(reader, 4, name); // CRC: truncation is caught by the exact reads; zlib checks the data
                if (type == "IHDR")
                {
                    if (data.Length < 13) throw new DepthKitDataException(name, $"corrupt PNG: IHDR has {data.Length} bytes, not 13");
                    width = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(0));
                    height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[12] != 0) throw new DepthKitDataException(name, "interlaced PNG depth maps are not supported");
                    if (colorType != 0)
                        throw new DepthKitDataException(name, $"depth PNG must be single-channel grayscale; this one has PNG colour type {colorType} ({ColorTypeName(colorType)})");
                    if (bitDepth is not (8 or 16))
                        throw new DepthKitDataException(name, $"depth PNG must be 8- or 16-bit; this one is {bitDepth}-bit");
                    if (width <= 0 || height <= 0 || (long)width * height > RgbImage.MaxPixels)
                        throw new DepthKitDataException(name, $"implausible PNG size {width}x{height} (at most {RgbImage.MaxPixels / 1_000_000} megapixels are read)");
                }
                else if (type == "IDAT") compressed.Write(data);
                else if (type == "IEND") break;
            }
            if (colorType < 0) throw new DepthKitDataException(name, "PNG has no IHDR chunk");
            int bytesPerPixel = bitDepth / 8, stride = width * bytesPerPixel;
            var raw = new byte[(long)height * (stride + 1)];
            compressed.Position = 0;
            try
            {
                using var z = new ZLibStream(compressed, CompressionMode.Decompress);
                int read = 0;
                while (read < raw.Length)
                {
                    int n = z.Read(raw, read, raw.Length - read);
                    if (n == 0) throw new DepthKitDataException(name, $"PNG image data is truncated ({read} of {raw.Length} bytes)");
                    read += n;
                }
            }
            // zlib's own error codes (a damaged stream) come as the runtime's internal ZLibException, an IOException; the
            // stream is in memory here, so no IOException from it is a disk's
            catch (IOException e) when (e is not EndOfStreamException) { throw new DepthKitDataException(name, $"PNG image data is corrupt ({e.Message})", e); }
            var values = new ushort[width * height];
            var previous = new byte[stride];
            var current = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                int filter = raw[y * (stride + 1)];
                Array.Copy(raw, y * (stride + 1) + 1, current, 0, stride);
                Unfilter(filter, current, previous, bytesPerPixel, name);
                for (int x = 0; x < width; x++)
                    values[y * width + x] = bitDepth == 16 ? (ushort)(current[2 * x] << 8 | current[2 * x + 1]) : current[x];
                (previous, current) = (current, previous);
            }
            return new Image(height, width, bitDepth, values);
        }
        catch (EndOfStreamException) { throw new DepthKitDataException(name, "PNG file is truncated"); }
        catch (InvalidDataException e) { throw new DepthKitDataException(name, $"PNG image data is corrupt ({e.Message})", e); }
    }

    /// <summary>Writes a 16-bit grayscale PNG atomically (temp file + rename).</summary>
    public static void Write16(string path, int height, int width, ReadOnlySpan<ushort> values)
    {
        if (values.Length != height * width) throw new ArgumentException($"{values.Length} values for a {height}x{width} image");
        var rows = new byte[height * (width * 2 + 1)];
        for (int y = 0, o = 0; y < height; y++)
        {
            rows[o++] = 0; // filter: none (fast, and depth maps compress well enough)
            for (int x = 0; x < width; x++)
            {
                ushort v = values[y * width + x];
                rows[o++] = (byte)(v >> 8);
                rows[o++] = (byte)v;
            }
        }
        AtomicFile.Write(path, stream => WritePng(stream, height, width, 16, rows));
    }

    /// <summary>Metres to 16-bit millimetres: rounded, 0 for invalid, clamped to 65.535 m.</summary>
    public static ushort[] MetresToMillimetres(ReadOnlySpan<float> metres)
    {
        var mm = new ushort[metres.Length];
        for (int i = 0; i < mm.Length; i++)
            mm[i] = DepthSample.IsValidDepth(metres[i]) ? (ushort)Math.Clamp(MathF.Round(metres[i] * 1000f), 0f, 65535f) : (ushort)0;
        return mm;
    }

    static void WritePng(Stream stream, int height, int width, int bitDepth, byte[] filteredRows)
    {
        stream.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth; // colour type 0 (gray), compression 0, filter 0, interlace 0
        WriteChunk(stream, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(filteredRows);
        WriteChunk(stream, "IDAT", compressed.ToArray());
        WriteChunk(stream, "IEND", []);
    }

    static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeBytes, data));
        stream.Write(word);
    }

    static void Unfilter(int filter, byte[] row, byte[] above, int bpp, string name)
    {
        switch (filter)
        {
            case 0: return;
            case 1: for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp]; return;
            case 2: for (int i = 0; i < row.Length; i++) row[i] += above[i]; return;
            case 3: for (int i = 0; i < row.Length; i++) row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + above[i]) >> 1); return;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = above[i], c = i >= bpp ? above[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                return;
            default: throw new DepthKitDataException(name, $"corrupt PNG: unknown row filter {filter}");
        }
    }

    /// <summary>Largest chunk read from a stream whose length is unknown.</summary>
    const int MaxChunk = 1 << 30;

    static string Printable(string type) => new(type.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    static byte[] ReadExactly(BinaryReader reader, int count, string name)
    {
        var bytes = reader.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new DepthKitDataException(name, "PNG file is truncated");
    }

    static string ColorTypeName(int t) => t switch { 2 => "RGB", 3 => "palette", 4 => "gray+alpha", 6 => "RGBA", _ => "unknown" };

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    static uint Crc32(byte[] type, byte[] data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in type) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        foreach (var b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
