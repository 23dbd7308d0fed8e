using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The slides' "CNN": a plain fully convolutional encoder-decoder without skip connections.
/// <code>
/// RGB ─► ConvEncoder (4 x [conv s2 - BN - ReLU, conv - BN - ReLU], /16)
///     ─► 4 x [upsample 2x (bilinear) - conv3x3 - BN - ReLU] ─► conv3x3 → 1 ─► softplus ─► depth (H x W)
/// </code>
/// Options: <c>width</c> (first stage channels, default 16; the stages use w, 2w, 4w, 8w).
/// </summary>
public sealed class Cnn : DepthNet, IArchitecture
{
    public static ArchitectureInfo Architecture { get; } = new("cnn", "CNN", "plain conv encoder-decoder: conv+BN+ReLU down, upsample+conv up",
        [], null, CpuSized: true, Order: 2, [ConvEncoder.Width, ConvEncoder.Coords, DepthHead.InitialDepth], c => new Cnn(c));

    readonly ConvEncoder encoder;
    readonly Sequential decoder;
    readonly Conv2d head;

    public Cnn(ModelConfig config) : base(nameof(Cnn), config)
    {
        long w = config.GetInt(ConvEncoder.Width);
        encoder = new ConvEncoder([w, 2 * w, 4 * w, 8 * w], config.GetBool(ConvEncoder.Coords));
        decoder = Cnn.Decoder(w, (cin, cout) => new UpsampleConv(cin, cout));
        head = Layers.Conv(w, 1, 3, bias: true);
        RegisterComponents();
        Layers.InitializeWeights(this);
        DepthHead.InitializeBias(head, config);
    }

    public override nn.Module Encoder => encoder;

    /// <summary>Four 2x upsampling units, 8w -> 4w -> 2w -> w -> w channels: the decoder CNN and CNN+trans share.</summary>
    internal static Sequential Decoder(long w, Func<long, long, nn.Module<Tensor, Tensor>> upsampleUnit)
    {
        long[] channels = [8 * w, 4 * w, 2 * w, w, w];
        return nn.Sequential(Enumerable.Range(0, 4).Select(i => upsampleUnit(channels[i], channels[i + 1])));
    }

    // sizes that are not multiples of 16 come back slightly off: resize to the input
    protected override Tensor Predict(Tensor x) =>
        DepthHead.Activate(Layers.ResizeTo(head.call(decoder.call(encoder.call(x))), x.shape[2], x.shape[3]), DepthActivation.Softplus);
}

/// <summary><c>upsample 2x (bilinear) - conv3x3 - BN - ReLU</c>: the CNN decoder's unit.</summary>
public sealed class UpsampleConv : nn.Module<Tensor, Tensor>
{
    readonly ConvBnRelu conv;

    public UpsampleConv(long inChannels, long outChannels) : base(nameof(UpsampleConv))
    {
        conv = new ConvBnRelu(inChannels, outChannels, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        conv.call(nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: false));
}
