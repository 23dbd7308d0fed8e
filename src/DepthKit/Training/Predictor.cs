using DepthKit.Data;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>Single-image inference: RGB in, depth in metres out, at the size you ask for.</summary>
public static class Predictor
{
    /// <summary>
    /// Depth (row-major, outHeight x outWidth, metres) of one image: resized to the model's input size, predicted,
    /// and the prediction resized (bilinear) to the output size.
    /// </summary>
    public static float[] Predict(nn.Module<Tensor, Tensor> model, DepthSample image, int inputHeight, int inputWidth, int outHeight, int outWidth,
                                  Device? device = null, bool flipTta = false)
    {
        using var scope = NewDisposeScope();
        using var forwardOnly = Inference.Region();
        model.eval();
        var rgb = Batches.ImageTensor(image.Rgb, image.Height, image.Width, inputHeight, inputWidth).unsqueeze(0).to(device ?? CPU);
        var pred = flipTta ? Metrics.TestTimeFlip.Predict(x => model.call(x), rgb) : model.call(rgb);
        var full = Resampling.Bilinear(pred.to(float32).cpu(), outHeight, outWidth);
        return full.contiguous().data<float>().ToArray();
    }

    /// <summary>RGB bytes resized to height x width as the model sees them (<see cref="Resampling.Rgb"/>).</summary>
    public static byte[] ResizeRgb(DepthSample s, int height, int width) => Resampling.Rgb(s.Rgb, s.Height, s.Width, height, width);

    /// <summary>Depth resized with nearest neighbour (keeps invalid pixels invalid).</summary>
    public static float[] ResizeDepth(float[] depth, int sourceHeight, int sourceWidth, int height, int width) =>
        Resampling.DepthNearest(depth, sourceHeight, sourceWidth, height, width);
}
