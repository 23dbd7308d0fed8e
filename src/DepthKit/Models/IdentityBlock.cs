using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The slides' "Identity block": a ResNet-50 bottleneck whose shortcut is the input itself, so input and
/// output have the same shape (<c>channels = planes * 4</c>).
/// <code>
/// x ──► conv1x1(C→P) ─ BN ─ ReLU ─► conv3x3(P→P) ─ BN ─ ReLU ─► conv1x1(P→4P) ─ BN ──(+)─ ReLU ─► out
/// └───────────────────────────────── identity ─────────────────────────────────────┘
/// </code>
/// Parameter names match torchvision's <c>Bottleneck</c> (conv1, bn1, conv2, bn2, conv3, bn3).
/// </summary>
public sealed class IdentityBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels = <c>planes * Expansion</c>.</summary>
    public const int Expansion = 4;

    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly Conv2d conv3;
    readonly BatchNorm2d bn3;
    readonly ReLU relu = nn.ReLU();

    public IdentityBlock(long planes) : base(nameof(IdentityBlock))
    {
        long channels = planes * Expansion;
        conv1 = Layers.Conv(channels, planes, 1);
        bn1 = new BatchNorm2d(planes);
        conv2 = Layers.Conv(planes, planes, 3);
        bn2 = new BatchNorm2d(planes);
        conv3 = Layers.Conv(planes, channels, 1);
        bn3 = new BatchNorm2d(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = relu.call(bn1.call(conv1.call(x)));
        y = relu.call(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        return relu.call(Scalars.Add(y, x)); // y + x, with a rooted alpha
    }
}
