using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// The DenseDepth training loss (Alhashim &amp; Wonka 2018, "High Quality Monocular Depth Estimation via
/// Transfer Learning"): L = 0.1 * L1 + clamp((1 - SSIM) / 2, 0, 1) + gradient, with the masked
/// <see cref="L1Loss"/>, <see cref="SsimLoss"/> and <see cref="GradientLoss"/> of this folder.
/// (DenseDepth itself trained on 1000/depth; DepthKit applies the combination to depth in metres.)
/// </summary>
public sealed class DenseDepthLoss(double l1Weight = 0.1, double dataRange = 10.0) : DepthLoss
{
    readonly L1Loss _l1 = new();
    readonly SsimLoss _ssim = new(dataRange);
    readonly GradientLoss _gradient = new();

    public override string Name => "densedepth";
    public override string Summary => "DenseDepth (Alhashim & Wonka 2018): 0.1 L1 + SSIM + image gradient";

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid)
    {
        using Scalar weight = l1Weight;
        // l1Weight * L1 + SSIM + gradient
        return Add(Add(_l1.Compute(pred, gt, valid).mul(weight), _ssim.Compute(pred, gt, valid)), _gradient.Compute(pred, gt, valid));
    }
}
