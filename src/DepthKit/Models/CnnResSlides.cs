using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// "CNN+Res" exactly as the slides' model summary prints it (a GPU-sized model).
/// <code>
/// RGB (256x320) ─► ResNet-50 trunk, frozen (2048 x 8 x 10) ─► conv1x1 2048→1024 (bias) ─ BN
///   ─► SlideUpBlock 1024→512 (16x20) ─► SlideUpBlock 512→256 (32x40) ─► SlideUpBlock 256→128 (64x80)
///   ─► conv3x3 128→1, no padding (62x78) ─► ReLU ─► depth
/// </code>
/// 52,964,289 parameters: 23,508,032 in the frozen ResNet-50 trunk, 29,456,257 trainable.
/// The output is smaller than the input (62x78 for 256x320): the training code resizes the target to it.
/// Option <c>freeze</c> (default true) freezes the trunk, as on the slide.
/// </summary>
public sealed class CnnResSlides : DepthNet, IArchitecture
{
    public static readonly ArchitectureOption Freeze = ArchitectureOption.Flag("freeze", true, "freeze the ResNet trunk (as on the slide)");

    public static ArchitectureInfo Architecture { get; } = new("cnn-res-slides", "CNN+Res (slides)",
        "the slides' model: frozen ResNet-50, 1x1 conv+BN, three up blocks, 3x3 conv, ReLU",
        Architectures.ResNets, "resnet50", CpuSized: false, Order: 5, [Freeze], c => new CnnResSlides(c));

    readonly ResNet encoder;
    readonly Conv2d conv;
    readonly BatchNorm2d bn;
    readonly SlideUpBlock up1;
    readonly SlideUpBlock up2;
    readonly SlideUpBlock up3;
    readonly Conv2d head;
    readonly ReLU relu = nn.ReLU(); // a module, as the slide's "ReLU-191" row

    public CnnResSlides(ModelConfig config) : base(nameof(CnnResSlides), config)
    {
        encoder = Architectures.CreateEncoder(config.Encoder ?? "resnet50");
        conv = nn.Conv2d(encoder.OutChannels, 1024, 1, stride: 1, padding: 0L, bias: true);
        bn = new BatchNorm2d(1024);
        up1 = new SlideUpBlock(1024);
        up2 = new SlideUpBlock(512);
        up3 = new SlideUpBlock(256);
        head = nn.Conv2d(128, 1, 3, stride: 1, padding: 0L, bias: true);
        RegisterComponents();
        if (config.GetBool(Freeze)) FreezeEncoder();
    }

    public override nn.Module Encoder => encoder;

    public ResNet ResNetEncoder => encoder;

    protected override Tensor Predict(Tensor x)
    {
        var y = bn.call(conv.call(encoder.call(x)));
        y = up3.call(up2.call(up1.call(y)));
        return relu.call(head.call(y));
    }
}
