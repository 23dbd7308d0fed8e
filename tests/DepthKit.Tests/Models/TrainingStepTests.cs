using DepthKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>Every CPU architecture trains: finite loss and gradients, the loss falls on a fixed batch, freezing holds.</summary>
public class TrainingStepTests
{
    public static TheoryData<string> CpuModels => new(Architectures.All.Where(a => a.CpuSized).Select(a => a.Name));

    static (Tensor Rgb, Tensor Depth) TinyBatch(int height = 32, int width = 48)
    {
        var g = new Generator(99);
        var rgb = rand([4, 3, height, width], generator: g);
        // depth that depends on the image (a smooth function of the mean colour), 1..4 m
        var depth = 1 + 3 * nn.functional.avg_pool2d(rgb.mean([1], keepdim: true), 5, stride: 1, padding: 2);
        return (rgb, depth);
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Theory]
    [MemberData(nameof(CpuModels))]
    public void OneStepGivesFiniteLossAndGradientsAndAFewStepsReduceTheLoss(string name)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        // no dropout noise: the loss must fall within a few steps
        var config = new ModelConfig(name);
        using var model = Architectures.Create(name == "cnn-fc" ? config.With("dropout", "0") : config);
        model.train();
        var (rgb, depth) = TinyBatch();
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);

        var losses = new List<float>();
        for (int step = 0; step < 8; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = (model.call(rgb) - depth).abs().mean();
            loss.backward();
            if (step == 0)
            {
                Assert.True(float.IsFinite(loss.item<float>()), $"{name}: loss {loss.item<float>()}");
                foreach (var (pname, p) in model.named_parameters())
                    Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>(), $"{name}: non-finite gradient in {pname}");
                Assert.Contains(model.parameters(), p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);
            }
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        Assert.True(losses[^1] < 0.8f * losses[0], $"{name}: loss {losses[0]:F4} -> {losses[^1]:F4} ({string.Join(", ", losses.Select(l => l.ToString("F3")))})");
    }

    [Fact]
    public void FrozenEncoderDoesNotChangeInTrainMode()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var model = Architectures.Create("cnn-res");
        model.FreezeEncoder();
        model.train();
        Assert.False(model.Encoder.training);
        Assert.All(model.Encoder.modules().OfType<DepthKit.Models.BatchNorm2d>(), bn => Assert.False(bn.training));
        Assert.True(model.DecoderParameters().All(p => p.requires_grad));

        var before = model.Encoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var decoderBefore = model.DecoderParameters().Select(p => p.detach().clone()).ToList();
        var (rgb, depth) = TinyBatch(64, 64);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-2);
        for (int i = 0; i < 2; i++)
        {
            optimizer.zero_grad();
            (model.call(rgb) - depth).abs().mean().backward();
            optimizer.step();
        }
        foreach (var (key, value) in model.Encoder.state_dict())
            Assert.True(Same(before[key], value), $"encoder {key} changed");
        Assert.All(model.EncoderParameters(), p => Assert.Null(p.grad));
        Assert.Contains(model.DecoderParameters().Zip(decoderBefore), pair => !Same(pair.First, pair.Second));

        model.UnfreezeEncoder();
        model.train();
        Assert.True(model.Encoder.training);
        Assert.All(model.EncoderParameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void EncoderAndDecoderParametersPartitionTheModel()
    {
        using var model = Architectures.Create("cnn-res");
        long encoder = model.EncoderParameters().Sum(p => p.numel());
        long decoder = model.DecoderParameters().Sum(p => p.numel());
        Assert.Equal(11_176_512, encoder);
        Assert.Equal(Architectures.CountParameters(model).Total, encoder + decoder);
    }

    [Theory]
    [MemberData(nameof(CpuModels))]
    public void CheckpointRoundTripGivesIdenticalOutputs(string name)
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        random.manual_seed(11);
        using var model = Architectures.Create(name);
        // one training step so BN running statistics are not the defaults
        model.train();
        var (rgb, depth) = TinyBatch();
        (model.call(rgb) - depth).abs().mean().backward();
        model.InputNorm.CopyFrom(InputNormalization.CntkBgr());
        model.eval();
        using var noGrad = no_grad();
        var expected = model.call(rgb);
        model.save(dir["model.bin"]);

        random.manual_seed(12);
        using var restored = Architectures.Create(ModelConfig.FromJson(model.Config.ToJson()));
        restored.eval();
        Assert.False(Same(restored.call(rgb), expected), "a fresh model should differ before loading");
        restored.load(dir["model.bin"]);
        Assert.True(Same(restored.call(rgb), expected), $"{name}: outputs differ after load");
    }
}
