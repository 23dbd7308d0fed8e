using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The up-projection block exactly as the slides' model summary prints it (<c>upmodel</c>): doubles H and W,
/// halves the channels. No BatchNorm; every convolution has a bias.
/// <code>
/// x ─► upsample 2x (nearest) ─┬─► conv5x5(C→C/2) ─ ReLU ─► conv3x3(C/2→C/4) ─┐
///                             └─► conv5x5(C→C/4) ──────────────────────────────┴─ concat ─► out (C/2)
/// </code>
/// For C = 1024 the three convolutions have 13,107,712, 1,179,904 and 6,553,856 parameters, as on the slide.
/// The summary shows the convolutions already at the doubled size, so upsampling comes first; it does not
/// show the upsampling mode: we use nearest (PyTorch's <c>F.interpolate</c> default).
/// </summary>
public sealed class SlideUpBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly ReLU relu = nn.ReLU();
    readonly Conv2d conv2;
    readonly Conv2d conv3;

    public SlideUpBlock(long channels) : base(nameof(SlideUpBlock))
    {
        if (channels % 4 != 0) throw new ArgumentException($"SlideUpBlock needs channels divisible by 4, got {channels}", nameof(channels));
        conv1 = Layers.Conv(channels, channels / 2, 5, bias: true);
        conv2 = Layers.Conv(channels / 2, channels / 4, 3, bias: true);
        conv3 = Layers.Conv(channels, channels / 4, 5, bias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var up = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        var branch1 = conv2.call(relu.call(conv1.call(up)));
        var branch2 = conv3.call(up);
        return cat([branch1, branch2], dim: 1);
    }
}
