using DepthKit.Losses;
using static TorchSharp.torch;

namespace DepthKit.Tests.Losses;

/// <summary>The losses the learning-curve study compares: SILog + log-gradient, and the scale-and-shift-invariant loss.</summary>
public class RecipeLossTests
{
    static Tensor Map(params float[] values) => tensor(values).reshape(1, 1, 2, values.Length / 2);

    static double Value(DepthLoss loss, Tensor pred, Tensor gt) => loss.Compute(pred, gt).item<float>();

    [Fact]
    public void SiLogGradientAddsHalfTheLogGradientTerm()
    {
        using var scope = NewDisposeScope();
        double ln2 = Math.Log(2);
        // 2x2, all valid. log pred - log gt = d = [0, ln2; 0, 0].
        // log-gradient term: dx pairs (row 0: d differs by ln2; row 1: 0) -> mean |.| = ln2 / 2;
        // dy pairs (col 0: 0; col 1: ln2) -> ln2 / 2. G = ln2.
        var pred = Map(1, 4, 3, 5);
        var gt = Map(1, 2, 3, 5);
        double silog = Value(new SiLogLoss(), pred, gt);
        Assert.Equal(silog + 0.5 * ln2, Value(new SiLogGradientLoss(), pred, gt), 5);
        // a pure scale changes neither gradient of log depth: only SILog's (1 - lambda) part remains
        Assert.Equal(0.5 * ln2 * ln2, Value(new SiLogGradientLoss(), gt * 2, gt), 5);
    }

    [Fact]
    public void ScaleShiftInvariantLossIgnoresAffineChangesAndSeesShape()
    {
        using var scope = NewDisposeScope();
        var gt = Map(1, 2, 3, 0);                     // the 0 is missing
        Assert.Equal(0, Value(new ScaleShiftInvariantLoss(), gt * 3 + 1, gt), 5);
        Assert.Equal(0, Value(new ScaleShiftInvariantLoss(), gt * 0.5f - 0.2f, gt), 5);
        // pred [1, 1, 2] against gt [1, 2, 3]: least squares s = 1.5, t = 0 ... solved by hand:
        // mean p = 4/3, mean g = 2, cov = (-1/3)(-1) + (-1/3)(0) + (2/3)(1) = 1, var = 1/9 + 1/9 + 4/9 = 2/3 -> s = 1.5,
        // t = 2 - 1.5 * 4/3 = 0; aligned [1.5, 1.5, 3]: |.| = 0.5, 0.5, 0 -> mean 1/3
        var pred = Map(1, 1, 2, 7);
        Assert.Equal(1.0 / 3, Value(new ScaleShiftInvariantLoss(), pred, gt), 5);
    }

    [Theory]
    [InlineData("silog-grad")]
    [InlineData("ssi")]
    public void NewLossesAreRegisteredAndGiveFiniteGradients(string name)
    {
        using var scope = NewDisposeScope();
        var loss = DepthLoss.Create(name);
        Assert.Equal(name, loss.Name);
        Assert.Contains(name, DepthLoss.Names);
        var pred = (rand([2, 1, 8, 8], generator: new Generator(1)) + 0.5f).requires_grad_();
        var gt = rand([2, 1, 8, 8], generator: new Generator(2)) + 1;
        loss.Compute(pred, gt).backward();
        Assert.True(pred.grad!.isfinite().all().item<bool>());
        Assert.True(pred.grad!.abs().sum().item<float>() > 0);
        // no valid pixel: zero loss, zero gradient
        var none = zeros_like(gt);
        Assert.Equal(0, loss.Compute(pred, none).item<float>());
    }
}
