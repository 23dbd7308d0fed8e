using System.Runtime.InteropServices;
using DepthKit.Onnx.Format;
using Google.Protobuf;

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
/// A reader of ONNX files (<c>ModelProto</c>) for weight import: the graph's nodes, inputs, outputs and float32
/// initializers, as plain records. Parsing is Google.Protobuf's, with the classes protoc generates from
/// <c>Onnx/Format/onnx.proto</c> (the same ones the ONNX exporter writes).
/// </summary>
public sealed class OnnxModel
{
    public string Path { get; }
    public string ProducerName { get; }
    public IReadOnlyList<OnnxNode> Nodes { get; }
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }
    /// <summary>Graph inputs that are not initializers (the data inputs).</summary>
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }

    readonly Lazy<Dictionary<string, OnnxNode>> producers;

    OnnxModel(string path, ModelProto proto)
    {
        Path = path;
        ProducerName = proto.ProducerName;
        var graph = proto.Graph ?? new GraphProto();
        Nodes = graph.Node.Select(ToNode).ToList();
        var initializers = new Dictionary<string, OnnxTensor>();
        foreach (var t in graph.Initializer) initializers[t.Name] = ToTensor(t);
        Initializers = initializers;
        Inputs = graph.Input.Select(i => i.Name).Where(i => !initializers.ContainsKey(i)).ToList();
        Outputs = graph.Output.Select(o => o.Name).ToList();
        producers = new(() => Nodes.SelectMany(n => n.Outputs.Select(o => (Value: o, Node: n)))
            .GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Node));
    }

    /// <summary>Reads an .onnx file; InvalidDataException names the file when it is not a readable ONNX model.</summary>
    public static OnnxModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        OnnxModel model;
        try
        {
            using var file = File.OpenRead(path);
            model = new OnnxModel(path, ModelProto.Parser.ParseFrom(file));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a valid ONNX protobuf ({e.Message})", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (model.Nodes.Count == 0) throw new InvalidDataException($"{path}: the ONNX model has no graph nodes");
        return model;
    }

    /// <summary>The node that produces a value, or null for graph inputs and initializers.</summary>
    public OnnxNode? Producer(string value) => producers.Value.GetValueOrDefault(value);

    /// <summary>The nodes that read a value.</summary>
    public IEnumerable<OnnxNode> Consumers(string value) => Nodes.Where(n => n.Inputs.Contains(value));

    static OnnxNode ToNode(NodeProto node)
    {
        var attributes = new Dictionary<string, OnnxAttribute>();
        foreach (var a in node.Attribute)
            attributes[a.Name] = new OnnxAttribute(a.Name, a.HasF ? a.F : null, a.HasI ? a.I : null, a.HasS ? a.S.ToStringUtf8() : null,
                [.. a.Ints], [.. a.Floats]);
        return new OnnxNode(node.OpType, node.Name, [.. node.Input], [.. node.Output], attributes);
    }

    static OnnxTensor ToTensor(TensorProto t)
    {
        long[] dims = [.. t.Dims];
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new ArgumentException($"initializer {t.Name} keeps its data in an external file (not supported)");
        if (t.DataType != (int)TensorProto.Types.DataType.Float) return new OnnxTensor(t.Name, dims, []); // not a float weight: kept as shape only
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        float[] values = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : [.. t.FloatData];
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != count) throw new ArgumentException($"initializer {t.Name} has {values.Length} values for shape [{string.Join(", ", dims)}]");
        return new OnnxTensor(t.Name, dims, values);
    }
}
