using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The slides' "Up-projection" as Laina et al. 2016 (FCRN) define it: doubles H and W, changes C_in to C_out.
/// <code>
/// x ─► unpool 2x ─┬─► conv5x5(C_in→C_out) ─ BN ─ ReLU ─► conv3x3(C_out→C_out) ─ BN ──(+)─ ReLU ─► out
///                 └─► conv5x5(C_in→C_out) ─ BN (projection) ───────────────────────┘
/// </code>
/// Unpooling puts each value in the top-left corner of a 2x2 cell of zeros (<see cref="Unpool"/>).
/// No convolution has a bias (a BatchNorm follows each).
/// </summary>
public sealed class UpProjection : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly Conv2d projection;
    readonly BatchNorm2d projection_bn;
    readonly ReLU relu = nn.ReLU();

    public UpProjection(long inChannels, long outChannels) : base(nameof(UpProjection))
    {
        conv1 = Layers.Conv(inChannels, outChannels, 5);
        bn1 = new BatchNorm2d(outChannels);
        conv2 = Layers.Conv(outChannels, outChannels, 3);
        bn2 = new BatchNorm2d(outChannels);
        projection = Layers.Conv(inChannels, outChannels, 5);
        projection_bn = new BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var u = Unpool(x);
        var branch = relu.call(bn1.call(conv1.call(u)));
        branch = bn2.call(conv2.call(branch));
        var shortcut = projection_bn.call(projection.call(u));
        return relu.call(Scalars.Add(branch, shortcut)); // branch + shortcut, with a rooted alpha
    }

    /// <summary>2x "unpooling" [B,C,H,W] -> [B,C,2H,2W]: out[2i, 2j] = x[i, j], zero elsewhere.</summary>
    public static Tensor Unpool(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var zeros = zeros_like(x);
        var evenRows = stack([x, zeros], dim: -1).reshape(b, c, h, 2 * w);
        return stack([evenRows, zeros_like(evenRows)], dim: 3).reshape(b, c, 2 * h, 2 * w);
    }
}
