using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

/// <summary>Inputs shared by the Batch Normalization checks: three channels that catch the usual mistakes.</summary>
static class BnInputs
{
    public const double Eps = 1e-5;

    /// <summary>
    /// [4,3,5,5]: channel 0 far from zero mean and unit variance, channel 1 with a variance (1e-6) below eps
    /// (so a missing or misplaced eps shows), channel 2 constant (variance 0).
    /// </summary>
    public static Tensor Batch(int seed, long batch = 4)
    {
        manual_seed(seed);
        var x = randn(batch, 3, 5, 5);
        var scale = tensor(new float[] { 4f, 1e-3f, 0f }).reshape(1, 3, 1, 1);
        var shift = tensor(new float[] { 10f, -0.5f, 2f }).reshape(1, 3, 1, 1);
        return x * scale + shift;
    }

    public static Tensor Gamma() => tensor(new float[] { 1.5f, 0.5f, 2f });
    public static Tensor Beta() => tensor(new float[] { 0.1f, -1f, 3f });

    /// <summary>
    /// torch's BatchNorm2d with the given affine parameters and running statistics: the kit's, which computes exactly what
    /// <c>nn.BatchNorm2d</c> does with its Scalars rooted (docs/runtime.md).
    /// </summary>
    public static Models.BatchNorm2d Module(Tensor gamma, Tensor beta, Tensor? runningMean = null, Tensor? runningVar = null, double momentum = 0.1)
    {
        var bn = new Models.BatchNorm2d(gamma.shape[0], eps: Eps, momentum: momentum);
        using var noGrad = no_grad();
        bn.weight!.copy_(gamma);
        bn.bias!.copy_(beta);
        if (runningMean is not null) bn.running_mean!.copy_(runningMean);
        if (runningVar is not null) bn.running_var!.copy_(runningVar);
        return bn;
    }

    /// <summary>A hint for the broadcasting error of per-channel vectors [C] against [B,C,H,W].</summary>
    public static string? ExplainBroadcast(Exception e) => e.Message.Contains("must match the size", StringComparison.Ordinal)
        ? "per-channel vectors have shape [C]; reshape them to [1, C, 1, 1] so they line up with the channel axis of [B, C, H, W]"
        : null;

    static Tensor C(Tensor v) => v.reshape(1, -1, 1, 1);

    /// <summary>(x - mean) / sqrt(var + eps) * gamma + beta with statistics over <paramref name="dims"/>.</summary>
    public static Tensor Normalise(Tensor x, long[] dims, Tensor gamma, Tensor beta, bool unbiased = false, double eps = Eps, bool epsInside = true)
    {
        var mean = x.mean(dims, keepdim: true);
        var variance = x.var(dims, unbiased: unbiased, keepdim: true);
        var norm = epsInside ? (x - mean) / (variance + eps).sqrt() : (x - mean) / (variance.sqrt() + eps);
        return norm * C(gamma) + C(beta);
    }

    public static Tensor WithStats(Tensor x, Tensor mean, Tensor variance, Tensor gamma, Tensor beta) =>
        (x - C(mean)) / (C(variance) + Eps).sqrt() * C(gamma) + C(beta);
}

/// <summary>Batch Normalization in training mode, by hand.</summary>
public sealed class BnForwardCheck : LabCheck<Func<Tensor, Tensor, Tensor, double, Tensor>>
{
    public override string Id => "bn-forward";
    public override string Lab => "02-batchnorm";
    public override string Title => "Batch Normalization forward in training mode (batch statistics)";
    public override string Signature => "Tensor BatchNormTrain(Tensor x, Tensor gamma, Tensor beta, double eps)";

