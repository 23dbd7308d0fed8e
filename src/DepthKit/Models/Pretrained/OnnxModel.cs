using System.Buffers.Binary;
using System.Text;

namespace DepthKit.Models.Pretrained;

/// <summary>An attribute of an ONNX node (only the kinds a convolutional network uses).</summary>
public sealed record OnnxAttribute(string Name, float? Float, long? Int, string? String, long[] Ints, float[] Floats);

/// <summary>One node of an ONNX graph.</summary>
public sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    public long[] Ints(string attribute) => Attributes.TryGetValue(attribute, out var a) ? a.Ints : [];
    public float? Float(string attribute) => Attributes.TryGetValue(attribute, out var a) ? a.Float : null;
}

/// <summary>A float32 initializer (weights) of an ONNX graph.</summary>
public sealed record OnnxTensor(string Name, long[] Dims, float[] Data);

/// <summary>
/// A minimal reader of ONNX files (<c>ModelProto</c>): the graph's nodes, inputs, outputs and float32
/// initializers. It parses the protobuf wire format directly (varints, length-delimited fields, fixed32),
/// which is all an ONNX model is; unknown fields are skipped.
/// </summary>
public sealed class OnnxModel
{
    public string Path { get; }
    public string ProducerName { get; private set; } = "";
    public IReadOnlyList<OnnxNode> Nodes => nodes;
    public IReadOnlyDictionary<string, OnnxTensor> Initializers => initializers;
    /// <summary>Graph inputs that are not initializers (the data inputs).</summary>
    public IReadOnlyList<string> Inputs => inputs.Where(i => !initializers.ContainsKey(i)).ToList();
    public IReadOnlyList<string> Outputs => outputs;

    readonly List<OnnxNode> nodes = [];
    readonly Dictionary<string, OnnxTensor> initializers = [];
    readonly List<string> inputs = [];
    readonly List<string> outputs = [];

    OnnxModel(string path)
    {
        Path = path;
        producers = new(() => nodes.SelectMany(n => n.Outputs.Select(o => (Value: o, Node: n)))
            .GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Node));
    }

    /// <summary>Reads an .onnx file; InvalidDataException names the file when it is not a readable ONNX model.</summary>
    public static OnnxModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        var model = new OnnxModel(path);
        try
        {
            model.ReadModel(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a valid ONNX protobuf ({e.Message})", e);
        }
        if (model.nodes.Count == 0) throw new InvalidDataException($"{path}: the ONNX model has no graph nodes");
        return model;
    }

    /// <summary>The node that produces a value, or null for graph inputs and initializers.</summary>
    public OnnxNode? Producer(string value) => producers.Value.GetValueOrDefault(value);

    /// <summary>The nodes that read a value.</summary>
    public IEnumerable<OnnxNode> Consumers(string value) => nodes.Where(n => n.Inputs.Contains(value));

    readonly Lazy<Dictionary<string, OnnxNode>> producers;

    // ---- protobuf wire format ----

    ref struct Reader(ReadOnlySpan<byte> data)
    {
        readonly ReadOnlySpan<byte> data = data;
        int pos = 0;
        public readonly bool End => pos >= data.Length;

        public ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = data[pos++];
                result |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return result;
            }
            throw new ArgumentException("varint longer than 10 bytes");
        }

        public (int Field, int Wire) Tag()
        {
            ulong tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ReadOnlySpan<byte> Bytes()
        {
            int length = checked((int)Varint());
            var span = data.Slice(pos, length);
            pos += length;
            return span;
        }

        public float Fixed32() { var v = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(pos, 4)); pos += 4; return v; }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: pos += 8; break;
                case 2: Bytes(); break;
                case 5: pos += 4; break;
                default: throw new ArgumentException($"unsupported protobuf wire type {wire}");
            }
        }
    }

    static string Str(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    static void ReadInts(ref Reader r, int wire, List<long> into)
    {
        if (wire == 0) { into.Add((long)r.Varint()); return; }
        var packed = new Reader(r.Bytes());
        while (!packed.End) into.Add((long)packed.Varint());
    }

    static void ReadFloats(ref Reader r, int wire, List<float> into)
    {
        if (wire == 5) { into.Add(r.Fixed32()); return; }
        var bytes = r.Bytes();
        for (int i = 0; i + 4 <= bytes.Length; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i, 4)));
    }

    void ReadModel(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 2 && wire == 2) ProducerName = Str(r.Bytes());
            else if (field == 7 && wire == 2) ReadGraph(r.Bytes());
            else r.Skip(wire);
        }
    }

    void ReadGraph(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 2: nodes.Add(ReadNode(r.Bytes())); break;
                case 5 when wire == 2: var t = ReadTensor(r.Bytes()); initializers[t.Name] = t; break;
                case 11 when wire == 2: inputs.Add(ReadValueInfoName(r.Bytes())); break;
                case 12 when wire == 2: outputs.Add(ReadValueInfoName(r.Bytes())); break;
                default: r.Skip(wire); break;
            }
        }
    }

    static string ReadValueInfoName(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) return Str(r.Bytes());
            r.Skip(wire);
        }
        return "";
    }

    static OnnxNode ReadNode(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        List<string> ins = [], outs = [];
        string op = "", name = "";
        var attributes = new Dictionary<string, OnnxAttribute>();
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 2: ins.Add(Str(r.Bytes())); break;
                case 2 when wire == 2: outs.Add(Str(r.Bytes())); break;
                case 3 when wire == 2: name = Str(r.Bytes()); break;
                case 4 when wire == 2: op = Str(r.Bytes()); break;
                case 5 when wire == 2: var a = ReadAttribute(r.Bytes()); attributes[a.Name] = a; break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxNode(op, name, ins, outs, attributes);
    }

    static OnnxAttribute ReadAttribute(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        string name = "";
        float? f = null;
        long? i = null;
        string? s = null;
        List<long> ints = [];
        List<float> floats = [];
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 2: name = Str(r.Bytes()); break;
                case 2 when wire == 5: f = r.Fixed32(); break;
                case 3 when wire == 0: i = (long)r.Varint(); break;
                case 4 when wire == 2: s = Str(r.Bytes()); break;
                case 7: ReadFloats(ref r, wire, floats); break;
                case 8: ReadInts(ref r, wire, ints); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, f, i, s, [.. ints], [.. floats]);
    }

    const int FloatType = 1;

    static OnnxTensor ReadTensor(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        List<long> dims = [];
        List<float> floats = [];
        int type = 0;
        string name = "";
        float[]? raw = null;
        bool external = false;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1: ReadInts(ref r, wire, dims); break;
                case 2 when wire == 0: type = (int)r.Varint(); break;
                case 4: ReadFloats(ref r, wire, floats); break;
                case 8 when wire == 2: name = Str(r.Bytes()); break;
                case 9 when wire == 2:
                    var bytes = r.Bytes();
                    raw = new float[bytes.Length / 4];
                    for (int k = 0; k < raw.Length; k++) raw[k] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * k, 4));
                    break;
                case 14 when wire == 0: external = r.Varint() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        if (external) throw new ArgumentException($"initializer {name} keeps its data in an external file (not supported)");
        if (type != FloatType) return new OnnxTensor(name, [.. dims], []); // not a float weight: kept as shape only
        var values = raw ?? [.. floats];
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != count) throw new ArgumentException($"initializer {name} has {values.Length} values for shape [{string.Join(", ", dims)}]");
        return new OnnxTensor(name, [.. dims], values);
    }
}
