using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// The scale-invariant log loss of Eigen et al. 2014 ("Depth Map Prediction from a Single Image using a
/// Multi-Scale Deep Network", eq. 4): with d = log pred - log gt over the n valid pixels of an image,
/// L = (1/n) sum d^2 - (lambda/n^2) (sum d)^2, lambda = 0.5 (the training value of the paper; lambda = 1 is
/// fully scale invariant). Computed per image, averaged over the images with a valid pixel.
/// Predictions are clamped to at least 1e-6 m before the log.
/// </summary>
public sealed class SiLogLoss(double lambda = 0.5) : DepthLoss
{
    public override string Name => "silog";
    public override string Summary => "scale-invariant log loss of Eigen et al. 2014 (lambda 0.5)";

    public double Lambda { get; } = lambda;

    internal static readonly Scalar MinDepth = 1e-6;

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid)
    {
        var d = (pred.clamp_min(MinDepth).log() - gt.where(valid, 1).log()).where(valid, 0);
        var n = valid.sum([1, 2, 3]).to(pred.dtype);          // valid pixels per image
        var has = n.gt(Scalars.Zero);
        if (!has.any().item<bool>()) return Zero(pred);
        var safeN = n.clamp_min(One);
        using Scalar lambda = Lambda;
        // (1/n) sum d^2 - (lambda/n^2) (sum d)^2
        var perImage = Square(d).sum([1, 2, 3]) / safeN - Square(d.sum([1, 2, 3])).mul(lambda) / Square(safeN);
        return perImage.masked_select(has).mean();
    }
}

/// <summary>
/// The scale-invariant log loss in the form of BTS (Lee et al. 2019, "From Big to Small"): with
/// d = log pred - log gt over the valid pixels of the whole batch, L = 10 * sqrt(mean d^2 - 0.85 * mean(d)^2)
/// (lambda = 0.85, scaled by 10 as in the BTS code's silog_loss).
/// </summary>
public sealed class BtsSiLogLoss(double variance = 0.85, double scale = 10.0) : DepthLoss
{
    public override string Name => "silog-bts";
    public override string Summary => "BTS's SILog: 10 sqrt(mean d^2 - 0.85 mean(d)^2)";

    static readonly Scalar Tiny = 1e-12;

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid)
    {
        if (!valid.any().item<bool>()) return Zero(pred);
        var d = pred.clamp_min(SiLogLoss.MinDepth).log().masked_select(valid) - gt.masked_select(valid).log();
        using Scalar scaleS = scale, varianceS = variance;
        // scale * sqrt(mean d^2 - variance * mean(d)^2); clamp_min keeps the gradient finite at the perfect prediction,
        // where sqrt'(0) is infinite
        return (Square(d).mean() - Square(d.mean()).mul(varianceS)).clamp_min(Tiny).sqrt().mul(scaleS);
    }
}
