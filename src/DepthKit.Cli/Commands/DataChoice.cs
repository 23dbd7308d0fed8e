using DepthKit.Data;
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

    /// <summary>The test split alone (eval).</summary>
    public static IDepthDataset OpenTest(string data, int height, int width, int count, int seed) =>
        Experiment.OpenTest(Spec(data, height, width, 0, 0, count, seed));

    static DataSpec Spec(string data, int height, int width, int trainCount, int valCount, int testCount, int seed) =>
        DataSpec.Synth(height, width, trainCount, valCount, testCount, seed) with { Source = data };
}
