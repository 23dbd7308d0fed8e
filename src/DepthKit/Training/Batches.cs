using DepthKit.Data;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// One image as model input outside a <see cref="DataLoader"/> (prediction): RGB [3,H,W] in [0, 1] (every DepthKit
/// model normalises its own input), resized with <see cref="Resampling.Rgb"/>, the same rule and the same
/// normalisation the loader's batches get in training and evaluation.
/// </summary>
public static class Batches
{
    /// <summary>RGB bytes (H x W x 3) to a float tensor [3, height, width] in [0, 1].</summary>
    public static Tensor ImageTensor(byte[] rgb, int sourceHeight, int sourceWidth, int height, int width)
    {
        var resized = Resampling.Rgb(rgb, sourceHeight, sourceWidth, height, width);
        var chw = new float[3 * height * width];
        Normalization.Unit.WriteChw(resized, height, width, chw);
        return tensor(chw, [3, height, width]);
    }
}
