using TorchSharp;
using static DepthKit.Scalars; // rooted constants and a + b, x^2 (Scalars)
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>Mean squared error over the valid pixels of the batch: mean (pred - gt)^2.</summary>
public sealed class L2Loss : DepthLoss
{
    public override string Name => "l2";
    public override string Summary => "mean squared error in metres";

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid) =>
        MaskedMean(Square(pred - gt.where(valid, pred.detach())), valid);
}
