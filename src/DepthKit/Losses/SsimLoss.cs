using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// Structural similarity (Wang et al. 2004) as a loss: L = clamp((1 - SSIM) / 2, 0, 1), SSIM the mean of the
/// SSIM map over the valid pixels. The window is monodepth2's (Godard et al. 2019): 3x3 average pooling on a
/// reflection-padded map, so the map keeps the input size and works on tiny images (DenseDepth used an 11x11
/// gaussian on 'valid' windows). C1 = (0.01 L)^2, C2 = (0.03 L)^2 with L the depth range (default 10 m, NYU).
/// Invalid pixels are replaced in both maps by the detached prediction, so they look identical in pred and gt:
/// they neither reward nor penalise the windows around them and receive zero gradient.
/// </summary>
public sealed class SsimLoss(double dataRange = 10.0) : DepthLoss
{
    public override string Name => "ssim";
    public override string Summary => "1 - SSIM of the depth maps (3x3 windows, range 10 m)";

    public double DataRange { get; } = dataRange;

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid) =>
        ((1 - MeanSsim(pred, gt, valid, DataRange)) / 2).clamp(0, 1);

    /// <summary>Mean SSIM over the valid pixels (1 for identical maps).</summary>
    public static Tensor MeanSsim(Tensor pred, Tensor gt, Tensor valid, double dataRange)
    {
        if (pred.shape[2] < 2 || pred.shape[3] < 2)
            throw new ArgumentException($"SSIM needs maps of at least 2x2 pixels (reflection padding), got {pred.shape[2]}x{pred.shape[3]}");
        var x = pred.where(valid, pred.detach());
        var y = gt.where(valid, pred.detach());
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2);
        Tensor Pool(Tensor t) => nn.functional.avg_pool2d(nn.functional.pad(t, [1, 1, 1, 1], PaddingModes.Reflect), 3, 1);
        var muX = Pool(x);
        var muY = Pool(y);
        var sigmaX = Pool(x * x) - muX.square();
        var sigmaY = Pool(y * y) - muY.square();
        var sigmaXY = Pool(x * y) - muX * muY;
        var ssim = (2 * muX * muY + c1) * (2 * sigmaXY + c2) / ((muX.square() + muY.square() + c1) * (sigmaX + sigmaY + c2));
        long count = valid.sum().item<long>();
        return count == 0 ? (pred * 0).sum() + 1 : ssim.masked_select(valid).sum() / count;
    }
}
