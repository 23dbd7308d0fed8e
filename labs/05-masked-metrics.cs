// %% [markdown]
// # Lab 05 · Masked depth metrics and the slides' AbsRel mistake
//
// Table 1 of the slides scores the models with δ<1.25, Abs rel diff and RMSE. A Kinect measures nothing on glass, black
// or far surfaces: those pixels have ground-truth depth 0 and must be left out of every metric. The slides' "Abs rel diff"
// column (2.35e4 to 1.2e6) is what you get when they are not: this lab computes the three metrics correctly, then
// reproduces the mistake and measures where it comes from.
//
// Here the valid pixels are those with `gt > 0`, and every metric pools all valid pixels of the batch.
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `delta1`: δ<1.25 | 2 |
// | `absrel`: Abs rel diff | 2 |
// | `rmse`: RMSE | 2 |
// | `slides-absrel`: the slides' unmasked AbsRel | 1 |
// | `invalid-share`: where the slides' number comes from | 1 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Labs;
using DepthKit.Metrics;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## Task 1 · `delta1` (2 points)
//
// The fraction of valid pixels whose prediction is within 25 % of the truth either way: max(pred / gt, gt / pred) < 1.25.
// `gt.gt(0)` is the valid mask and `t.masked_select(mask)` keeps the valid values.

// %%
double Delta1(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("delta1", Delta1);

// %% [markdown]
// ## Task 2 · `absrel` (2 points)
//
// Abs rel diff: the mean over the valid pixels of |pred − gt| / gt.

// %%
double AbsRel(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("absrel", AbsRel);

// %% [markdown]
// ## Task 3 · `rmse` (2 points)
//
// RMSE in metres: the square root of the mean over the valid pixels of (pred − gt)².

// %%
double Rmse(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("rmse", Rmse);

// %% [markdown]
// ## Task 4 · `slides-absrel` (1 point)
//
// Now make the slides' mistake on purpose: AbsRel over **every** pixel, dividing by `gt + 1e-6` (the small epsilon that
// keeps the division finite and hides the bug).

// %%
double SlidesAbsRel(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("slides-absrel", SlidesAbsRel);

// %% [markdown]
// ## Task 5 · `invalid-share` (1 point)
//
// Which pixels make that number? Return the share of the sum of |pred − gt| / (gt + 1e-6) that comes from the
// invalid pixels (gt = 0).

// %%
double InvalidShare(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("invalid-share", InvalidShare);

// %% [markdown]
// ## What went wrong on the slides
//
// A pixel with gt = 0 and a prediction of 0.5 m adds 0.5 / 1e-6 = 500,000 to the sum. With a few percent of such pixels
// the mean lands between 1e4 and 1e6, the size of the slides' column, while the masked AbsRel of the same prediction is a
// sane 0.1 to 0.3. The kit keeps the slides' version as `NaiveMetrics.AbsRel` so it can be shown next to the correct one:

// %%
Lab.Try(() =>
{
    manual_seed(3);
    var gt = (rand(1, 1, 48, 64) * 7 + 0.5).masked_fill(rand(1, 1, 48, 64).lt(0.05), 0);
    var pred = gt.clamp_min(0.5) * (randn(1, 1, 48, 64) * 0.2).exp();
    Console.WriteLine($"5 % holes: your AbsRel {AbsRel(pred, gt):F3}, the slides' {SlidesAbsRel(pred, gt):E2} (kit: {NaiveMetrics.AbsRel(pred, gt):E2}), " +
                      $"{InvalidShare(pred, gt):P3} of it from the holes");
    foreach (var row in NaiveMetrics.SlidesTable1) Console.WriteLine($"slides' Table 1: {row.Model,-10} Abs rel diff {row.AbsRelDiff:E2}");
});
