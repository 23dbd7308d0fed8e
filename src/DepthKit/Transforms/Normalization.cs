using DepthKit.Data;
using static TorchSharp.torch;

namespace DepthKit.Transforms;

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

/// <summary>Ready-made pipelines.</summary>
public static class Augmentations
{
    /// <summary>
    /// Training on NYU at <paramref name="height"/>x<paramref name="width"/> (default 240x320): area-resize RGB and
    /// nearest depth, ±2.5° rotation (BTS), horizontal flip, colour jitter, gamma 0.9..1.1 and DenseDepth's channel swap.
    /// </summary>
    public static Compose DefaultTrain(int height = 240, int width = 320) => new(
        new Resize(height, width, RgbResize.Area, DepthResize.Nearest),
        new RandomRotation(2.5),
        new HorizontalFlip(0.5),
        new ColorJitter(0.2, 0.2, 0.2, 0.0),
        new RandomGamma(0.9, 1.1),
        new ChannelSwap(0.25));

    /// <summary>
    /// One of each transform with visible settings, for a gallery (a notebook shows each applied to one NYU frame).
    /// Geometric ones move RGB and depth together; photometric ones touch RGB only.
    /// </summary>
    public static IReadOnlyList<(string Name, IPairedTransform Transform)> Gallery(int height = 240, int width = 320) =>
    [
        ("resize (area RGB, nearest depth)", new Resize(height, width, RgbResize.Area, DepthResize.Nearest)),
        ("resize (bilinear RGB, mask-aware depth)", new Resize(height, width, RgbResize.Bilinear, DepthResize.MaskAware)),
        ("center crop", new CenterCrop(height * 3 / 4, width * 3 / 4)),
        ("random crop", new RandomCrop(height * 3 / 4, width * 3 / 4)),
        ("Eigen crop", new FixedCrop(NyuCrops.Eigen.ScaledTo(height, width))),
        ("horizontal flip", new HorizontalFlip(1.0)),
        ("rotation ±5°", new RandomRotation(5)),
        ("colour jitter", new ColorJitter(0.4, 0.4, 0.4, 0.1)),
        ("channel swap", new ChannelSwap(1.0)),
        ("gamma 0.7..1.3", new RandomGamma(0.7, 1.3)),
    ];

    /// <summary>Evaluation: only the resize, nothing random.</summary>
    public static Compose Eval(int height = 240, int width = 320) => new(new Resize(height, width, RgbResize.Area, DepthResize.Nearest));
}
