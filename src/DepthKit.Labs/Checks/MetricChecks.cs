using DepthKit.Metrics;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

/// <summary>
/// A prediction and a ground truth [2,1,12,16] with 20 % invalid pixels (gt = 0, as a Kinect hole), where the
/// prediction is positive everywhere, as a network's output is.
/// </summary>
static class MetricInputs
{
    public static (Tensor Pred, Tensor Gt) Pair(int seed)
    {
        manual_seed(seed);
        var gt = rand(2, 1, 12, 16) * 7.5 + 0.5;
        var holes = rand(2, 1, 12, 16).lt(0.2);
        gt = gt.masked_fill(holes, 0);
        var pred = (gt.clamp_min(0.5) * (randn(2, 1, 12, 16) * 0.25).exp()).where(holes.logical_not(), rand(2, 1, 12, 16) * 0.9 + 0.1);
        return (pred, gt);
    }

    /// <summary>The kit's evaluation with the lab's protocol: valid = gt &gt; 0, every pixel of the batch pooled, no crop.</summary>
    public static DepthMetrics Reference(Tensor pred, Tensor gt) =>
        DepthErrors.Compute(pred, gt, new EvalOptions { MinDepth = 0, MaxDepth = 1000, Crop = CropKind.None, Averaging = Averaging.PixelPooled });

    public static double D(Tensor t) => t.to(ScalarType.Float64).item<double>();
}

/// <summary>The threshold accuracy delta &lt; 1.25 over the valid pixels.</summary>
public sealed class Delta1Check : LabCheck<Func<Tensor, Tensor, double>>
{
    public override string Id => "delta1";
    public override string Lab => "05-masked-metrics";
    public override string Title => "delta < 1.25 over the valid pixels";
    public override string Signature => "double Delta1(Tensor pred, Tensor gt)";

    protected override string Evaluate(Func<Tensor, Tensor, double> student)
    {
        using var noGrad = no_grad();
        var (pred, gt) = MetricInputs.Pair(51);
        double expected = MetricInputs.Reference(pred, gt).D1;
        double got = Call(() => student(pred.clone(), gt.clone()));
        var valid = gt.gt(0);
        var ratio = maximum(pred / gt, gt / pred);
        Compare.Scalars(got, expected, 1e-6, "your delta < 1.25",
        [
            new("mask missing: the pixels with gt = 0 are counted (as failures); keep only the valid pixels (gt > 0) before averaging",
                () => MetricInputs.D(ratio.lt(1.25).to(ScalarType.Float64).mean())),
            new("the ratio is one-sided: delta is max(pred / gt, gt / pred), so a prediction too small by 25 % fails as well",
                () => MetricInputs.D((pred / gt).masked_select(valid).lt(1.25).to(ScalarType.Float64).mean())),
            new("the ratio is one-sided: delta is max(pred / gt, gt / pred), so a prediction too large by 25 % fails as well",
                () => MetricInputs.D((gt / pred).masked_select(valid).lt(1.25).to(ScalarType.Float64).mean())),
            new("that is delta < 1.25^2 (d2); this task is d1, the threshold 1.25",
                () => MetricInputs.D(ratio.masked_select(valid).lt(1.5625).to(ScalarType.Float64).mean())),
            new("you compared |pred - gt| / gt with 0.25; delta compares the ratio max(pred / gt, gt / pred) with 1.25",
                () => MetricInputs.D(((pred - gt).abs() / gt).masked_select(valid).lt(0.25).to(ScalarType.Float64).mean())),
            new("you returned the fraction of pixels that fail (1 - delta)", () => 1 - expected),
        ], nanHint: "average over the valid pixels only");
        return $"delta < 1.25 = {expected:F4} as the kit's DepthErrors computes it (2 images, 20 % invalid pixels, tolerance 1e-6)";
    }
}

/// <summary>AbsRel over the valid pixels.</summary>
public sealed class AbsRelCheck : LabCheck<Func<Tensor, Tensor, double>>
{
    public override string Id => "absrel";
    public override string Lab => "05-masked-metrics";
    public override string Title => "Abs rel diff over the valid pixels";
    public override string Signature => "double AbsRel(Tensor pred, Tensor gt)";

    protected override string Evaluate(Func<Tensor, Tensor, double> student)
    {
        using var noGrad = no_grad();
        var (pred, gt) = MetricInputs.Pair(52);
        double expected = MetricInputs.Reference(pred, gt).AbsRel;
        double got = Call(() => student(pred.clone(), gt.clone()));
        var valid = gt.gt(0);
        var d = (pred - gt).abs();
        Compare.Scalars(got, expected, 1e-6, "your AbsRel",
        [
            new("mask missing, the slides' mistake: pixels with gt = 0 divide by zero (inf), or by a tiny epsilon (values of 1e5 and more). " +
                "Average |pred - gt| / gt over the valid pixels only", () => MetricInputs.D((d / (gt + 1e-6)).mean())),
            new("mask missing: dividing by gt = 0 gives inf; keep only the valid pixels (gt > 0)", () => double.PositiveInfinity),
            new("you zeroed the invalid pixels but still divided by the number of all pixels: average over the valid pixels only",
                () => MetricInputs.D((d / gt).masked_fill(valid.logical_not(), 0).sum() / gt.numel())),
            new("AbsRel divides by the ground truth, not by the prediction", () => MetricInputs.D((d / pred).masked_select(valid).mean())),
            new("that is the squared relative error (SqRel): AbsRel uses |pred - gt|, not its square",
                () => MetricInputs.D((d.square() / gt).masked_select(valid).mean())),
            new("the absolute value is missing: over- and under-estimates cancel out", () => MetricInputs.D(((pred - gt) / gt).masked_select(valid).mean())),
        ], nanHint: "invalid pixels (gt = 0) must not enter the division");
        return $"AbsRel = {expected:F4} as the kit's DepthErrors computes it (tolerance 1e-6 relative)";
    }
}

