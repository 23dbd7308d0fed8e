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
        var (trainPart, val) = DatasetView.SplitValidation(train, valCount > 0 ? valCount : Math.Max(1, train.Count / 20));
        return new ExperimentData(DatasetView.Take(trainPart, trainCount), val, DatasetView.Take(test, testCount),
            $"{train.Format} at {data}: {Math.Min(trainPart.Count, trainCount > 0 ? trainCount : int.MaxValue)} train, {val.Count} val, {Math.Min(test.Count, testCount > 0 ? testCount : int.MaxValue)} test images");
    }

    /// <summary>The test split alone (eval).</summary>
    public static IDepthDataset OpenTest(string data, int height, int width, int count, int seed)
    {
        if (IsSynth(data)) return Synth(height, width, 1, 1, count > 0 ? count : 200, seed, null).Test;
        return DatasetView.Take(Datasets.Open(data, DatasetSplit.Test), count);
    }

    static ExperimentData Synth(int height, int width, int trainCount, int valCount, int testCount, int seed, Action<string>? log) =>
        throw new NotSupportedException("SynthRooms is not merged into this build yet: pass --data PATH");
}
