using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// "CNN+Res" sized for a CPU: a ResNet encoder (18, 34 or 50) and a light up-projection decoder with skip
/// connections from the encoder stages (U-Net style, added after a 1x1 projection).
/// <code>
/// RGB ─► ResNet ─► f4 (/32) ─► conv1x1 → D ─ BN ─ ReLU
///   ─► UpProjection(D → D/2)   + skip(f3)  (/16)
///   ─► UpProjection(D/2 → D/4) + skip(f2)  (/8)
///   ─► UpProjection(D/4 → D/8) + skip(f1)  (/4)
///   ─► UpProjection(D/8 → D/8) + skip(stem) (/2) ─► conv3x3 → 1 ─► bilinear to H x W ─► softplus ─► depth (H x W)
///   (each "+ skip(f)" is ReLU(up + BN(conv1x1(f))))
/// </code>
/// Options: <c>decoder_width</c> D (default 128), <c>upsampling</c> = <c>bilinear</c> (default,
/// <see cref="BilinearUpProjection"/>), <c>fast-upproj</c> (<see cref="FastUpProjection"/>) or <c>upproj</c>
/// (<see cref="UpProjection"/>); the last two leave a period-2 grid in the maps (see BilinearUpProjection). Encoder: <c>resnet18</c>
/// (default), <c>resnet34</c>, <c>resnet50</c>, <c>resnet18-cntk</c> (for the offline ImageNet weights). Any H, W works (a decoder map is resized to its skip when a size is odd); multiples of 32 avoid the resizing.
/// </summary>
public sealed class CnnRes : DepthNet, IArchitecture
{
    public static readonly ArchitectureOption DecoderWidth = ArchitectureOption.Int("decoder_width", 128, "channels of the first decoder unit (halved by each)");
    public static readonly ArchitectureOption Upsampling = ArchitectureOption.Choice("upsampling",
        "decoder unit: bilinear 2x + conv (no grid), the slides' fast up-projection, or the unpooling up-projection", "bilinear", "fast-upproj", "upproj");
    public static readonly ArchitectureOption UpKernel = ArchitectureOption.Int("up_kernel", 3, "kernel size of the bilinear unit's convolutions");

    public static ArchitectureInfo Architecture { get; } = new("cnn-res", "CNN+Res",
        "ResNet encoder + up-projection decoder with skip connections (CPU-sized)",
        Architectures.ResNets, "resnet18", CpuSized: true, Order: 4, [DecoderWidth, Upsampling, UpKernel, DepthHead.InitialDepth], c => new CnnRes(c));

    readonly ResNet encoder;
    readonly ConvBnRelu reduce;
    readonly ModuleList<nn.Module<Tensor, Tensor>> ups;
    readonly ModuleList<nn.Module<Tensor, Tensor>> skips;
    readonly Conv2d head;
    readonly ReLU relu = nn.ReLU();

    public CnnRes(ModelConfig config) : base(nameof(CnnRes), config)
    {
        encoder = Architectures.CreateEncoder(config.Encoder ?? "resnet18");
        long d = config.GetInt(DecoderWidth);
        string upsampling = config.GetChoice(Upsampling);
        reduce = new ConvBnRelu(encoder.OutChannels, d, 1);
        long[] widths = [d, d / 2, d / 4, d / 8, d / 8];
        ups = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        skips = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        // skip sources, deepest first: layer3, layer2, layer1, stem
        for (int i = 0; i < 4; i++)
        {
            ups.Add(UpUnit(upsampling, widths[i], widths[i + 1], config.GetInt(UpKernel)));
            skips.Add(new SkipProjection(encoder.FeatureChannels[3 - i], widths[i + 1]));
        }
        head = Layers.Conv(widths[^1], 1, 3, bias: true);
        RegisterComponents();
        Layers.InitializeWeights(ups);
        Layers.InitializeWeights(skips);
        Layers.InitializeWeights(reduce);
        Layers.InitializeWeights(head);
        DepthHead.InitializeBias(head, config);
    }

    /// <summary>The decoder's 2x unit by option name.</summary>
    internal static nn.Module<Tensor, Tensor> UpUnit(string upsampling, long inChannels, long outChannels, int bilinearKernel = 3) => upsampling switch
    {
        "fast-upproj" => new FastUpProjection(inChannels, outChannels),
        "upproj" => new UpProjection(inChannels, outChannels),
        _ => new BilinearUpProjection(inChannels, outChannels, bilinearKernel is 3 or 5 ? bilinearKernel
                 : throw new ArgumentException($"model option up_kernel={bilinearKernel}: use 3 or 5")),
    };

    public override nn.Module Encoder => encoder;

    /// <summary>The ResNet encoder (to load pretrained weights into).</summary>
    public ResNet ResNetEncoder => encoder;

    protected override Tensor Predict(Tensor x)
    {
        var f = encoder.Features(x); // stem /2, layer1 /4, layer2 /8, layer3 /16, layer4 /32
        var y = reduce.call(f[4]);
        for (int i = 0; i < 4; i++)
        {
            var skip = skips[i].call(f[3 - i]);
            y = relu.call(Scalars.Add(Layers.ResizeTo(ups[i].call(y), skip), skip)); // up + skip, with a rooted alpha
        }
        y = Layers.ResizeTo(head.call(y), x.shape[2], x.shape[3]);
        return DepthHead.Activate(y, DepthActivation.Softplus);
    }
}

/// <summary>Brings an encoder feature map to the decoder's width: <c>BN(conv1x1(f))</c>.</summary>
public sealed class SkipProjection : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;

    public SkipProjection(long inChannels, long outChannels) : base(nameof(SkipProjection))
    {
        conv = Layers.Conv(inChannels, outChannels, 1);
        bn = new BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.call(conv.call(x));
}
