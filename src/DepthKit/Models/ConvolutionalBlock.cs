using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The slides' "Convolutional block": a ResNet-50 bottleneck whose shortcut is a projection (1x1 conv with
/// the block's stride + BN), used where the spatial size or the channel count changes (first block of a stage).
/// <code>
/// x ──► conv1x1(C→P) ─ BN ─ ReLU ─► conv3x3(P→P, stride s) ─ BN ─ ReLU ─► conv1x1(P→4P) ─ BN ──(+)─ ReLU ─► out
/// └──────────────────────── conv1x1(C→4P, stride s) ─ BN (downsample) ────────────────────┘
/// </code>
/// The stride sits on the 3x3 convolution (torchvision's "ResNet v1.5"). Parameter names match torchvision's
/// <c>Bottleneck</c> with its <c>downsample.0</c> (conv) and <c>downsample.1</c> (BN).
/// </summary>
public sealed class ConvolutionalBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels = <c>planes * Expansion</c>.</summary>
    public const int Expansion = 4;

    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly Conv2d conv3;
    readonly BatchNorm2d bn3;
    readonly Sequential downsample;
    readonly ReLU relu = nn.ReLU();

    public ConvolutionalBlock(long inChannels, long planes, long stride) : base(nameof(ConvolutionalBlock))
    {
        long outChannels = planes * Expansion;
        conv1 = Layers.Conv(inChannels, planes, 1);
        bn1 = new BatchNorm2d(planes);
        conv2 = Layers.Conv(planes, planes, 3, stride);
        bn2 = new BatchNorm2d(planes);
        conv3 = Layers.Conv(planes, outChannels, 1);
        bn3 = new BatchNorm2d(outChannels);
        downsample = nn.Sequential(Layers.Conv(inChannels, outChannels, 1, stride), new BatchNorm2d(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = relu.call(bn1.call(conv1.call(x)));
        y = relu.call(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        var shortcut = downsample.call(x); // after the main branch, as torchvision (same summary order)
        return relu.call(Scalars.Add(y, shortcut)); // y + shortcut, with a rooted alpha
    }
}
