using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Metrics;

/// <summary>
/// Test-time horizontal-flip averaging (at prediction time, as BTS and DenseDepth evaluate): the mean of the
/// prediction of the image and the un-flipped prediction of the mirrored image.
/// </summary>
public static class TestTimeFlip
{
    static readonly Scalar Half = 0.5; // rooted (Scalars)

    /// <param name="predict">the model's forward pass, image [B,C,H,W] to depth [B,1,h,w]</param>
    /// <param name="image">the RGB batch [B,C,H,W]</param>
    public static Tensor Predict(Func<Tensor, Tensor> predict, Tensor image)
    {
        using var scope = NewDisposeScope();
        var straight = predict(image);
        var mirrored = predict(image.flip(-1)).flip(-1);
        return Scalars.Add(straight, mirrored).mul(Half).MoveToOuterDisposeScope(); // 0.5 (straight + mirrored)
    }
}
