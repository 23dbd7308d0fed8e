namespace DepthKit.Metrics;

/// <summary>
/// Running sums of the per-pixel error terms of one image (or, added together, of many). Every metric is a
/// mean or the root of a mean of one of these sums, so the same sums give both the per-image metrics and the
/// pixel-pooled ones, in constant memory. The terms are those of monodepth2's <c>compute_depth_errors</c>
/// (Godard et al. 2019) and BTS's <c>compute_errors</c> (Lee et al. 2019), from Eigen et al. 2014.
/// </summary>
public struct ErrorSums
{
    public long Pixels;
    public double Delta1, Delta2, Delta3, AbsRel, SqRel, SquaredError, SquaredLogError, Log10, LogDiff, LogDiffSquared;

    /// <summary>Adds one valid pixel: gt in (min, max), pred already clamped to [min, max].</summary>
    public void Add(double gt, double pred)
    {
        double thresh = Math.Max(gt / pred, pred / gt);
        double d = Math.Log(pred) - Math.Log(gt);                   // log pred - log gt, computed once
        Delta1 += thresh < 1.25 ? 1 : 0;                            // strict <, as in the papers' code
        Delta2 += thresh < 1.25 * 1.25 ? 1 : 0;
        Delta3 += thresh < 1.25 * 1.25 * 1.25 ? 1 : 0;
        AbsRel += Math.Abs(gt - pred) / gt;
        SqRel += (gt - pred) * (gt - pred) / gt;
        SquaredError += (gt - pred) * (gt - pred);
        SquaredLogError += d * d;                                   // (log gt - log pred)^2
        Log10 += Math.Abs(d) / Math.Log(10);                        // |log10 pred - log10 gt|
        LogDiff += d;
        LogDiffSquared += d * d;
        Pixels++;
    }

    public void Add(in ErrorSums o)
    {
        Pixels += o.Pixels;
        Delta1 += o.Delta1; Delta2 += o.Delta2; Delta3 += o.Delta3;
        AbsRel += o.AbsRel; SqRel += o.SqRel; SquaredError += o.SquaredError; SquaredLogError += o.SquaredLogError;
        Log10 += o.Log10; LogDiff += o.LogDiff; LogDiffSquared += o.LogDiffSquared;
    }

    /// <summary>The metrics of these pixels taken as one set (NaN when there are none).</summary>
    public readonly DepthMetrics ToMetrics(int images = 1, int skippedImages = 0, Averaging averaging = Averaging.PerImage)
    {
        double n = Pixels;
        return new DepthMetrics(
            D1: Delta1 / n,
            D2: Delta2 / n,
            D3: Delta3 / n,
            AbsRel: AbsRel / n,                                          // mean |gt - pred| / gt
            SqRel: SqRel / n,                                            // mean (gt - pred)^2 / gt
            Rmse: Math.Sqrt(SquaredError / n),                           // sqrt mean (gt - pred)^2
            RmseLog: Math.Sqrt(SquaredLogError / n),                     // sqrt mean (log gt - log pred)^2
            Log10: Log10 / n,                                            // mean |log10 pred - log10 gt|
            SiLog: 100 * Math.Sqrt(Math.Max(0, LogDiffSquared / n - (LogDiff / n) * (LogDiff / n))), // 100 sqrt(mean d^2 - mean(d)^2)
            Images: images,
            SkippedImages: skippedImages,
            Pixels: Pixels) { Averaging = averaging };
    }
}
