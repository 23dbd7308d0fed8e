// %% [markdown]
// # Lab 07 · The berHu loss and median scaling
//
// Two tools from the depth-estimation papers behind the slides. The **berHu** (reverse Huber) loss of Laina et al. (FCRN)
// is L1 for small residuals and a scaled L2 for large ones, so the few badly wrong pixels get a stronger pull.
// **Median scaling** compares a prediction whose overall scale is unknown (a monocular network cannot tell a room from
// a doll's house) with the truth after matching their medians, image by image.
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `berhu`: the masked berHu loss, with a detached threshold | 3 |
// | `median-scale`: per-image median scaling | 2 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Labs;
using DepthKit.Losses;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## Task 1 · `berhu` (3 points)
//
// With residuals r = |pred − gt| on the valid pixels (gt > 0) and c = 0.2 · max r (over the valid pixels of the batch):
// B(r) = r where r ≤ c, and (r² + c²) / (2c) where r > c. Return the mean of B over the valid pixels, as a scalar tensor
// connected to `pred` (it is a training loss). c is a constant of the step: `.detach()` it. `where(cond, a, b)` picks
// elementwise.

// %%
Tensor BerHu(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("berhu", BerHu);

// %% [markdown]
// ## Task 2 · `median-scale` (2 points)
//
// For each image i of the batch [B, 1, H, W]: multiply `pred[i]` by median(gt[i]) / median(pred[i]), both medians over
// that image's valid pixels. `t.median()` gives the median of a tensor; `stack` joins the scaled images.

// %%
Tensor MedianScale(Tensor pred, Tensor gt)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("median-scale", MedianScale);

// %% [markdown]
// ## berHu next to L1
//
// On the same prediction the kit's `BerHuLoss` and `L1Loss` give different weight to the worst pixels:

// %%
Lab.Try(() =>
{
    manual_seed(5);
    var gt = rand(1, 1, 16, 16) * 5 + 1;
    var pred = gt + randn(1, 1, 16, 16) * 0.1;
    pred[0, 0, 0, ..4] = tensor(9f);   // four badly wrong pixels
    Console.WriteLine($"L1 {new L1Loss().Compute(pred, gt).item<float>():F4}, berHu {BerHu(pred, gt).item<float>():F4} (kit {new BerHuLoss().Compute(pred, gt).item<float>():F4})");
});
