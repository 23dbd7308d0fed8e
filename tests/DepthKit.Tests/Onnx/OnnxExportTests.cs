using DepthKit.Models;
using DepthKit.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace DepthKit.Tests.Onnx;

/// <summary>Exported ONNX graphs run in ONNX Runtime and give the TorchSharp model's depth within 1e-4 (relative, per pixel).</summary>
public class OnnxExportTests
{
    /// <summary>|onnx - torch| &lt;= 1e-4 |torch| per pixel; the 1e-6 m floor only matters where a ReLU head outputs exactly 0.</summary>
    internal const double RelativeTolerance = 1e-4;
    internal const double AbsoluteFloor = 1e-6;

    public static TheoryData<string, string?, string, int, int> Architectures() => new()
    {
        // name, encoder, options (k=v;k=v), height, width: sizes chosen so the decoders' resize paths run
        { "cnn-fc", null, "width=8;hidden=64;coarse=12x16", 64, 80 },
        { "cnn", null, "width=8", 48, 72 },
        { "cnn-trans", null, "width=8", 48, 64 },
        { "cnn-res", "resnet18-cntk", "decoder_width=32;upsampling=upproj", 64, 64 },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ExportedGraphMatchesTheModelInOnnxRuntime(string name, string? encoder, string options, int height, int width)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var config = new ModelConfig(name, encoder, height, width,
            options.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(o => o.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]));
        using var model = DepthKit.Models.Architectures.Create(config);
        RandomizeBatchNorm(model);
        model.eval();

        var (proto, info) = OnnxExporter.Build(model, height, width);
        Assert.Equal(0.0, info.MaxRelativeDifference, 5);
        Assert.Equal(OnnxExporter.InputName, Assert.Single(proto.Graph.Input).Name);
        var bytes = proto.ToByteArray();

        // batch 2: the batch dimension is dynamic
        var rgb = rand(2, 3, height, width);
        using var noGrad = no_grad();
        var expected = model.call(rgb);
        var actual = RunOnnx(bytes, rgb);
        Assert.Equal(expected.shape, actual.shape);
        AssertClose(expected, actual, $"{name} {encoder} {options}", () => Divergence(model, height, width));
        Assert.True(expected.abs().max().ToDouble() > 1e-3, "the model's output should not be trivially zero");
    }

    [Fact]
    public void UnknownModulesAreRefusedWithTheirPath()
    {
        using var model = new Unexportable();
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Build(model, 16, 16));
        Assert.Contains("Unexportable", e.Message);
    }

    sealed class Unexportable() : DepthNet(nameof(Unexportable), new ModelConfig("cnn", null, 16, 16))
    {
        readonly Conv2d conv = nn.Conv2d(3, 1, 1);
        public override nn.Module Encoder => conv;
        protected override Tensor Predict(Tensor x) => nn.functional.softplus(conv.call(x));
    }

    /// <summary>BatchNorm with non-trivial running statistics and affine parameters, so the export of each is tested.</summary>
    internal static void RandomizeBatchNorm(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in model.named_modules())
            if (m is DepthKit.Models.BatchNorm2d bn)
            {
                bn.running_mean!.copy_(randn_like(bn.running_mean) * 0.1);
                bn.running_var!.copy_(rand_like(bn.running_var) + 0.5);
                bn.weight!.copy_(rand_like(bn.weight) * 0.5 + 0.75);
                bn.bias!.copy_(randn_like(bn.bias) * 0.1);
            }
    }

    internal static Tensor RunOnnx(byte[] model, Tensor rgb)
    {
        using var session = new InferenceSession(model);
        var input = new DenseTensor<float>(rgb.contiguous().data<float>().ToArray(), [.. rgb.shape.Select(d => (int)d)]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        var output = results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>();
        return tensor(output.ToArray(), [.. output.Dimensions.ToArray().Select(d => (long)d)]);
    }

    /// <summary>Every value of the graph against the exporter's torch value on the probe input: where the two first part.</summary>
    internal static string Divergence(DepthNet model, int height, int width)
    {
        using var scope = NewDisposeScope();
        var trace = new Dictionary<string, Tensor>();
        var (proto, _) = OnnxExporter.Build(model, height, width, dynamic: false, trace);
        var outputs = proto.Graph.Node.SelectMany(n => n.Output).Where(trace.ContainsKey).ToList();
        foreach (var name in outputs)
            proto.Graph.Output.Add(OnnxGraphBuilder.FloatValue(name, [.. trace[name].shape.Select(d => (long?)d)]));
        using var session = new InferenceSession(proto.ToByteArray());
        var probe = OnnxExporter.Probe(height, width);
        var input = new DenseTensor<float>(probe.data<float>().ToArray(), [1, 3, height, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)], outputs);
        var lines = new List<string>();
        foreach (var r in results)
        {
            var expected = trace[r.Name].flatten();
            var actual = tensor(r.AsTensor<float>().ToArray());
            var relative = ((actual - expected).abs() / expected.abs().clamp_min(AbsoluteFloor)).max().ToDouble();
            var scale = expected.abs().max().ToDouble();
            lines.Add($"{r.Name}: max rel {relative:E1}, max |torch| {scale:G3}");
        }
        return string.Join("\n", lines);
    }

    internal static void AssertClose(Tensor expected, Tensor actual, string what, Func<string>? explain = null)
    {
        var bound = expected.abs() * RelativeTolerance + AbsoluteFloor;
        var excess = (actual - expected).abs() - bound;
        var worst = excess.argmax().ToInt64();
        var e = expected.flatten()[worst].ToDouble();
        var a = actual.flatten()[worst].ToDouble();
        var relative = ((actual - expected).abs() / expected.abs().clamp_min(AbsoluteFloor)).max().ToDouble();
        if (excess.max().ToDouble() > 0)
            Assert.Fail($"{what}: pixel {worst} torch {e:G7} onnx {a:G7} (largest relative difference {relative:E2}){(explain is null ? "" : "\n" + explain())}");
    }
}
