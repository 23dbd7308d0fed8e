using DepthKit.Cli;
using DepthKit.Cli.Commands;
using DepthKit.Data;
using DepthKit.Experiments;
using DepthKit.Tests.Foundation;
using DepthKit.Training;
using static TorchSharp.torch;
using DataLoader = DepthKit.Data.DataLoader;

namespace DepthKit.Tests.Training;

/// <summary><c>train --recipe</c> and the colour augmentation the default recipe turns on.</summary>
public class TrainingRecipeTests
{
    static TrainOptions Options(params string[] tokens)
    {
        var args = CliArgs.Parse("train", new TrainCommand().Options, tokens);
        if (args.GetOrNull("recipe") is { } name) args = args.WithPreset(TrainingRecipes.Get(name).Arguments);
        return TrainCommand.OptionsFrom(args, "synth");
    }

    [Fact]
    public void TheDefaultRecipeSetsEveryOptionItNamesAndTypedOptionsWin()
    {
        var o = Options("--recipe", "default", "--out", "run");
        Assert.Equal((144, 192), (o.Height, o.Width));
        Assert.Equal((16, 16, 42), (o.Epochs, o.BatchSize, o.Seed));
        Assert.Equal(4e-3, o.LearningRate);
        Assert.Equal(1e-4, o.WeightDecay);
        Assert.Equal(0.3, o.EncoderLearningRateScale);
        Assert.Equal(("adamw", "onecycle", "silog-grad"), (o.Optimizer, o.Schedule, o.Loss));
        Assert.True(o.ColorAugmentation);
        Assert.True(o.FlipAugmentation);
        // the same options as typing the recipe's command line out
        var typed = TrainingRecipes.Default.Arguments.SelectMany(kv => kv.Value == "true" ? [$"--{kv.Key}"] : new[] { $"--{kv.Key}", kv.Value });
        Assert.Equal(o, Options([.. typed, "--out", "run"]));
        var overridden = Options("--recipe", "default", "--out", "run", "--epochs", "2", "--lr", "1e-3");
        Assert.Equal((2, 1e-3), (overridden.Epochs, overridden.LearningRate));
        Assert.Equal(o with { Epochs = 2, LearningRate = 1e-3 }, overridden);
    }

    [Fact]
    public void EveryRecipeNamesOnlyOptionsOfTrainWithValuesInRange()
    {
        foreach (var recipe in TrainingRecipes.All)
        {
            var o = Options("--recipe", recipe.Name, "--out", "run");
            Assert.True(o.Epochs >= 1, recipe.Name);
            Assert.Contains($"--recipe {recipe.Name}", recipe.CommandLine("runs/x"));
        }
    }

    [Fact]
    public void AnUnknownRecipeOrARecipeWithResumeFailsWithOneLine()
    {
        var (code, _, error) = CliRunner.Run("train", "--recipe", "nope", "--out", Path.Combine(Path.GetTempPath(), "dk-recipe-none"));
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--recipe", error);
        Assert.Contains("default", error);
        (code, _, error) = CliRunner.Run("train", "--recipe", "default", "--resume", Path.Combine(Path.GetTempPath(), "dk-recipe-none"));
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--resume", error);
    }

    [Fact]
    public void ColourAugmentationChangesOnlyTheRgbAndIsFixedBySeed()
    {
        using var scope = NewDisposeScope();
        var random = new Random(5);
        var samples = Enumerable.Range(0, 8).Select(i =>
        {
            var rgb = new byte[6 * 8 * 3];
            random.NextBytes(rgb);
            return new DepthSample(6, 8, rgb, [.. Enumerable.Range(0, 48).Select(p => 1f + p % 7)], $"s{i}");
        }).ToList();
        var data = new Samples(samples);
        // the whole set in one batch, put back in dataset order (the loader shuffles by seed)
        (Tensor Rgb, Tensor Depth) All(bool colour, int seed)
        {
            var batch = new DataLoader(data, Trainer.LoaderOptions(data,
                new TrainOptions { Height = 6, Width = 8, BatchSize = 8, FlipAugmentation = false, ColorAugmentation = colour, Seed = seed })).Epoch(0).Single();
            var order = tensor(batch.Indices.Select(i => (long)i).ToArray()).argsort();
            return (batch.Rgb.index_select(0, order), batch.Depth.index_select(0, order));
        }
        var plain = All(false, 1);
        var coloured = All(true, 1);
        Assert.True(plain.Depth.eq(coloured.Depth).all().item<bool>(), "colour augmentation moved the depth");
        Assert.False(plain.Rgb.eq(coloured.Rgb).all().item<bool>(), "colour augmentation left every image as it was");
        Assert.True(coloured.Rgb.eq(All(true, 1).Rgb).all().item<bool>(), "the same seed gave other colours");
        Assert.False(coloured.Rgb.eq(All(true, 2).Rgb).all().item<bool>(), "another seed gave the same colours");
    }

    sealed class Samples(IReadOnlyList<DepthSample> samples) : IDepthDataset
    {
        public string Name => "samples";
        public int Count => samples.Count;
        public DepthSample Get(int index) => samples[index];
    }
}
