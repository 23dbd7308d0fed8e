using static TorchSharp.torch;

namespace DepthKit.Data;

/// <summary>
/// How 8-bit RGB becomes the model's input: channel order, scale, per-channel mean and std.
/// value = (pixel * Scale - Mean[c]) / Std[c], with channels in RGB or BGR order.
/// </summary>
public sealed record Normalization(string Name, bool Bgr, float Scale, float[] Mean, float[] Std)
{
    /// <summary>torchvision/ImageNet: RGB in 0..1, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static readonly Normalization ImageNet = new("imagenet", false, 1f / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>CNTK ResNet-18 (Microsoft.ML.DnnImageFeaturizer.ResNet18): BGR 0..255 minus mean (B 103.06, G 115.90, R 123.15), no std.</summary>
    public static readonly Normalization CntkResNet18Bgr = new("cntk-resnet18-bgr", true, 1f, [103.06f, 115.90f, 123.15f], [1f, 1f, 1f]);

    /// <summary>RGB in 0..1, nothing subtracted.</summary>
    public static readonly Normalization Unit = new("unit", false, 1f / 255f, [0f, 0f, 0f], [1f, 1f, 1f]);

    public static Normalization Parse(string name) => name.ToLowerInvariant() switch
    {
        "imagenet" => ImageNet,
        "cntk-resnet18-bgr" or "cntk" => CntkResNet18Bgr,
        "unit" or "none" => Unit,
        _ => throw new ArgumentException($"unknown normalisation '{name}': use imagenet, cntk-resnet18-bgr or unit"),
    };

    /// <summary>Writes interleaved RGB (H x W x 3) as normalised planar floats (3 x H x W) into <paramref name="chw"/>.</summary>
    public void WriteChw(ReadOnlySpan<byte> rgb, int height, int width, Span<float> chw)
    {
        int n = height * width;
        if (rgb.Length != n * 3 || chw.Length != n * 3) throw new ArgumentException($"expected {n * 3} values for {height}x{width}x3");
        for (int c = 0; c < 3; c++)
        {
            int source = Bgr ? 2 - c : c; // output plane c takes RGB channel 'source'
            float scale = Scale / Std[c], offset = Mean[c] / Std[c];
            var plane = chw.Slice(c * n, n);
            for (int i = 0; i < n; i++) plane[i] = rgb[3 * i + source] * scale - offset;
        }
    }
}

/// <summary>One sample as tensors with a batch axis: RGB [1,3,H,W] normalised, depth [1,1,H,W] metres, valid [1,1,H,W] bool.</summary>
public static class ToTensor
{
    public static (Tensor Rgb, Tensor Depth, Tensor Valid) From(DepthSample s, Normalization normalization)
    {
        var chw = new float[s.Rgb.Length];
        normalization.WriteChw(s.Rgb, s.Height, s.Width, chw);
        return (tensor(chw, [1, 3, s.Height, s.Width]), tensor(s.Depth, [1, 1, s.Height, s.Width]), tensor(s.ValidMask(), [1, 1, s.Height, s.Width]));
    }
}
