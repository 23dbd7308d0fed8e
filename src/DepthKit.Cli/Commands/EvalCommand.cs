using System.Globalization;
using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Training;

namespace DepthKit.Cli.Commands;

/// <summary><c>depthkit eval</c>: metrics of a trained model on a test set (same JSON keys as <c>depthkit metrics</c>).</summary>
public sealed class EvalCommand : ICliCommand
{
    public string Name => "eval";
    public string Summary => "Evaluate a trained model (run folder or .ckpt) on a test split: d1..d3, AbsRel, SqRel, RMSE, ...";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("checkpoint", "run folder (uses best.ckpt, else last.ckpt), a .ckpt file, a bundle folder, or 'default' (the bundled model)", Required: true),
        new("data", "synth or a path: nyu_data.zip, nyu_test.zip, nyu_depth_v2_labeled.mat, a synth folder ...", Required: true),
        new("split", "which part of --data: test (nyu_test.zip holds only this), train or all", "test"),
        new("crop", "evaluation crop: none, eigen or garg", "none"),
        new("median-scale", "scale each prediction by median(gt) / median(pred)", IsFlag: true),
        new("flip-tta", "average with the mirrored image's prediction", IsFlag: true),
        new("min-depth", "valid ground truth above this (m)", "0.001"),
        new("max-depth", "valid ground truth below this (m)", "10"),
        new("count", "evaluate only the first N images (0 = all)", "0"),
        new("batch", "batch size", "8"),
        new("baseline", "also score the median-scaled constant (each image's true median everywhere): what a model must beat to have learnt any shape", IsFlag: true),
        new("json", "print JSON instead of a table", IsFlag: true),
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var runtime = context.InitTorch(args);
        var (model, info) = ModelFactory.LoadForInference(args.Get("checkpoint"), runtime.Device);
        var o = info.Options;
        var split = args.GetChoice("split", "test", "train", "all") switch { "train" => DatasetSplit.Train, "all" => DatasetSplit.All, _ => DatasetSplit.Test };
        var test = DataChoice.OpenTest(args.Get("data"), o.Height, o.Width, args.GetInt("count"), o.Seed, split);
        var options = new EvalOptions
        {
            Crop = Crops.Parse(args.Get("crop")), MedianScaling = args.Flag("median-scale"),
            MinDepth = args.GetDouble("min-depth"), MaxDepth = args.GetDouble("max-depth"),
        };
        var (metrics, _) = Evaluation.Evaluate(model, test, options, o.Height, o.Width, args.GetInt("batch"), args.Flag("flip-tta"), runtime.Device, cancel: context.Cancel);
        // the constant needs no model: told each image's median, its value does not matter
        var baseline = args.Flag("baseline") ? Experiments.Reproduction.ConstantBaseline(test, 1.0, options with { MedianScaling = true }) : null;
        if (args.Flag("json"))
        {
            context.Out.WriteLine(baseline is null ? metrics.ToJson() : $"{{\"model\":{metrics.ToJson()},\"median_scaled_constant\":{baseline.ToJson()}}}");
            return 0;
        }
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{info.Model.DisplayName} (epoch {info.Epoch}) on {test.Name}, {metrics.Images} images, crop {args.Get("crop")}{(options.MedianScaling ? ", median-scaled" : "")}{(args.Flag("flip-tta") ? ", flip TTA" : "")}"));
        context.Out.Write(DepthMetrics.Table(baseline is null
            ? [(info.Model.DisplayName, metrics)]
            : [(info.Model.DisplayName, metrics), (Experiments.ReproduceResult.MedianName, baseline)]));
        return 0;
    }
}
