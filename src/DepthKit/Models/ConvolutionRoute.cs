using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// Gives chosen convolution shapes the kit's own backward pass. The forward pass stays libtorch's (its output is
/// kept as it is); only the gradients of the shapes <see cref="Rule"/> picks are computed another way: as matrix
/// products over the unfolded input (im2col), which never run a convolution kernel. The host sets the rule where
/// libtorch's convolution kernels compute some shapes' gradients wrong (DepthKit.Native does so on CPUs whose
/// CPUID reports no cache sizes); by default no shape is routed and a model runs exactly libtorch's kernels.
/// </summary>
public static class ConvolutionRoute
{
    /// <summary>Shapes whose gradients the kit computes itself; null (the default) routes none.</summary>
    public static Func<ConvShape, bool>? Rule { get; set; }

    /// <summary>Whether <paramref name="shape"/> is routed now.</summary>
    public static bool Routes(ConvShape shape) => Rule?.Invoke(shape) == true;

    static readonly ConditionalWeakTable<nn.Module, object> Attached = new();

    /// <summary>
    /// Hooks every convolution of <paramref name="model"/> (once per module; later calls are free) so that a routed
    /// shape's output carries the kit's backward. <see cref="DepthNet"/> and <see cref="ConvStack"/> call it on
    /// their first forward pass and the Trainer on every model it trains, so their users need not; a training loop
    /// of your own over another model must.
    /// </summary>
    public static void Attach(nn.Module model)
    {
        if (Attached.TryGetValue(model, out _)) return;
        lock (Attached)
        {
            if (Attached.TryGetValue(model, out _)) return;
            foreach (var (_, module) in model.named_modules())
                if (module is Convolution conv && !Attached.TryGetValue(conv, out _))
                {
                    conv.register_forward_hook((m, input, output) => Reroute(conv, input, output));
                    Attached.Add(conv, conv);
                }
            Attached.Add(model, model);
        }
    }

    static Tensor Reroute(Convolution conv, Tensor input, Tensor output)
    {
        if (Rule is null || !is_grad_enabled() || input.dim() != 4 || !(input.requires_grad || conv.weight.requires_grad)) return null!;
        var shape = ConvShape.Of(conv, input.shape);
        return Routes(shape) ? Apply(shape, input, conv.weight, conv.bias, output) : null!;
    }

    /// <summary>
    /// <paramref name="output"/> (the convolution of <paramref name="input"/> with <paramref name="weight"/> and
    /// <paramref name="bias"/>, computed by libtorch) with the kit's backward pass attached instead of libtorch's.
    /// </summary>
    public static Tensor Apply(ConvShape shape, Tensor input, Tensor weight, Tensor? bias, Tensor output) =>
        OwnBackward.apply(input, weight, bias!, new Carried(shape, output.detach(), input.requires_grad, weight.requires_grad));

    /// <summary>Non-tensor arguments of <see cref="OwnBackward"/>: the geometry, the forward result it passes on, which gradients are wanted.</summary>
    sealed record Carried(ConvShape Shape, Tensor Output, bool InputGradient, bool WeightGradient);

    /// <summary>
    /// The input, weight and bias gradients of one convolution as products over the unfolded input. Correct for any
    /// kernel, stride, padding and dilation (groups 1), and independent of which convolution kernels libtorch has.
    /// </summary>
    public static (Tensor? Input, Tensor? Weight, Tensor? Bias) Gradients(ConvShape s, Tensor input, Tensor weight, Tensor gradOutput,
        bool inputGradient = true, bool weightGradient = true, bool bias = false)
    {
        if (s.Groups != 1) throw new NotSupportedException($"{s}: grouped convolutions are not routed");
        var (dx, dw) = s.Transposed
            ? TransposedGradients(s, input, weight, gradOutput, inputGradient, weightGradient)
            : DirectGradients(s, input, weight, gradOutput, inputGradient, weightGradient);
        return (dx, dw, bias ? gradOutput.sum([0, 2, 3]) : null);
    }

    // y[n] = W (O x CKK) * cols(x)[n] (CKK x L): dW = sum_n dy[n] cols[n]^T, dcols = W^T dy, dx = fold(dcols)
    static (Tensor?, Tensor?) DirectGradients(ConvShape s, Tensor x, Tensor w, Tensor dy, bool inputGradient, bool weightGradient)
    {
        long n = s.Batch, o = s.OutChannels, ckk = s.InChannels * s.Kernel.H * s.Kernel.W;
        var dyFlat = dy.reshape(n, o, -1);
        var wT = w.reshape(o, ckk).t();
        if (s.Kernel == (1, 1) && s.Padding == (0, 0))
        {
            // a 1x1 convolution reads only the strided input positions: no unfold needed
            var every = TensorIndex.Slice(null, null, s.Stride.H);
            var everyW = TensorIndex.Slice(null, null, s.Stride.W);
            var xs = s.Stride == (1, 1) ? x : x[TensorIndex.Colon, TensorIndex.Colon, every, everyW];
            Tensor? dw = weightGradient ? matmul(dyFlat, xs.reshape(n, s.InChannels, -1).transpose(1, 2)).sum(dim: 0).reshape(w.shape) : null;
            Tensor? dx = null;
            if (inputGradient)
            {
                var dxs = matmul(wT, dyFlat).reshape(n, s.InChannels, xs.shape[2], xs.shape[3]);
                if (s.Stride == (1, 1)) dx = dxs;
                else
                {
                    dx = zeros_like(x);
                    dx[TensorIndex.Colon, TensorIndex.Colon, every, everyW] = dxs;
                }
            }
            return (dx, dw);
        }
        return ShiftedGradients(s, x, w, dyFlat, inputGradient, weightGradient);
    }

