using System.Runtime.InteropServices;
using DepthKit.Onnx.Format;
using Google.Protobuf;
using static TorchSharp.torch;

namespace DepthKit.Onnx;

/// <summary>
/// A value of the graph being built: its ONNX name and the same value computed by TorchSharp. Carrying the torch
/// value along gives every node's exact static shape, and at the end a check that the graph computes what the
/// model's own forward computes.
/// </summary>
public readonly record struct OnnxValue(string Name, Tensor Torch)
{
    public long[] Shape => Torch.shape;
}

/// <summary>
/// Builds one ONNX <see cref="GraphProto"/> node by node: unique value names, float32 / int64 initializers,
/// attributes. Knows nothing about models; <see cref="OnnxExporter"/> decides what to emit.
/// </summary>
public sealed class OnnxGraphBuilder
{
    readonly HashSet<string> names = [];
    readonly Dictionary<string, int> counters = [];

    public GraphProto Graph { get; } = new();

    /// <summary>A name not used yet: <paramref name="hint"/> itself, else hint_1, hint_2, ...</summary>
    public string Unique(string hint)
    {
        if (names.Add(hint)) return hint;
        int n = counters.GetValueOrDefault(hint);
        string name;
        do name = $"{hint}_{++n}"; while (!names.Add(name));
        counters[hint] = n;
        return name;
    }

    /// <summary>A weight as a float32 initializer named <paramref name="name"/> (made unique).</summary>
    public string Weight(string name, Tensor value)
    {
        using var scope = NewDisposeScope();
        var t = value.detach().cpu().to(float32).contiguous();
        var data = t.data<float>().ToArray();
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(t.shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A float32 constant of the given shape.</summary>
    public string Floats(string name, float[] values, params long[] dims)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(dims);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, pads, indices).</summary>
    public string Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A 0-D int64 constant (Range's bounds, Gather's index).</summary>
    public string Int64Scalar(string name, long value)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a node with one output named after <paramref name="output"/>; returns that name.
    /// An empty input name is an omitted optional input.</summary>
    public string Node(string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Unique($"{output}/{opType}") };
        node.Input.AddRange(inputs);
        var outputName = Unique(output);
        node.Output.Add(outputName);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputName;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float32 tensor type; a null dimension is symbolic (named <paramref name="symbol"/>).</summary>
    public static ValueInfoProto FloatValue(string name, long?[] dims, string symbol = "batch") =>
        FloatValue(name, [.. dims.Select(d => d is { } v ? new Dimension(v) : new Dimension(symbol))]);

    /// <summary>One dimension of a value's type: a fixed size, or a symbol (<c>batch</c>, <c>height</c>) that the
    /// runtime binds to the input's actual size; equal symbols promise equal sizes.</summary>
    public readonly record struct Dimension(long? Value, string? Symbol)
    {
        public Dimension(long value) : this(value, null) { }
        public Dimension(string symbol) : this(null, symbol) { }
        public override string ToString() => Symbol ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A float32 tensor type with fixed and symbolic dimensions.</summary>
    public static ValueInfoProto FloatValue(string name, Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d.Symbol is { } symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = d.Value!.Value });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
