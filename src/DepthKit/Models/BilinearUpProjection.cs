using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// <see cref="UpProjection"/> with its "unpool 2x + 5x5 conv" replaced by "bilinear 2x + 3x3 conv" (resize-convolution).
/// <code>
/// x ─► bilinear 2x ─┬─► conv3x3(C_in→C_out) ─ BN ─ ReLU ─► conv3x3(C_out→C_out) ─ BN ──(+)─ ReLU ─► out
///                   └─► conv1x1(C_in→C_out) ─ BN (projection) ─────────────────────────┘
/// </code>
/// Why: after unpooling, an output pixel at (2i, 2j) meets the 5x5 kernel through 9 taps, its neighbours through
/// 6, 6 and 4 (the four sub-kernels of <see cref="FastUpConvolution"/>). Each parity class of pixels is a different
/// filter of the input, so the output carries a period-2 pattern whatever the weights learn to do; stacked, it
/// shows as a checkerboard in the depth map. Bilinear upsampling gives every output pixel the same filter.
/// </summary>
public sealed class BilinearUpProjection : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly Conv2d projection;
    readonly BatchNorm2d projection_bn;
    readonly ReLU relu = nn.ReLU();

    /// <remarks>kernel: of the first convolution (3, or 5 as in the up-projection); the projection is 1x1 for 3, 5x5 for 5</remarks>
    public BilinearUpProjection(long inChannels, long outChannels, long kernel = 3) : base(nameof(BilinearUpProjection))
    {
        conv1 = Layers.Conv(inChannels, outChannels, kernel);
        bn1 = new BatchNorm2d(outChannels);
        conv2 = Layers.Conv(outChannels, outChannels, 3);
        bn2 = new BatchNorm2d(outChannels);
        projection = Layers.Conv(inChannels, outChannels, kernel == 3 ? 1 : kernel);
        projection_bn = new BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var u = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: false);
        var branch = relu.call(bn1.call(conv1.call(u)));
        branch = bn2.call(conv2.call(branch));
        var shortcut = projection_bn.call(projection.call(u));
        return relu.call(Scalars.Add(branch, shortcut)); // branch + shortcut, with a rooted alpha
    }
}
