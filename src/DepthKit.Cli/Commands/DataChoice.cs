using DepthKit.Data;
using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Cli.Commands;

/// <summary>The <c>--data</c> option of the training commands, opened through <see cref="Experiment"/>.</summary>
static class DataChoice
{
    public static bool IsSynth(string data) => new DataSpec { Source = data }.IsSynth;

    /// <summary>Train, validation and test splits; counts cap (or, for synth, set) the split sizes.</summary>
    public static ExperimentData Open(string data, int height, int width, int trainCount, int valCount, int testCount, int seed,
                                      Action<string>? log = null) =>
        Experiment.Open(Spec(data, height, width, trainCount, valCount, testCount, seed), log);

    /// <summary>
    /// One split alone (eval), opened directly: a test-only source such as nyu_test.zip works, and no train split is
    /// read to get it. A set without splits (a synth folder's index.csv) gives the same held-out part as training.
    /// </summary>
    public static IDepthDataset OpenTest(string data, int height, int width, int count, int seed, DatasetSplit split = DatasetSplit.Test)
    {
        if (IsSynth(data))
            return split == DatasetSplit.Train
                ? Open(data, height, width, count > 0 ? count : 200, 1, 1, seed).Train
                : Experiment.OpenTest(Spec(data, height, width, 0, 0, count, seed));
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

    static DataSpec Spec(string data, int height, int width, int trainCount, int valCount, int testCount, int seed) =>
        DataSpec.Synth(height, width, trainCount, valCount, testCount, seed) with { Source = data };
}
