namespace DepthKit.Metrics;

/// <summary>Which evaluation crop to apply (see <see cref="Crops"/>).</summary>
public enum CropKind { None, Eigen, Garg }

/// <summary>
/// How the per-image errors become one number. <see cref="PerImage"/> (default) computes every metric on each
/// image and averages over images: the convention of the monodepth2 and BTS evaluation code, so numbers are
/// comparable with the literature. <see cref="PixelPooled"/> pools all valid pixels of all images into one set
/// (large images and images with many valid pixels weigh more); it is labelled wherever it is printed.
/// </summary>
public enum Averaging { PerImage, PixelPooled }

/// <summary>
/// Every knob of the evaluation in one place (monodepth2's options.py style). Defaults are the NYU Depth v2
/// protocol of Eigen et al. 2014 as used by BTS (Lee et al. 2019) and DenseDepth: valid ground truth in
/// (1e-3, 10) m, Eigen crop, per-image averaging, no alignment.
/// </summary>
public sealed record EvalOptions
{
    /// <summary>Ground truth at or below this is invalid; predictions are clamped up to it.</summary>
    public double MinDepth { get; init; } = 1e-3;

    /// <summary>Ground truth at or above this is invalid; predictions are clamped down to it.</summary>
    public double MaxDepth { get; init; } = 10.0;

    public CropKind Crop { get; init; } = CropKind.Eigen;

    public Averaging Averaging { get; init; } = Averaging.PerImage;

    /// <summary>
    /// Per-image median scaling for scale-ambiguous models (monodepth2's default for monocular training):
    /// prediction times median(gt) / median(pred) over the valid pixels, before clamping.
    /// </summary>
    public bool MedianScaling { get; init; }

    /// <summary>
    /// Per-image least-squares scale and shift: the (s, t) minimising sum (s * pred + t - gt)^2 over the valid
    /// pixels is applied before clamping (the affine-invariant protocol of MiDaS/Marigold evaluations).
    /// Exclusive with <see cref="MedianScaling"/>.
    /// </summary>
    public bool ScaleShiftAlignment { get; init; }

    /// <summary>The NYU Depth v2 protocol (the defaults).</summary>
    public static EvalOptions Nyu { get; } = new();

    internal void Validate()
    {
        if (!(MinDepth >= 0) || !(MaxDepth > MinDepth) || double.IsInfinity(MaxDepth))
            throw new ArgumentException($"evaluation depth range ({MinDepth}, {MaxDepth}) is not a range: need 0 <= min < max < infinity");
        if (MedianScaling && ScaleShiftAlignment)
            throw new ArgumentException("choose either median scaling or least-squares scale-and-shift alignment, not both");
    }
}
