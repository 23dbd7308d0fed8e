using DepthKit.Data;
using DepthKit.Training;

namespace DepthKit.Cli.Commands;

/// <summary>Opens the data a training command names: "synth" (SynthRooms rendered on the fly) or a path (Datasets.Open).</summary>
static class DataChoice
{
    public static bool IsSynth(string data) => string.Equals(data, "synth", StringComparison.OrdinalIgnoreCase);

    /// <summary>Train, validation and test splits; counts cap (or, for synth, set) the split sizes.</summary>
    public static ExperimentData Open(string data, int height, int width, int trainCount, int valCount, int testCount, int seed, Action<string>? log = null)
    {
        if (IsSynth(data)) return Synth(height, width, trainCount, valCount, testCount, seed, log);
        var train = Datasets.Open(data, DatasetSplit.Train);
        var test = Datasets.Open(data, DatasetSplit.Test);
        if (train.Name == test.Name)
        {
            // one set without splits (a synth folder's index.csv): hold out the last 10% for test, 5% before them for validation
            int testPart = Math.Max(1, train.Count / 10), valPart = Math.Max(1, train.Count / 20);
            int trainPart0 = train.Count - testPart - valPart;
            if (trainPart0 < 1) throw new DepthKitDataException(data, $"only {train.Count} images: too few to split into train, validation and test");
            var all = Enumerable.Range(0, train.Count).ToArray();
            var tr = DatasetView.Take(new DatasetView(train, all[..trainPart0], train.Name + " (train part)"), trainCount);
            var va = new DatasetView(train, all[trainPart0..(trainPart0 + valPart)], train.Name + " (validation part)");
            var te = DatasetView.Take(new DatasetView(train, all[(trainPart0 + valPart)..], train.Name + " (test part)"), testCount);
            return new ExperimentData(tr, va, te, $"{train.Format} at {data} (split by index): {tr.Count} train, {va.Count} val, {te.Count} test images");
        }
        var (trainPart, val) = DatasetView.SplitValidation(train, valCount > 0 ? valCount : Math.Max(1, train.Count / 20));
        return new ExperimentData(DatasetView.Take(trainPart, trainCount), val, DatasetView.Take(test, testCount),
            $"{train.Format} at {data}: {Math.Min(trainPart.Count, trainCount > 0 ? trainCount : int.MaxValue)} train, {val.Count} val, {Math.Min(test.Count, testCount > 0 ? testCount : int.MaxValue)} test images");
    }

    /// <summary>
    /// One split alone (eval), opened directly: a test-only source such as nyu_test.zip works, and no train split is
    /// read to get it. A set without splits (a synth folder's index.csv) gives the same held-out part as training.
    /// </summary>
    public static IDepthDataset OpenTest(string data, int height, int width, int count, int seed, DatasetSplit split = DatasetSplit.Test)
    {
        if (IsSynth(data))
        {
            var synth = Synth(height, width, split == DatasetSplit.Train ? Math.Max(1, count > 0 ? count : 200) : 0, 1, count > 0 ? count : 200, seed, null);
            return split == DatasetSplit.Train ? synth.Train : synth.Test;
        }
        var set = Datasets.Open(data, split);
        bool unsplit = set is DenseDepthDataset d && d.CsvPath.EndsWith("index.csv", StringComparison.Ordinal);
        if (unsplit && split != DatasetSplit.All)
        {
            set.Dispose();
            var parts = Open(data, height, width, split == DatasetSplit.Train ? count : 0, 0, count, seed);
            return split == DatasetSplit.Train ? parts.Train : parts.Test;
        }
        return DatasetView.Take(set, count);
    }

    /// <summary>SynthRooms at the input size, rendered once on all cores and kept in memory.</summary>
    static ExperimentData Synth(int height, int width, int trainCount, int valCount, int testCount, int seed, Action<string>? log)
    {
        var splits = SynthRooms.Open(new SynthRoomsOptions
        {
            Seed = seed, Height = height, Width = width, TrainCount = trainCount, ValCount = Math.Max(1, valCount), TestCount = Math.Max(1, testCount), Cache = true,
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var split in new[] { splits.Train, splits.Val, splits.Test }) split.Prerender();
        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        log?.Invoke(FormattableString.Invariant(
            $"rendered SynthRooms {height}x{width} (seed {seed}): {trainCount} train, {splits.Val.Count} val, {splits.Test.Count} test images in {clock.Elapsed.TotalSeconds:F1} s (CPU {cpu.TotalSeconds:F0} s)"));
        return new ExperimentData(splits.Train, splits.Val, splits.Test,
            $"SynthRooms {height}x{width}, seed {seed}: {trainCount} train, {splits.Val.Count} val, {splits.Test.Count} test images");
    }
}
