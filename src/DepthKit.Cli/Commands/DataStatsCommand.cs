using System.Globalization;
using System.Text.Json;
using DepthKit.Data;

namespace DepthKit.Cli.Commands;

/// <summary>
/// Opens a dataset in any supported form and reports what a user checks first: the format detected, the sample
/// count, the RGB size, depth min/median/max over valid pixels and the invalid fraction. Big sets are sampled:
/// at most --max-images evenly spaced images are decoded (the output says how many).
/// </summary>
public sealed class DataStatsCommand : ICliCommand
{
    public string Name => "data stats";
    public string Summary => "Describe a dataset: format, count, size, depth range, invalid fraction";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("data", "nyu_data.zip, nyu_test.zip, nyu_depth_v2_labeled.mat, a DenseDepth .csv or a folder of these", Required: true),
        new("split", "train, test or all", "train"),
        new("max-images", "decode at most this many evenly spaced images", "64"),
        new("splits", "splits.mat for the labeled .mat (default: beside it, else the built-in Eigen split)"),
        new("depth-scale", "depth PNG units per metre (overrides the bit-depth rule; TUM: 5000)"),
        new("rgb-glob", "folder of pairs: RGB pattern, e.g. rgb/*.png"),
        new("depth-glob", "folder of pairs: depth pattern, e.g. depth/*.png"),
        new("skip-bad", "skip and count bad samples instead of stopping at the first", IsFlag: true),
        new("json", "print one JSON object", IsFlag: true),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var split = args.GetChoice("split", "train", "test", "all") switch { "test" => DatasetSplit.Test, "all" => DatasetSplit.All, _ => DatasetSplit.Train };
        int maxImages = args.GetInt("max-images");
        if (maxImages <= 0) throw new CliUsageException("--max-images must be positive");
        var options = new DatasetOptions
        {
            DepthUnitsPerMetre = args.Has("depth-scale") ? args.GetDouble("depth-scale") : null,
            RgbGlob = args.GetOrNull("rgb-glob"),
            SplitsPath = args.GetOrNull("splits"),
            DepthGlob = args.GetOrNull("depth-glob"),
            SkipBadSamples = args.Flag("skip-bad"),
        };
        using var dataset = Datasets.Open(args.Get("data"), split, options);
        var stats = DatasetStats.Compute(dataset, maxImages, options.SkipBadSamples, context.Cancel);
        if (args.Flag("json"))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["format"] = dataset.Format,
                ["count"] = dataset.Count,
                ["width"] = stats.Width,
                ["height"] = stats.Height,
                ["depth_min"] = Finite(stats.DepthMin),
                ["depth_median"] = Finite(stats.DepthMedian),
                ["depth_max"] = Finite(stats.DepthMax),
                ["invalid_fraction"] = stats.InvalidFraction,
            }));
        }
        else
        {
            var o = context.Out;
            string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
            o.WriteLine($"{"format",-18} {dataset.Format} ({dataset.Name})");
            o.WriteLine($"{"samples",-18} {dataset.Count}");
            o.WriteLine($"{"RGB size",-18} {stats.Width}x{stats.Height} (WxH)");
            o.WriteLine($"{"depth (m)",-18} min {F(stats.DepthMin)}  median {F(stats.DepthMedian)}  max {F(stats.DepthMax)} over valid pixels");
            o.WriteLine($"{"invalid fraction",-18} {stats.InvalidFraction.ToString("0.0000", CultureInfo.InvariantCulture)}");
            o.WriteLine($"{"sampled",-18} {stats.ImagesRead} of {dataset.Count} images{(stats.ImagesRead < dataset.Count ? " (evenly spaced; raise --max-images for more)" : "")}");
            if (options.SkipBadSamples) o.WriteLine($"{"bad samples",-18} {options.BadSamples.Summary()}");
        }
        return 0;
    }

    static double? Finite(double v) => double.IsFinite(v) ? v : null; // no valid pixel: null, not NaN (invalid JSON)
}
