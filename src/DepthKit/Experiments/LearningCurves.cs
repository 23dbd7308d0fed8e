using System.Globalization;
using System.Text;
using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Models;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Experiments;

/// <summary>
/// One configuration of a learning-curve study, parsed from a line <c>NAME key=value ...</c>. Keys: model, encoder,
/// pretrained (resnet18-imagenet | none | a file), freeze-encoder, encoder-lr-scale, loss, lr, augment, and any
/// architecture option (upsampling, width, decoder_width, ...). Unset keys take the study's defaults.
/// </summary>
public sealed record CurveRun(string Name, ModelConfig Config, TrainOptions Options, string? Pretrained)
{
    static readonly string[] TrainKeys = ["model", "encoder", "pretrained", "freeze-encoder", "encoder-lr-scale", "loss", "lr", "augment", "color-augment"];

    public static CurveRun Parse(string line, TrainOptions defaults, int height, int width)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new FormatException("empty run line");
        var name = parts[0];
        var keys = new Dictionary<string, string>();
        foreach (var p in parts.Skip(1))
        {
            int eq = p.IndexOf('=');
            if (eq <= 0) throw new FormatException($"run '{name}': '{p}' is not key=value");
            keys[p[..eq].ToLowerInvariant()] = p[(eq + 1)..];
        }
        string Key(string k, string fallback) => keys.TryGetValue(k, out var v) ? v : fallback;
        double Number(string k, double fallback) =>
            !keys.TryGetValue(k, out var v) ? fallback
            : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
            : throw new FormatException($"run '{name}': {k}={v} is not a number");
        bool Flag(string k, bool fallback) =>
            !keys.TryGetValue(k, out var v) ? fallback
            : bool.TryParse(v, out var b) ? b : throw new FormatException($"run '{name}': {k}={v} is not true or false");

        var arch = Architectures.Get(Key("model", "cnn-res"));
        bool residual = arch.Encoders.Count > 0;
        string? pretrained = Key("pretrained", residual ? "resnet18-imagenet" : "none") is var p0 && p0 == "none" ? null : p0;
        string? encoder = residual
            ? Key("encoder", pretrained == Models.Pretrained.PretrainedEncoders.ResNet18ImageNet ? "resnet18-cntk" : arch.Encoders[0])
            : null;
        var config = new ModelConfig(arch.Name, encoder, height, width);
        foreach (var (k, v) in keys.Where(kv => !TrainKeys.Contains(kv.Key))) config = config.With(k, v);
        var options = defaults with
        {
            Loss = Key("loss", defaults.Loss),
            LearningRate = Number("lr", defaults.LearningRate),
            FreezeEncoder = residual && Flag("freeze-encoder", defaults.FreezeEncoder),
            EncoderLearningRateScale = Number("encoder-lr-scale", defaults.EncoderLearningRateScale),
            FlipAugmentation = Flag("augment", defaults.FlipAugmentation),
            ColorAugmentation = Flag("color-augment", defaults.ColorAugmentation),
            Height = height, Width = width,
        };
        return new CurveRun(name, config, options.Validated(), pretrained);
    }
}

/// <summary>One measurement of a curve: a run after an epoch, on one image or on a whole set.</summary>
/// <remarks>Image: the image's name, or "all" for the set's per-image average</remarks>
/// <remarks>StdRatio: std of the prediction over std of the ground truth (averaged over the images); near 0 = a constant map</remarks>
/// <remarks>Grid: RMS of the prediction's period-8 pattern over its mean depth (<see cref="GridArtefacts.Measure"/>)</remarks>
public sealed record CurvePoint(string Run, int Epoch, long Step, double CpuMinutes, string Set, string Image,
                                DepthMetrics Metric, DepthMetrics MedianScaled, double StdRatio, double Grid);

/// <summary>
/// Learning curves: trains each <see cref="CurveRun"/> on the same data and, after every epoch, evaluates it on the
/// test split and on extra sets image by image (metric and median-scaled), against the CPU time spent training.
/// </summary>
public static class LearningCurves
{
    /// <summary>Trains one run; <paramref name="onPoint"/> gets every point as soon as it is measured.</summary>
    /// <remarks>initialize: loads pretrained weights into the fresh model (the CLI passes the kit's loader)</remarks>
    public static IReadOnlyList<CurvePoint> Measure(CurveRun run, ExperimentData data, IReadOnlyList<(string Name, IDepthDataset Set)> extra,
        Action<DepthNet, string>? initialize = null, Action<CurvePoint>? onPoint = null, Device? device = null,
        IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        device ??= CPU;
        Trainer.Seed(run.Options.Seed);
        var model = Architectures.Create(run.Config);
        if (run.Pretrained is { } weights) initialize?.Invoke(model, weights);
        if (run.Options.FreezeEncoder) model.FreezeEncoder();
        var points = new List<CurvePoint>();
        var trainer = new Trainer(model, ModelFactory.Identity(run.Config), data.Train, data.Val, run.Options, device) { Progress = progress };
        trainer.EpochEnded = t =>
        {
            var sets = new List<(string Name, IDepthDataset Set, bool PerImage)> { ("synthrooms-test", data.Test, false) };
            sets.AddRange(extra.Select(e => (e.Name, e.Set, true)));
            foreach (var (name, set, perImage) in sets)
                foreach (var p in Points(run.Name, t, model, name, set, perImage, device, cancel))
                {
                    points.Add(p);
                    onPoint?.Invoke(p);
                }
        };
        trainer.Fit(cancel);
        model.Dispose();
        return points;
    }

