// %% [markdown]
// # Lab 01 · Paired transforms and the DataLoader
//
// The slides resize and augment the NYU images with `torchvision.transforms` before a `DataLoader` feeds the model.
// For depth estimation every geometric change must move the RGB image **and** its depth map together: a photo flipped
// without its depth map teaches the network that the wall on the left is on the right.
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `flip-pair`: mirror an RGB-D pair | 2 |
// | `random-flip`: flip with probability 0.5, one draw for both images | 2 |
// | `loader`: a seeded, shuffled DataLoader with random flips | 2 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Data;
using DepthKit.Labs;
using DepthKit.Transforms;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## How a sample is stored
//
// A `DepthSample` holds `Height`, `Width`, the RGB bytes row by row with three bytes per pixel
// (`Rgb[(y * Width + x) * 3 + c]`, c = 0 red, 1 green, 2 blue) and one depth in metres per pixel
// (`Depth[y * Width + x]`, 0 where the sensor measured nothing). `LabData` makes small samples whose every pixel differs:

// %%
var sample = new LabData(count: 1, height: 2, width: 3).Get(0);
for (int y = 0; y < sample.Height; y++)
    Console.WriteLine(string.Join("  ", Enumerable.Range(0, sample.Width).Select(x =>
        $"rgb({sample.Rgb[(y * sample.Width + x) * 3]},{sample.Rgb[(y * sample.Width + x) * 3 + 1]},{sample.Rgb[(y * sample.Width + x) * 3 + 2]}) d={sample.Depth[y * sample.Width + x]:F2}")));

// %% [markdown]
// ## Task 1 · `flip-pair` (2 points)
//
// Write `FlipPair`: the left-right mirror of a sample. Pixel `(y, x)` of the result comes from `(y, Width - 1 - x)`, in the
// RGB image and in the depth map. Build new arrays (`s with { Rgb = ..., Depth = ... }`) and leave the input unchanged.

// %%
DepthSample FlipPair(DepthSample s)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("flip-pair", FlipPair);

// %% [markdown]
// ## Task 2 · `random-flip` (2 points)
//
// Augmentation flips half of the samples. Write `RandomFlip`: with probability 0.5 return `FlipPair(s)`, otherwise `s`.
// Draw **once** per sample, and only from the `random` you are given: the DataLoader hands every sample its own seeded
// `Random`, which is what makes a training run repeatable.

// %%
DepthSample RandomFlip(DepthSample s, Random random)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("random-flip", RandomFlip);

// %% [markdown]
// ## Task 3 · `loader` (2 points)
//
// The kit's `DataLoader` batches a dataset: it shuffles per epoch with a seed, runs the paired transforms on worker
// threads and stacks the samples into tensors (`batch.Rgb` [B,3,H,W], `batch.Depth` and `batch.Valid` [B,1,H,W]).
// Write `MakeLoader`: batches of **4**, shuffled with seed **7**, and the kit's `HorizontalFlip(0.5)` (the transform your
// `RandomFlip` mirrors) as the transform. Everything else stays at its default (`new DataLoaderOptions { ... }`).

// %%
DataLoader MakeLoader(IDepthDataset data)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("loader", MakeLoader);

// %% [markdown]
// ## Look at a batch
//
// The same seed gives the same batches in every run, with any number of worker threads:

// %%
Lab.Try(() =>
{
    var loader = MakeLoader(new LabData(count: 10, height: 4, width: 6));
    foreach (var batch in loader.Epoch(0))
        using (batch) Console.WriteLine($"samples {string.Join(", ", batch.Indices)}: RGB {string.Join("x", batch.Rgb.shape)}, depth {string.Join("x", batch.Depth.shape)}, {batch.Valid.sum().item<long>()} valid depths");
});