    // One matrix product per kernel tap (i, j) over the input positions that tap reads (a strided window of the
    // padded input): dW[:, :, i, j] = sum_n dy[n] x_ij[n]^T and dx_ij += W[:, :, i, j]^T dy. Unlike unfolding the
    // whole input (k*k copies of it at once) this holds one tap's window at a time.
    static (Tensor?, Tensor?) ShiftedGradients(ConvShape s, Tensor x, Tensor w, Tensor dyFlat, bool inputGradient, bool weightGradient)
    {
        long n = s.Batch, c = s.InChannels, o = s.OutChannels;
        long outH = (s.Height + 2 * s.Padding.H - s.Dilation.H * (s.Kernel.H - 1) - 1) / s.Stride.H + 1;
        long outW = (s.Width + 2 * s.Padding.W - s.Dilation.W * (s.Kernel.W - 1) - 1) / s.Stride.W + 1;
        var xPadded = weightGradient ? nn.functional.pad(x, [s.Padding.W, s.Padding.W, s.Padding.H, s.Padding.H]) : null;
        var dxPadded = inputGradient ? zeros([n, c, s.Height + 2 * s.Padding.H, s.Width + 2 * s.Padding.W], dtype: x.dtype, device: x.device) : null;
        var dw = weightGradient ? zeros_like(w) : null;
        for (long i = 0; i < s.Kernel.H; i++)
            for (long j = 0; j < s.Kernel.W; j++)
            {
                using var scope = NewDisposeScope();
                var rows = TensorIndex.Slice(i * s.Dilation.H, i * s.Dilation.H + (outH - 1) * s.Stride.H + 1, s.Stride.H);
                var columns = TensorIndex.Slice(j * s.Dilation.W, j * s.Dilation.W + (outW - 1) * s.Stride.W + 1, s.Stride.W);
                var all = TensorIndex.Colon;
                if (dw is not null)
                {
                    var window = xPadded![all, all, rows, columns].reshape(n, c, -1);
                    dw[all, all, TensorIndex.Single(i), TensorIndex.Single(j)].copy_(matmul(dyFlat, window.transpose(1, 2)).sum(dim: 0));
                }
                if (dxPadded is not null)
                    dxPadded[all, all, rows, columns].add_(matmul(w[all, all, TensorIndex.Single(i), TensorIndex.Single(j)].t(), dyFlat).reshape(n, c, outH, outW), Scalars.One);
            }
        var dx = dxPadded?[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(s.Padding.H, s.Padding.H + s.Height), TensorIndex.Slice(s.Padding.W, s.Padding.W + s.Width)];
        return (dx, dw);
    }

    // a transposed convolution is the input gradient of the direct one with the weight's roles swapped:
    // y = fold(W^T x), so dx = W cols(dy) and dW = sum_n x[n] cols(dy)[n]^T
    static (Tensor?, Tensor?) TransposedGradients(ConvShape s, Tensor x, Tensor w, Tensor dy, bool inputGradient, bool weightGradient)
    {
        long n = s.Batch, c = s.InChannels;
        var (kernel, dilation, padding, stride) = (s.Kernel, s.Dilation, s.Padding, s.Stride);
        var cols = nn.functional.unfold(dy, kernel, dilation, padding, stride); // [n, O*k*k, H*W of x]
        return (inputGradient ? matmul(w.reshape(c, -1), cols).reshape(n, c, s.Height, s.Width) : null,
                weightGradient ? matmul(x.reshape(n, c, -1), cols.transpose(1, 2)).sum(dim: 0).reshape(w.shape) : null);
    }

    sealed class OwnBackward : autograd.SingleTensorFunction<OwnBackward>
    {
        public override string Name => nameof(ConvolutionRoute);

        // vars: input, weight, bias (null without one), Carried
        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var carried = (Carried)vars[3];
            ctx.save_for_backward([(Tensor)vars[0], (Tensor)vars[1]]);
            ctx.save_data(nameof(Carried), carried with { Output = null! }); // the output itself is not needed later
            ctx.save_data("bias", vars[2] is Tensor);
            return carried.Output;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            var carried = (Carried)ctx.get_data(nameof(Carried));
            bool bias = (bool)ctx.get_data("bias");
            var (dx, dw, db) = Gradients(carried.Shape, saved[0], saved[1], gradOutput.contiguous(), carried.InputGradient, carried.WeightGradient, bias);
            // an input that needs no gradient gets none (libtorch reads a null handle as "undefined")
            return [dx!, dw!, db!, null!];
        }
    }
}
