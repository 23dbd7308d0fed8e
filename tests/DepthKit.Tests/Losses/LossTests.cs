using DepthKit.Losses;
using static TorchSharp.torch;

namespace DepthKit.Tests.Losses;

public class LossTests
{
    static Tensor Map(params float[] values) => tensor(values).reshape(1, 1, 2, values.Length / 2);

    static double Value(DepthLoss loss, Tensor pred, Tensor gt, Tensor? valid = null) => loss.Compute(pred, gt, valid).item<float>();

    [Fact]
    public void L1AndL2AverageOverValidPixelsOnly()
    {
        using var scope = NewDisposeScope();
        var pred = Map(1, 2, 3, 4);
        var gt = Map(3, 2, 0, 5);                       // the zero is missing depth
        Assert.Equal((2 + 0 + 1) / 3.0, Value(new L1Loss(), pred, gt), 6);
        Assert.Equal((4 + 0 + 1) / 3.0, Value(new L2Loss(), pred, gt), 6);
        var valid = tensor(new[] { true, false, true, true }).reshape(1, 1, 2, 2);
        Assert.Equal(1.5, Value(new L1Loss(), pred, gt, valid), 6);   // the extra mask removes the exact pixel: (2 + 1) / 2
    }

    [Fact]
    public void BerHuIsL1BelowTheThresholdAndScaledL2AboveIt()
    {
        using var scope = NewDisposeScope();
        // residuals 0.5, 1, 5 (and one missing pixel): c = 0.2 * 5 = 1
        var pred = Map(2.5f, 3, 10, 7);
        var gt = Map(2, 2, 5, 0);
        double expected = (0.5 + 1 + (25 + 1) / (2.0 * 1)) / 3;   // |r| for r <= c, (r^2 + c^2) / 2c above
        Assert.Equal(expected, Value(new BerHuLoss(), pred, gt), 5);

        // residuals 0.1..0.4 with c = 0.2 * 0.4 = 0.08: all in the scaled-L2 regime
        var small = Map(2.1f, 2.2f, 2.3f, 2.4f);
        var gtSmall = Map(2, 2, 2, 2);
        double c = 0.2 * 0.4;
        double above = new[] { 0.1, 0.2, 0.3, 0.4 }.Select(r => (r * r + c * c) / (2 * c)).Average();
        Assert.Equal(above, Value(new BerHuLoss(), small, gtSmall), tolerance: 1e-5);
        var wide = new BerHuLoss(threshold: 1.0);         // c = max |r|: every residual is in the L1 regime
        Assert.Equal(Value(new L1Loss(), small, gtSmall), Value(wide, small, gtSmall), 6);
        Assert.Equal(0, Value(new BerHuLoss(), gtSmall, gtSmall));
    }

    [Fact]
    public void EigenSiLogMatchesThePaperFormulaPerImage()
    {
        using var scope = NewDisposeScope();
        double ln2 = Math.Log(2);
        // image 0: pred/gt = 1, 2, 4, 1 -> d = 0, ln2, 2 ln2, 0: (1/n) sum d^2 - (0.5/n^2)(sum d)^2 = ln2^2 (5/4 - 0.5 * 9/16)
        // image 1: pred/gt = 2, 2, 2, and a missing pixel -> d constant: ln2^2 (1 - 0.5) = 0.5 ln2^2
        var pred = cat([Map(1, 4, 12, 5), Map(2, 4, 6, 9)]);
        var gt = cat([Map(1, 2, 3, 5), Map(1, 2, 3, 0)]);
        double image0 = ln2 * ln2 * (5.0 / 4 - 0.5 * 9.0 / 16);
        double image1 = 0.5 * ln2 * ln2;
        Assert.Equal((image0 + image1) / 2, Value(new SiLogLoss(), pred, gt), 5);
        // lambda = 1 is fully scale invariant: image 1 (a pure scale) costs nothing
        Assert.Equal(ln2 * ln2 * (5.0 / 4 - 9.0 / 16) / 2, Value(new SiLogLoss(lambda: 1), pred, gt), 5);
        Assert.Equal(Value(new SiLogLoss(lambda: 1), pred, gt), Value(new SiLogLoss(lambda: 1), pred * 3, gt), 5);
    }

