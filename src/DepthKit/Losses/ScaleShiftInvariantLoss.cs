using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// Scale-and-shift-invariant loss (MiDaS, Ranftl et al. 2020, eq. 5 with least-squares alignment): per image, the
/// scale s and shift t that minimise sum (s * pred + t - gt)^2 over the valid pixels are solved in closed form,
/// then L = mean |s * pred + t - gt|, averaged over the images with at least two valid pixels. The model learns
/// the shape of the depth map, not its metres: evaluate it with median scaling (or least-squares alignment).
/// </summary>
public sealed class ScaleShiftInvariantLoss : DepthLoss
{
    public override string Name => "ssi";
    public override string Summary => "scale-and-shift-invariant (MiDaS): shape only, needs alignment to give metres";

    static readonly Scalar Tiny = 1e-12;

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid)
    {
        var m = valid.to(pred.dtype);
        var n = m.sum([1, 2, 3], keepdim: true);
        var has = n.gt(One).flatten();
        if (!has.any().item<bool>()) return Zero(pred);
        var g = gt.where(valid, 0);
        var p = pred * m;
        // normal equations of [s t]: [a00 a01; a01 a11] [s t]' = [b0 b1]'
        var a00 = (p * p).sum([1, 2, 3], keepdim: true);
        var a01 = p.sum([1, 2, 3], keepdim: true);
        var a11 = n;
        var b0 = (p * g).sum([1, 2, 3], keepdim: true);
        var b1 = g.sum([1, 2, 3], keepdim: true);
        var det = (a00 * a11 - a01 * a01).clamp_min(Tiny);
        var s = (a11 * b0 - a01 * b1) / det;
        var t = (a00 * b1 - a01 * b0) / det;
        var err = ((Add(s * pred, t) - g).abs() * m).sum([1, 2, 3]) / n.flatten().clamp_min(One); // |s pred + t - g|
        return err.masked_select(has).mean();
    }
}
