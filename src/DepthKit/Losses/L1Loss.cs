using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>Mean absolute error over the valid pixels of the batch: mean |pred - gt|.</summary>
public sealed class L1Loss : DepthLoss
{
    public override string Name => "l1";
    public override string Summary => "mean absolute error in metres";

    protected override Tensor Masked(Tensor pred, Tensor gt, Tensor valid) =>
        MaskedMean((pred - gt.where(valid, pred.detach())).abs(), valid);
}