    [Fact]
    public void BtsSiLogMatchesTenTimesTheRootOfTheBtsVariance()
    {
        using var scope = NewDisposeScope();
        double ln2 = Math.Log(2);
        // d = 0, ln2, 2 ln2, 0 pooled over the batch
        double expected = 10 * Math.Sqrt(5 * ln2 * ln2 / 4 - 0.85 * Math.Pow(3 * ln2 / 4, 2));
        Assert.Equal(expected, Value(new BtsSiLogLoss(), Map(1, 4, 12, 5), Map(1, 2, 3, 5)), 5);
    }

    [Fact]
    public void GradientLossComparesNeighbourDifferencesWhereBothPixelsAreValid()
    {
        using var scope = NewDisposeScope();
        var pred = Map(1, 2, 1, 1);
        // dx: row 0: 1, row 1: 0 -> mean 0.5; dy: col 0: 0, col 1: -1 -> mean 0.5
        Assert.Equal(1.0, Value(new GradientLoss(), pred, Map(1, 1, 1, 1)), 6);
        // the bottom-right pixel missing: dx only on row 0 (1), dy only on col 0 (0)
        Assert.Equal(1.0, Value(new GradientLoss(), pred, Map(1, 1, 1, 0)), 6);
        // the top-right pixel missing: dx only on row 1 (0), dy only on col 0 (0)
        Assert.Equal(0.0, Value(new GradientLoss(), pred, Map(1, 0, 1, 1)), 6);
        // a constant offset has the same gradients
        Assert.Equal(0.0, Value(new GradientLoss(), pred + 3, pred), 6);
    }

    [Fact]
    public void SsimLossOfConstantMapsMatchesTheLuminanceTerm()
    {
        using var scope = NewDisposeScope();
        // constant windows: sigma = 0, SSIM = (2ab + C1) / (a^2 + b^2 + C1), C1 = (0.01 * 10)^2
        double c1 = 0.01, ssim = (2 * 1 * 2 + c1) / (1 + 4 + c1);
        Assert.Equal((1 - ssim) / 2, Value(new SsimLoss(), Map(1, 1, 1, 1), Map(2, 2, 2, 2)), 6);
        Assert.Equal(0, Value(new SsimLoss(), Map(1, 3, 2, 5), Map(1, 3, 2, 5)), 6);
        // DenseDepth: 0.1 * L1 (1) + SSIM term + gradient term (0 for constant maps)
        Assert.Equal(0.1 + (1 - ssim) / 2, Value(new DenseDepthLoss(), Map(1, 1, 1, 1), Map(2, 2, 2, 2)), 6);
    }

