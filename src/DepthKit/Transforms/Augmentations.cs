using DepthKit.Data;

namespace DepthKit.Transforms;

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
