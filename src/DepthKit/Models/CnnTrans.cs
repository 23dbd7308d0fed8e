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
/// Options: <c>width</c> (default 16), <c>trans_init</c>: <c>bilinear</c> (default) starts every transposed
/// convolution as a random 1x1 channel mixing followed by exact bilinear 2x upsampling, so the untrained decoder
/// is smooth; <c>kaiming</c> draws the 4x4 kernels independently, which starts the decoder as a period-2 pattern
/// (each output phase sees a different 2x2 subset of the kernel) that the short CPU schedules never unlearn:
/// measured in docs/quality.md, section 4c.
/// </summary>
public sealed class CnnTrans : DepthNet, IArchitecture
{
    public static readonly ArchitectureOption TransInit = ArchitectureOption.Choice("trans_init",
        "start of the transposed convolutions: bilinear upsampling of a random 1x1 mixing, or independent Kaiming 4x4 kernels", "bilinear", "kaiming");

    public static ArchitectureInfo Architecture { get; } = new("cnn-trans", "CNN+trans", "the CNN encoder with a transposed-convolution decoder",
        [], null, CpuSized: true, Order: 3, [ConvEncoder.Width, ConvEncoder.Coords, TransInit, DepthHead.InitialDepth], c => new CnnTrans(c));

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
        if (config.GetChoice(TransInit) == "bilinear")
            foreach (var unit in decoder.children().OfType<TransposedConvBnRelu>()) unit.InitializeBilinear();
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

    /// <summary>The 4x4 kernel of exact 2x bilinear upsampling with stride 2 and padding 1 (outer product of 1/4, 3/4, 3/4, 1/4).</summary>
    public static float[] BilinearKernel()
    {
        float[] k1 = [0.25f, 0.75f, 0.75f, 0.25f];
        var k = new float[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) k[i * 4 + j] = k1[i] * k1[j];
        return k;
    }

    /// <summary>
    /// Sets the kernel to M[i, o] * bilinear: a 1x1 mixing M (Kaiming normal over the input channels) followed by
    /// bilinear upsampling, so a smooth input gives a smooth output. Every one of the four output phases gets
    /// weights summing to M[i, o], which keeps the Kaiming scale of a 1x1 convolution.
    /// </summary>
    public void InitializeBilinear()
    {
        using var noGrad = no_grad();
        var weight = deconv.weight!; // [in, out, 4, 4]
        long cin = weight.shape[0], cout = weight.shape[1];
        using var scale = Math.Sqrt(2.0 / cin).ToScalar(); // rooted: an implicit Scalar can be finalised mid-call
        using var mix = randn(cin, cout, 1, 1).mul_(scale);
        using var kernel = tensor(BilinearKernel(), [1, 1, 4, 4]);
        using var product = mix * kernel;
        weight.copy_(product);
    }
}
