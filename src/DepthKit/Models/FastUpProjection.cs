using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// Laina et al. 2016's fast up-convolution: "unpool 2x, then 5x5 conv" computed without the zeros.
/// After unpooling (value at the top-left of each 2x2 cell) the 5x5 kernel K only ever meets real values
/// through four sub-kernels, one per output parity:
/// <code>
/// out[2i,   2j  ] = A(x)  A = K[0::2, 0::2]  3x3, pad top 1 bottom 1 left 1 right 1
/// out[2i,   2j+1] = B(x)  B = K[0::2, 1::2]  3x2, pad top 1 bottom 1 left 0 right 1
/// out[2i+1, 2j  ] = C(x)  C = K[1::2, 0::2]  2x3, pad top 0 bottom 1 left 1 right 1
/// out[2i+1, 2j+1] = D(x)  D = K[1::2, 1::2]  2x2, pad top 0 bottom 1 left 0 right 1
/// </code>
/// so the four maps are interleaved into the doubled output. 9 + 6 + 6 + 4 = 25 weights per channel pair,
/// exactly those of the 5x5 kernel; the result equals <see cref="UpProjection.Unpool"/> + 5x5 conv (a test
/// checks it), at about a quarter of the multiply-adds.
/// </summary>
public sealed class FastUpConvolution : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv_a;
    readonly Conv2d conv_b;
    readonly Conv2d conv_c;
    readonly Conv2d conv_d;

    public FastUpConvolution(long inChannels, long outChannels) : base(nameof(FastUpConvolution))
    {
        conv_a = nn.Conv2d(inChannels, outChannels, (3, 3), bias: false);
        conv_b = nn.Conv2d(inChannels, outChannels, (3, 2), bias: false);
        conv_c = nn.Conv2d(inChannels, outChannels, (2, 3), bias: false);
        conv_d = nn.Conv2d(inChannels, outChannels, (2, 2), bias: false);
        RegisterComponents();
    }

    /// <summary>Copies the sub-kernels of a 5x5 kernel [C_out, C_in, 5, 5] (what <see cref="UpProjection"/> would use).</summary>
    public void LoadFrom5x5(Tensor kernel)
    {
        using var noGrad = no_grad();
        conv_a.weight!.copy_(kernel[.., .., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2)]);
        conv_b.weight!.copy_(kernel[.., .., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(1, null, 2)]);
        conv_c.weight!.copy_(kernel[.., .., TensorIndex.Slice(1, null, 2), TensorIndex.Slice(0, null, 2)]);
        conv_d.weight!.copy_(kernel[.., .., TensorIndex.Slice(1, null, 2), TensorIndex.Slice(1, null, 2)]);
    }

    public override Tensor forward(Tensor x)
    {
        // F.pad order: left, right, top, bottom
        var a = conv_a.call(nn.functional.pad(x, [1, 1, 1, 1]));
        var b = conv_b.call(nn.functional.pad(x, [0, 1, 1, 1]));
        var c = conv_c.call(nn.functional.pad(x, [1, 1, 0, 1]));
        var d = conv_d.call(nn.functional.pad(x, [0, 1, 0, 1]));
        long n = a.shape[0], ch = a.shape[1], h = a.shape[2], w = a.shape[3];
        var evenRows = stack([a, b], dim: -1).reshape(n, ch, h, 2 * w);
        var oddRows = stack([c, d], dim: -1).reshape(n, ch, h, 2 * w);
        return stack([evenRows, oddRows], dim: 3).reshape(n, ch, 2 * h, 2 * w);
    }
}

/// <summary>
/// <see cref="UpProjection"/> with both "unpool + 5x5 conv" steps replaced by <see cref="FastUpConvolution"/>
/// (Laina et al. 2016's fast up-projection). Same parameters, same function, fewer multiply-adds.
/// <code>
/// x ─┬─► fastup5x5(C_in→C_out) ─ BN ─ ReLU ─► conv3x3(C_out→C_out) ─ BN ──(+)─ ReLU ─► out (2H x 2W)
///    └─► fastup5x5(C_in→C_out) ─ BN (projection) ──────────────────────────┘
/// </code>
/// </summary>
public sealed class FastUpProjection : nn.Module<Tensor, Tensor>
{
    readonly FastUpConvolution conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly FastUpConvolution projection;
    readonly BatchNorm2d projection_bn;
    readonly ReLU relu = nn.ReLU();

    public FastUpProjection(long inChannels, long outChannels) : base(nameof(FastUpProjection))
    {
        conv1 = new FastUpConvolution(inChannels, outChannels);
        bn1 = new BatchNorm2d(outChannels);
        conv2 = Layers.Conv(outChannels, outChannels, 3);
        bn2 = new BatchNorm2d(outChannels);
        projection = new FastUpConvolution(inChannels, outChannels);
        projection_bn = new BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var branch = relu.call(bn1.call(conv1.call(x)));
        branch = bn2.call(conv2.call(branch));
        var shortcut = projection_bn.call(projection.call(x));
        return relu.call(Scalars.Add(branch, shortcut)); // branch + shortcut, with a rooted alpha
    }
}
