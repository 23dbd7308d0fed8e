using BenchmarkDotNet.Attributes;
using DepthKit.Data;
using DepthKit.Diagnostics;
using DepthKit.Transforms;

namespace DepthKit.Benchmarks;

/// <summary>SynthRooms renders per image, one thread.</summary>
public class SynthRoomsBenchmarks
{
    [Params(240, 480)]
    public int Height { get; set; } = 240;

    int _scene;

    [Benchmark(Description = "SynthRooms.Render (one image)")]
    public DepthSample Render() => SynthRooms.Render(7, _scene++, Height, Height * 4 / 3);
}

/// <summary>A DataLoader epoch of 4 batches of 8 at 240x320 from 480x640 with the default augmentation.</summary>
public class LoaderBenchmarks
{
    DataLoader _loader = null!;
    int _epoch;

    [Params(1, 2)]
    public int Workers { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var data = new RepeatedDataset(BenchSuite.Render(4, 480, 640), 32);
        _loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 8, Workers = Workers, Seed = 1, Transform = Augmentations.DefaultTrain(240, 320) });
    }

    [Benchmark(Description = "DataLoader epoch (32 images)")]
    public int Epoch()
    {
        int n = 0;
        foreach (var b in _loader.Epoch(_epoch++)) { n += b.Size; b.Dispose(); }
        return n;
    }
}
