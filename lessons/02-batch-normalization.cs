// %% [markdown]
// # 02 · Batch Normalization
//
// The slides: *"Batch normalization normalises the activations after the convolution layers using the batch mean and
// standard deviation."* This notebook computes it by hand, shows the difference between training and evaluation mode,
// measures what it does to the activations of a deep network, and trains the same network with and without it.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using DepthKit;
using DepthKit.Data;
using DepthKit.Models;
using DepthKit.Training;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;
using TorchSharp;
using static TorchSharp.torch;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;
manual_seed(0);

// %% [markdown]
// ## What it computes
//
// For each channel c, over the batch and all pixels: the mean μ_c and the (biased) variance σ²_c, then
//
//   y = γ_c · (x − μ_c) / sqrt(σ²_c + ε) + β_c
//
// with a learned scale γ and shift β per channel (they start at 1 and 0), ε = 1e-5. A batch of 4 feature maps with
// 2 channels, far from zero mean and unit variance:

// %%
var x = randn(new long[] { 4, 2, 3, 3 }) * 5 + 10;
var bn = nn.BatchNorm2d(2);
var y = bn.call(x);                                     // training mode: batch statistics

var mean = x.mean(new long[] { 0, 2, 3 }, keepdim: true);
var variance = x.var(new long[] { 0, 2, 3 }, unbiased: false, keepdim: true);
var byHand = (x - mean) / sqrt(variance + 1e-5);        // γ = 1, β = 0 at the start
Console.WriteLine($"input per channel: mean {string.Join(", ", x.mean(new long[] { 0, 2, 3 }).data<float>().ToArray().Select(v => v.ToString("F2")))}, std {string.Join(", ", x.std(new long[] { 0, 2, 3 }).data<float>().ToArray().Select(v => v.ToString("F2")))}");
Console.WriteLine($"output per channel: mean {string.Join(", ", y.mean(new long[] { 0, 2, 3 }).data<float>().ToArray().Select(v => v.ToString("F3")))}, std {string.Join(", ", y.std(new long[] { 0, 2, 3 }, unbiased: false).data<float>().ToArray().Select(v => v.ToString("F3")))}");
Console.WriteLine($"BatchNorm2d vs the formula: max difference {(y - byHand).abs().max().item<float>():E1}");

// %% [markdown]
// ## Training mode and evaluation mode
//
// At test time there may be one image, not a batch, and a prediction must not depend on the other images of the
// batch. So during training BN also keeps **running averages** of μ and σ² (momentum 0.1: each batch moves them 10 %
// of the way), and in evaluation mode (`model.eval()`) it uses those instead of the batch's.

// %%
Console.WriteLine($"running mean after one training batch: {string.Join(", ", bn.running_mean!.data<float>().ToArray().Select(v => v.ToString("F3")))}  (0.9 * 0 + 0.1 * batch mean)");
bn.eval();
var yEval = bn.call(x);
Console.WriteLine($"eval-mode output on the same batch: mean {yEval.mean().item<float>():F2} (not 0: the running statistics have seen only one batch)");
bn.train();
for (int i = 0; i < 50; i++) bn.call(randn(new long[] { 4, 2, 3, 3 }) * 5 + 10);
bn.eval();
Console.WriteLine($"after 50 more batches from the same distribution: running mean {string.Join(", ", bn.running_mean!.data<float>().ToArray().Select(v => v.ToString("F2")))}, eval output mean {bn.call(x).mean().item<float>():F2}");

// %% [markdown]
// Forgetting `model.eval()` before evaluating is a classic bug: predictions then change with the batch they are in.
// DepthKit's `Predictor` and `Evaluation` switch to evaluation mode themselves.
//
// ## Activations with and without BN
//
// `ConvStack` is a deep stack of 3x3 conv layers (+ ReLU), built twice with the same weights' initialisation: without BN,
// and with a BN after each convolution. `LayerStatistics.Activations` runs one batch of SynthRooms images through each
// and records the spread (standard deviation) of what every layer hands to the next.

// %%
// small images keep the two trainings below short: the effect does not need detail
var data = LessonData.SynthRooms(profile.Pick(48, 32), profile.Pick(64, 32), trainCount: profile.Pick(192, 16), valCount: profile.Pick(32, 8), testCount: 1);
// RGB in [0, 1] (Normalization.Unit), as the Trainer feeds models
var loader = new DataLoader(data.Train, new DataLoaderOptions { BatchSize = 8, Shuffle = false, Workers = 0, Normalization = DepthKit.Data.Normalization.Unit });
var batch = loader.Epoch(0).First();
int depth = profile.Pick(20, 12);
manual_seed(1);
var plain = new ConvStack(depth, channels: 16);
manual_seed(1);
var withBn = new ConvStack(depth, channels: 16, batchNorm: true);
var plainStats = LayerStatistics.Activations(plain, batch.Rgb);
var bnStats = LayerStatistics.Activations(withBn, batch.Rgb);
Show(LiveChart.Lines(
    [("without BN", plainStats.Select(a => (double)a.Index).ToList(), plainStats.Select(a => a.Std).ToList()),
     ("with BN", bnStats.Select(a => (double)a.Index).ToList(), bnStats.Select(a => a.Std).ToList())],
    $"Activation spread per layer, {depth}-layer stack", "layer", "std of the activations", logY: true));

// %% [markdown]
// Without BN the signal's scale drifts layer after layer (here it shrinks; with other initialisations it explodes), so
// the deep layers see ever smaller inputs and the gradients shrink with them. With BN every layer starts from a
// normalised input: the spread stays at the value of a ReLU of a unit normal, about 0.58.

// %%
Show(LayerStatistics.ToDataFrame(plainStats, "without BN"));

// %% [markdown]
// ## Training with and without BN
//
// The same stack, same data, same seed and learning rate, trained for the same number of steps; only the BN layers differ.

// %%
int layers = profile.Pick(8, 4);
var options = new TrainOptions
{
    Epochs = profile.Pick(3, 1), BatchSize = profile.BatchSize, LearningRate = 1e-3, Optimizer = "adam", Loss = "l1", Seed = 42,
};
var live = new LiveTraining($"Train Loss: {layers}-layer ConvStack with and without BN");
foreach (bool useBn in new[] { false, true })
{
    Trainer.Seed(options.Seed);
    var model = new ConvStack(layers, channels: 16, batchNorm: useBn);
    var identity = new ModelIdentity("conv-stack", model.Description, "{}");
    var trainer = new Trainer(model, identity, data.Train, data.Val, options, DepthKitNotebook.Device) { Progress = live.For(useBn ? "with BN" : "without BN") };
    trainer.Fit();
}
live.Dispose();

// %% [markdown]
// With BN the loss usually falls faster and more steadily for the same learning rate: each layer's input keeps a stable
// scale while the layers below it change. The CNN and CNN+Res models of the slides use BN after their convolutions.
