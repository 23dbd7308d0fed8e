using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The slides' "CNN+FC", in the spirit of Eigen et al. 2014's coarse network: a convolutional trunk sees the
/// whole image, fully connected layers (with Dropout, as the slides show) predict a coarse depth map, which is
/// upsampled to the input size.
/// <code>
/// RGB ─► ConvEncoder (/16) ─► adaptive avg-pool 6x8 ─► flatten ─► FC 512 ─ ReLU ─ Dropout(0.5)
///     ─► FC (h_c * w_c) ─► softplus ─► reshape [B, 1, h_c, w_c] ─► bilinear upsample ─► depth (H x W)
/// </code>
/// The pooling makes the FC input size independent of the image size. Options: <c>width</c> (default 16),
/// <c>hidden</c> (default 512), <c>coarse</c> (HxW, default 24x32), <c>dropout</c> (default 0.5).
/// </summary>
public sealed class CnnFc : DepthNet, IArchitecture
{
    public static readonly ArchitectureOption Hidden = ArchitectureOption.Int("hidden", 512, "units of the hidden fully connected layer");
    public static readonly ArchitectureOption Coarse = ArchitectureOption.Size("coarse", 24, 32, "size HxW of the coarse map the FC layers predict");
    public static readonly ArchitectureOption DropoutRate = ArchitectureOption.Number("dropout", 0.5, "dropout before the last FC layer");

    public static ArchitectureInfo Architecture { get; } = new("cnn-fc", "CNN+FC",
        "conv trunk + fully connected layers with Dropout predicting a coarse map (Eigen 2014 coarse net)",
        [], null, CpuSized: true, Order: 1, [ConvEncoder.Width, Hidden, Coarse, DropoutRate, ConvEncoder.Coords, DepthHead.InitialDepth], c => new CnnFc(c));

    readonly ConvEncoder encoder;
    readonly AdaptiveAvgPool2d pool;
    readonly Linear fc1;
    readonly ReLU relu = nn.ReLU();
    readonly Dropout dropout;
    readonly Linear fc2;
    readonly long coarseHeight;
    readonly long coarseWidth;

    public CnnFc(ModelConfig config) : base(nameof(CnnFc), config)
    {
        long w = config.GetInt(ConvEncoder.Width);
        long hidden = config.GetInt(Hidden);
        (coarseHeight, coarseWidth) = config.GetSize(Coarse);
        encoder = new ConvEncoder([w, 2 * w, 4 * w, 8 * w], config.GetBool(ConvEncoder.Coords));
        pool = nn.AdaptiveAvgPool2d([6, 8]);
        fc1 = nn.Linear(8 * w * 6 * 8, hidden);
        dropout = nn.Dropout(config.GetDouble(DropoutRate));
        fc2 = nn.Linear(hidden, coarseHeight * coarseWidth);
        RegisterComponents();
        Layers.InitializeWeights(this);
        using (no_grad())
        {
            using var tenth = 0.1.ToScalar(); // rooted, as in Layers
            fc2.weight!.mul_(tenth); // start close to the constant initial depth
        }
        DepthHead.InitializeBias(fc2, config);
    }

    public override nn.Module Encoder => encoder;

    protected override Tensor Predict(Tensor x)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        var features = pool.call(encoder.call(x)).flatten(1);
        var coarse = fc2.call(dropout.call(relu.call(fc1.call(features))));
        coarse = DepthHead.Activate(coarse, DepthActivation.Softplus).reshape(b, 1, coarseHeight, coarseWidth);
        return nn.functional.interpolate(coarse, size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
