using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Models.Pretrained;

/// <summary>
/// Reader of the <c>.safetensors</c> format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>, then the
/// raw little-endian tensor bytes. Floating tensors (F16, BF16, F32, F64) come back as float32, integer ones as int64.
/// </summary>
public static class SafeTensors
{
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a safetensors file already in memory; <paramref name="path"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Read(byte[] bytes, string path)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: too short for a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file");
        long dataStart = 8 + (long)headerLength;
        JsonDocument header;
        try { header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not JSON ({e.Message})", e); }

        var result = new Dictionary<string, Tensor>();
        using (header)
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                try
                {
                    string dtype = entry.Value.GetProperty("dtype").GetString()!;
                    long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                    long[] offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                    long count = shape.Aggregate(1L, (a, b) => a * b);
                    if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > bytes.Length)
                        throw new InvalidDataException($"{path}: tensor {entry.Name} has data offsets outside the file");
                    var data = bytes.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0]));
                    result[entry.Name] = Decode(data, dtype, shape, count, $"{path}: tensor {entry.Name}");
                }
                catch (KeyNotFoundException)
                {
                    throw new InvalidDataException($"{path}: tensor {entry.Name} lacks dtype, shape or data_offsets");
                }
            }
        return result;
    }

    /// <summary>
    /// Writes tensors (float16/32/64, int32/64, uint8, bool) as safetensors in the dictionary's order: an 8-byte
    /// little-endian header length, the JSON header padded with spaces to a multiple of 8, then the raw bytes.
    /// </summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var header = new Dictionary<string, object>();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, value) in tensors)
        {
            using var cpu = value.detach().cpu().contiguous();
            string dtype = cpu.dtype switch
            {
                ScalarType.Float16 => "F16", ScalarType.Float32 => "F32", ScalarType.Float64 => "F64", ScalarType.Int64 => "I64", ScalarType.Int32 => "I32",
                ScalarType.Byte => "U8", ScalarType.Bool => "BOOL",
                _ => throw new NotSupportedException($"tensor {name}: dtype {cpu.dtype} cannot be written as safetensors here"),
            };
            var bytes = cpu.bytes.ToArray();
            header[name] = new { dtype, shape = cpu.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            offset += bytes.Length;
            blobs.Add(bytes);
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var blob in blobs) stream.Write(blob);
    }

    static Tensor Decode(ReadOnlySpan<byte> data, string dtype, long[] shape, long count, string what)
    {
        int size = dtype switch { "F32" or "I32" => 4, "F64" or "I64" => 8, "F16" or "BF16" or "I16" => 2, "U8" or "I8" or "BOOL" => 1, _ => 0 };
        if (size == 0) throw new InvalidDataException($"{what}: dtype {dtype} is not supported");
        if (data.Length != count * size) throw new InvalidDataException($"{what}: {data.Length} bytes for {count} values of {dtype}");
        switch (dtype)
        {
            case "F32" or "F64" or "F16" or "BF16":
                var floats = new float[count];
                for (int i = 0; i < count; i++)
                    floats[i] = dtype switch
                    {
                        "F32" => BinaryPrimitives.ReadSingleLittleEndian(data.Slice(4 * i)),
                        "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(8 * i)),
                        "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(data.Slice(2 * i)),
                        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(2 * i)) << 16),
                    };
                return tensor(floats).reshape(shape);
            default:
                var ints = new long[count];
                for (int i = 0; i < count; i++)
                    ints[i] = dtype switch
                    {
                        "I64" => BinaryPrimitives.ReadInt64LittleEndian(data.Slice(8 * i)),
                        "I32" => BinaryPrimitives.ReadInt32LittleEndian(data.Slice(4 * i)),
                        "I16" => BinaryPrimitives.ReadInt16LittleEndian(data.Slice(2 * i)),
                        "I8" => (sbyte)data[i],
                        _ => data[i],
                    };
                return tensor(ints).reshape(shape);
        }
    }
}
