using DepthKit.Data;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// Model input from 8-bit images at inference and evaluation: RGB [3,H,W] in [0, 1] (every DepthKit model
/// normalises its own input), resized to the model's input size (area when shrinking, bilinear when enlarging).
/// Training batches come from the <see cref="DataLoader"/>.
/// </summary>
public static class Batches
{
    /// <summary>RGB bytes (H x W x 3) to a float tensor [3, height, width] in [0, 1].</summary>
    public static Tensor ImageTensor(byte[] rgb, int sourceHeight, int sourceWidth, int height, int width)
    {
        using var scope = NewDisposeScope();
        var image = tensor(rgb, [sourceHeight, sourceWidth, 3]).permute(2, 0, 1).to(float32).div(255f).unsqueeze(0);
        if (sourceHeight != height || sourceWidth != width)
        {
            // area averaging when shrinking avoids aliasing; bilinear when enlarging
            var mode = height <= sourceHeight && width <= sourceWidth ? InterpolationMode.Area : InterpolationMode.Bilinear;
            image = mode == InterpolationMode.Area
                ? nn.functional.interpolate(image, size: [height, width], mode: mode)
                : nn.functional.interpolate(image, size: [height, width], mode: mode, align_corners: false);
        }
        return image.squeeze(0).contiguous().MoveToOuterDisposeScope();
    }
}
