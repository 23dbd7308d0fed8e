using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Metrics;

/// <summary>
/// The slides' mistake, kept so a notebook can show it next to the correct number. The deck's Table 1 reports
/// "Abs rel diff" of 2.35e4 to 1.2e6, impossible for a relative error that is ~0.1 for a good model: the
/// ground truth's invalid pixels (depth 0, no Kinect return) were not masked before dividing by the ground truth.
/// Never use these for results.
/// </summary>
public static class NaiveMetrics
{
    /// <summary>
    /// mean over ALL pixels of |gt - pred| / (gt + epsilon): no validity mask, no crop, no clamp, no resize.
    /// With epsilon = 0 a zero-depth pixel divides by zero: +inf (or NaN where pred is 0 too), so the mean is
    /// inf/NaN. A small epsilon (the usual "fix" that hides the bug; default 1e-6) turns each zero-depth pixel
    /// into pred / 1e-6, i.e. about 1e5 to 1e6 for predictions of 0.1-1, and a few percent of such pixels give
    /// means of 1e4-1e6: the magnitude of the slides' table.
    /// </summary>
    public static double AbsRel(ReadOnlySpan<float> pred, ReadOnlySpan<float> gt, double epsilon = 1e-6)
    {
        if (pred.Length != gt.Length || gt.Length == 0)
            throw new ArgumentException($"naive AbsRel needs two maps of the same non-zero size (got {pred.Length} and {gt.Length} values)");
        double sum = 0;
        for (int i = 0; i < gt.Length; i++) sum += Math.Abs(gt[i] - pred[i]) / (gt[i] + epsilon);
        return sum / gt.Length;
    }

    /// <summary><see cref="AbsRel(ReadOnlySpan{float}, ReadOnlySpan{float}, double)"/> over every pixel of two same-shaped tensors.</summary>
    public static double AbsRel(Tensor pred, Tensor gt, double epsilon = 1e-6)
    {
        if (!pred.shape.SequenceEqual(gt.shape))
            throw new ArgumentException($"naive AbsRel needs tensors of one shape, got {DepthErrors.Shape(pred)} and {DepthErrors.Shape(gt)}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (p, g) = (pred.to(ScalarType.Float64), gt.to(ScalarType.Float64));   // double, like the array version
        using Scalar eps = epsilon;
        return ((g - p).abs() / g.add(eps, Scalars.One)).mean().item<double>(); // mean |g - p| / (g + epsilon)
    }

    /// <summary>One row of the slides' Table 1 ("Conclusion: metric evaluation results"), quoted as printed.</summary>
    public sealed record SlideRow(string Model, double Delta1, double AbsRelDiff, double Rmse);

    /// <summary>
    /// The deck's Table 1 as printed, for notebooks to show next to a correct evaluation. Its "Abs rel diff"
    /// column is the unmasked mistake <see cref="AbsRel(ReadOnlySpan{float}, ReadOnlySpan{float}, double)"/> reproduces.
    /// </summary>
    public static IReadOnlyList<SlideRow> SlidesTable1 { get; } =
    [
        new("CNN+FC", 0.307, 3.4e5, 1.12),
        new("CNN", 0.195, 1.2e6, 1.22),
        new("CNN+trans", 0.143, 3.2e5, 1.23),
        new("CNN+Res", 0.634, 2.35e4, 1.74),
    ];
}
