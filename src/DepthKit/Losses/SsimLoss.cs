using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
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

    // clamp((1 - SSIM) / 2, 0, 1); 1 - x is TorchSharp's -x + 1
    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid) =>
        MeanSsim(pred, gt, valid, DataRange).negative().add(One, One).div(Two).clamp(Scalars.Zero, One);

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
        var sigmaX = Pool(x * x) - Square(muX);
        var sigmaY = Pool(y * y) - Square(muY);
        var sigmaXY = Pool(x * y) - muX * muY;
        using Scalar c1s = c1, c2s = c2;
        // (2 muX muY + C1)(2 sigmaXY + C2) / ((muX^2 + muY^2 + C1)(sigmaX + sigmaY + C2))
        var ssim = muX.mul(Two).mul(muY).add(c1s, One).mul(sigmaXY.mul(Two).add(c2s, One))
                   .div(Add(Square(muX), Square(muY)).add(c1s, One).mul(Add(sigmaX, sigmaY).add(c2s, One)));
        long count = valid.sum().item<long>();
        if (count == 0) return pred.mul(Scalars.Zero).sum().add(One, One); // (pred * 0).sum() + 1
        using Scalar n = count;
        return ssim.masked_select(valid).sum().div(n);
    }
}
