using System.Globalization;
using DepthKit.Metrics;

namespace DepthKit.Cli.Commands;

/// <summary>
/// Evaluates any method's saved depth maps with the standard metrics (masked, cropped, per image, averaged):
/// the same <see cref="DepthMapFiles.Evaluate"/> a notebook calls.
/// </summary>
public sealed class MetricsCommand : ICliCommand
{
    public string Name => "metrics";
    public string Summary => "Evaluate saved depth predictions against ground truth (d1-d3, AbsRel, RMSE, SILog ...)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("pred", "prediction depth map (.png or .npy) or folder of them", Required: true),
        new("gt", "ground-truth depth map or folder, matched to --pred by file name", Required: true),
        new("pred-scale", "integer predictions (PNG, integer .npy) are divided by this to get metres", "1000"),
        new("gt-scale", "integer ground truth (PNG, integer .npy) is divided by this to get metres", "1000"),
        new("crop", "evaluation crop: eigen (NYU 45:471, 41:601 of 480x640), garg, none", "eigen"),
        new("min-depth", "ground truth must be above this (m); predictions are clamped to it", "0.001"),
        new("max-depth", "ground truth must be below this (m); predictions are clamped to it", "10"),
        new("median-scale", "scale each prediction by median(gt)/median(pred) (scale-ambiguous models)", IsFlag: true),
        new("scale-shift", "fit each prediction's scale and shift to the gt by least squares", IsFlag: true),
        new("averaging", "per-image (literature convention) or pixel-pooled", "per-image"),
        new("resize", "resize predictions of another size to the gt (bilinear) instead of failing", IsFlag: true),
        new("json", "print the result as JSON", IsFlag: true),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var options = new EvalOptions
        {
            MinDepth = args.GetDouble("min-depth"),
            MaxDepth = args.GetDouble("max-depth"),
            Crop = Crops.Parse(args.GetChoice("crop", "eigen", "garg", "none")),
            Averaging = args.GetChoice("averaging", "per-image", "pixel-pooled") == "per-image" ? Averaging.PerImage : Averaging.PixelPooled,
            MedianScaling = args.Flag("median-scale"),
            ScaleShiftAlignment = args.Flag("scale-shift"),
        };
        if (options.MedianScaling && options.ScaleShiftAlignment)
            throw new CliUsageException("--median-scale and --scale-shift exclude each other");
        double predScale = args.GetDouble("pred-scale"), gtScale = args.GetDouble("gt-scale");
        if (!(predScale > 0) || !(gtScale > 0)) throw new CliUsageException("--pred-scale and --gt-scale must be positive");
        if (!(options.MinDepth >= 0) || !(options.MaxDepth > options.MinDepth))
            throw new CliUsageException($"--min-depth {options.MinDepth} and --max-depth {options.MaxDepth} do not make a range");

        var result = DepthMapFiles.Evaluate(args.Get("pred"), args.Get("gt"), predScale, gtScale, options, args.Flag("resize"), context.Cancel);
        if (result.Images == 0) context.Error.WriteLine("depthkit metrics: no image had a valid ground-truth pixel in range and crop; metrics are NaN");
        if (args.Flag("json"))
        {
            context.Out.WriteLine(result.ToJson());
            return result.Images > 0 ? 0 : 1;
        }
        var alignment = options.MedianScaling ? ", median scaling" : options.ScaleShiftAlignment ? ", least-squares scale and shift" : "";
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Images} image(s) evaluated, {result.SkippedImages} skipped (no valid pixel); valid gt in ({options.MinDepth}, {options.MaxDepth}) m, crop {options.Crop.ToString().ToLowerInvariant()}{alignment}, {DepthMetrics.Label(options.Averaging)} averaging"));
        context.Out.WriteLine(DepthMetrics.Header);
        context.Out.WriteLine(result);
        return result.Images > 0 ? 0 : 1;
    }
}
