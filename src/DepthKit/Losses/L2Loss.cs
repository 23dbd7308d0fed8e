using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>Mean squared error over the valid pixels of the batch: mean (pred - gt)^2.</summary>
public sealed class L2Loss : DepthLoss
{
    public override string Name => "l2";
    public override string Summary => "mean squared error in metres";

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid) =>
        MaskedMean((pred - gt.where(valid, pred.detach())).square(), valid);
}
