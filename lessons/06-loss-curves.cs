// %% [markdown]
// # 06 · Train Loss: the four models
//
// The slides' results section is one plot: the training loss of the four models. Here the four are trained the way
// `depthkit reproduce` does it (same data, same budget, same seed for each), with every curve drawn live, then shown
// per epoch like the slide, and training next to validation loss per model.
//
// Lesson profile: `reproduce --profile quick` (SynthRooms 96x128, a few minutes on a laptop CPU).
// Smoke profile: `reproduce --profile smoke` (seconds, the curves mean nothing).

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using System.IO;
using DepthKit;
using DepthKit.Training;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;
Console.WriteLine($"{profile.Reproduce.Name}: {profile.Reproduce.Description}; expected {profile.Reproduce.ExpectedTime}");

// %%
var data = LessonData.ForReproduce(profile);
Show(data.Description);

// %% [markdown]
// ## Train the four models
//
// The chart shows every model's training loss per step and its validation loss after each epoch, as they train
// one after the other. The results (checkpoints, `history.csv`, `metrics.csv`, `report.html`, `montage.png`) go to
// `runs/notebooks/<profile>/reproduce/`; notebooks 07 and 08 reuse the trained models.

// %%
var live = new LiveTraining("Train Loss: CNN+FC, CNN, CNN+trans, CNN+Res");
var result = LessonRuns.Reproduce(profile, data, live, log: Console.WriteLine);
live.Dispose();

// %% [markdown]
// ## The slide's plot: Train Loss per epoch

// %%
Show(LiveChart.Lines(
    result.Runs.Select(r => (r.DisplayName,
                             (IReadOnlyList<double>)r.History.Epochs.Select(e => (double)e.Epoch).ToList(),
                             (IReadOnlyList<double>)r.History.Epochs.Select(e => e.TrainLoss).ToList())),
    "Train Loss (mean per epoch)", "epoch", "L1 loss (m)"));

// %% [markdown]
// ## Training vs validation loss
//
// The training loss is measured on the images the model learns from, while it changes; the validation loss on
// images it never sees, after each epoch. A validation loss that rises while the training loss falls is over-fitting.

// %%
foreach (var run in result.Runs)
{
    var epochs = run.History.Epochs.Select(e => (double)e.Epoch).ToList();
    Show(LiveChart.Lines(
        [("train", epochs, run.History.Epochs.Select(e => e.TrainLoss).ToList()),
         ("val", epochs, run.History.Epochs.Select(e => e.ValLoss).ToList())],
        $"{run.DisplayName}: train vs val", "epoch", "L1 loss (m)"));
}

// %% [markdown]
// All epochs of all models as a table (`history.csv`):

// %%
Show(TrainingHistory.ToDataFrame(result.Runs.Select(r => (r.DisplayName, r.History))));

// %% [markdown]
// ## What they predict
//
// Test images, their ground truth and each model's prediction, all in the ground truth's colour range (near = dark):

// %%
Show(Picture.FromPng(File.ReadAllBytes(Path.Combine(result.OutDir, "montage.png")), "RGB | ground truth | CNN+FC | CNN | CNN+trans | CNN+Res"));

// %% [markdown]
// Notebook 07 evaluates them: Table 1.
