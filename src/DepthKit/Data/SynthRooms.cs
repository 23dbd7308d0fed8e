using System.Diagnostics;
using System.Globalization;
using System.Text;
using DepthKit.Data.Synth;

namespace DepthKit.Data;

/// <summary>Which part of SynthRooms a dataset draws its scenes from. The parts never share a scene.</summary>
public enum SynthSplit { Train, Val, Test }

/// <summary>Every knob of SynthRooms in one place.</summary>
public sealed record SynthRoomsOptions
{
    public long Seed { get; init; }
    public int Height { get; init; } = 240;
    public int Width { get; init; } = 320;
    public int TrainCount { get; init; } = 1000;
    public int ValCount { get; init; } = 100;
    public int TestCount { get; init; } = 200;
    /// <summary>Kinect-like depth: disparity quantisation and holes (0) on dark, glossy, grazing, glass, shadowed pixels.</summary>
    public bool SensorNoise { get; init; }
    /// <summary>Exposure and white-balance error, vignetting, blur, noise in the RGB image.</summary>
    public bool CameraEffects { get; init; } = true;
    /// <summary>Keep rendered samples in memory (Get renders each index once).</summary>
    public bool Cache { get; init; }
}

/// <summary>The three splits of one SynthRooms configuration.</summary>
public sealed record SynthRoomsSplits(SynthRoomsDataset Train, SynthRoomsDataset Val, SynthRoomsDataset Test);

/// <summary>What <see cref="SynthRooms.WriteDataset"/> wrote.</summary>
public sealed record SynthWriteResult(string Folder, int Count, TimeSpan Elapsed)
{
    public double ImagesPerSecond => Count / Math.Max(1e-9, Elapsed.TotalSeconds);
}

/// <summary>
/// SynthRooms: indoor RGB-D scenes rendered on the CPU with exact depth, so the kit trains and tests on a machine
/// with no dataset downloaded. Sample i of split s depends only on (seed, s, i): the scene index is i for train,
/// 1e9 + i for val and 2e9 + i for test, so the splits never share a scene whatever their sizes.
/// </summary>
public static class SynthRooms
{
    public const long ValOffset = 1_000_000_000, TestOffset = 2_000_000_000;

    /// <summary>Random streams per scene: layout, camera effects, depth sensor (independent, so toggling one option
    /// leaves the rest of the sample unchanged). The layout uses stream 0 (see SceneBuilder).</summary>
    const ulong CameraStream = 1, SensorStream = 2, PixelStream = 3;

    public static SynthRoomsSplits Open(SynthRoomsOptions options) => new(
        new SynthRoomsDataset(options, SynthSplit.Train, options.TrainCount),
        new SynthRoomsDataset(options, SynthSplit.Val, options.ValCount),
        new SynthRoomsDataset(options, SynthSplit.Test, options.TestCount));

    public static long SceneIndex(SynthSplit split, int index) => split switch
    {
        SynthSplit.Val => ValOffset + index,
        SynthSplit.Test => TestOffset + index,
        _ => index,
    };

    /// <summary>The scene (geometry, lights, camera) of one index, for inspection or custom rendering.</summary>
    public static Scene BuildScene(long seed, long sceneIndex, int height, int width)
        => SceneBuilder.Build(seed, sceneIndex, height, width);

    /// <summary>Renders one sample: RGB bytes and depth in metres (0 = invalid). Pure function of its arguments.</summary>
    public static DepthSample Render(long seed, long sceneIndex, int height, int width, bool sensorNoise = false, bool cameraEffects = true)
    {
        if (height < 8 || width < 8) throw new ArgumentException($"SynthRooms image size {height}x{width} is too small (at least 8x8)");
        if ((long)height * width > 4096L * 4096) throw new ArgumentException($"SynthRooms image size {height}x{width} is too large");
        var scene = BuildScene(seed, sceneIndex, height, width);
        return Render(scene, Hash.Mix((ulong)seed, (ulong)sceneIndex, PixelStream), Rng.For(seed, sceneIndex, CameraStream), Rng.For(seed, sceneIndex, SensorStream),
            sensorNoise, cameraEffects, $"SynthRooms seed {seed} scene {sceneIndex}");
    }

    /// <summary>Renders any scene (tests build their own with known geometry).</summary>
    public static DepthSample Render(Scene scene, ulong pixelSeed, Rng cameraRng, Rng sensorRng, bool sensorNoise, bool cameraEffects, string source = "SynthRooms")
    {
        var buffers = Renderer.Render(scene, pixelSeed);
        var rgb = Synth.CameraEffects.Develop(buffers, cameraRng, cameraEffects);
        var depth = SensorModel.Measure(buffers, scene, sensorRng, sensorNoise);
        return new DepthSample(buffers.Height, buffers.Width, rgb, depth, source);
    }

    /// <summary>
    /// Writes <paramref name="count"/> samples in the DenseDepth "nyu2" layout the NYU loader reads: NNNNN_colors.png
    /// (8-bit RGB), NNNNN_depth.png (16-bit millimetres, 0 = invalid), index.csv (no header, "rgb,depth" relative
    /// paths) and camera.json (intrinsics at the output size, depth_scale 1000). Renders on all cores; every file is
    /// written atomically and index.csv last, so a folder with an index.csv is complete.
    /// </summary>
    public static SynthWriteResult WriteDataset(string folder, int count, int height, int width, long seed, bool sensorNoise = false,
        SynthSplit split = SynthSplit.Train, bool cameraEffects = true, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        if (count <= 0) throw new ArgumentException($"SynthRooms count must be positive, got {count}");
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        int done = 0;
        string Name(int i, string kind) => $"{i:D5}_{kind}.png";
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i =>
        {
            var sample = Render(seed, SceneIndex(split, i), height, width, sensorNoise, cameraEffects);
            RgbImage.WritePng(Path.Combine(folder, Name(i, "colors")), height, width, sample.Rgb);
            DepthPng.Write16(Path.Combine(folder, Name(i, "depth")), height, width, DepthPng.MetresToMillimetres(sample.Depth));
            progress?.Report(Interlocked.Increment(ref done));
        });
        AtomicFile.WriteAllText(Path.Combine(folder, "camera.json"), CameraJson(height, width, seed, split, count, sensorNoise));
        var index = new StringBuilder();
        for (int i = 0; i < count; i++) index.Append(Name(i, "colors")).Append(',').Append(Name(i, "depth")).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(folder, "index.csv"), index.ToString());
        return new SynthWriteResult(folder, count, clock.Elapsed);
    }

    static string CameraJson(int height, int width, long seed, SynthSplit split, int count, bool sensorNoise)
    {
        var k = Intrinsics.Nyu(height, width);
        string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        return $$"""
            {
              "fx": {{F(k.Fx)}},
              "fy": {{F(k.Fy)}},
              "cx": {{F(k.Cx)}},
              "cy": {{F(k.Cy)}},
              "width": {{width}},
              "height": {{height}},
              "depth_scale": 1000,
              "min_depth": {{F(SensorModel.MinDepth)}},
              "max_depth": {{F(SensorModel.MaxDepth)}},
              "source": "SynthRooms",
              "seed": {{seed}},
              "split": "{{split.ToString().ToLowerInvariant()}}",
              "count": {{count}},
              "sensor_noise": {{(sensorNoise ? "true" : "false")}}
            }

            """;
    }
}
