// %% [markdown]
// # 04 · The four models: CNN+FC, CNN, CNN+trans, CNN+Res
//
// The slides compare four networks that all map an RGB image to a depth map. This notebook builds each one, prints its
// summary (the slides show PyTorch's `torchsummary` table) and checks the CNN+Res parameter totals of the slide.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using DepthKit;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;
Console.WriteLine(profile);

// %% [markdown]
// ## The registry
//
// Every architecture has a name (used by the CLI: `depthkit train --model cnn-res`) and the slides' display name.

// %%
Show(new DataFrame(
    new StringDataFrameColumn("name", Architectures.All.Select(a => a.Name)),
    new StringDataFrameColumn("slides", Architectures.All.Select(a => a.DisplayName)),
    new StringDataFrameColumn("encoders", Architectures.All.Select(a => string.Join(", ", a.Encoders))),
    new StringDataFrameColumn("CPU-sized", Architectures.All.Select(a => a.CpuSized ? "yes" : "no")),
    new StringDataFrameColumn("what it is", Architectures.All.Select(a => a.Description))));

// %% [markdown]
// - **CNN+FC**: a convolutional trunk, then fully connected layers (with **Dropout**) that predict a coarse depth map
//   from the whole image at once (Eigen et al. 2014's coarse network).
// - **CNN**: a plain encoder-decoder: convolutions + Batch Normalization + ReLU going down, up-sampling + convolutions going up.
// - **CNN+trans**: the same encoder, with *transposed* convolutions (learned up-sampling) in the decoder.
// - **CNN+Res**: a ResNet encoder (Identity and Convolutional Blocks, notebook 03) and an up-projection decoder.
//
// ## The four models at the lesson's input size
//
// The same configs `depthkit reproduce` trains (input size and widths from the profile):

// %%
var names = profile.Reproduce.Models;
var summaries = names.Select(name =>
{
    var config = Reproduction.ConfigFor(profile.Reproduce, name);
    using var model = Architectures.Create(config);
    return (Name: Architectures.Get(name).DisplayName, Summary: ModelSummary.Create(model, [1, 3, profile.Height, profile.Width]));
}).ToList();

Show(new DataFrame(
    new StringDataFrameColumn("model", summaries.Select(s => s.Name)),
    new StringDataFrameColumn("input", summaries.Select(s => "[" + string.Join(", ", s.Summary.InputShape) + "]")),
    new StringDataFrameColumn("output", summaries.Select(s => "[" + string.Join(", ", s.Summary.OutputShape) + "]")),
    new Int64DataFrameColumn("params", summaries.Select(s => s.Summary.TotalParameters)),
    new Int64DataFrameColumn("trainable", summaries.Select(s => s.Summary.TrainableParameters)),
    new Int32DataFrameColumn("layers", summaries.Select(s => s.Summary.Rows.Count)),
    new DoubleDataFrameColumn("fwd/bwd MB", summaries.Select(s => Math.Round(s.Summary.ForwardBackwardSizeMB, 2)))));

// %% [markdown]
// The full summary of one model, layer by layer, like the slide's `torchsummary` printout:

// %%
Show(summaries.First(s => s.Name == "CNN").Summary.ToDataFrame());

// %% [markdown]
// ## CNN+Res as on the slide
//
// The slide's model is bigger than the CPU-sized CNN+Res above: a **frozen, pretrained ResNet-50** trunk (8x10 features
// for a 256x320 image), a 1x1 convolution 2048→1024 with BN, three up blocks (1024→512→256→128) and a final 3x3
// convolution. DepthKit builds it exactly (`cnn-res-slides`). The slide's "Input size (MB): 0.79" is a 228x304 input;
// its summary tail and totals:

// %%
var slides = Architectures.Create("cnn-res-slides");
var slideSummary = ModelSummary.Create(slides, [1, 3, 228, 304]);
var text = slideSummary.ToText().Split('\n');
Console.WriteLine(string.Join('\n', text.Take(3)));
Console.WriteLine("...");
Console.WriteLine(string.Join('\n', text.Skip(text.Length - 34)));

// %%
Show(new DataFrame(
    new StringDataFrameColumn("", ["Total params", "Trainable params", "Non-trainable params"]),
    new Int64DataFrameColumn("slide", [52_964_289, 29_456_257, 23_508_032]),
    new Int64DataFrameColumn("DepthKit", [slideSummary.TotalParameters, slideSummary.TrainableParameters, slideSummary.FrozenParameters])));

// %% [markdown]
// The 23,508,032 non-trainable parameters are exactly the ResNet-50 trunk (notebook 03): the slides trained only the
// decoder on top of a frozen ImageNet encoder.
//
// ## Dropout (CNN+FC)
//
// Dropout zeroes a random half of the fully connected activations at every training step, so no unit can rely on
// another one being there (less over-fitting). It is active only in training mode: in evaluation mode the network is
// deterministic. The same input twice through CNN+FC:

// %%
var cnnFc = Architectures.Create(Reproduction.ConfigFor(profile.Reproduce, "cnn-fc"));
var image = rand(new long[] { 1, 3, profile.Height, profile.Width });
using (no_grad())
{
    cnnFc.train();
    var a = cnnFc.call(image); var b = cnnFc.call(image);
    Console.WriteLine($"train mode: outputs differ by up to {(a - b).abs().max().item<float>():E2}");
    cnnFc.eval();
    a = cnnFc.call(image); b = cnnFc.call(image);
    Console.WriteLine($"eval mode:  outputs differ by up to {(a - b).abs().max().item<float>():E2}");
}

// %% [markdown]
// Next: `05-training` trains one of them with a live Train Loss chart.
