using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// One convolution call as the kernels see it: the input tensor's shape and the layer's geometry. Two layers with
/// the same shape run the same kernel, so gradient checks and kernel routing work per shape, not per layer.
/// </summary>
public sealed record ConvShape(bool Transposed, long Batch, long InChannels, long Height, long Width, long OutChannels,
    (long H, long W) Kernel, (long H, long W) Stride, (long H, long W) Padding, (long H, long W) Dilation, long Groups,
    (long H, long W) OutputPadding)
{
    public long[] InputShape => [Batch, InChannels, Height, Width];

    /// <summary>Weight layout: [out, in/groups, kh, kw] for a convolution, [in, out/groups, kh, kw] transposed.</summary>
    public long[] WeightShape => Transposed
        ? [InChannels, OutChannels / Groups, Kernel.H, Kernel.W]
        : [OutChannels, InChannels / Groups, Kernel.H, Kernel.W];

    /// <summary>e.g. <c>conv 3x3 s1 p1 64->24 @16x64x48x64</c> (batch x channels x height x width of the input).</summary>
    public override string ToString()
    {
        static string Pair((long H, long W) p) => p.H == p.W ? p.H.ToString(CultureInfo.InvariantCulture) : $"{p.H}x{p.W}";
        string extra = (Dilation != (1, 1) ? $" d{Pair(Dilation)}" : "") + (Groups != 1 ? $" g{Groups}" : "")
                       + (OutputPadding != (0, 0) ? $" op{Pair(OutputPadding)}" : "");
        return FormattableString.Invariant(
            $"{(Transposed ? "deconv" : "conv")} {Kernel.H}x{Kernel.W} s{Pair(Stride)} p{Pair(Padding)}{extra} {InChannels}->{OutChannels} @{Batch}x{InChannels}x{Height}x{Width}");
    }

    /// <summary>
    /// Reads what <see cref="ToString"/> writes, e.g. <c>conv 3x3 s2 p1 64->24 @2x64x32x40</c> (stride, padding,
    /// <c>d</c>ilation, <c>g</c>roups and <c>op</c> output padding may be omitted: 1, 0, 1, 1, 0).
    /// </summary>
    public static ConvShape Parse(string text)
    {
        var bad = new FormatException($"convolution shape '{text}': expected e.g. 'conv 3x3 s1 p1 64->24 @2x64x32x40' or 'deconv 4x4 s2 p1 32->16 @16x32x24x32'");
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4 || parts[0] is not ("conv" or "deconv")) throw bad;
        static bool Number(string s, out long v) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        bool TryPair(string s, out (long, long) pair)
        {
            var xy = s.Split('x');
            pair = default;
            if (xy.Length == 1 && Number(xy[0], out var a)) { pair = (a, a); return true; }
            if (xy.Length == 2 && Number(xy[0], out a) && Number(xy[1], out var b)) { pair = (a, b); return true; }
            return false;
        }
        if (!TryPair(parts[1], out var kernel)) throw bad;
        (long, long) stride = (1, 1), padding = (0, 0), dilation = (1, 1), outputPadding = (0, 0);
        long groups = 1, inChannels = 0, outChannels = 0;
        long[]? input = null;
        foreach (var part in parts.Skip(2))
        {
            if (part.StartsWith('@'))
            {
                var dims = part[1..].Split('x');
                input = dims.Length == 4 && dims.All(d => Number(d, out _)) ? [.. dims.Select(d => long.Parse(d, CultureInfo.InvariantCulture))] : throw bad;
            }
            else if (part.Contains("->"))
            {
                var io = part.Split("->");
                if (io.Length != 2 || !Number(io[0], out inChannels) || !Number(io[1], out outChannels)) throw bad;
            }
            else if (part.StartsWith("op") ? !TryPair(part[2..], out outputPadding)
                     : part[0] == 's' ? !TryPair(part[1..], out stride)
                     : part[0] == 'p' ? !TryPair(part[1..], out padding)
                     : part[0] == 'd' ? !TryPair(part[1..], out dilation)
                     : part[0] != 'g' || !Number(part[1..], out groups))
                throw bad;
        }
        if (input is null || inChannels == 0 || outChannels == 0 || input[1] != inChannels || groups < 1
            || kernel.Item1 < 1 || kernel.Item2 < 1 || stride.Item1 < 1 || stride.Item2 < 1) throw bad;
        return new ConvShape(parts[0] == "deconv", input[0], inChannels, input[2], input[3], outChannels, kernel, stride, padding, dilation, groups, outputPadding);
    }

    /// <summary>The shape of one call of <paramref name="layer"/> on an input of <paramref name="input"/>'s shape.</summary>
    public static ConvShape Of(Convolution layer, long[] input)
    {
        static (long, long) Pair(long[] v) => v.Length == 1 ? (v[0], v[0]) : (v[0], v[1]);
        var kernel = Pair(layer.kernel_size);
        var dilation = Pair(layer.dilation);
        // padding "same" (stride 1) pads d*(k-1)/2 on each side for the odd kernels it is used with; "valid" pads nothing
        var padding = layer.padding is { } p ? Pair(p)
            : layer.padding_type == TorchSharp.Padding.Same ? (dilation.Item1 * (kernel.Item1 - 1) / 2, dilation.Item2 * (kernel.Item2 - 1) / 2)
            : (0L, 0L);
        return new ConvShape(layer.transposed, input[0], input[1], input[2], input[3], layer.out_channels, kernel,
            Pair(layer.stride), padding, dilation, layer.groups,
            layer.transposed && layer.output_padding.Length > 0 ? Pair(layer.output_padding) : (0L, 0L));
    }
}

/// <summary>The convolution shapes a model runs, found by one forward pass with hooks on its convolution layers.</summary>
public static class ConvolutionShapes
{
    /// <summary>
    /// Every distinct convolution shape of one forward pass of <paramref name="model"/> on an input of
    /// <paramref name="inputShape"/>, in the order first met, with the paths of the layers that run it.
    /// The model's train/eval mode is restored.
    /// </summary>
    public static IReadOnlyList<(ConvShape Shape, IReadOnlyList<string> Layers)> Of(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        if (inputShape.Length != 4) throw new ArgumentException("input shape must be [B, C, H, W]", nameof(inputShape));
        var found = new List<(ConvShape Shape, List<string> Layers)>();
        var removers = new List<Action>();
        foreach (var (path, module) in model.named_modules())
        {
            if (module is not Convolution conv) continue;
            var remover = conv.register_forward_pre_hook((m, input) =>
            {
                var shape = ConvShape.Of(conv, input.shape);
                int at = found.FindIndex(f => f.Shape == shape);
                if (at < 0) found.Add((shape, [path]));
                else found[at].Layers.Add(path);
                return null!;
            });
            removers.Add(remover.remove);
        }
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            model.call(zeros(inputShape, device: device));
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }
        return [.. found.Select(f => (f.Shape, (IReadOnlyList<string>)f.Layers))];
    }
}