/// <summary>RMSE over the valid pixels.</summary>
public sealed class RmseCheck : LabCheck<Func<Tensor, Tensor, double>>
{
    public override string Id => "rmse";
    public override string Lab => "05-masked-metrics";
    public override string Title => "RMSE over the valid pixels";
    public override string Signature => "double Rmse(Tensor pred, Tensor gt)";

    protected override string Evaluate(Func<Tensor, Tensor, double> student)
    {
        using var noGrad = no_grad();
        var (pred, gt) = MetricInputs.Pair(53);
        double expected = MetricInputs.Reference(pred, gt).Rmse;
        double got = Call(() => student(pred.clone(), gt.clone()));
        var valid = gt.gt(0);
        var e = (pred - gt).masked_select(valid);
        Compare.Scalars(got, expected, 1e-6, "your RMSE",
        [
            new("that is the mean squared error: RMSE is its square root", () => MetricInputs.D(e.square().mean())),
            new("mask missing: pixels with gt = 0 count as errors of the full prediction; keep only gt > 0",
                () => MetricInputs.D((pred - gt).square().mean().sqrt())),
            new("that is the mean absolute error: RMSE squares the errors, averages, then takes the root", () => MetricInputs.D(e.abs().mean())),
            new("you averaged per-image RMSEs; this task pools all valid pixels of the batch into one mean",
                () => Enumerable.Range(0, 2).Average(i => MetricInputs.D((pred[i] - gt[i]).masked_select(gt[i].gt(0)).square().mean().sqrt()))),
        ]);
        return $"RMSE = {expected:F4} m as the kit's DepthErrors computes it (tolerance 1e-6 relative)";
    }
}

/// <summary>The slides' unmasked AbsRel, reproduced on purpose.</summary>
public sealed class SlidesAbsRelCheck : LabCheck<Func<Tensor, Tensor, double>>
{
    public override string Id => "slides-absrel";
    public override string Lab => "05-masked-metrics";
    public override string Title => "The slides' mistake: AbsRel over every pixel, divided by gt + 1e-6";
    public override string Signature => "double SlidesAbsRel(Tensor pred, Tensor gt)";

    protected override string Evaluate(Func<Tensor, Tensor, double> student)
    {
        using var noGrad = no_grad();
        var (pred, gt) = MetricInputs.Pair(54);
        double expected = NaiveMetrics.AbsRel(pred, gt, epsilon: 1e-6);
        double masked = MetricInputs.Reference(pred, gt).AbsRel;
        double got = Call(() => student(pred.clone(), gt.clone()));
        Compare.Scalars(got, expected, 1e-4, "your unmasked AbsRel",
        [
            new("that is the correct, masked AbsRel; this task reproduces the slides' version: every pixel, divided by gt + 1e-6", () => masked),
            new("with epsilon 0 a pixel with gt = 0 divides by zero (inf); the slides' numbers are finite, so add 1e-6 to gt", () => double.PositiveInfinity),
            new("divide by gt + 1e-6, not by gt + 1e-3 or another epsilon: the epsilon sets the size of the blow-up",
                () => MetricInputs.D(((pred - gt).abs() / (gt + 1e-3)).mean())),
        ], nanHint: "with epsilon 0, a pixel where gt and pred are both 0 gives 0/0; add 1e-6 to gt");
        return $"{expected:E2} where the masked AbsRel is {masked:F3}: the slides' 1e4-1e6 come from the invalid pixels";
    }
}

/// <summary>How much of the unmasked sum comes from the invalid pixels.</summary>
public sealed class InvalidShareCheck : LabCheck<Func<Tensor, Tensor, double>>
{
    public override string Id => "invalid-share";
    public override string Lab => "05-masked-metrics";
    public override string Title => "Share of the unmasked AbsRel's sum that comes from the invalid pixels";
    public override string Signature => "double InvalidShare(Tensor pred, Tensor gt)";

    protected override string Evaluate(Func<Tensor, Tensor, double> student)
    {
        using var noGrad = no_grad();
        var (pred, gt) = MetricInputs.Pair(55);
        var terms = ((pred - gt).abs() / (gt + 1e-6)).to(ScalarType.Float64);
        var invalid = gt.le(0);
        double expected = MetricInputs.D(terms.masked_select(invalid).sum() / terms.sum());
        double got = Call(() => student(pred.clone(), gt.clone()));
        Compare.Scalars(got, expected, 1e-4, "your share",
        [
            new("that is the share of invalid pixels; the question is their share of the sum of |pred - gt| / (gt + 1e-6)",
                () => MetricInputs.D(invalid.to(ScalarType.Float64).mean())),
            new("that is the valid pixels' share; the task asks for the invalid pixels' (gt = 0)", () => 1 - expected),
        ]);
        return $"{expected:P4} of the unmasked sum comes from the {MetricInputs.D(invalid.to(ScalarType.Float64).mean()):P0} invalid pixels";
    }
}
