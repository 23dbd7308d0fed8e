using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// The reverse Huber (berHu) loss of Laina et al. 2016 ("Deeper Depth Prediction with Fully Convolutional
/// Residual Networks", FCRN): B(r) = |r| if |r| &lt;= c, (r^2 + c^2) / (2c) otherwise, with
/// c = 0.2 * max |r| over the valid pixels of the batch, r = pred - gt. c is detached (a constant of the step,
/// as in the paper). L1 for small residuals, scaled L2 for large ones; continuous at |r| = c.
/// </summary>
public sealed class BerHuLoss(double threshold = 0.2) : DepthLoss
{
    public override string Name => "berhu";
    public override string Summary => "reverse Huber (FCRN, Laina et al. 2016): L1 for small errors, L2 beyond 0.2 of the batch maximum";

    /// <summary>The fraction of the batch's largest residual where L1 turns into L2 (0.2 in the paper).</summary>
    public double Threshold { get; } = threshold;

    static readonly Scalar Tiny = 1e-12;

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid)
    {
        if (!valid.any().item<bool>()) return Zero(pred);
        var r = (pred - gt.where(valid, pred.detach())).masked_select(valid).abs();
        // c >= 1e-12 keeps (r^2 + c^2) / 2c finite for a perfect prediction (where every r is 0 <= c anyway).
        using Scalar threshold = Threshold;
        var c = r.max().mul(threshold).detach().clamp_min(Tiny);                  // threshold * max r
        var berhu = where(r <= c, r, Add(Square(r), Square(c)) / c.mul(Two)); // (r^2 + c^2) / 2c
        return berhu.mean();
    }
}
