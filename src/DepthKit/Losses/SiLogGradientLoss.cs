using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// <see cref="SiLogLoss"/> plus a gradient-matching term on log depth: L = SILog + alpha * G(log pred, log gt),
/// with G the masked forward-difference L1 of <see cref="GradientLoss"/>. On log depth a depth edge costs the same
/// at 1 m and at 5 m, and G is invariant to the global scale, like the SILog term (the multi-scale-free form of the
/// gradient loss of MegaDepth, Li &amp; Snavely 2018). alpha = 0.5.
/// </summary>
public sealed class SiLogGradientLoss(double alpha = 0.5) : DepthLoss
{
    readonly SiLogLoss _silog = new();

    public override string Name => "silog-grad";
    public override string Summary => "SILog plus a log-depth gradient term (the quick profile's CNN+Res loss)";

    public double Alpha { get; } = alpha;

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid)
    {
        var logPred = pred.clamp_min(SiLogLoss.MinDepth).log();
        var logGt = gt.where(valid, 1).log();
        using Scalar alpha = Alpha;
        return Add(_silog.Compute(pred, gt, valid), GradientLoss.Of(logPred, logGt, valid).mul(alpha)); // SILog + alpha G
    }
}
