// %% [markdown]
// # 05 · Training: a live Train Loss chart, checkpoints, resume
//
// One model, trained the way `depthkit train` does it: the `Trainer` runs the epochs, reports progress after every step
// (here to a chart that grows while the cell runs), validates after each epoch and writes a checkpoint.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using System.IO;
using DepthKit;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;
using TorchSharp;
using static TorchSharp.torch;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;
Console.WriteLine(profile);

// %% [markdown]
// ## Data
//
// SynthRooms at the lesson's size, rendered once into memory (notebook 01 shows what it looks like).

// %%
var data = LessonData.For(profile);
Show(data.Description);

// %% [markdown]
// ## Model and options
//
// The CNN of the slides, configured as `depthkit reproduce` does. The options are the `TrainOptions` record: epochs,
// batch size, optimiser (AdamW), learning-rate schedule (one-cycle), loss (masked L1: pixels without depth do not count).

// %%
var config = Reproduction.ConfigFor(profile.Reproduce, "cnn");
var identity = ModelFactory.Identity(config);
var options = profile.Reproduce.TrainOptions(freezeEncoder: false) with { Epochs = profile.Epochs };
Trainer.Seed(options.Seed);                       // same seed, same weights, same curve
var model = Architectures.Create(config);
Console.WriteLine($"{identity.DisplayName}: {Architectures.CountParameters(model).Total:N0} parameters");
Show(options);

// %% [markdown]
// ## Train with a live chart
//
// `LiveTraining` receives the trainer's progress reports: the training loss after every step and the validation loss
// after every epoch. The chart above the progress line is redrawn in place while the cell runs.
// The run folder gets `last.ckpt` (to resume), `best.ckpt` (best validation loss), `history.csv` and `steps.csv`.

// %%
var runDir = profile.RunFolder("05-training");
if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);

var live = new LiveTraining($"Train Loss: {identity.DisplayName}");
var trainer = new Trainer(model, identity, data.Train, data.Val, options, DepthKitNotebook.Device, runDir) { Progress = live.For("") };
trainer.Fit();
live.Dispose();

// %% [markdown]
// The history, one row per epoch (validation metrics are explained in notebook 07):

// %%
Show(trainer.History.ToDataFrame(identity.DisplayName));

// %% [markdown]
// ## Checkpoints
//
// A checkpoint holds the weights, the optimiser state, the step, the random-number state and the history, so a run
// can continue exactly where it stopped. Files are written atomically (`.tmp`, then renamed): an interrupted save never
// leaves a broken checkpoint.

// %%
foreach (var file in Directory.GetFiles(runDir).Order())
    Console.WriteLine($"{Path.GetFileName(file),-12} {new FileInfo(file).Length / 1024.0,8:F1} KiB");
var info = Checkpoint.ReadInfo(Path.Combine(runDir, Checkpoint.LastFile));
Console.WriteLine($"last.ckpt: {info.Model.DisplayName}, epoch {info.Epoch}, step {info.Step}, best val loss {info.BestValue:F4} at epoch {info.BestEpoch}");

// %% [markdown]
// ## Resume
//
// `Trainer.Resume` rebuilds the model from the checkpoint's identity, restores everything and trains the remaining
// epochs. Here we ask for one more epoch than the run had: it continues from the saved step, and the history grows.

// %%
var resumeLive = new LiveTraining($"Train Loss: {identity.DisplayName}, resumed");
var resumed = Trainer.Resume(runDir, ModelFactory.Build, data.Train, data.Val, DepthKitNotebook.Device, epochs: options.Epochs + 1);
Console.WriteLine($"resumed at epoch {resumed.Epoch}, step {resumed.Step}");
resumed.Progress = resumeLive.For("");
resumed.Fit();
resumeLive.Dispose();
Console.WriteLine($"now at epoch {resumed.Epoch}, step {resumed.Step}; the history has {resumed.History.Epochs.Count} epochs and {resumed.History.StepLoss.Count} step losses");

// %% [markdown]
// ## What it predicts
//
// The best checkpoint on a validation image, next to the ground truth (same colour range: near = dark).
// After a few epochs on a CPU the prediction is blurry but already knows that the floor at the bottom is near and the
// far wall is far.

// %%
var (best, _) = ModelFactory.LoadForInference(runDir, DepthKitNotebook.Device);
var sample = data.Val.Get(0);
var predicted = Predictor.Predict(best, sample, profile.Height, profile.Width, sample.Height, sample.Width, DepthKitNotebook.Device);
var (near, far) = DepthKit.Visualization.Montage.Range(sample.Depth);
Show(PictureRow.Of(
    Picture.Rgb(sample.Height, sample.Width, sample.Rgb, "RGB"),
    Picture.Depth(sample.Height, sample.Width, sample.Depth, "ground truth", (float)near, (float)far),
    Picture.Depth(sample.Height, sample.Width, predicted, identity.DisplayName, (float)near, (float)far)));