    static IEnumerable<CurvePoint> Points(string run, Trainer t, DepthNet model, string setName, IDepthDataset set, bool perImage,
                                          Device device, CancellationToken cancel)
    {
        var metric = new EvalOptions { Crop = CropKind.None, MinDepth = t.Options.Eval.MinDepth, MaxDepth = t.Options.Eval.MaxDepth };
        var scaled = metric with { MedianScaling = true };
        int h = t.Options.Height, w = t.Options.Width;
        double cpu = t.TrainCpuTime.TotalMinutes;
        var (all, _) = Evaluation.Evaluate(model, set, metric, h, w, t.Options.BatchSize, device: device, cancel: cancel);
        var (allScaled, _) = Evaluation.Evaluate(model, set, scaled, h, w, t.Options.BatchSize, device: device, cancel: cancel);
        var shape = Enumerable.Range(0, Math.Min(set.Count, perImage ? set.Count : 8)).Select(i => Shape(model, set.Get(i), h, w, device)).ToList();
        yield return new CurvePoint(run, t.Epoch, t.Step, cpu, setName, "all", all, allScaled,
            shape.Average(s => s.StdRatio), shape.Average(s => s.Grid));
        if (!perImage) yield break;
        for (int i = 0; i < set.Count; i++)
        {
            var one = new DatasetView(set, [i], set.Name);
            var m = Evaluation.Evaluate(model, one, metric, h, w, 1, device: device, cancel: cancel).Metrics;
            var s = Evaluation.Evaluate(model, one, scaled, h, w, 1, device: device, cancel: cancel).Metrics;
            yield return new CurvePoint(run, t.Epoch, t.Step, cpu, setName, ImageName(set.Get(i), i), m, s, shape[i].StdRatio, shape[i].Grid);
        }
    }

    static string ImageName(DepthSample s, int index) =>
        string.IsNullOrEmpty(s.Source) ? $"#{index}" : Path.GetFileNameWithoutExtension(s.Source.Split('!', ',')[0]);

    /// <summary>Spread (std ratio) and grid amplitude of one prediction at the model's input size.</summary>
    public static (double StdRatio, double Grid) Shape(DepthNet model, DepthSample sample, int height, int width, Device? device = null)
    {
        var pred = Predictor.Predict(model, sample, height, width, height, width, device);
        var gt = sample.Height == height && sample.Width == width ? sample.Depth
            : Predictor.ResizeDepth(sample.Depth, sample.Height, sample.Width, height, width);
        double gtStd = ValidStd(gt, gt);
        return (gtStd > 0 ? ValidStd(pred, gt) / gtStd : double.NaN, GridArtefacts.Measure(pred, height, width).Amplitude);
    }

    /// <summary>Standard deviation of <paramref name="values"/> over the pixels where <paramref name="gt"/> is valid.</summary>
    public static double ValidStd(ReadOnlySpan<float> values, ReadOnlySpan<float> gt)
    {
        double sum = 0, sq = 0;
        long n = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!DepthSample.IsValidDepth(gt[i])) continue;
            sum += values[i]; sq += (double)values[i] * values[i]; n++;
        }
        if (n < 2) return 0;
        double mean = sum / n;
        return Math.Sqrt(Math.Max(0, sq / n - mean * mean));
    }

    public const string CsvHeader = "run,epoch,step,cpu_minutes,set,image,d1,abs_rel,rmse,d1_median_scaled,abs_rel_median_scaled,std_ratio,grid";

    public static string CsvLine(CurvePoint p) => string.Create(CultureInfo.InvariantCulture,
        $"{Csv.Quote(p.Run)},{p.Epoch},{p.Step},{p.CpuMinutes:F3},{Csv.Quote(p.Set)},{Csv.Quote(p.Image)},{p.Metric.D1:F4},{p.Metric.AbsRel:F4},{p.Metric.Rmse:F4},{p.MedianScaled.D1:F4},{p.MedianScaled.AbsRel:F4},{p.StdRatio:F3},{p.Grid:F4}");

    /// <summary>Reads a curves.csv back (to draw charts from several studies).</summary>
    public static IReadOnlyList<CurvePoint> ReadCsv(string path)
    {
        var points = new List<CurvePoint>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = SplitCsv(line);
            if (f.Count != 13) throw new InvalidDataException($"{path}: expected 13 fields, got {f.Count} in '{line}'");
            double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
            var metric = new DepthMetrics(D(6), 0, 0, D(7), 0, D(8), 0, 0, 0, 1, 0, 0);
            var scaled = new DepthMetrics(D(9), 0, 0, D(10), 0, 0, 0, 0, 0, 1, 0, 0);
            points.Add(new CurvePoint(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture),
                D(3), f[4], f[5], metric, scaled, D(11), D(12)));
        }
        return points;
    }

    static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