    protected override string Evaluate(Func<Tensor, Tensor, Tensor, double, Tensor> student)
    {
        using var noGrad = no_grad();
        foreach (int seed in new[] { 1, 2 })
        {
            var x = BnInputs.Batch(seed);
            var (gamma, beta) = (BnInputs.Gamma(), BnInputs.Beta());
            var bn = BnInputs.Module(gamma, beta);
            bn.train();
            var expected = bn.call(x);
            var got = Call(() => student(x.clone(), gamma.clone(), beta.clone(), BnInputs.Eps), BnInputs.ExplainBroadcast);
            Compare.Tensors(got, expected, 1e-4, 1e-4, "the output",
            [
                new("wrong axes: you took one mean per image (over channels and pixels). Batch Normalization keeps one mean and " +
                    "variance per channel, over the batch, height and width", () => BnInputs.Normalise(x, [1, 2, 3], gamma, beta)),
                new("wrong axes: your statistics are per image and channel (that is Instance Normalization); " +
                    "Batch Normalization also averages over the batch", () => BnInputs.Normalise(x, [2, 3], gamma, beta)),
                new("wrong axes: your statistics are per pixel, over the batch only; include height and width", () => BnInputs.Normalise(x, [0], gamma, beta)),
                new("wrong axes: one mean and variance for the whole tensor; keep the channels apart", () => BnInputs.Normalise(x, [0, 1, 2, 3], gamma, beta)),
                new("you used the unbiased variance (divide by N-1); the forward pass normalises with the biased one (divide by N)",
                    () => BnInputs.Normalise(x, [0, 2, 3], gamma, beta, unbiased: true)),
                new("eps must go inside the square root: sqrt(var + eps), not sqrt(var) + eps",
                    () => BnInputs.Normalise(x, [0, 2, 3], gamma, beta, epsInside: false)),
                new("eps is missing: channel 1 has a variance (1e-6) smaller than eps, so leaving it out scales that channel up",
                    () => BnInputs.Normalise(x, [0, 2, 3], gamma, beta, eps: 0).nan_to_num(0)),
                new("the scale gamma and shift beta are missing: the normalised value is multiplied by gamma and beta is added",
                    () => BnInputs.Normalise(x, [0, 2, 3], ones(3), zeros(3))),
                new("gamma and beta are swapped: gamma multiplies, beta is added", () => BnInputs.Normalise(x, [0, 2, 3], beta, gamma)),
            ], nanHint: "channel 2 is constant (variance 0): eps inside the square root keeps the division finite");
        }
        return "matches torch's BatchNorm2d in training mode on 2 seeded batches [4,3,5,5] (tolerance 1e-4)";
    }
}

/// <summary>The running statistics a training step leaves behind.</summary>
public sealed class BnRunningCheck : LabCheck<Func<Tensor, Tensor, Tensor, double, (Tensor Mean, Tensor Var)>>
{
    public override string Id => "bn-running";
    public override string Lab => "02-batchnorm";
    public override string Title => "Running mean and variance after one training batch";
    public override string Signature => "(Tensor Mean, Tensor Var) UpdateRunning(Tensor runningMean, Tensor runningVar, Tensor x, double momentum)";

