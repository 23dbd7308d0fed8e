using System.Globalization;
using System.Text;
using DepthKit.Data;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Visualization;
using DepthKit.Losses;

namespace DepthKit.Cli.Commands;

/// <summary>
/// <c>depthkit curves</c>: learning curves of several training configurations on the same data, evaluated after
/// every epoch on the test split and on extra sets (e.g. real photos) image by image, against training CPU time.
/// </summary>
public sealed class CurvesCommand : ICliCommand
{
    public string Name => "curves";
    public string Summary => "Learning curves: train each configuration of a runs file, evaluate after every epoch, chart d1 against CPU minutes";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("runs", "text file, one run per line: NAME key=value ... (model, loss, lr, freeze-encoder, encoder-lr-scale, augment, "
                    + "pretrained, encoder, and architecture options such as upsampling); # starts a comment"),
        new("from", "draw charts and summary.md from existing curves.csv files (comma-separated) instead of training"),
        new("out", "output folder: curves.csv, d1-synthrooms.png, d1-<set>.png, summary.md", Required: true),
        new("data", "synth or a path (train, validation and test splits)", "synth"),
        new("extra", "extra evaluation sets, comma-separated NAME=PATH (e.g. realdev=../shared/realdev/index.csv)"),
        new("size", "input size HxW", "96x128"),
        new("epochs", "epochs per run", "3"),
        new("batch", "batch size", "16"),
        new("lr", "default learning rate (a run's lr= overrides)", "0.002"),
        new("loss", $"default loss: {string.Join(", ", DepthLoss.Names)}", "l1"),
        new("train-count", "training images", "800"),
        new("val-count", "validation images", "48"),
        new("test-count", "test images", "96"),
        new("seed", "seed of data, weights and order", "42"),
        new("only", "run only these names (comma-separated)"),
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        if (args.GetOrNull("from") is { } from) return Redraw(args, context, from);
        var runsFile = args.GetOrNull("runs") ?? throw new CliUsageException("--runs FILE is required (or --from curves.csv to redraw)");
        if (!File.Exists(runsFile)) throw new CliUsageException($"--runs {runsFile}: file not found");
        var (h, w) = args.GetSize("size");
        var defaults = new TrainOptions
        {
            Epochs = args.GetInt("epochs"), BatchSize = args.GetInt("batch"), LearningRate = args.GetDouble("lr"), Loss = args.Get("loss"),
            Optimizer = "adamw", WeightDecay = 1e-4, Schedule = "onecycle", Seed = args.GetInt("seed"), Height = h, Width = w,
            Monitor = "val_loss", Data = args.Get("data"), Eval = new EvalSettings { Crop = "none" },
        }.Validated();
        var only = args.GetOrNull("only")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var runs = new List<CurveRun>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(runsFile))
        {
            lineNo++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            try { runs.Add(CurveRun.Parse(line, defaults, h, w)); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new CliUsageException($"{runsFile}:{lineNo}: {e.Message}");
            }
        }
        if (only is not null) runs = [.. runs.Where(r => only.Contains(r.Name))];
        if (runs.Count == 0) throw new CliUsageException($"{runsFile}: no runs to train");

        var runtime = context.InitTorch(args);
        var data = DataChoice.Open(args.Get("data"), h, w, args.GetInt("train-count"), args.GetInt("val-count"), args.GetInt("test-count"),
            defaults.Seed, context.Out.WriteLine);
        var extra = OpenExtra(args);

        var outDir = args.Get("out");
        Directory.CreateDirectory(outDir);
        var csvPath = Path.Combine(outDir, "curves.csv");
        var points = new List<CurvePoint>();
        var baselines = Baselines(data, extra);
        foreach (var run in runs)
        {
            context.Out.WriteLine($"run {run.Name}: {run.Config.Name} {string.Join(' ', run.Config.Options.Select(o => $"{o.Key}={o.Value}"))}, "
                + $"loss {run.Options.Loss}, lr {run.Options.LearningRate.ToString(CultureInfo.InvariantCulture)}, "
                + (run.Options.FreezeEncoder ? "encoder frozen" : $"encoder lr x{run.Options.EncoderLearningRateScale.ToString(CultureInfo.InvariantCulture)}")
                + $", augment {run.Options.FlipAugmentation.ToString().ToLowerInvariant()}");
            LearningCurves.Measure(run, data, extra, PretrainedWeights.Apply, p =>
            {
                points.Add(p);
                if (p.Image == "all")
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  epoch {p.Epoch} ({p.CpuMinutes:F2} CPU min) {p.Set}: d1 {p.Metric.D1:F3}, median-scaled d1 {p.MedianScaled.D1:F3}, std ratio {p.StdRatio:F2}, grid {p.Grid:F3}"));
                // rewritten after every point so an interrupted study keeps what it measured
                Write(csvPath, points);
            }, runtime.Device, cancel: context.Cancel);
        }
        WriteCharts(outDir, points, baselines, extra.Select(e => e.Name).ToList());
        context.Out.WriteLine($"wrote {csvPath}, charts and summary.md in {Path.GetFullPath(outDir)}");
        return 0;
    }

    /// <summary>Charts and summary from measured curves (several studies on the same data can be drawn together).</summary>
    int Redraw(CliArgs args, CliContext context, string from)
    {
        var points = new List<CurvePoint>();
        foreach (var file in from.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!File.Exists(file)) throw new CliUsageException($"--from {file}: file not found");
            try { points.AddRange(LearningCurves.ReadCsv(file)); }
            catch (Exception e) when (e is InvalidDataException or FormatException) { throw new CliUsageException($"--from {file}: {e.Message}"); }
        }
        if (points.Count == 0) throw new CliUsageException($"--from {from}: no points");
        var (h, w) = args.GetSize("size");
        context.InitTorch(args);
        var data = DataChoice.Open(args.Get("data"), h, w, args.GetInt("train-count"), args.GetInt("val-count"), args.GetInt("test-count"),
            args.GetInt("seed"), context.Out.WriteLine);
        var extra = OpenExtra(args);
        var outDir = args.Get("out");
        Directory.CreateDirectory(outDir);
        WriteCharts(outDir, points, Baselines(data, extra), extra.Select(e => e.Name).ToList());
        context.Out.WriteLine($"drew {points.Select(p => p.Run).Distinct().Count()} runs into {Path.GetFullPath(outDir)}");
        return 0;
    }

    static List<(string Name, IDepthDataset Set)> OpenExtra(CliArgs args)
    {
        var extra = new List<(string Name, IDepthDataset Set)>();
        foreach (var spec in (args.GetOrNull("extra") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new CliUsageException($"--extra '{spec}': use NAME=PATH");
            extra.Add((spec[..eq], Datasets.Open(spec[(eq + 1)..], DatasetSplit.Test)));
        }
        return extra;
    }

    static void Write(string path, List<CurvePoint> points)
    {
        var sb = new StringBuilder().AppendLine(LearningCurves.CsvHeader);
        foreach (var p in points) sb.AppendLine(LearningCurves.CsvLine(p));
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>The median-scaled constant (the training mean, scaled per image) on every set and image.</summary>
    static Dictionary<(string Set, string Image), double> Baselines(ExperimentData data, List<(string Name, IDepthDataset Set)> extra)
    {
        double mean = Reproduction.MeanDepth(data.Train);
        var scaled = new Metrics.EvalOptions { Crop = Metrics.CropKind.None, MedianScaling = true };
        var result = new Dictionary<(string, string), double>
        {
            [("synthrooms-test", "all")] = Reproduction.ConstantBaseline(data.Test, mean, scaled).D1,
            [("synthrooms-test", "metric")] = Reproduction.ConstantBaseline(data.Test, mean, scaled with { MedianScaling = false }).D1,
        };
        foreach (var (name, set) in extra)
        {
            result[(name, "all")] = Reproduction.ConstantBaseline(set, mean, scaled).D1;
            for (int i = 0; i < set.Count; i++)
                result[(name, Path.GetFileNameWithoutExtension(set.Get(i).Source.Split('!', ',')[0]))] =
                    Reproduction.ConstantBaseline(new DatasetView(set, [i], set.Name), mean, scaled).D1;
        }
        return result;
    }

    static void WriteCharts(string outDir, List<CurvePoint> points, Dictionary<(string Set, string Image), double> baselines, List<string> extra)
    {
        var runs = points.Select(p => p.Run).Distinct().ToList();
        List<ChartSeries> Series(string set, Func<CurvePoint, double> y) =>
            [.. runs.Select(r => new ChartSeries(r, [.. points.Where(p => p.Run == r && p.Set == set && p.Image == "all").Select(p => (p.CpuMinutes, y(p)))]))];
        AtomicFile.WriteAllBytes(Path.Combine(outDir, "d1-synthrooms.png"), LineChart.Png("SynthRooms test: δ<1.25 (metric)",
            "training CPU minutes", "δ<1.25", Series("synthrooms-test", p => p.Metric.D1),
            [("constant, median-scaled", baselines[("synthrooms-test", "all")]), ("constant (train mean)", baselines[("synthrooms-test", "metric")])]));
        foreach (var set in extra)
            AtomicFile.WriteAllBytes(Path.Combine(outDir, $"d1-{set}.png"), LineChart.Png($"{set}: δ<1.25, median-scaled, mean of its images",
                "training CPU minutes", "δ<1.25 (median-scaled)", Series(set, p => p.MedianScaled.D1), [("constant, median-scaled", baselines[(set, "all")])]));

        var sb = new StringBuilder("| run | epochs | CPU min | SynthRooms δ<1.25 | median-scaled | std ratio | grid |");
        foreach (var set in extra)
            foreach (var img in points.Where(p => p.Set == set && p.Image != "all").Select(p => p.Image).Distinct())
                sb.Append($" {set}/{img} |");
        sb.AppendLine().Append("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var set in extra)
            foreach (var _ in points.Where(p => p.Set == set && p.Image != "all").Select(p => p.Image).Distinct()) sb.Append("---:|");
        sb.AppendLine();
        sb.Append("| constant, median-scaled | | | ").Append(F(baselines[("synthrooms-test", "metric")])).Append(" | ")
          .Append(F(baselines[("synthrooms-test", "all")])).Append(" | 0 | 0 |");
        foreach (var set in extra)
            foreach (var img in points.Where(p => p.Set == set && p.Image != "all").Select(p => p.Image).Distinct())
                sb.Append(' ').Append(F(baselines.GetValueOrDefault((set, img), double.NaN))).Append(" |");
        sb.AppendLine();
        foreach (var r in runs)
        {
            var last = points.Where(p => p.Run == r && p.Set == "synthrooms-test").MaxBy(p => p.Epoch)!;
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {r} | {last.Epoch} | {last.CpuMinutes:F2} | {F(last.Metric.D1)} | {F(last.MedianScaled.D1)} | {last.StdRatio:F2} | {last.Grid:F3} |"));
            foreach (var set in extra)
                foreach (var p in points.Where(p => p.Run == r && p.Set == set && p.Image != "all" && p.Epoch == last.Epoch))
                    sb.Append(' ').Append(F(p.MedianScaled.D1)).Append(" |");
            sb.AppendLine();
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.md"), sb.ToString());
    }

    static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
}
