using System.Collections.Concurrent;

namespace DepthKit.Data;

/// <summary>
/// One split of SynthRooms as an <see cref="IDepthDataset"/>. Get(i) renders on demand and is thread-safe (rendering
/// is a pure function of (seed, split, i)); with <see cref="SynthRoomsOptions.Cache"/> or after
/// <see cref="Prerender"/> each sample is rendered once and kept.
/// </summary>
public sealed class SynthRoomsDataset : IDepthDataset
{
    readonly SynthRoomsOptions _options;
    readonly ConcurrentDictionary<int, DepthSample> _cache = new();
    bool _caching;

    public SynthRoomsDataset(SynthRoomsOptions options, SynthSplit split, int count)
    {
        if (count < 0) throw new ArgumentException($"SynthRooms {split} count must not be negative, got {count}");
        _options = options; Split = split; Count = count; _caching = options.Cache;
    }

    public SynthSplit Split { get; }
    public string Name => $"SynthRooms/{Split.ToString().ToLowerInvariant()}";
    public int Count { get; }
    public SynthRoomsOptions Options => _options;

    /// <summary>The global scene index of sample <paramref name="index"/> (disjoint between splits).</summary>
    public long SceneIndex(int index) => SynthRooms.SceneIndex(Split, index);

    public DepthSample Get(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Name} has {Count} samples; index {index} is out of range");
        if (_cache.TryGetValue(index, out var cached)) return Copy(cached);
        var sample = Render(index);
        if (_caching) _cache.TryAdd(index, sample);
        return _caching ? Copy(sample) : sample;
    }

    DepthSample Render(int index) =>
        SynthRooms.Render(_options.Seed, SceneIndex(index), _options.Height, _options.Width, _options.SensorNoise, _options.CameraEffects);

    // callers may change the arrays they get (in-place transforms); the cache keeps its own
    static DepthSample Copy(DepthSample s) => s with { Rgb = (byte[])s.Rgb.Clone(), Depth = (float[])s.Depth.Clone() };

    /// <summary>Renders every sample on all cores and keeps them (so training never waits on the renderer).
    /// Returns the wall-clock time it took.</summary>
    public TimeSpan Prerender(IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        _caching = true;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        Parallel.For(0, Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i =>
        {
            if (!_cache.ContainsKey(i)) _cache.TryAdd(i, Render(i));
            progress?.Report(Interlocked.Increment(ref done));
        });
        return clock.Elapsed;
    }

    /// <summary>All samples, rendered in parallel on all cores, in index order.</summary>
    public DepthSample[] RenderAll(CancellationToken cancel = default)
    {
        var all = new DepthSample[Count];
        Parallel.For(0, Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i => all[i] = Get(i));
        return all;
    }
}
