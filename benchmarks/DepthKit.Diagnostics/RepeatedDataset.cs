using DepthKit.Data;

namespace DepthKit.Diagnostics;

/// <summary>
/// A few pre-rendered samples served as a larger dataset (index i is sample i mod n). Benchmarks use it so the
/// loader and trainer are measured without the renderer; each Get returns fresh arrays, like a cached
/// SynthRoomsDataset, because transforms may work in place.
/// </summary>
public sealed class RepeatedDataset : IDepthDataset
{
    readonly DepthSample[] _samples;

    public RepeatedDataset(IReadOnlyList<DepthSample> samples, int count, string name = "repeated")
    {
        if (samples.Count == 0) throw new ArgumentException("RepeatedDataset needs at least one sample");
        if (count < 1) throw new ArgumentException($"RepeatedDataset count must be positive, got {count}");
        _samples = [.. samples];
        Count = count;
        Name = name;
    }

    public string Name { get; }
    public int Count { get; }

    public DepthSample Get(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Name} has {Count} samples; index {index} is out of range");
        var s = _samples[index % _samples.Length];
        return s with { Rgb = (byte[])s.Rgb.Clone(), Depth = (float[])s.Depth.Clone() };
    }
}
