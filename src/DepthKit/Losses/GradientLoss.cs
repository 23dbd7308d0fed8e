using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// Image-gradient (edge) loss of DenseDepth (Alhashim &amp; Wonka 2018): with forward differences
/// dx = x[:, :, :, 1:] - x[:, :, :, :-1] and dy = x[:, :, 1:, :] - x[:, :, :-1, :],
/// L = mean |dx pred - dx gt| + mean |dy pred - dy gt|, each mean over the pairs of neighbouring pixels that
/// are both valid (a difference across a hole is not a depth edge).
/// </summary>
public sealed class GradientLoss : DepthLoss
{
    public override string Name => "gradient";
    public override string Summary => "L1 of the depth map's image gradients (edges only)";

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid) => Of(pred, gt, valid);

    /// <summary>The loss on any two maps (log depths too) given the final validity mask.</summary>
    internal static Tensor Of(Tensor pred, Tensor gt, Tensor valid)
    {
        var g = gt.where(valid, pred.detach());
        long h = pred.shape[2], w = pred.shape[3];
        var dxPred = pred[.., .., .., 1..] - pred[.., .., .., ..(int)(w - 1)];
        var dxGt = g[.., .., .., 1..] - g[.., .., .., ..(int)(w - 1)];
        var dxValid = valid[.., .., .., 1..].logical_and(valid[.., .., .., ..(int)(w - 1)]);
        var dyPred = pred[.., .., 1.., ..] - pred[.., .., ..(int)(h - 1), ..];
        var dyGt = g[.., .., 1.., ..] - g[.., .., ..(int)(h - 1), ..];
        var dyValid = valid[.., .., 1.., ..].logical_and(valid[.., .., ..(int)(h - 1), ..]);
        return Add(MaskedMean((dxPred - dxGt).abs(), dxValid), MaskedMean((dyPred - dyGt).abs(), dyValid));
    }
}
