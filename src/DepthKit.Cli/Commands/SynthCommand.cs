using DepthKit.Data;
using DepthKit.Data.Synth;

namespace DepthKit.Cli.Commands;

/// <summary>Renders SynthRooms to disk in the DenseDepth nyu2 layout (the same files the NYU loader reads).</summary>
public sealed class SynthCommand : ICliCommand
{
    public string Name => "synth";
    public string Summary => "Render SynthRooms indoor RGB-D scenes to a folder (index.csv, PNGs, camera.json)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("out", "output folder", Required: true),
        new("count", "number of images", "100"),
        new("size", "image size HxW", "240x320"),
        new("seed", "random seed (same seed, same bytes)", "0"),
        new("split", "train, val or test (disjoint scene ranges)", "train"),
        new("sensor-noise", "Kinect-like depth: quantisation and invalid (0) pixels", IsFlag: true),
        new("no-camera-effects", "clean RGB: no vignetting, blur, noise or exposure error", IsFlag: true),
        new("contact-sheet", "also write a PNG grid of the first 16 samples (RGB | depth | valid mask)"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var folder = args.Get("out");
        int count = args.GetInt("count");
        if (count <= 0) throw new CliUsageException($"--count must be positive, got {count}");
        var (height, width) = args.GetSize("size");
        if (height < 8 || width < 8) throw new CliUsageException($"--size {height}x{width} is too small (at least 8x8)");
        long seed = args.GetLong("seed");
        var split = args.GetChoice("split", "train", "val", "test") switch { "val" => SynthSplit.Val, "test" => SynthSplit.Test, _ => SynthSplit.Train };
        bool noise = args.Flag("sensor-noise"), effects = !args.Flag("no-camera-effects");

        context.Out.WriteLine($"SynthRooms: rendering {count} images at {height}x{width} (seed {seed}, {split.ToString().ToLowerInvariant()}, sensor noise {(noise ? "on" : "off")}) on {Environment.ProcessorCount} cores ...");
        var result = SynthRooms.WriteDataset(folder, count, height, width, seed, noise, split, effects, cancel: context.Cancel);
        context.Out.WriteLine($"wrote {result.Count} images to {Path.GetFullPath(folder)} in {result.Elapsed.TotalSeconds:F1} s ({result.ImagesPerSecond:F2} images/s)");

        if (args.GetOrNull("contact-sheet") is { } sheetPath)
        {
            var samples = Enumerable.Range(0, Math.Min(16, count)).AsParallel().AsOrdered()
                .Select(i => SynthRooms.Render(seed, SynthRooms.SceneIndex(split, i), height, width, noise, effects)).ToList();
            var (h, w, rgb) = ContactSheet.Compose(samples, columns: 4, showMask: noise);
            RgbImage.WritePng(sheetPath, h, w, rgb);
            context.Out.WriteLine($"contact sheet: {Path.GetFullPath(sheetPath)}");
        }
        return 0;
    }
}
