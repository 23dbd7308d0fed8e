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
}