    protected override string Evaluate(Func<Tensor, Tensor, Tensor, double, (Tensor Mean, Tensor Var)> student)
    {
        using var noGrad = no_grad();
        var x = BnInputs.Batch(3);
        var oldMean = tensor(new float[] { 1f, -2f, 0.5f });
        var oldVar = tensor(new float[] { 2f, 0.5f, 3f });
        const double momentum = 0.1;
        var bn = BnInputs.Module(BnInputs.Gamma(), BnInputs.Beta(), oldMean, oldVar, momentum);
        bn.train();
        bn.call(x);
        var (expectedMean, expectedVar) = (bn.running_mean!.clone(), bn.running_var!.clone());
        var (got, gotVar) = Call(() => student(oldMean.clone(), oldVar.clone(), x.clone(), momentum));
        var batchMean = x.mean([0, 2, 3]);
        var unbiased = x.var([0, 2, 3], unbiased: true);
        var biased = x.var([0, 2, 3], unbiased: false);
        Compare.Tensors(got, expectedMean, 1e-5, 1e-4, "the running mean",
        [
            new("momentum the wrong way round: the running mean moves `momentum` (10 %) of the way towards the batch mean, " +
                "it keeps 90 % of the old value", () => momentum * oldMean + (1 - momentum) * batchMean),
            new("you replaced the running mean by the batch mean: it should move only `momentum` of the way", () => batchMean),
            new("the running mean did not change: blend in the batch mean with weight `momentum`", () => oldMean),
            new("wrong axes: the batch mean is per channel, over the batch, height and width", () => (1 - momentum) * oldMean + momentum * x.mean([0, 2, 3, 1]).expand(3)),
        ]);
        Compare.Tensors(gotVar, expectedVar, 1e-5, 1e-4, "the running variance",
        [
            new("torch stores the unbiased batch variance (divide by N-1) in running_var, although the forward pass " +
                "normalises with the biased one", () => (1 - momentum) * oldVar + momentum * biased),
            new("momentum the wrong way round: the running variance keeps 90 % of its old value",
                () => momentum * oldVar + (1 - momentum) * unbiased),
            new("you replaced the running variance by the batch variance: it should move only `momentum` of the way", () => unbiased),
            new("the running variance did not change: blend in the batch variance with weight `momentum`", () => oldVar),
            new("that is a blend of standard deviations: running_var holds variances", () => (1 - momentum) * oldVar + momentum * unbiased.sqrt()),
        ]);
        return "running mean and variance match torch's BatchNorm2d after one batch (momentum 0.1, tolerance 1e-5)";
    }
}

/// <summary>Batch Normalization in evaluation mode: the running statistics, not the batch's.</summary>
public sealed class BnEvalCheck : LabCheck<Func<Tensor, Tensor, Tensor, Tensor, Tensor, double, Tensor>>
{
    public override string Id => "bn-eval";
    public override string Lab => "02-batchnorm";
    public override string Title => "Batch Normalization forward in evaluation mode";
    public override string Signature => "Tensor BatchNormEval(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, double eps)";

    protected override string Evaluate(Func<Tensor, Tensor, Tensor, Tensor, Tensor, double, Tensor> student)
    {
        using var noGrad = no_grad();
        var mean = tensor(new float[] { 9f, -0.4f, 1.5f });
        var variance = tensor(new float[] { 12f, 0.2f, 0.8f });
        var (gamma, beta) = (BnInputs.Gamma(), BnInputs.Beta());
        foreach (long batch in new long[] { 4, 1 })
        {
            var x = BnInputs.Batch(4, batch);
            var bn = BnInputs.Module(gamma, beta, mean, variance);
            bn.eval();
            var expected = bn.call(x);
            var got = Call(() => student(x.clone(), mean.clone(), variance.clone(), gamma.clone(), beta.clone(), BnInputs.Eps), BnInputs.ExplainBroadcast);
            Compare.Tensors(got, expected, 1e-4, 1e-4, $"the output for a batch of {batch}",
            [
                new("eval mode ignored: your output uses the batch's own mean and variance. In evaluation mode Batch Normalization " +
                    "uses the running statistics, so a prediction does not depend on the other images of the batch",
                    () => BnInputs.Normalise(x, [0, 2, 3], gamma, beta)),
                new("eval mode ignored: your output uses statistics of the input (per image) instead of the running ones",
                    () => BnInputs.Normalise(x, [1, 2, 3], gamma, beta)),
                new("you divided by the variance plus eps, not by its square root", () => (x - mean.reshape(1, 3, 1, 1)) / (variance.reshape(1, 3, 1, 1) + BnInputs.Eps) * gamma.reshape(1, 3, 1, 1) + beta.reshape(1, 3, 1, 1)),
                new("the scale gamma and shift beta are missing", () => BnInputs.WithStats(x, mean, variance, ones(3), zeros(3))),
                new("gamma and beta are swapped", () => BnInputs.WithStats(x, mean, variance, beta, gamma)),
            ], nanHint: "a batch of one image has variance 0 in channel 2: evaluation mode must not compute batch statistics");
        }
        return "matches torch's BatchNorm2d in eval mode for a batch of 4 and a single image (tolerance 1e-4)";
    }
}
