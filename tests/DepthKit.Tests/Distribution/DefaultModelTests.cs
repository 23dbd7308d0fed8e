using System.Security.Cryptography;
using DepthKit.Cli;
using DepthKit.Cli.Commands;
using DepthKit.Data;
using DepthKit.Experiments;
using DepthKit.Metrics;
using DepthKit.Training;

namespace DepthKit.Tests.Distribution;

/// <summary>The bundled <c>default</c> model (models/default): the exact file, that it loads, and that it predicts depth.</summary>
// loading builds the network, whose initialisation draws from torch's global generator: not beside tests that seed it
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class DefaultModelTests
{
    /// <summary>SHA-256 of the float16 weights shipped in models/default; a retrained model changes it here and in models/README.md.</summary>
    const string WeightsSha256 = "ad9eda46c394b65cbe4822ad5d53bd9f65b9cf3b3862390a5b2777b3de8ae19a";

    static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DepthKit.slnx"))) return Path.Combine(dir.FullName, "models", BundledModels.Default);
        throw new DirectoryNotFoundException("no DepthKit.slnx above the test binaries");
    }

    [Fact]
    public void TheShippedWeightsAreTheOnesTheModelCardDescribes()
    {
        var weights = Directory.GetFiles(Folder(), "*.safetensors").Single();
        using var stream = File.OpenRead(weights);
        Assert.Equal(WeightsSha256, Convert.ToHexStringLower(SHA256.HashData(stream)));
        long total = Directory.GetFiles(Folder()).Sum(f => new FileInfo(f).Length);
        Assert.True(total <= 50L * 1024 * 1024, $"models/default is {total / 1e6:F1} MB, over 50 MB");
        Assert.Contains(WeightsSha256, File.ReadAllText(Path.Combine(Folder(), "..", "README.md")));
    }

    [Fact]
    public void ItWasTrainedWithTheDefaultRecipe()
    {
        var info = Checkpoint.ReadInfo(Path.Combine(Folder(), "model.ckpt"));
        var args = CliArgs.Parse("train", new TrainCommand().Options, ["--recipe", "default"]).WithPreset(TrainingRecipes.Default.Arguments);
        var recipe = TrainCommand.OptionsFrom(args, "synth");
        Assert.Equal(recipe, info.Options with { DataSource = null });
        // the bundle holds the best epoch by validation loss, with the history up to it
        Assert.InRange(info.Epoch, 1, recipe.Epochs);
        Assert.Equal(info.Epoch, info.History.Epochs.Count);
    }

    [Fact]
    public void ItLoadsAndPredictsAFixedSynthRoomsViewAsItDidWhenShipped()
    {
        var (model, info) = ModelFactory.LoadForInference(Folder());
        Assert.Equal("cnn-res", info.Model.Architecture);
        var view = new SynthRoomsDataset(new SynthRoomsOptions { Seed = 42, Height = 144, Width = 192 }, SynthSplit.Test, 1).Get(0);
        var depth = Predictor.Predict(model, view, 144, 192, 144, 192);
        double mean = depth.Average(d => (double)d);
        // measured when the model was shipped; float16 weights and oneDNN kernels differ across CPUs by far less than 0.5%
        Assert.InRange(mean, ExpectedMean * 0.995, ExpectedMean * 1.005);
        // the shape is learnt: median-scaled, it beats a constant told the view's true median
        var scaled = new EvalOptions { Crop = CropKind.None, MedianScaling = true };
        var accumulator = new MetricAccumulator(scaled);
        accumulator.Add(depth, 144, 192, view.Depth, view.Height, view.Width);
        double learnt = accumulator.Result().D1;
        double constant = Reproduction.ConstantBaseline(new SingleView(view), 1.0, scaled).D1;
        Assert.True(learnt > constant + 0.05, $"median-scaled δ<1.25 on the fixed view {learnt:F3}, the median constant's {constant:F3}");
    }

    const double ExpectedMean = 3.1787;

    sealed class SingleView(DepthSample view) : IDepthDataset
    {
        public string Name => "view";
        public int Count => 1;
        public DepthSample Get(int index) => view;
    }
}
