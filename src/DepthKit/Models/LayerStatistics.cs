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
        stem_norm = batchNorm ? nn.BatchNorm2d(channels) : nn.Identity();
        for (int i = 0; i < layers; i++)
        {
            convs.Add(nn.Conv2d(channels, channels, 3, padding: 1, bias: !batchNorm));
            norms.Add(batchNorm ? nn.BatchNorm2d(channels) : nn.Identity());
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

    public override Tensor forward(Tensor rgb)
    {
        var x = stem_relu.call(stem_norm.call(stem.call(rgb - 0.5f)));
        for (int i = 0; i < Layers; i += Residual ? 2 : 1)
        {
            if (!Residual)
            {
                x = relus[i].call(norms[i].call(convs[i].call(x)));
                continue;
            }
            var y = relus[i].call(norms[i].call(convs[i].call(x)));
            y = norms[i + 1].call(convs[i + 1].call(y));
            x = relus[i + 1].call(x + y);   // the skip connection: the block only adds a correction to x
        }
        return head.call(x);
    }
}

/// <summary>One module call's output statistics (<see cref="LayerStatistics.Activations"/>).</summary>
public sealed record LayerActivation(int Index, string Path, string Type, double Mean, double Std, double ZeroFraction);

/// <summary>One convolution's weight and gradient norms after a backward pass (<see cref="LayerStatistics.GradientNorms"/>).</summary>
public sealed record LayerGradient(int Index, string Path, double WeightNorm, double GradientNorm);

/// <summary>Measurements the lessons show: what flows forward (activations) and backward (gradients) through a network.</summary>
public static class LayerStatistics
{
    /// <summary>
    /// Mean, standard deviation and fraction of exact zeros of every output of the modules <paramref name="select"/>
    /// picks (default: ReLUs, i.e. what each layer hands to the next), in call order, for one forward pass without
    /// gradients. The model keeps its train/eval mode (BN uses batch statistics in train mode).
    /// </summary>
    public static IReadOnlyList<LayerActivation> Activations(nn.Module<Tensor, Tensor> model, Tensor input, Func<nn.Module, bool>? select = null)
    {
        select ??= m => m is ReLU;
        var rows = new List<LayerActivation>();
        var removers = new List<Action>();
        foreach (var (path, module) in model.named_modules())
            if (path.Length > 0 && select(module) && module is nn.Module<Tensor, Tensor> hookable)
            {
                var handle = hookable.register_forward_hook((m, _, output) =>
                {
                    using var o = output.detach().to(float64);
                    rows.Add(new LayerActivation(rows.Count, path, m.GetType().Name, o.mean().item<double>(), o.std().item<double>(),
                                                 o.eq(0).to(float64).mean().item<double>()));
                    return null!;
                });
                removers.Add(handle.remove);
            }
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            model.call(input);
        }
        finally { foreach (var r in removers) r(); }
        return rows;
    }

    /// <summary>
    /// One forward and backward pass of the L1 loss against <paramref name="target"/> (valid where it is positive),
    /// then the L2 norm of every convolution weight's gradient, input side first. Gradients are cleared before and after.
    /// </summary>
    public static IReadOnlyList<LayerGradient> GradientNorms(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target)
    {
        // order by first call in the forward pass (registration order need not be the data's order)
        var called = new List<(string Path, Conv2d Conv)>();
        var removers = new List<Action>();
        foreach (var (path, module) in model.named_modules())
            if (module is Conv2d conv)
            {
                var handle = conv.register_forward_hook((m, _, _) =>
                {
                    if (!called.Any(c => ReferenceEquals(c.Conv, conv))) called.Add((path, conv));
                    return null!;
                });
                removers.Add(handle.remove);
            }
        model.zero_grad();
        var rows = new List<LayerGradient>();
        try
        {
            using var scope = NewDisposeScope();
            var pred = model.call(input);
            var valid = target.gt(0);
            var loss = (pred - target).abs().masked_select(valid).mean();
            loss.backward();
            foreach (var (path, conv) in called)
            {
                var w = conv.weight!;
                rows.Add(new LayerGradient(rows.Count, path, w.detach().norm().item<float>(), w.grad is null ? 0 : w.grad.norm().item<float>()));
            }
        }
        finally
        {
            foreach (var r in removers) r();
            model.zero_grad();
        }
        return rows;
    }

    public static DataFrame ToDataFrame(IEnumerable<LayerActivation> rows, string model = "") => ToFrame(rows.ToList(), model,
        r => new DataFrameColumn[]
        {
            new Int32DataFrameColumn("layer", r.Select(a => a.Index)), new StringDataFrameColumn("path", r.Select(a => a.Path)),
            new DoubleDataFrameColumn("mean", r.Select(a => a.Mean)), new DoubleDataFrameColumn("std", r.Select(a => a.Std)),
            new DoubleDataFrameColumn("zero_fraction", r.Select(a => a.ZeroFraction)),
        });

    public static DataFrame ToDataFrame(IEnumerable<LayerGradient> rows, string model = "") => ToFrame(rows.ToList(), model,
        r => new DataFrameColumn[]
        {
            new Int32DataFrameColumn("layer", r.Select(g => g.Index)), new StringDataFrameColumn("path", r.Select(g => g.Path)),
            new DoubleDataFrameColumn("weight_norm", r.Select(g => g.WeightNorm)), new DoubleDataFrameColumn("grad_norm", r.Select(g => g.GradientNorm)),
        });

    static DataFrame ToFrame<T>(List<T> rows, string model, Func<List<T>, DataFrameColumn[]> columns)
    {
        var cols = columns(rows).ToList();
        if (model.Length > 0) cols.Insert(0, new StringDataFrameColumn("model", rows.Select(_ => model)));
        return new DataFrame(cols);
    }
}
