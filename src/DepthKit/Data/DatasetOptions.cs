namespace DepthKit.Data;

/// <summary>Which part of a dataset to read. DenseDepth CSVs and the labeled .mat have train and test; All = every frame.</summary>
public enum DatasetSplit { Train, Test, All }

/// <summary>Every knob of the dataset sources in one place.</summary>
public sealed record DatasetOptions
{
    /// <summary>
    /// Overrides the depth PNG scale: metres = value / DepthUnitsPerMetre (TUM RGB-D: 5000; NYU 16-bit: 1000;
    /// DenseDepth 8-bit train: 25.5). Null = decide from the PNG bit depth (8-bit: v/255*10 m, 16-bit: v/1000 m).
    /// </summary>
    public double? DepthUnitsPerMetre { get; init; }

    /// <summary>Skip bad samples (count them in <see cref="BadSamples"/>) instead of failing on the first one.</summary>
    public bool SkipBadSamples { get; init; }

    /// <summary>
    /// NaN or infinite depth in a float source (.mat, .npy) is an error by default (a broken conversion);
    /// true treats it as an invalid pixel instead. Negative depth is always an error.
    /// </summary>
    public bool NonFiniteDepthIsInvalid { get; init; }

    /// <summary>splits.mat for the labeled .mat (default: splits.mat beside it, else the built-in Eigen split).</summary>
    public string? SplitsPath { get; init; }

    /// <summary>Folder of pairs: glob patterns relative to the folder, e.g. "rgb/*.png" and "depth/*.png".</summary>
    public string? RgbGlob { get; init; }
    public string? DepthGlob { get; init; }

    /// <summary>Where compressed zip entries that need random access (.npy) are extracted; default: system temp.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Receives every skipped sample; shared with the DataLoader so one count covers both.</summary>
    public BadSampleLog BadSamples { get; init; } = new();
}

/// <summary>Counts skipped samples and keeps the first reasons, so skipping is never silent.</summary>
public sealed class BadSampleLog
{
    readonly List<string> _first = [];
    int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The first reasons (at most 20), "path: reason".</summary>
    public IReadOnlyList<string> Examples { get { lock (_first) return [.. _first]; } }

    public void Record(DepthKitDataException e)
    {
        Interlocked.Increment(ref _count);
        lock (_first) if (_first.Count < 20) _first.Add(e.Message);
    }

    /// <summary>One line for the end of a run: "3 bad samples skipped (first: ...)" or "no bad samples".</summary>
    public string Summary() => Count == 0 ? "no bad samples" : $"{Count} bad sample(s) skipped (first: {Examples[0]})";
}
