using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The residual block of ResNet-18 and ResNet-34 (He et al. 2016, Fig. 2 left):
/// <c>out = ReLU(BN(conv3x3(ReLU(BN(conv3x3(x))))) + shortcut(x))</c>. The shortcut is the identity, or a
/// 1x1 convolution + BatchNorm (<c>downsample</c>) when the stride or the channel count changes.
/// Parameter names match torchvision's <c>BasicBlock</c>.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels = <c>planes * Expansion</c>.</summary>
    public const int Expansion = 1;

    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly Sequential? downsample;
    readonly ReLU relu = nn.ReLU();

    public BasicBlock(long inChannels, long planes, long stride = 1) : base(nameof(BasicBlock))
    {
        conv1 = Layers.Conv(inChannels, planes, 3, stride);
        bn1 = new BatchNorm2d(planes);
        conv2 = Layers.Conv(planes, planes, 3);
        bn2 = new BatchNorm2d(planes);
        if (stride != 1 || inChannels != planes)
            downsample = nn.Sequential(Layers.Conv(inChannels, planes, 1, stride), new BatchNorm2d(planes));
        RegisterComponents();
    }

    /// <summary>True when the shortcut is a projection (1x1 conv + BN) rather than the identity.</summary>
    public bool HasProjection => downsample is not null;

    public override Tensor forward(Tensor x)
    {
        var y = relu.call(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        var shortcut = downsample is null ? x : downsample.call(x);
        return relu.call(Scalars.Add(y, shortcut)); // y + shortcut, with a rooted alpha
    }
}
