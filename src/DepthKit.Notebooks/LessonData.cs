using DepthKit.Notebooks.Display;
using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Notebooks;

/// <summary>Opens a notebook's data through <see cref="Experiment.Open"/>, with a progress bar while SynthRooms renders.</summary>
public static class LessonData
{
    /// <summary>Any data the kit reads: SynthRooms or a path (NYU Depth V2 zip, .mat, .npy, folders), with its splits.</summary>
    public static ExperimentData Open(DataSpec spec, IDisplaySink? sink = null)
    {
        if (!spec.IsSynth) return Experiment.Open(spec);
        int total = spec.TrainCount + Math.Max(1, spec.ValCount) + Math.Max(1, spec.TestCount), done = 0;
        using var bar = new LiveProgress($"rendering SynthRooms {spec.Height}x{spec.Width}", total, sink);
        return Experiment.Open(spec, rendered: new SyncProgress<int>(_ => { lock (bar) bar.Report(Interlocked.Increment(ref done)); }));
    }

    /// <summary>Train, validation and test splits of SynthRooms (as <c>depthkit train</c> opens "synth"), prerendered.</summary>
    public static ExperimentData SynthRooms(int height, int width, int trainCount, int valCount, int testCount, int seed = 42, IDisplaySink? sink = null) =>
        Open(DataSpec.Synth(height, width, trainCount, valCount, testCount, seed), sink);

    /// <summary>The profile's single-model data (05, 02).</summary>
    public static ExperimentData For(NotebookProfile profile, IDisplaySink? sink = null) => Open(profile.Data, sink);

    /// <summary>The data of the profile's reproduce run (06, 07): the same splits <c>depthkit reproduce</c> trains on.</summary>
    public static ExperimentData ForReproduce(NotebookProfile profile, IDisplaySink? sink = null) => Open(profile.ReproduceData, sink);
}
