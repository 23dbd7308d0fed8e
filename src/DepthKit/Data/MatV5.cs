using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DepthKit.Data;

/// <summary>
/// A small reader for MATLAB v5 .mat files (the format of NYU's <c>splits.mat</c>; v7.3 files are HDF5 and
/// read with PureHDF instead). Reads the numeric matrices (any storage type MATLAB chose, e.g. a double array
/// saved compactly as uint8/uint16, possibly inside zlib-compressed elements) as doubles in MATLAB's
/// column-major order; cells, structs and strings are skipped.
/// </summary>
public static class MatV5
{
    // data element types (MATLAB "MAT-File Format", table 1-1)
    const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
              MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    /// <summary>A numeric matrix: its dimensions and values (column-major, as MATLAB stores them).</summary>
    public sealed record Matrix(string Name, int[] Dimensions, double[] Values);

    public static Dictionary<string, Matrix> Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new DepthKitDataException(path, "file not found"); }
        return Read(bytes, path);
    }

    public static Dictionary<string, Matrix> Read(byte[] file, string name)
    {
        // element tags carry lengths and sizes: a damaged one must name the file, not surface as the framework's
        // "(Parameter 'length')" from deep inside the parser
        try { return ReadChecked(file, name); }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or InvalidDataException
                                  or InvalidCastException or EndOfStreamException or FormatException)
        {
            throw new DepthKitDataException(name, $"corrupt MATLAB v5 file ({e.GetType().Name}: {e.Message})", e);
        }
    }

    static Dictionary<string, Matrix> ReadChecked(byte[] file, string name)
    {
        if (file.Length < 128) throw new DepthKitDataException(name, "not a MATLAB v5 .mat file (shorter than the 128-byte header)");
        if (NyuLabeledMat.IsHdf5(file))
            throw new DepthKitDataException(name, "this is a MATLAB v7.3 (HDF5) file, not MATLAB v5");
        if (!Encoding.ASCII.GetString(file, 0, 10).StartsWith("MATLAB", StringComparison.Ordinal))
            throw new DepthKitDataException(name, "not a MATLAB .mat file (header does not start with 'MATLAB')");
        if (file[126] != (byte)'I' || file[127] != (byte)'M')
            throw new DepthKitDataException(name, "big-endian or unknown MATLAB v5 byte order is not supported");
        var result = new Dictionary<string, Matrix>(StringComparer.Ordinal);
        ReadElements(file.AsSpan(128), name, result);
        return result;
    }

    static void ReadElements(ReadOnlySpan<byte> data, string name, Dictionary<string, Matrix> result)
    {
        int pos = 0;
        while (pos + 8 <= data.Length)
        {
            var (type, length, start, next) = Tag(data, pos, name);
            var body = data.Slice(start, length);
            if (type == MiCompressed)
            {
                byte[] inflated;
                try
                {
                    using var z = new ZLibStream(new MemoryStream(body.ToArray()), CompressionMode.Decompress);
                    using var buffer = new MemoryStream();
                    z.CopyTo(buffer);
                    inflated = buffer.ToArray();
                }
                catch (InvalidDataException e) { throw new DepthKitDataException(name, $"compressed element at byte {128 + pos} is corrupt ({e.Message})", e); }
                ReadElements(inflated, name, result);
                next = start + length; // compressed elements are not padded
            }
            else if (type == MiMatrix && length > 0)
            {
                var m = ReadMatrix(body, name);
                if (m is not null) result[m.Name] = m;
            }
            pos = next;
        }
    }

    /// <summary>Reads a tag at <paramref name="pos"/>: full (8-byte) or small (data packed in the tag).</summary>
    static (int Type, int Length, int Start, int Next) Tag(ReadOnlySpan<byte> data, int pos, string name)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]);
        if (first >> 16 != 0) // small data element: 2-byte length, 2-byte type, up to 4 bytes of data
            return ((int)(first & 0xFFFF), (int)(first >> 16), pos + 4, pos + 8);
        int length = BinaryPrimitives.ReadInt32LittleEndian(data[(pos + 4)..]);
        if (length < 0 || pos + 8 + (long)length > data.Length)
            throw new DepthKitDataException(name, $"MATLAB v5 element at offset {pos} claims {length} bytes; the file is truncated or corrupt");
        return ((int)first, length, pos + 8, pos + 8 + (length + 7) / 8 * 8);
    }

    static Matrix? ReadMatrix(ReadOnlySpan<byte> m, string name)
    {
        int pos = 0;
        var (flagsType, _, flagsStart, next) = Tag(m, pos, name);
        if (flagsType != MiUInt32) throw new DepthKitDataException(name, "MATLAB matrix without array flags");
        int mxClass = m[flagsStart] & 0xFF;
        bool complex = (m[flagsStart + 1] & 0x08) != 0;
        pos = next;
        var (_, dimsLength, dimsStart, afterDims) = Tag(m, pos, name);
        var dims = new int[dimsLength / 4];
        for (int i = 0; i < dims.Length; i++) dims[i] = BinaryPrimitives.ReadInt32LittleEndian(m[(dimsStart + 4 * i)..]);
        pos = afterDims;
        var (_, nameLength, nameStart, afterName) = Tag(m, pos, name);
        var arrayName = Encoding.ASCII.GetString(m.Slice(nameStart, nameLength));
        pos = afterName;
        if (mxClass is < 6 or > 15 || complex) return null; // 6..15: double, single, int8..uint64; cells/structs/chars skipped
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count == 0) return new Matrix(arrayName, dims, []);
        var (type, length, start, _) = Tag(m, pos, name);
        var values = ToDoubles(type, m.Slice(start, length), name, arrayName);
        if (values.Length != count)
            throw new DepthKitDataException(name, $"matrix '{arrayName}' has {values.Length} values for dimensions {string.Join('x', dims)}");
        return new Matrix(arrayName, dims, values);
    }

    static double[] ToDoubles(int type, ReadOnlySpan<byte> b, string name, string array)
    {
        int size = type switch
        {
            MiInt8 or MiUInt8 => 1, MiInt16 or MiUInt16 => 2, MiInt32 or MiUInt32 or MiSingle => 4, MiDouble or MiInt64 or MiUInt64 => 8,
            _ => throw new DepthKitDataException(name, $"matrix '{array}' stores its values as unsupported element type {type}"),
        };
        var v = new double[b.Length / size];
        for (int i = 0; i < v.Length; i++)
        {
            var s = b[(i * size)..];
            v[i] = type switch
            {
                MiInt8 => (sbyte)s[0], MiUInt8 => s[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(s), MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(s), MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(s), MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(s),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(s), _ => BinaryPrimitives.ReadUInt64LittleEndian(s),
            };
        }
        return v;
    }

    /// <summary>
    /// NYU splits.mat: 1-based <c>trainNdxs</c> and <c>testNdxs</c>, checked to be whole numbers in 1..<paramref name="frames"/>
    /// and disjoint.
    /// </summary>
    public static (int[] Train, int[] Test) ReadNyuSplits(string path, int frames)
    {
        var mats = Read(path);
        int[] Get(string key)
        {
            if (!mats.TryGetValue(key, out var m))
                throw new DepthKitDataException(path, $"no '{key}' matrix (found: {string.Join(", ", mats.Keys)}); expected NYU's splits.mat");
            var idx = new int[m.Values.Length];
            for (int i = 0; i < idx.Length; i++)
            {
                double v = m.Values[i];
                if (v != Math.Floor(v) || v < 1 || v > frames)
                    throw new DepthKitDataException(path, $"'{key}' value {v} is not a 1-based frame index in 1..{frames}");
                idx[i] = (int)v;
            }
            return idx;
        }
        var train = Get("trainNdxs");
        var test = Get("testNdxs");
        var overlap = train.Intersect(test).FirstOrDefault();
        if (overlap != 0) throw new DepthKitDataException(path, $"frame {overlap} is in both trainNdxs and testNdxs");
        return (train, test);
    }
}
