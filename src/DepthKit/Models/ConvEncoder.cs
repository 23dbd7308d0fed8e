using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The plain convolutional encoder shared by CNN, CNN+trans and CNN+FC: each stage halves H and W with
/// <c>conv3x3 stride 2 - BN - ReLU</c>, then refines with <c>conv3x3 - BN - ReLU</c>.
/// Output stride is 2^stages.
/// </summary>
public sealed class ConvEncoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Channels of the first stage (the stages use w, 2w, 4w, 8w).</summary>
    public static readonly ArchitectureOption Width = ArchitectureOption.Int("width", 16, "first stage channels (stages w, 2w, 4w, 8w)");

    /// <summary>Row and column channels appended to the input (<see cref="WithCoordinates"/>).</summary>
    public static readonly ArchitectureOption Coords = ArchitectureOption.Flag("coords", false, "give the first stage each pixel's row and column (CoordConv)");

    readonly Sequential stages;

    /// <summary>Output channels of each stage.</summary>
    public IReadOnlyList<long> Widths { get; }

    public long OutChannels => Widths[^1];

    /// <summary>True when the first stage also sees each pixel's normalised row and column (CoordConv, Liu et al. 2018).</summary>
    public bool Coordinates { get; }

    public ConvEncoder(IReadOnlyList<long> widths, bool coordinates = false) : base(nameof(ConvEncoder))
    {
        Widths = widths;
        Coordinates = coordinates;
        var list = new List<nn.Module<Tensor, Tensor>>();
        long inChannels = coordinates ? 5 : 3;
        foreach (var w in widths)
        {
            list.Add(new ConvBnRelu(inChannels, w, 3, stride: 2));
            list.Add(new ConvBnRelu(w, w, 3));
            inChannels = w;
        }
        stages = nn.Sequential(list);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => stages.call(Coordinates ? WithCoordinates(x) : x);

    /// <summary>
    /// Appends two channels: the row and the column of each pixel, from -1 to 1. Where a surface sits in the image
    /// (low rows: floor, near) is the strongest single cue to indoor depth; given as input, a plain CNN does not have
    /// to infer it from zero padding.
    /// </summary>
    public static Tensor WithCoordinates(Tensor x)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        var rows = linspace(-1, 1, h, dtype: x.dtype, device: x.device).reshape(1, 1, h, 1).expand(b, 1, h, w);
        var cols = linspace(-1, 1, w, dtype: x.dtype, device: x.device).reshape(1, 1, 1, w).expand(b, 1, h, w);
        return cat([x, rows, cols], dim: 1);
    }
}

/// <summary><c>conv(k x k) - BatchNorm - ReLU</c>, the unit of the plain CNNs.</summary>
public sealed class ConvBnRelu : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;
    readonly ReLU relu = nn.ReLU();

    public ConvBnRelu(long inChannels, long outChannels, long kernel, long stride = 1) : base(nameof(ConvBnRelu))
    {
        conv = Layers.Conv(inChannels, outChannels, kernel, stride);
        bn = new BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => relu.call(bn.call(conv.call(x)));
}
