using System.Diagnostics;
using DepthKit.Data;
using DepthKit.Models;
using DepthKit.Models.Pretrained;
using DepthKit.Training;

namespace DepthKit.Experiments;

/// <summary>
/// Where an experiment's images come from: <c>synth</c> (SynthRooms rendered at <see cref="Height"/> x
/// <see cref="Width"/>) or a path that <see cref="Datasets.Open"/> understands (NYU Depth V2 as DenseDepth zip or
/// folder, the labeled .mat, the Eigen test .npy files, a folder written by <c>depthkit synth</c>, a folder of pairs).
/// </summary>
public sealed record DataSpec
{
    public const string SynthSource = "synth";

    /// <summary><c>synth</c> or a path.</summary>
    public string Source { get; init; } = SynthSource;
    /// <summary>SynthRooms' render size (a dataset on disk keeps its own resolution; models resize to their input).</summary>
    public int Height { get; init; } = 96;
    public int Width { get; init; } = 128;
    /// <summary>Synth: how many images to render. A path: a cap (0 = all).</summary>
    public int TrainCount { get; init; }
    /// <summary>Synth: how many to render (at least 1). A path: held out from the training split (0 = 5 %).</summary>
    public int ValCount { get; init; }
    /// <summary>Synth: how many to render (at least 1). A path: a cap on the test split (0 = all).</summary>
    public int TestCount { get; init; }
    /// <summary>SynthRooms' scene seed.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Reader options for a path (globs of a folder of pairs, depth scale, bad-sample policy).</summary>
    public DatasetOptions? Options { get; init; }

    public bool IsSynth => string.Equals(Source, SynthSource, StringComparison.OrdinalIgnoreCase);

    public static DataSpec Synth(int height, int width, int trainCount, int valCount, int testCount, int seed = 42) =>
        new() { Height = height, Width = width, TrainCount = trainCount, ValCount = valCount, TestCount = testCount, Seed = seed };

    /// <summary>The data of a <c>reproduce</c> profile; <paramref name="source"/> replaces SynthRooms (e.g. NYU Depth V2).</summary>
    public static DataSpec For(ReproduceProfile profile, string? source = null) =>
        Synth(profile.Height, profile.Width, profile.TrainCount, profile.ValCount, profile.TestCount, profile.Seed) with { Source = source ?? SynthSource };
}

/// <summary>
/// The one way every host (CLI, notebooks, bench, <c>reproduce</c>) opens an experiment: the data by spec with its
/// splits, and the model with pretrained encoder weights and freezing. <see cref="Trainer"/> then trains it and
/// <see cref="Evaluation"/> scores it.
/// </summary>
public static class Experiment
{
    /// <summary>
    /// Train, validation and test splits. SynthRooms is rendered once on all cores and kept in memory
    /// (<paramref name="rendered"/> counts images as they finish); a path is opened with its own splits, or split
    /// by index (90 / 5 / 5 % from the end) when it has none.
    /// </summary>
    public static ExperimentData Open(DataSpec spec, Action<string>? log = null, IProgress<int>? rendered = null)
    {
        if (spec.IsSynth) return OpenSynth(spec, log, rendered);
        var options = spec.Options ?? new DatasetOptions();
        var train = Datasets.Open(spec.Source, DatasetSplit.Train, options);
        var test = Datasets.Open(spec.Source, DatasetSplit.Test, options);
        if (train.Name == test.Name)
        {
            // one set without splits (a synth folder's index.csv): hold out the last 10% for test, 5% before them for validation
            int testPart = Math.Max(1, train.Count / 10), valPart = Math.Max(1, train.Count / 20);
            int trainPart0 = train.Count - testPart - valPart;
            if (trainPart0 < 1) throw new DepthKitDataException(spec.Source, $"only {train.Count} images: too few to split into train, validation and test");
            var all = Enumerable.Range(0, train.Count).ToArray();
            var tr = DatasetView.Take(new DatasetView(train, all[..trainPart0], train.Name + " (train part)"), spec.TrainCount);
            var va = new DatasetView(train, all[trainPart0..(trainPart0 + valPart)], train.Name + " (validation part)");
            var te = DatasetView.Take(new DatasetView(train, all[(trainPart0 + valPart)..], train.Name + " (test part)"), spec.TestCount);
            return new ExperimentData(tr, va, te,
                $"{train.Format} at {spec.Source} (split by index): {tr.Count} train, {va.Count} val, {te.Count} test images");
        }
        var (trainPart, val) = DatasetView.SplitValidation(train, spec.ValCount > 0 ? spec.ValCount : Math.Max(1, train.Count / 20));
        var trainSplit = DatasetView.Take(trainPart, spec.TrainCount);
        var testSplit = DatasetView.Take(test, spec.TestCount);
        return new ExperimentData(trainSplit, val, testSplit,
            $"{train.Format} at {spec.Source}: {trainSplit.Count} train, {val.Count} val, {testSplit.Count} test images");
    }

    /// <summary>The test split alone (evaluation); SynthRooms renders 200 test images when no count is given.</summary>
    public static IDepthDataset OpenTest(DataSpec spec) =>
        spec.IsSynth
            ? OpenSynth(spec with { TrainCount = 0, ValCount = 1, TestCount = spec.TestCount > 0 ? spec.TestCount : 200 }, null, null).Test
            : Open(spec with { TrainCount = 0, ValCount = 0 }).Test;

    /// <summary>
    /// A fresh model of <paramref name="config"/> (seed torch first for reproducible weights), with encoder weights from
    /// <paramref name="pretrained"/> (<c>resnet18-imagenet</c> or a torchvision .pth/.safetensors file) and the encoder
    /// frozen when asked.
    /// </summary>
    public static DepthNet BuildModel(ModelConfig config, string? pretrained = null, bool freezeEncoder = false)
    {
        var model = Architectures.Create(config);
        if (pretrained is not null) PretrainedEncoders.Load(model, pretrained);
        if (freezeEncoder) model.FreezeEncoder();
        return model;
    }

    /// <summary>The encoder a residual model needs for these weights: the ImageNet ResNet-18 has the resnet18-cntk layout.</summary>
    public static string? EncoderFor(string? pretrained, string? encoder) =>
        encoder ?? (string.Equals(pretrained, PretrainedEncoders.ResNet18ImageNet, StringComparison.OrdinalIgnoreCase) ? "resnet18-cntk" : null);

    static ExperimentData OpenSynth(DataSpec spec, Action<string>? log, IProgress<int>? rendered)
    {
        var splits = SynthRooms.Open(new SynthRoomsOptions
        {
            Seed = spec.Seed, Height = spec.Height, Width = spec.Width, TrainCount = spec.TrainCount,
            ValCount = Math.Max(1, spec.ValCount), TestCount = Math.Max(1, spec.TestCount), Cache = true,
        });
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var split in new[] { splits.Train, splits.Val, splits.Test }) split.Prerender(rendered);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        log?.Invoke(FormattableString.Invariant(
            $"rendered SynthRooms {spec.Height}x{spec.Width} (seed {spec.Seed}): {spec.TrainCount} train, {splits.Val.Count} val, {splits.Test.Count} test images in {clock.Elapsed.TotalSeconds:F1} s (CPU {cpu.TotalSeconds:F0} s)"));
        return new ExperimentData(splits.Train, splits.Val, splits.Test,
            $"SynthRooms {spec.Height}x{spec.Width}, seed {spec.Seed}: {spec.TrainCount} train, {splits.Val.Count} val, {splits.Test.Count} test images");
    }
}