    [Fact]
    public void DenseDepthIsItsThreeTermsAdded()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var pred = rand([2, 1, 5, 6], generator: g) * 5 + 0.5;
        var gt = rand([2, 1, 5, 6], generator: g) * 5 + 0.5;
        double sum = 0.1 * Value(new L1Loss(), pred, gt) + Value(new SsimLoss(), pred, gt) + Value(new GradientLoss(), pred, gt);
        Assert.Equal(sum, Value(new DenseDepthLoss(), pred, gt), 5);
    }

    public static TheoryData<string> AllNames() => [.. DepthLoss.Names];

    [Theory]
    [MemberData(nameof(AllNames))]
    public void EveryLossHasFiniteNonzeroGradientsOnValidPixelsAndZeroOnInvalidOnes(string name)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var pred = (rand([2, 1, 6, 7], generator: g) * 4 + 0.5).requires_grad_();
        var gt = rand([2, 1, 6, 7], generator: g) * 4 + 0.5;
        var invalid = rand([2, 1, 6, 7], generator: g) < 0.3;
        gt = gt.masked_fill(invalid, 0);
        gt[0, 0, 1, 1] = float.NaN;
        gt[1, 0, 2, 3] = float.PositiveInfinity;
        invalid = invalid.logical_or(gt.isfinite().logical_not());
        var loss = DepthLoss.Create(name).Compute(pred, gt);
        Assert.True(float.IsFinite(loss.item<float>()), $"{name}: loss {loss.item<float>()}");
        Assert.True(loss.item<float>() > 0);
        loss.backward();
        var grad = pred.grad!;
        Assert.True(grad.isfinite().all().item<bool>(), $"{name}: non-finite gradient");
        Assert.Equal(0, grad.masked_select(invalid).abs().max().item<float>());
        Assert.True(grad.masked_select(invalid.logical_not()).abs().sum().item<float>() > 0, $"{name}: no gradient on valid pixels");
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void EveryLossIsZeroForAPerfectPredictionAndForABatchWithoutValidPixels(string name)
    {
        using var scope = NewDisposeScope();
        var gt = Map(1, 2, 3, 4.5f);
        var loss = DepthLoss.Create(name);
        Assert.Equal(name == "silog-bts" ? 10 * Math.Sqrt(1e-12) : 0, Value(loss, gt.clone(), gt), 6);
        var pred = Map(1, 2, 3, 4).requires_grad_();
        var empty = loss.Compute(pred, Map(0, 0, float.NaN, 0));
        Assert.Equal(0, empty.item<float>());
        empty.backward();
        Assert.Equal(0, pred.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void ZeroDepthPixelsNeverChangeALoss()
    {
        using var scope = NewDisposeScope();
        var pred = Map(1, 2, 3, 4);
        var gtA = Map(1.5f, 2, 2, 5);
        foreach (var name in new[] { "l1", "l2", "berhu", "silog", "silog-bts" })
        {
            var loss = DepthLoss.Create(name);
            // a fifth and sixth pixel with missing depth and any prediction
            var wide = Value(loss, tensor(new float[] { 1, 2, 9, 3, 4, 0.1f }).reshape(1, 1, 2, 3), tensor(new float[] { 1.5f, 2, 0, 2, 5, 0 }).reshape(1, 1, 2, 3));
            Assert.Equal(Value(loss, pred, gtA), wide, 5);
        }
    }

    [Fact]
    public void SizeMismatchesAndUnknownNamesAreClearErrors()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => new L1Loss().Compute(zeros(2, 1, 4, 4), zeros(2, 1, 8, 8)));
        Assert.Contains("[2,1,4,4]", e.Message);
        Assert.Contains("[2,1,8,8]", e.Message);
        Assert.Throws<ArgumentException>(() => new L1Loss().Compute(zeros(4, 4), zeros(4, 4)));
        Assert.Throws<ArgumentException>(() => new L1Loss().Compute(zeros(1, 1, 4, 4), zeros(1, 1, 4, 4), ones(1, 1, 2, 2)));
        var unknown = Assert.Throws<ArgumentException>(() => DepthLoss.Create("huber"));
        foreach (var name in DepthLoss.Names) Assert.Contains(name, unknown.Message);
        Assert.Equal("berhu", DepthLoss.Create(" BerHu ").Name);
    }

    [Fact]
    public void TheRegistryFindsEveryLossClassAndCreatesFreshOnes()
    {
        var classes = typeof(DepthLoss).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(DepthLoss)) && !t.IsAbstract).ToList();
        Assert.Equal(classes.Count, DepthLoss.Registry.Count);
        Assert.Equal(DepthLoss.Names.Count, DepthLoss.Names.Distinct().Count());
        Assert.Contains("silog-grad", DepthLoss.Names);
        Assert.Contains("ssi", DepthLoss.Names);
        Assert.All(DepthLoss.Registry, l => Assert.False(string.IsNullOrWhiteSpace(l.Summary), l.Name));
        foreach (var name in DepthLoss.Names)
        {
            var a = DepthLoss.Create(name);
            Assert.Equal(name, a.Name);
            Assert.NotSame(a, DepthLoss.Create(name));
            Assert.Contains($"{name}: ", DepthLoss.Help());
        }
        // the CLI's help names every loss (it once listed 8 of 10)
        var help = new StringWriter();
        DepthKit.Cli.Cli.PrintHelp(DepthKit.Cli.Cli.Commands.Single(c => c.Name == "train"), help);
        Assert.All(DepthLoss.Names, n => Assert.Contains(n, help.ToString()));
    }
}
