using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DepthKit.Data;

/// <summary>
/// NumPy .npy files (format versions 1-3, C order, little-endian or byte-sized dtypes). The header is parsed
/// once; <see cref="NpyFile.ReadSliceBytes"/> reads one index of the first axis so a 654x480x640x3 array is never
/// loaded whole.
/// </summary>
public sealed partial class NpyFile : IDisposable
{
    readonly Stream _stream;
    readonly long _dataStart;
    readonly string _name;

    public long[] Shape { get; }
    /// <summary>NumPy type string such as &lt;f4, &lt;f8, |u1, &lt;u2.</summary>
    public string DType { get; }
    public int ItemSize { get; }
    /// <summary>Values in one index of the first axis.</summary>
    public long SliceLength => Shape.Skip(1).Aggregate(1L, (a, b) => a * b);

    NpyFile(Stream stream, string name, long dataStart, long[] shape, string dtype)
    {
        _stream = stream; _name = name; _dataStart = dataStart; Shape = shape; DType = dtype;
        ItemSize = int.Parse(dtype[2..], CultureInfo.InvariantCulture);
    }

    public static NpyFile Open(string path)
    {
        FileStream stream;
        try { stream = File.OpenRead(path); }
        catch (FileNotFoundException) { throw new DepthKitDataException(path, "file not found"); }
        try { return Open(stream, path); }
        catch { stream.Dispose(); throw; }
    }

    /// <summary>Reads the header of a seekable stream (the stream is owned and disposed by the result).</summary>
    public static NpyFile Open(Stream stream, string name)
    {
        Span<byte> start = stackalloc byte[10];
        if (stream.ReadAtLeast(start, 10, throwOnEndOfStream: false) < 10 || start[0] != 0x93 || !start[1..6].SequenceEqual("NUMPY"u8))
            throw new DepthKitDataException(name, "not a .npy file (bad magic)");
        int major = start[6];
        int headerLength;
        if (major == 1) headerLength = BinaryPrimitives.ReadUInt16LittleEndian(start[8..]);
        else if (major is 2 or 3)
        {
            Span<byte> more = stackalloc byte[2];
            stream.ReadExactly(more);
            headerLength = (int)(BinaryPrimitives.ReadUInt16LittleEndian(start[8..]) | (uint)BinaryPrimitives.ReadUInt16LittleEndian(more) << 16);
        }
        else throw new DepthKitDataException(name, $".npy format version {major} is not supported");
        // checked before allocating: a corrupt length would ask for up to 4 GB (real headers are a few hundred bytes)
        if (headerLength < 0 || headerLength > 1 << 20 || (stream.CanSeek && headerLength > stream.Length - stream.Position))
            throw new DepthKitDataException(name, $".npy header length {(uint)headerLength} is corrupt (the file has {(stream.CanSeek ? stream.Length : -1)} bytes)");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
            throw new DepthKitDataException(name, ".npy header is truncated");
        var header = Encoding.Latin1.GetString(headerBytes);
        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success) throw new DepthKitDataException(name, $".npy header is not understood: {header.Trim()}");
        if (order.Groups[1].Value == "True") throw new DepthKitDataException(name, "Fortran-order .npy arrays are not supported; save with np.ascontiguousarray");
        var dtype = descr.Groups[1].Value;
        if (dtype is not ("<f4" or "<f8" or "|u1" or "<u1" or "|i1" or "<u2" or "<i2" or "<i4" or "<i8" or "|b1"))
            throw new DepthKitDataException(name, $".npy dtype '{dtype}' is not supported (need little-endian float/int)");
        if (dtype == "|b1") dtype = "|u1";
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new DepthKitDataException(name, $".npy header has a shape entry '{s}' that is not a size")).ToArray();
        if (shape.Any(d => d > int.MaxValue) || shape.Aggregate(1.0, (a, b) => a * b) > long.MaxValue / 16)
            throw new DepthKitDataException(name, $".npy shape ({string.Join(", ", shape)}) is too large to be real");
        var file = new NpyFile(stream, name, stream.CanSeek ? stream.Position : 0, shape, dtype);
        if (stream.CanSeek)
        {
            long expected = file.Shape.Aggregate(1L, (a, b) => a * b) * file.ItemSize;
            if (stream.Length - file._dataStart < expected)
                throw new DepthKitDataException(name, $".npy data is truncated: {stream.Length - file._dataStart} bytes for shape ({string.Join(", ", shape)}) of {dtype} ({expected} bytes)");
        }
        return file;
    }

    /// <summary>Index <paramref name="index"/> of the first axis as float (a 0-d or 1-d array: everything).</summary>
    public float[] ReadSliceAsFloat(long index) => ToFloat(ReadSliceBytes(index));

    /// <summary>Index <paramref name="index"/> of the first axis as raw bytes (use for |u1 images).</summary>
    public byte[] ReadSliceBytes(long index)
    {
        long count = Shape.Length <= 1 ? Shape.Aggregate(1L, (a, b) => a * b) : SliceLength;
        if (Shape.Length > 1 && (index < 0 || index >= Shape[0]))
            throw new ArgumentOutOfRangeException(nameof(index), $"{_name}: index {index} outside 0..{Shape[0] - 1}");
        if (_stream.CanSeek) _stream.Position = _dataStart + (Shape.Length <= 1 ? 0 : index * count * ItemSize);
        else if (index != 0) throw new NotSupportedException($"{_name}: random access needs a seekable stream");
        var bytes = new byte[count * ItemSize];
        if (_stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            throw new DepthKitDataException(_name, ".npy data is truncated");
        return bytes;
    }

    /// <summary>The whole array as float (small arrays only).</summary>
    public float[] ReadAllAsFloat()
    {
        if (_stream.CanSeek) _stream.Position = _dataStart;
        long total = Shape.Aggregate(1L, (a, b) => a * b) * ItemSize;
        var bytes = new byte[total];
        if (_stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            throw new DepthKitDataException(_name, ".npy data is truncated");
        return ToFloat(bytes);
    }

    float[] ToFloat(byte[] b)
    {
        int n = b.Length / ItemSize;
        var result = new float[n];
        var s = b.AsSpan();
        for (int i = 0; i < n; i++)
            result[i] = DType switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(s[(4 * i)..]),
                "<f8" => (float)BinaryPrimitives.ReadDoubleLittleEndian(s[(8 * i)..]),
                "|u1" or "<u1" => b[i],
                "|i1" => (sbyte)b[i],
                "<u2" => BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]),
                "<i2" => BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]),
                _ => throw new InvalidOperationException(DType),
            };
        return result;
    }

    public void Dispose() => _stream.Dispose();

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}

/// <summary>Writes .npy files (version 1, C order), atomically.</summary>
public static class Npy
{
    public static void WriteFloat32(string path, ReadOnlySpan<float> values, params long[] shape) =>
        Write(path, "<f4", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public static void WriteUInt8(string path, ReadOnlySpan<byte> values, params long[] shape) =>
        Write(path, "|u1", shape, values.ToArray());

    public static void Write(string path, string dtype, long[] shape, byte[] data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n"; // data starts 64-byte aligned, as NumPy writes it
        AtomicFile.Write(path, s =>
        {
            s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            s.Write(length);
            s.Write(Encoding.Latin1.GetBytes(header));
            s.Write(data);
        });
    }
}
