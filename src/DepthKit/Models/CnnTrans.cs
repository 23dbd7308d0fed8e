using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The slides' "CNN+trans", as we read it: the <see cref="Cnn"/> encoder with a decoder of transposed
/// convolutions (learned 2x upsampling) instead of upsample + conv.
/// <code>
/// RGB ─► ConvEncoder (/16) ─► 4 x [convT 4x4 stride 2 - BN - ReLU] ─► conv3x3 → 1 ─► softplus ─► depth (H x W)
/// </code>
/// The slides never spell out "trans". Two other readings are plausible: the CNN trained with augmentation
/// transforms (the deck has a "Transforms Image" slide), or transfer learning (a pretrained encoder). The
/// first is a training option of any model (<c>--augment</c>), the second is CNN+Res with a pretrained encoder.
/// Options: <c>width</c> (default 16).
/// </summary>
public sealed class CnnTrans : DepthNet, IArchitecture
{
    public static ArchitectureInfo Architecture { get; } = new("cnn-trans", "CNN+trans", "the CNN encoder with a transposed-convolution decoder",
        [], null, CpuSized: true, Order: 3, [ConvEncoder.Width, ConvEncoder.Coords, DepthHead.InitialDepth], c => new CnnTrans(c));

    readonly ConvEncoder encoder;
    readonly Sequential decoder;
    readonly Conv2d head;

    public CnnTrans(ModelConfig config) : base(nameof(CnnTrans), config)
    {
        long w = config.GetInt(ConvEncoder.Width);
        encoder = new ConvEncoder([w, 2 * w, 4 * w, 8 * w], config.GetBool(ConvEncoder.Coords));
        decoder = Cnn.Decoder(w, (cin, cout) => new TransposedConvBnRelu(cin, cout));
        head = Layers.Conv(w, 1, 3, bias: true);
        RegisterComponents();
        Layers.InitializeWeights(this);
        DepthHead.InitializeBias(head, config);
    }

    public override nn.Module Encoder => encoder;

    // sizes that are not multiples of 16 come back slightly off: resize to the input
    protected override Tensor Predict(Tensor x) =>
        DepthHead.Activate(Layers.ResizeTo(head.call(decoder.call(encoder.call(x))), x.shape[2], x.shape[3]), DepthActivation.Softplus);
}

/// <summary><c>ConvTranspose2d(4x4, stride 2, padding 1) - BN - ReLU</c>: exactly doubles H and W.</summary>
public sealed class TransposedConvBnRelu : nn.Module<Tensor, Tensor>
{
    readonly ConvTranspose2d deconv;
    readonly BatchNorm2d bn;
    readonly ReLU relu = nn.ReLU();

    public TransposedConvBnRelu(long inChannels, long outChannels) : base(nameof(TransposedConvBnRelu))
    {
        deconv = nn.ConvTranspose2d(inChannels, outChannels, 4, stride: 2, padding: 1, bias: false);
        bn = new BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => relu.call(bn.call(deconv.call(x)));
}
