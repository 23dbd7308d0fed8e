using static TorchSharp.torch;

namespace DepthKit.Metrics;

/// <summary>
/// Streaming evaluation over a data loader in constant memory: call <see cref="Add(Tensor, Tensor)"/> per batch
/// (or an array overload per image), then <see cref="Result"/>. Keeps the sum of every per-image metric (for
/// per-image averaging, the monodepth2/BTS convention) and the pooled <see cref="ErrorSums"/> (for
/// pixel-pooled averaging, where SILog comes from the pooled sums of d and d^2). Images without a valid pixel
/// are skipped and counted.
/// </summary>
public sealed class MetricAccumulator(EvalOptions? options = null)
{
    public EvalOptions Options { get; } = options ?? EvalOptions.Nyu;

    ErrorSums _pooled;
    readonly double[] _sums = new double[DepthMetrics.Fields.Count];
    int _images, _skipped;

    public int Images => _images;
    public int SkippedImages => _skipped;

    /// <summary>One image, row-major; the prediction may have another size (it is resized to the gt).</summary>
    public void Add(ReadOnlySpan<float> pred, int predHeight, int predWidth, ReadOnlySpan<float> gt, int height, int width) =>
        Add(DepthErrors.Image(pred, predHeight, predWidth, gt, height, width, Options));

    /// <summary>One image as [H, W] arrays.</summary>
    public void Add(float[,] pred, float[,] gt) =>
        Add(Flat(pred), pred.GetLength(0), pred.GetLength(1), Flat(gt), gt.GetLength(0), gt.GetLength(1));

    /// <summary>A batch [B,1,H,W] (or [B,H,W] / [H,W]) of predictions and ground truths.</summary>
    public void Add(Tensor pred, Tensor gt)
    {
        foreach (var sums in DepthErrors.Batch(pred, gt, Options)) Add(sums);
    }

    /// <summary>The error sums of one image (null: no valid pixel, skipped).</summary>
    public void Add(ErrorSums? image)
    {
        if (image is not { } s) { _skipped++; return; }
        var values = s.ToMetrics().Values();
        for (int i = 0; i < values.Length; i++) _sums[i] += values[i];
        _pooled.Add(s);
        _images++;
    }

    /// <summary>The metrics so far, averaged as <see cref="EvalOptions.Averaging"/> says (NaN when no image counted).</summary>
    public DepthMetrics Result()
    {
        if (Options.Averaging == Averaging.PixelPooled)
            return _pooled.ToMetrics(_images, _skipped, Averaging.PixelPooled);
        double n = _images;
        return DepthMetrics.FromValues([.. _sums.Select(sum => sum / n)], _images, _skipped, _pooled.Pixels, Averaging.PerImage);
    }

    public void Reset()
    {
        _pooled = default;
        Array.Clear(_sums);
        _images = _skipped = 0;
    }

    static float[] Flat(float[,] a)
    {
        var flat = new float[a.Length];
        Buffer.BlockCopy(a, 0, flat, 0, a.Length * sizeof(float));
        return flat;
    }
}
