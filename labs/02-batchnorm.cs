// %% [markdown]
// # Lab 02 · Batch Normalization by hand
//
// The slides: *"Batch normalization normalises the activations after the convolution layers using the batch mean and
// standard deviation."* In this lab you compute it yourself, in training mode and in evaluation mode, and keep the
// running statistics the way torch's `BatchNorm2d` does.
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `bn-forward`: training-mode forward with the batch's statistics | 3 |
// | `bn-running`: the running mean and variance after one batch | 2 |
// | `bn-eval`: evaluation-mode forward with the running statistics | 2 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Labs;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## Task 1 · `bn-forward` (3 points)
//
// For each channel c of a batch `x` [B, C, H, W], over the batch and all pixels: the mean μ_c and the **biased** variance
// σ²_c (divide by N), then
//
//   y = γ_c · (x − μ_c) / sqrt(σ²_c + ε) + β_c
//
// `gamma` and `beta` have shape [C]. Useful: `x.mean(new long[] { ... }, keepdim: true)`,
// `x.var(new long[] { ... }, unbiased: false, keepdim: true)`, `t.reshape(1, -1, 1, 1)`, `.sqrt()`.

// %%
Tensor BatchNormTrain(Tensor x, Tensor gamma, Tensor beta, double eps)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("bn-forward", BatchNormTrain);

// %% [markdown]
// ## Task 2 · `bn-running` (2 points)
//
// At test time there may be a single image, and a prediction must not depend on the other images of a batch. So in
// training mode BN also keeps running averages: each batch moves them `momentum` (0.1) of the way towards its own
// statistics, `running = (1 − momentum) · running + momentum · batch`. One detail of torch: the running variance is
// updated with the **unbiased** batch variance (divide by N − 1). Return the new running mean and variance, both [C].

// %%
(Tensor Mean, Tensor Var) UpdateRunning(Tensor runningMean, Tensor runningVar, Tensor x, double momentum)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("bn-running", UpdateRunning);

// %% [markdown]
// ## Task 3 · `bn-eval` (2 points)
//
// In evaluation mode (`model.eval()`) BN normalises with the running statistics instead of the batch's. Forgetting
// `eval()` is a classic bug: predictions then change with the batch they are in. Write the evaluation-mode forward.

// %%
Tensor BatchNormEval(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, double eps)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("bn-eval", BatchNormEval);

// %% [markdown]
// ## Why eval mode matters
//
// The same image, normalised alone and inside a batch: with batch statistics (training mode) the two outputs differ,
// with running statistics (evaluation mode) they are identical.

// %%
Lab.Try(() =>
{
    manual_seed(0);
    var batch = randn(8, 3, 4, 4) * 3 + 1;
    var (gamma, beta) = (ones(3), zeros(3));
    var alone = BatchNormTrain(batch[..2], gamma, beta, 1e-5)[0];
    var inBatch = BatchNormTrain(batch, gamma, beta, 1e-5)[0];
    Console.WriteLine($"training mode: image 0 alone vs in the batch differ by up to {(alone - inBatch).abs().max().item<float>():F3}");
    var (mean, variance) = UpdateRunning(zeros(3), ones(3), batch, 0.1);
    var evalAlone = BatchNormEval(batch[..2], mean, variance, gamma, beta, 1e-5)[0];
    var evalInBatch = BatchNormEval(batch, mean, variance, gamma, beta, 1e-5)[0];
    Console.WriteLine($"evaluation mode: they differ by {(evalAlone - evalInBatch).abs().max().item<float>():F3}");
});
