using Microsoft.Data.Analysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// A deep stack of 3x3 convolutions for the Batch Normalization and residual lessons: the same layers with or
/// without BN, with or without skip connections, so one switch changes one thing.
/// <code>
/// plain:    x ─► conv3x3 ─ [BN] ─ ReLU ─► ... (layers times) ... ─► conv3x3(C→1) ─► depth
/// residual: x ─► conv3x3 ─ [BN] ─ ReLU ─► [ conv ─ [BN] ─ ReLU ─ conv ─ [BN] ──(+x)─ ReLU ] x layers/2 ─► conv3x3(C→1)
/// </code>
/// Input is RGB in [0, 1] (centred inside), output depth [B, 1, H, W] at the input size.
/// Weights keep TorchSharp's default initialisation (PyTorch's), under which a deep plain stack without BN lets
/// activations and gradients shrink layer by layer: the effect the lessons measure.
/// </summary>
public sealed class ConvStack : nn.Module<Tensor, Tensor>
{
    readonly Conv2d stem;
    readonly nn.Module<Tensor, Tensor> stem_norm;
    readonly ReLU stem_relu = nn.ReLU();
    readonly ModuleList<Conv2d> convs = new();
    readonly ModuleList<nn.Module<Tensor, Tensor>> norms = new();
    // one ReLU module per use, so forward hooks see every activation (LayerStatistics.Activations)
    readonly ModuleList<ReLU> relus = new();
    readonly Conv2d head;

    /// <remarks>layers: 3x3 convolutions between the stem and the head (an even number when residual: they pair up)</remarks>
    public ConvStack(int layers, int channels = 16, bool batchNorm = false, bool residual = false) : base(nameof(ConvStack))
    {
        if (layers < 1 || (residual && layers % 2 != 0))
            throw new ArgumentException($"a ConvStack needs at least one layer, and an even number when residual (got {layers})");
        Layers = layers; BatchNorm = batchNorm; Residual = residual;
        stem = nn.Conv2d(3, channels, 3, padding: 1, bias: !batchNorm);
        stem_norm = batchNorm ? new BatchNorm2d(channels) : nn.Identity();
        for (int i = 0; i < layers; i++)
        {
            convs.Add(nn.Conv2d(channels, channels, 3, padding: 1, bias: !batchNorm));
            norms.Add(batchNorm ? new BatchNorm2d(channels) : nn.Identity());
            relus.Add(nn.ReLU());
        }
        head = nn.Conv2d(channels, 1, 3, padding: 1);
        RegisterComponents();
    }

    public int Layers { get; }
    public bool BatchNorm { get; }
    public bool Residual { get; }

    /// <summary>"plain" or "residual", "+ BN" when it has Batch Normalization.</summary>
    public string Description => (Residual ? "residual" : "plain") + (BatchNorm ? " + BN" : "");

    /// <summary>The convolutions from input to output (stem, body, head): the layers the gradient lesson plots.</summary>
    public IReadOnlyList<Conv2d> Convolutions => [stem, .. convs, head];

    static readonly Scalar Half = 0.5f.ToScalar(); // rooted (Scalars)

    public override Tensor forward(Tensor rgb)
    {
        if (ConvolutionRoute.Rule is not null) ConvolutionRoute.Attach(this);
        var x = stem_relu.call(stem_norm.call(stem.call(rgb.sub(Half)))); // rgb - 0.5
        for (int i = 0; i < Layers; i += Residual ? 2 : 1)
        {
            if (!Residual)
            {
                x = relus[i].call(norms[i].call(convs[i].call(x)));
                continue;
            }
            var y = relus[i].call(norms[i].call(convs[i].call(x)));
            y = norms[i + 1].call(convs[i + 1].call(y));
            x = relus[i + 1].call(Scalars.Add(x, y));   // the skip connection x + y: the block only adds a correction to x
        }
        return head.call(x);
    }
}
