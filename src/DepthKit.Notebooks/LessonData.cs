using DepthKit.Data;
using DepthKit.Notebooks.Display;
using DepthKit.Training;

namespace DepthKit.Notebooks;

/// <summary>The data the lessons train on: SynthRooms at the profile's size, rendered once (with a progress bar).</summary>
public static class LessonData
{
    /// <summary>Train, validation and test splits of SynthRooms (as <c>depthkit train</c> opens "synth"), prerendered.</summary>
    public static ExperimentData SynthRooms(int height, int width, int trainCount, int valCount, int testCount, int seed = 42, IDisplaySink? sink = null)
    {
        var splits = Data.SynthRooms.Open(new SynthRoomsOptions
        {
            Seed = seed, Height = height, Width = width, TrainCount = trainCount, ValCount = valCount, TestCount = testCount, Cache = true,
        });
        int total = trainCount + valCount + testCount, done = 0;
        using (var bar = new LiveProgress($"rendering SynthRooms {height}x{width}", total, sink))
        {
            var progress = new SyncProgress<int>(_ => { lock (bar) bar.Report(Interlocked.Increment(ref done)); });
            foreach (var split in new[] { splits.Train, splits.Val, splits.Test }) split.Prerender(progress);
        }
        return new ExperimentData(splits.Train, splits.Val, splits.Test,
            $"SynthRooms {height}x{width}, seed {seed}: {trainCount} train, {valCount} val, {testCount} test images");
    }

    /// <summary>The profile's single-model data (05, 02).</summary>
    public static ExperimentData For(NotebookProfile profile, IDisplaySink? sink = null) =>
        SynthRooms(profile.Height, profile.Width, profile.TrainCount, profile.ValCount, profile.TestCount, profile.Seed, sink);

    /// <summary>The data of the profile's reproduce run (06, 07): the same splits <c>depthkit reproduce</c> trains on.</summary>
    public static ExperimentData ForReproduce(NotebookProfile profile, IDisplaySink? sink = null)
    {
        var p = profile.Reproduce;
        return SynthRooms(p.Height, p.Width, p.TrainCount, p.ValCount, p.TestCount, p.Seed, sink);
    }
}
