using Microsoft.Data.Analysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

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
                                                 o.eq(Scalars.Zero).to(float64).mean().item<double>()));
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
            var valid = target.gt(Scalars.Zero);
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
