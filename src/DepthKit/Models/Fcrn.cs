using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// FCRN, Laina et al. 2016 ("Deeper Depth Prediction with Fully Convolutional Residual Networks").
/// <code>
/// RGB (228x304) ─► ResNet-50 (2048 x 8 x 10) ─► conv1x1 2048→1024 ─ BN
///   ─► up-projection 1024→512 ─► 512→256 ─► 256→128 ─► 128→64 (128x160)
///   ─► conv3x3 64→1 ─► ReLU ─► depth
/// </code>
/// 63,563,009 parameters for ResNet-50. Option <c>upsampling</c>: <c>upproj</c> (default,
/// <see cref="UpProjection"/>) or <c>fast-upproj</c> (<see cref="FastUpProjection"/>, same parameter count).
/// </summary>
public sealed class Fcrn : DepthNet, IArchitecture
{
    public static readonly ArchitectureOption Upsampling = ArchitectureOption.Choice("upsampling",
        "up-projection (FCRN's) or its fast interleaved form", "upproj", "fast-upproj");
    public static readonly ArchitectureOption Freeze = ArchitectureOption.Flag("freeze", false, "freeze the ResNet trunk");

    public static ArchitectureInfo Architecture { get; } = new("fcrn", "FCRN", "Laina et al. 2016: ResNet-50, 1x1 conv+BN, four up-projections, 3x3 conv",
        Architectures.ResNets, "resnet50", CpuSized: false, Order: 6, [Upsampling, Freeze], c => new Fcrn(c));

    readonly ResNet encoder;
    readonly Conv2d conv;
    readonly BatchNorm2d bn;
    readonly ModuleList<nn.Module<Tensor, Tensor>> ups;
    readonly Conv2d head;

    public Fcrn(ModelConfig config) : base(nameof(Fcrn), config)
    {
        encoder = Architectures.CreateEncoder(config.Encoder ?? "resnet50");
        bool fast = config.GetChoice(Upsampling) == "fast-upproj";
        conv = nn.Conv2d(encoder.OutChannels, 1024, 1, stride: 1, padding: 0L, bias: false);
        bn = new BatchNorm2d(1024);
        ups = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        long[] widths = [1024, 512, 256, 128, 64];
        for (int i = 0; i < 4; i++)
            ups.Add(fast ? new FastUpProjection(widths[i], widths[i + 1]) : new UpProjection(widths[i], widths[i + 1]));
        head = nn.Conv2d(64, 1, 3, padding: 1, bias: true);
        RegisterComponents();
        Layers.InitializeWeights(ups);
        if (config.GetBool(Freeze)) FreezeEncoder();
    }

    public override nn.Module Encoder => encoder;

    public ResNet ResNetEncoder => encoder;

    protected override Tensor Predict(Tensor x)
    {
        var y = bn.call(conv.call(encoder.call(x)));
        foreach (var up in ups) y = up.call(y);
        return DepthHead.Activate(head.call(y), DepthActivation.ReLU);
    }
}
