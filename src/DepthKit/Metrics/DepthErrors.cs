using DepthKit.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Metrics;

/// <summary>
/// Per-image evaluation: the valid pixels of one ground truth, the prediction resized to it, aligned (optional)
/// and clamped, and the error sums of <see cref="ErrorSums"/>. Follows monodepth2's evaluate_depth.py
/// (Godard et al. 2019) and BTS's bts_eval.py (Lee et al. 2019):
/// valid = gt finite and min &lt; gt &lt; max and inside the crop; pred resized to the gt size (bilinear, the
/// align_corners=false convention of torch.nn.functional.interpolate); NaN pred -> min, +inf -> max;
/// optional median scaling or least-squares scale and shift on the valid pixels; pred clamped to [min, max].
/// </summary>
public static class DepthErrors
{
    /// <summary>
    /// Error sums of one image, row-major arrays. Returns null when the image has no valid pixel (the caller
    /// skips and counts it: no division by zero).
    /// </summary>
    public static ErrorSums? Image(ReadOnlySpan<float> pred, int predHeight, int predWidth,
                                   ReadOnlySpan<float> gt, int height, int width, EvalOptions? options = null)
    {
        options ??= EvalOptions.Nyu;
        options.Validate();
        CheckLength(pred.Length, predHeight, predWidth, "prediction");
        CheckLength(gt.Length, height, width, "ground truth");
        float[]? resized = predHeight == height && predWidth == width ? null : Resampling.Bilinear(pred, predHeight, predWidth, height, width);
        ReadOnlySpan<float> p = resized ?? pred;

        var box = Crops.Box(options.Crop, height, width);
        var gtValid = new List<double>();
        var predValid = new List<double>();
        for (int r = box.Top; r < box.Bottom; r++)
            for (int c = box.Left; c < box.Right; c++)
            {
                double g = gt[r * width + c];
                if (!(double.IsFinite(g) && g > options.MinDepth && g < options.MaxDepth)) continue;
                double q = p[r * width + c];
                gtValid.Add(g);
                // as BTS: NaN -> min, +inf -> max, -inf -> min (before alignment, so a median stays finite)
                predValid.Add(double.IsNaN(q) ? options.MinDepth : double.IsPositiveInfinity(q) ? options.MaxDepth
                            : double.IsNegativeInfinity(q) ? options.MinDepth : q);
            }
        if (gtValid.Count == 0) return null;

        var (scale, shift) = options.MedianScaling ? (Median(gtValid) / Median(predValid), 0.0)
                           : options.ScaleShiftAlignment ? LeastSquaresScaleShift(predValid, gtValid)
                           : (1.0, 0.0);
        var sums = new ErrorSums();
        for (int i = 0; i < gtValid.Count; i++)
        {
            double q = Math.Clamp(scale * predValid[i] + shift, options.MinDepth, options.MaxDepth);
            if (double.IsNaN(q)) q = options.MinDepth;   // e.g. median scaling of an all-zero prediction (0 * inf)
            sums.Add(gtValid[i], q);
        }
        return sums;
    }

    /// <summary>Metrics of a single image (row-major); skipped (NaN metrics, SkippedImages = 1) if nothing is valid.</summary>
    public static DepthMetrics Compute(ReadOnlySpan<float> pred, int predHeight, int predWidth,
                                       ReadOnlySpan<float> gt, int height, int width, EvalOptions? options = null)
    {
        var acc = new MetricAccumulator(options);
        acc.Add(pred, predHeight, predWidth, gt, height, width);
        return acc.Result();
    }

    /// <summary>Metrics of a single image given as [H, W] arrays.</summary>
    public static DepthMetrics Compute(float[,] pred, float[,] gt, EvalOptions? options = null)
    {
        var acc = new MetricAccumulator(options);
        acc.Add(pred, gt);
        return acc.Result();
    }

    /// <summary>Metrics of one batch [B,1,H,W] of predictions and ground truths (e.g. one validation step).</summary>
    public static DepthMetrics Compute(Tensor pred, Tensor gt, EvalOptions? options = null)
    {
        var acc = new MetricAccumulator(options);
        acc.Add(pred, gt);
        return acc.Result();
    }

    /// <summary>
    /// Error sums of every image of a batch: pred and gt [B,1,H,W] (or [B,H,W] / [H,W]); pred is resized to the
    /// gt size with torch.nn.functional.interpolate (bilinear, align_corners=false). One entry per image, null
    /// for images without a valid pixel. Gradients are not tracked.
    /// </summary>
    public static ErrorSums?[] Batch(Tensor pred, Tensor gt, EvalOptions? options = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var p = AsBatch(pred, "prediction");
        var g = AsBatch(gt, "ground truth");
        if (p.shape[0] != g.shape[0])
            throw new ArgumentException($"prediction batch {Shape(pred)} and ground truth batch {Shape(gt)} hold different numbers of images");
        int height = (int)g.shape[2], width = (int)g.shape[3];
        p = Resampling.Bilinear(p, height, width);
        var pv = p.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var gv = g.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int n = height * width;
        var result = new ErrorSums?[g.shape[0]];
        for (int b = 0; b < result.Length; b++)
            result[b] = Image(pv.AsSpan(b * n, n), height, width, gv.AsSpan(b * n, n), height, width, options);
        return result;
    }

    /// <summary>Median as numpy computes it (mean of the two middle values for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("median of no values");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    /// <summary>
    /// The (s, t) minimising sum (s * pred + t - gt)^2 (normal equations). A constant prediction has no scale
    /// to fit: then s = 1 and t moves it onto mean(gt).
    /// </summary>
    public static (double Scale, double Shift) LeastSquaresScaleShift(IReadOnlyList<double> pred, IReadOnlyList<double> gt)
    {
        double n = pred.Count, sp = 0, sg = 0, spp = 0, spg = 0;
        for (int i = 0; i < pred.Count; i++)
        {
            double p = pred[i];
            sp += p; sg += gt[i]; spp += p * p; spg += p * gt[i];
        }
        double det = n * spp - sp * sp;
        if (!(Math.Abs(det) > 1e-12 * Math.Max(1, n * spp))) return (1, (sg - sp) / n);
        double s = (n * spg - sp * sg) / det;
        return (s, (sg - s * sp) / n);
    }

    static Tensor AsBatch(Tensor t, string what) => t.dim() switch
    {
        2 => t.unsqueeze(0).unsqueeze(0),
        3 => t.unsqueeze(1),
        4 when t.shape[1] == 1 => t,
        _ => throw new ArgumentException($"{what} has shape {Shape(t)}: expected [B,1,H,W], [B,H,W] or [H,W]"),
    };

    internal static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";

    static void CheckLength(int length, int height, int width, string what)
    {
        if (height <= 0 || width <= 0 || length != (long)height * width)
            throw new ArgumentException($"{what}: {length} values do not make a {height}x{width} map");
    }
}
