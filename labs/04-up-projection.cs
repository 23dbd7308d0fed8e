// %% [markdown]
// # Lab 04 · The Up-projection and its unpooling
//
// The slides' decoder doubles the image size and halves the channels in each **Up-projection** (Laina et al., 2016).
// It starts with *unpooling*: every value goes to the top-left corner of a 2x2 cell of zeros, so [B, C, H, W] becomes
// [B, C, 2H, 2W]. Two branches follow, both on the unpooled tensor, and their sum goes through a ReLU:
//
// ```
// x ─► unpool 2x ─┬─► conv1 5x5 ─ bn1 ─ ReLU ─► conv2 3x3 ─ bn2 ──(+)─ ReLU ─► out
//                 └─► projection 5x5 ─ projection BN ──────────────┘
// ```
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `unpool`: 2x unpooling into the top-left corner | 2 |
// | `up-projection`: the Up-projection's forward pass | 3 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Labs;
using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## Task 1 · `unpool` (2 points)
//
// `out[b, c, 2i, 2j] = x[b, c, i, j]`, and zero everywhere else. A strided slice writes every other row and column:
// `result[.., .., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2)] = x;`

// %%
Tensor Unpool(Tensor x)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("unpool", Unpool);

// %%
// a 2x2 map with values 1..4, unpooled to 4x4
Lab.Try(() =>
{
    var u = Unpool(arange(1, 5, dtype: ScalarType.Float32).reshape(1, 1, 2, 2));
    for (long i = 0; i < u.shape[2]; i++)
        Console.WriteLine(string.Join(" ", Enumerable.Range(0, (int)u.shape[3]).Select(j => u[0, 0, i, j].item<float>().ToString("0"))));
});

// %% [markdown]
// ## Task 2 · `up-projection` (3 points)
//
// The check hands you the layers of one of the kit's `UpProjection`s: `l.Conv1`, `l.Bn1`, `l.Conv2`, `l.Bn2`,
// `l.Projection`, `l.ProjectionBn`. Write the forward pass (use your `Unpool`).

// %%
Tensor UpProjectionForward(UpProjectionLayers l, Tensor x)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("up-projection", UpProjectionForward);

// %% [markdown]
// ## The decoder's shapes
//
// Three Up-projections take the slides' 1024-channel 8x10 map to 128 channels at 64x80, halving the channels and doubling
// the size each time:

// %%
Lab.Try(() =>
{
    using var scope = NewDisposeScope();
    var x = randn(1, 16, 2, 3);
    foreach (var (cin, cout) in new[] { (16L, 8L), (8L, 4L), (4L, 2L) })
    {
        var block = new UpProjection(cin, cout);
        block.eval();
        var y = UpProjectionForward(UpProjectionLayers.Of(block), x);
        Console.WriteLine($"[{string.Join(", ", x.shape)}] -> [{string.Join(", ", y.shape)}]");
        x = y;
    }
});
