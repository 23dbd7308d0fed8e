using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Training;

// TorchSharp's Adam, AdamW and SGD with rooted Scalars. Their step() passes every coefficient (beta1, 1 - beta1, the
// weight decay factor, eps, the step size ...) as an implicit Scalar that the finalizer may free while the native op still
// reads it (DepthKit.Scalars). These overrides are TorchSharp 0.107's step() line for line with each coefficient in a
// `using` local or a static field, so the arithmetic, and every bit of the result, is the same. The class names are
// TorchSharp's on purpose: save_state_dict writes GetType().Name and load_state_dict requires it, so optimiser state
// moves between these and torch.optim's both ways.

/// <summary>torch.optim.Adam whose step keeps its Scalars alive (see the note above).</summary>
public sealed class Adam(IEnumerable<TorchSharp.Modules.Adam.ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                         double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
    : TorchSharp.Modules.Adam(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weight_decay = options.weight_decay!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        double eps = options.eps!.Value, lr = options.LearningRate!.Value;
        using Scalar beta1s = beta1, oneMinusBeta1 = 1 - beta1, beta2s = beta2, oneMinusBeta2 = 1 - beta2, decay = weight_decay, epsS = eps;

        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            if (weight_decay != 0) grad = grad.add(param, alpha: decay);
            state.exp_avg.mul_(beta1s).add_(grad, alpha: oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2s).addcmul_(grad, grad.conj(), value: oneMinusBeta2);
            Optimizers.AdamUpdate(param, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, amsgrad, state.step, beta1, beta2, lr, epsS);
        }
    }, closure);
}

/// <summary>torch.optim.AdamW whose step keeps its Scalars alive (see the note above).</summary>
public sealed class AdamW(IEnumerable<TorchSharp.Modules.AdamW.ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                          double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
    : TorchSharp.Modules.AdamW(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weight_decay = options.weight_decay!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        double eps = options.eps!.Value, lr = options.LearningRate!.Value;
        using Scalar beta1s = beta1, oneMinusBeta1 = 1 - beta1, beta2s = beta2, oneMinusBeta2 = 1 - beta2, epsS = eps;
        using Scalar decoupledDecay = 1 - lr * weight_decay;

        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            param.mul_(decoupledDecay);
            state.exp_avg.mul_(beta1s).add_(grad, alpha: oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2s).addcmul_(grad, grad, value: oneMinusBeta2);
            Optimizers.AdamUpdate(param, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, amsgrad, state.step, beta1, beta2, lr, epsS);
        }
    }, closure);
}

/// <summary>torch.optim.SGD whose step keeps its Scalars alive (see the note above).</summary>
public sealed class SGD(IEnumerable<TorchSharp.Modules.SGD.ParamGroup> groups, double lr, double momentum = 0.0, double dampening = 0,
                        double weight_decay = 0, bool nesterov = false, bool maximize = false)
    : TorchSharp.Modules.SGD(groups, lr, momentum, dampening, weight_decay, nesterov, maximize)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weight_decay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        double lr = options.LearningRate!.Value;
        using Scalar decay = weight_decay, momentumS = momentum, oneMinusDampening = 1 - dampening, alpha = maximize ? lr : -lr;

        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weight_decay != 0) grad = grad.add(param, alpha: decay);
            if (momentum != 0)
            {
                var buf = state.momentum_buffer;
                if (buf is null)
                {
                    buf = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buf;
                }
                else
                {
                    buf.mul_(momentumS).add_(grad, alpha: oneMinusDampening);
                }
                grad = nesterov ? grad.add(buf, alpha: momentumS) : buf;
                state.momentum_buffer = buf;
            }
            param.add_(grad, alpha: alpha);
        }
    }, closure);
}

/// <summary>The kit's optimisers by name (what <c>--optimizer</c> takes).</summary>
public static class Optimizers
{
    public static readonly IReadOnlyList<string> Names = ["adam", "adamw", "sgd"];

    /// <summary>
    /// An optimiser over parameter groups, each with its own learning rate (the groups' rates are what the learning-rate
    /// schedule sets every step); <paramref name="momentum"/> is SGD's only.
    /// </summary>
    public static TorchSharp.Modules.OptimizerHelper Create(string name, IEnumerable<(IEnumerable<TorchSharp.Modules.Parameter> Parameters, double LearningRate)> groups,
                                                            double learningRate, double weightDecay, double momentum = 0) => name switch
    {
        "adam" => new Adam(groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: weightDecay)),
            learningRate, weight_decay: weightDecay),
        "adamw" => new AdamW(groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: weightDecay)),
            learningRate, weight_decay: weightDecay),
        "sgd" => new SGD(groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: momentum, weight_decay: weightDecay)),
            learningRate, momentum: momentum, weight_decay: weightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{name}'"),
    };

    /// <summary>
    /// Adam's and AdamW's common last step, once the moments are updated: param -= lr / (1 - beta1^t) * m /
    /// (sqrt(v) / sqrt(1 - beta2^t) + eps), in TorchSharp's order of operations.
    /// </summary>
    internal static void AdamUpdate(Tensor param, Tensor expAvg, Tensor expAvgSq, ref Tensor maxExpAvgSq, bool amsgrad, long step,
                                    double beta1, double beta2, double lr, Scalar eps)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
        using Scalar sqrtCorrection2 = Math.Sqrt(biasCorrection2), minusStepSize = -(lr / biasCorrection1);
        var denom = (amsgrad ? UpdateMax(ref maxExpAvgSq, expAvgSq) : expAvgSq).sqrt().div(sqrtCorrection2).add_(eps, Scalars.One);
        param.addcdiv_(expAvg, denom, value: minusStepSize);
    }

    // amsgrad: the running maximum of the second moment replaces the moment in the denominator (TorchSharp's order)
    internal static Tensor UpdateMax(ref Tensor max, Tensor current)
    {
        var old = max;
        max = maximum(old, current).DetachFromDisposeScope();
        old.Dispose();
        return max;
    }
}
