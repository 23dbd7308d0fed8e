using DepthKit.Models;
using DepthKit.Tests.Models;
using DepthKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Foundation;

/// <summary>
/// Runtime.ForwardOnly switches oneDNN back on for evaluation and prediction where it was switched off for its
/// backward pass. The switch is process-wide, so these tests run alone (GlobalTorchSeed) and turn it on themselves.
/// </summary>
[Collection(nameof(GlobalTorchSeed))]
public class ForwardOnlyTests
{
    public static TheoryData<string> AllArchitectures => [.. Architectures.Names];

    [Theory]
    [MemberData(nameof(AllArchitectures))]
    public void ForwardInsideTheRegionEqualsTheFallbackForward(string name) => WithSwitchAllowed(() =>
    {
        using var scope = NewDisposeScope();
        Trainer.Seed(5);
        using var model = Architectures.Create(new ModelConfig(name) { InputHeight = 64, InputWidth = 96 });
        model.eval();
        var x = rand([2, 3, 64, 96], generator: new Generator(seed: 11));
        Tensor fallback;
        using (no_grad()) fallback = model.call(x);
        Tensor inside;
        using (Runtime.ForwardOnly()) inside = model.call(x);
        double error = (inside - fallback).norm().item<float>() / Math.Max(fallback.norm().item<float>(), 1e-30f);
        Assert.True(error < 1e-4, $"{name}: relative difference {error:E2} between the forward in Runtime.ForwardOnly and the fallback forward");
    });

    [Theory]
    [InlineData(3, 3)] [InlineData(5, 8)]
    public void ConvolutionForwardInsideTheRegionMatchesFloat64(int kernel, int outChannels) => WithSwitchAllowed(() =>
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(seed: 99);
        var x64 = randn([2, 8, 24, 24], dtype: float64, generator: generator);
        var w64 = randn([outChannels, 8, kernel, kernel], dtype: float64, generator: generator) * 0.1;
        var reference = nn.functional.conv2d(x64, w64, padding: [kernel / 2, kernel / 2]);
        Tensor y;
        using (Runtime.ForwardOnly()) y = nn.functional.conv2d(x64.to(float32), w64.to(float32), padding: [kernel / 2, kernel / 2]).to(float64);
        double error = (y - reference).norm().item<double>() / reference.norm().item<double>();
        Assert.True(error < 1e-5, $"conv {kernel}x{kernel} -> {outChannels}: relative error {error:E2}");
    });

    [Fact]
    public void RegionsNestDisableGradientsAndLeaveTrainingAsItWas() => WithSwitchAllowed(() =>
    {
        var info = Runtime.Info!;
        bool expectedInside = info.OneDnnEnabled || info.ForwardOnlyOneDnn;
        Assert.Equal(info.OneDnnEnabled, Runtime.OneDnnActive);
        using (Runtime.ForwardOnly())
        {
            Assert.False(is_grad_enabled());
            Assert.Equal(expectedInside, Runtime.OneDnnActive);
            using (Runtime.ForwardOnly()) Assert.Equal(expectedInside, Runtime.OneDnnActive);
            Assert.Equal(expectedInside, Runtime.OneDnnActive); // the inner region's end does not end the outer one
        }
        Assert.True(is_grad_enabled());
        Assert.Equal(info.OneDnnEnabled, Runtime.OneDnnActive);
        // where oneDNN's backward is wrong, this would fail had the region left it on
        ConvGradientTests.AssertGradientsMatch(inChannels: 8, outChannels: 3, kernel: 3, stride: 1, padding: 1, size: 24);
    });

    [Fact]
    public void TheSwitchCanBeRefused()
    {
        Assert.False(Runtime.OneDnnForForwardOnly); // the test setup refuses it for the parallel tests
        using (Runtime.ForwardOnly()) Assert.Equal(Runtime.Info!.OneDnnEnabled, Runtime.OneDnnActive);
    }

    static void WithSwitchAllowed(Action test)
    {
        bool before = Runtime.OneDnnForForwardOnly;
        Runtime.OneDnnForForwardOnly = true;
        try { test(); }
        finally { Runtime.OneDnnForForwardOnly = before; }
    }
}
