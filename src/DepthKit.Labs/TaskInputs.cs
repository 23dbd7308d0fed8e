using DepthKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using BatchNorm2d = DepthKit.Models.BatchNorm2d; // the kit blocks' BatchNorm (its Scalars rooted), not TorchSharp's

namespace DepthKit.Labs;

/// <summary>
/// The layers of one ResNet-50 bottleneck (the kit's <see cref="IdentityBlock"/> or <see cref="ConvolutionalBlock"/>),
/// handed to the student, who writes how they connect. <see cref="Downsample"/> (1x1 conv + BN) is null in an
/// Identity Block.
/// </summary>
public sealed record BottleneckLayers(Conv2d Conv1, BatchNorm2d Bn1, Conv2d Conv2, BatchNorm2d Bn2, Conv2d Conv3, BatchNorm2d Bn3,
                                      nn.Module<Tensor, Tensor>? Downsample)
{
    /// <summary>The layers of a kit block, by their torchvision names (conv1, bn1, ..., downsample).</summary>
    public static BottleneckLayers Of(nn.Module block)
    {
        var m = block.named_children().ToDictionary(c => c.name, c => c.module);
        return new((Conv2d)m["conv1"], (BatchNorm2d)m["bn1"], (Conv2d)m["conv2"], (BatchNorm2d)m["bn2"],
                   (Conv2d)m["conv3"], (BatchNorm2d)m["bn3"], m.TryGetValue("downsample", out var d) ? (nn.Module<Tensor, Tensor>)d : null);
    }
}


/// <summary>
/// The layers of the kit's <see cref="UpProjection"/>: the 5x5 conv + BN + ReLU + 3x3 conv + BN branch and the
/// 5x5 conv + BN projection, both fed by the unpooled input.
/// </summary>
public sealed record UpProjectionLayers(Conv2d Conv1, BatchNorm2d Bn1, Conv2d Conv2, BatchNorm2d Bn2, Conv2d Projection, BatchNorm2d ProjectionBn)
{
    /// <summary>The layers of a kit <see cref="UpProjection"/>, by name.</summary>
    public static UpProjectionLayers Of(UpProjection block)
    {
        var m = block.named_children().ToDictionary(c => c.name, c => c.module);
        return new((Conv2d)m["conv1"], (BatchNorm2d)m["bn1"], (Conv2d)m["conv2"], (BatchNorm2d)m["bn2"],
                   (Conv2d)m["projection"], (BatchNorm2d)m["projection_bn"]);
    }
}
