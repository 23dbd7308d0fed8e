using DepthKit.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DepthKit.Tests.Notebooks;

/// <summary>The measurements of the Batch Normalization and residual lessons (02, 03).</summary>
public class DiagnosticsTests(ITestOutputHelper output)
{
    static (Tensor Rgb, Tensor Depth) Batch(int seed)
    {
        var g = new Generator((ulong)seed);
        return (rand([4, 3, 16, 16], generator: g), rand([4, 1, 16, 16], generator: g) * 5 + 1);
    }

    [Fact]
    public void ConvStackHasTheLayersItSaysAndKeepsTheSize()
    {
        using var scope = NewDisposeScope();
        var plain = new ConvStack(layers: 4, channels: 8);
        // stem 3->8 (bias), 4 x 8->8 (bias), head 8->1 (bias)
        long expected = (3 * 8 * 9 + 8) + 4 * (8 * 8 * 9 + 8) + (8 * 9 + 1);
        Assert.Equal(expected, plain.parameters().Sum(p => p.numel()));
        Assert.Equal(6, plain.Convolutions.Count);
        // with BN the convs lose their bias, each BN adds a scale and a shift per channel
        var bn = new ConvStack(layers: 4, channels: 8, batchNorm: true);
        Assert.Equal(expected - 5 * 8 + 5 * 2 * 8, bn.parameters().Sum(p => p.numel()));
        Assert.Equal("residual + BN", new ConvStack(4, 8, batchNorm: true, residual: true).Description);
        Assert.Equal(new long[] { 4, 1, 16, 16 }, plain.call(Batch(1).Rgb).shape);
        Assert.Throws<ArgumentException>(() => new ConvStack(3, residual: true));
    }

    [Fact]
    public void WithoutBatchNormTheSignalFadesWithDepthAndWithItTheScaleHolds()
    {
        using var scope = NewDisposeScope();
        var (rgb, _) = Batch(2);
        manual_seed(7);
        var plain = new ConvStack(layers: 12, channels: 16);
        manual_seed(7);
        var withBn = new ConvStack(layers: 12, channels: 16, batchNorm: true);
        withBn.train(); // batch statistics
        var a = LayerStatistics.Activations(plain, rgb);
        var b = LayerStatistics.Activations(withBn, rgb);
        Assert.Equal(13, a.Count); // stem + 12 layers
        Assert.Equal("stem_relu", a[0].Path);
        Assert.Equal("relus.11", a[^1].Path);
        output.WriteLine($"plain std {a[0].Std:E2} -> {a[^1].Std:E2}; BN std {b[0].Std:E2} -> {b[^1].Std:E2}");
        Assert.True(a[^1].Std < 0.5 * a[0].Std, "default init without BN shrinks the activations layer after layer");
        // ReLU of a unit normal has std sqrt((1 - 1/pi) / 2) = 0.584 (BN's gamma starts at 1, beta at 0)
        foreach (var layer in b) Assert.InRange(layer.Std, 0.5, 0.65);
        foreach (var layer in b) Assert.InRange(layer.ZeroFraction, 0.4, 0.6);
    }

    [Fact]
    public void GradientsReachTheFirstLayersOfAResidualStackButNotOfAPlainOne()
    {
        using var scope = NewDisposeScope();
        var (rgb, depth) = Batch(3);
        manual_seed(11);
        var plain = new ConvStack(layers: 16, channels: 16);
        manual_seed(11);
        var residual = new ConvStack(layers: 16, channels: 16, residual: true);
        var p = LayerStatistics.GradientNorms(plain, rgb, depth);
        var r = LayerStatistics.GradientNorms(residual, rgb, depth);
        Assert.Equal(18, p.Count);
        Assert.Equal("stem", p[0].Path);
        Assert.Equal("head", p[^1].Path);
        output.WriteLine($"plain first/last grad {p[0].GradientNorm:E2}/{p[^1].GradientNorm:E2}; residual {r[0].GradientNorm:E2}/{r[^1].GradientNorm:E2}");
        Assert.True(p[0].GradientNorm < 1e-3 * p[^1].GradientNorm, "plain: the first layer's gradient vanishes");
        Assert.True(r[0].GradientNorm > 1e-3 * r[^1].GradientNorm, "residual: the first layer still gets a gradient");
        double plainRatio = p[0].GradientNorm / p[^1].GradientNorm, residualRatio = r[0].GradientNorm / r[^1].GradientNorm;
        Assert.True(residualRatio > 1e4 * plainRatio, $"skip connections carry the gradient back: {residualRatio:E2} vs {plainRatio:E2}");
        Assert.All(plain.parameters(), w => Assert.True(w.grad is null || w.grad.abs().max().item<float>() == 0)); // cleared after
    }

    [Fact]
    public void GradientNormsMatchAHandComputedOneLayerCase()
    {
        using var scope = NewDisposeScope();
        // a 1x1 conv with weight w and no bias: pred = w * x, L1 loss mean |w x - t| over valid pixels
        var conv = nn.Sequential(("conv", nn.Conv2d(1, 1, 1, bias: false)));
        using (no_grad()) ((TorchSharp.Modules.Conv2d)conv[0]).weight!.fill_(2f);
        var x = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        var t = tensor(new float[] { 1, 5, 0, 9 }).reshape(1, 1, 2, 2); // 0 = invalid
        // residuals w x - t over valid: 1, -1, -1 -> d/dw = mean(sign * x) = (1 - 2 - 4) / 3 = -5/3
        var g = LayerStatistics.GradientNorms(conv, x, t);
        Assert.Single(g);
        Assert.Equal(5.0 / 3, g[0].GradientNorm, 5);
        Assert.Equal(2.0, g[0].WeightNorm, 6);
    }
}
