using System.Diagnostics;
using System.Globalization;
using System.Text;
using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Models;
using DepthKit.Visualization;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Experiments;

/// <summary>The three splits an experiment runs on, and a line saying what they are.</summary>
public sealed record ExperimentData(IDepthDataset Train, IDepthDataset Val, IDepthDataset Test, string Description);

/// <summary>One trained model of the experiment: its history, test metrics and run folder.</summary>
public sealed record ModelRun(string Architecture, string DisplayName, TrainingHistory History, DepthMetrics Test, string RunDir, TimeSpan TrainTime)
{
    /// <summary>Per montage image: std of the prediction over std of the ground truth (near 0: a near-constant map).</summary>
    public IReadOnlyList<double> SpreadRatios { get; init; } = [];
    /// <summary>Per montage image: RMS of the period-8 grid pattern over the mean depth (<see cref="Metrics.GridArtefacts"/>).</summary>
    public IReadOnlyList<double> GridAmplitudes { get; init; } = [];
}

/// <summary>Everything <c>depthkit reproduce</c> prints and writes.</summary>
public sealed record ReproduceResult(ReproduceProfile Profile, string DataDescription, IReadOnlyList<ModelRun> Runs, double TrainMeanDepth,
                                     DepthMetrics ConstantBaseline, DepthMetrics MedianScaledBaseline, TimeSpan Elapsed, string OutDir)
{
    public const string ConstantName = "constant (train mean)";
    public const string MedianName = "constant, median-scaled";

    /// <summary>Table 1 rows: the two baselines, then the models.</summary>
    public IReadOnlyList<(string Name, DepthMetrics Metrics)> Rows =>
        [(ConstantName, ConstantBaseline), (MedianName, MedianScaledBaseline), .. Runs.Select(r => (r.DisplayName, r.Test))];

    /// <summary>The slides' conclusion, checked: CNN+Res best on d1 and RMSE, every model better than the constant baseline.</summary>
    public IReadOnlyList<(string Claim, bool Holds)> Conclusion()
    {
        var res = Runs[^1];
        var others = Runs.Take(Runs.Count - 1).ToList();
        return
        [
            ($"{res.DisplayName} has the best δ<1.25", others.All(o => res.Test.D1 > o.Test.D1)),
            ($"{res.DisplayName} has the lowest RMSE", others.All(o => res.Test.Rmse < o.Test.Rmse)),
            ("every model beats the constant baseline on δ<1.25 and RMSE",
             Runs.All(r => r.Test.D1 > ConstantBaseline.D1 && r.Test.Rmse < ConstantBaseline.Rmse)),
        ];
    }

    /// <summary>Smallest spread ratio of a model's montage predictions that still counts as a depth map, not a constant.</summary>
    public const double MinSpreadRatio = 0.3;
    /// <summary>How far above the median-scaled constant a model must be on δ&lt;1.25 to count as having learnt.</summary>
    public const double LearntMargin = 0.05;

    /// <summary>Beyond the slides: every model has learnt something a constant cannot do, and none predicts a flat map.</summary>
    public IReadOnlyList<(string Claim, bool Holds)> QualityChecks() =>
    [
        (string.Create(CultureInfo.InvariantCulture, $"every model is at least {LearntMargin} δ<1.25 above the median-scaled constant ({MedianScaledBaseline.D1:F3})"),
         Runs.All(r => r.Test.D1 >= MedianScaledBaseline.D1 + LearntMargin)),
        (string.Create(CultureInfo.InvariantCulture, $"no model predicts a near-constant map (std of prediction >= {MinSpreadRatio} x std of ground truth on every montage image)"),
         Runs.All(r => r.SpreadRatios.Count > 0 && r.SpreadRatios.All(x => x >= MinSpreadRatio))),
    ];

    /// <summary>One line per model: its montage images' spread ratios and grid amplitudes.</summary>
    public string ShapeSummary() => string.Join(Environment.NewLine, Runs.Select(r => string.Create(CultureInfo.InvariantCulture,
        $"  {r.DisplayName}: spread ratio {string.Join(" ", r.SpreadRatios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}, "
        + $"grid {string.Join(" ", r.GridAmplitudes.Select(x => (100 * x).ToString("F2", CultureInfo.InvariantCulture) + "%"))}")));

    /// <summary>Table 1 as text: δ&lt;1.25, AbsRel, RMSE first (as on the slides), then the full suite.</summary>
    public string Table()
    {
        var rows = Rows;
        int w = Math.Max(12, rows.Max(r => r.Name.Length));
        var sb = new StringBuilder();
        sb.AppendLine($"{"model".PadRight(w)}  {"δ<1.25",7}  {"AbsRel",7}  {"RMSE",7}");
        foreach (var (name, m) in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{name.PadRight(w)}  {m.D1,7:F3}  {m.AbsRel,7:F3}  {m.Rmse,7:F3}"));
        sb.AppendLine();
        sb.Append(DepthMetrics.Table(rows));
        return sb.ToString();
    }
}

/// <summary>
/// The slides' experiment in one call: trains CNN+FC, CNN, CNN+trans and CNN+Res with the same budget and data,
/// evaluates each on the test split next to two constant baselines, and writes metrics.csv, history.csv,
/// report.html, montage.png and one run folder (checkpoints) per model under <c>outDir</c>.
/// </summary>
public static class Reproduction
{
    /// <summary>The config of one of the profile's models.</summary>
    public static ModelConfig ConfigFor(ReproduceProfile profile, string architecture)
    {
        var info = Architectures.Get(architecture);
        var options = new Dictionary<string, string>();
        if (info.Encoders.Count == 0) options["width"] = profile.CnnWidth.ToString(CultureInfo.InvariantCulture);
        else foreach (var (k, v) in profile.ResidualOptions) options[k] = v;
        return new ModelConfig(info.Name, info.Encoders.Count == 0 ? null : profile.ResidualEncoder, profile.Height, profile.Width, options);
    }

    /// <summary>Mean of the valid ground-truth depths of a dataset (the constant baseline's prediction).</summary>
    public static double MeanDepth(IDepthDataset dataset)
    {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < dataset.Count; i++)
            foreach (var d in dataset.Get(i).Depth)
                if (DepthSample.IsValidDepth(d)) { sum += d; count++; }
        return count == 0 ? throw new ArgumentException($"{dataset.Name} has no valid depth pixel") : sum / count;
    }

    /// <summary>Metrics of predicting <paramref name="depth"/> everywhere (with median scaling: scaled per image to the gt median).</summary>
    public static DepthMetrics ConstantBaseline(IDepthDataset test, double depth, EvalOptions options)
    {
        var accumulator = new MetricAccumulator(options);
        for (int i = 0; i < test.Count; i++)
        {
            var s = test.Get(i);
            var pred = new float[s.Depth.Length];
            Array.Fill(pred, (float)depth);
            accumulator.Add(pred, s.Height, s.Width, s.Depth, s.Height, s.Width);
        }
        return accumulator.Result();
    }

    /// <summary>The files <see cref="Run"/> writes at the top of its folder (beside checkpoints/).</summary>
    public static readonly string[] OutputFiles = ["metrics.csv", "history.csv", "report.html", "montage.png"];

    /// <summary>
    /// Makes <paramref name="outDir"/> ready for a new run: refuses when it holds an earlier run's results (nothing
    /// the user made is replaced unasked), or with <paramref name="overwrite"/> deletes them, each model's
    /// checkpoints included. Call it while holding the folder's <see cref="RunLock"/>.
    /// </summary>
    public static void PrepareOutput(string outDir, bool overwrite)
    {
        var full = Path.GetFullPath(outDir);
        var files = OutputFiles.Where(f => File.Exists(Path.Combine(full, f))).ToList();
        var checkpoints = Path.Combine(full, "checkpoints");
        var runs = Directory.Exists(checkpoints) ? Directory.GetDirectories(checkpoints).Where(RunLock.HoldsRun).Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0 && runs.Count == 0) return;
        if (!overwrite)
            throw new DepthKitRunFolderException(full, $"already holds the results of a reproduce run ({string.Join(", ",
                files.Concat(runs.Select(r => $"checkpoints/{Path.GetFileName(r)}")))}); choose another --out, or replace them with --overwrite");
        foreach (var f in files) File.Delete(Path.Combine(full, f));
        foreach (var run in runs)
        {
            using var held = RunLock.Acquire(run);
            held.PrepareNewRun(overwrite: true);
        }
    }

    /// <param name="profile">the budget</param>
    /// <param name="data">train/val/test splits</param>
    /// <param name="outDir">where everything goes</param>
    /// <param name="device">where to train</param>
    /// <param name="initialize">called on each freshly built model before training (pretrained encoder weights)</param>
    /// <param name="progress">training progress of the model being trained</param>
    /// <param name="log">phase lines ("training CNN (2/4)")</param>
    /// <param name="cancel">Ctrl+C: the current model saves a checkpoint and the run stops</param>
    public static ReproduceResult Run(ReproduceProfile profile, ExperimentData data, string outDir, Device device,
        Action<DepthNet, ModelConfig>? initialize = null, IProgress<TrainProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        var evalOptions = profile.TrainOptions(false).Eval.ToEvalOptions();
        log?.Invoke($"data: {data.Description}");
        double mean = MeanDepth(data.Train);
        var constant = ConstantBaseline(data.Test, mean, evalOptions);
        var medianScaled = ConstantBaseline(data.Test, mean, evalOptions with { MedianScaling = true });

        var runs = new List<ModelRun>();
        var models = profile.Models;
        for (int k = 0; k < models.Count; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var config = ConfigFor(profile, models[k]);
            var identity = ModelFactory.Identity(config);
            log?.Invoke($"training {identity.DisplayName} ({k + 1}/{models.Count})");
            var started = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            bool residual = Architectures.Get(config.Name).Encoders.Count > 0;
            var options = profile.TrainOptions(profile.FreezeEncoder && residual, residual);
            Trainer.Seed(profile.Seed);
            var model = Architectures.Create(config);
            initialize?.Invoke(model, config);
            if (options.FreezeEncoder) model.FreezeEncoder();
            var runDir = Path.Combine(outDir, "checkpoints", config.Name);
            var trainer = new Trainer(model, identity, data.Train, data.Val, options, device, runDir) { Progress = progress };
            trainer.Fit(cancel);
            // test with the best validation checkpoint, as a paper would
            Checkpoint.Load(Path.Combine(runDir, Checkpoint.BestFile), model, identity);
            var (test, _) = Evaluation.Evaluate(model, data.Test, evalOptions, profile.Height, profile.Width, profile.BatchSize, device: device, cancel: cancel);
            var shapes = Enumerable.Range(0, Math.Min(profile.MontageImages, data.Test.Count))
                .Select(i => LearningCurves.Shape(model, data.Test.Get(i), profile.Height, profile.Width, device)).ToList();
            runs.Add(new ModelRun(config.Name, identity.DisplayName, trainer.History, test, runDir, started.Elapsed)
            {
                SpreadRatios = [.. shapes.Select(x => x.StdRatio)], GridAmplitudes = [.. shapes.Select(x => x.Grid)],
            });
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"{identity.DisplayName}: δ<1.25 {test.D1:F3}, AbsRel {test.AbsRel:F3}, RMSE {test.Rmse:F3} m ({started.Elapsed.TotalSeconds:F0} s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds:F0} s)"));
        }

        var result = new ReproduceResult(profile, data.Description, runs, mean, constant, medianScaled, clock.Elapsed, outDir);
        WriteOutputs(result, data.Test, device);
        return result with { Elapsed = clock.Elapsed };
    }

    /// <summary>metrics.csv, history.csv, montage.png and report.html.</summary>
    static void WriteOutputs(ReproduceResult result, IDepthDataset test, Device device)
    {
        var p = result.Profile;
        var sb = new StringBuilder("name,").AppendLine(string.Join(',', DepthMetrics.Columns));
        foreach (var (name, m) in result.Rows)
            sb.Append(Csv.Quote(name)).Append(',').AppendLine(string.Join(',', m.CsvCells()));
        AtomicFile.WriteAllText(Path.Combine(result.OutDir, "metrics.csv"), sb.ToString());
        AtomicFile.WriteAllText(Path.Combine(result.OutDir, "history.csv"), TrainingHistory.ToCsv(result.Runs.Select(r => (r.DisplayName, r.History))));

        var montage = MontageOf(result, test, device);
        AtomicFile.WriteAllBytes(Path.Combine(result.OutDir, "montage.png"), montage);
        var checks = string.Join("; ", result.Conclusion().Concat(result.QualityChecks()).Select(c => $"{c.Claim}: {(c.Holds ? "yes" : "NO")}"));
        var html = HtmlReport.Build($"DepthKit reproduce --profile {p.Name}",
            string.Create(CultureInfo.InvariantCulture,
                $"{result.DataDescription}. Input {p.Height}x{p.Width}, {p.Epochs} epochs, batch {p.BatchSize}, {p.Optimizer} lr {p.LearningRate:G3} ({p.Schedule}), loss {p.Loss}, seed {p.Seed}. Train mean depth {result.TrainMeanDepth:F3} m. Wall time {result.Elapsed.TotalSeconds:F0} s. DepthKit {Checkpoint.Version}."),
            result.Runs.Select(r => (r.DisplayName, r.History)).ToList(), result.Rows, montage, $"Slides' conclusion: {checks}.");
        AtomicFile.WriteAllText(Path.Combine(result.OutDir, "report.html"), html);
    }

    static byte[] MontageOf(ReproduceResult result, IDepthDataset test, Device device)
    {
        var p = result.Profile;
        int n = Math.Min(p.MontageImages, test.Count);
        var samples = Enumerable.Range(0, n).Select(i => test.Get(i)).ToList();
        int h = samples[0].Height, w = samples[0].Width;
        var predictions = samples.Select(_ => new List<float[]>()).ToList();
        foreach (var run in result.Runs)
        {
            var (model, _) = ModelFactory.LoadForInference(run.RunDir, device);
            for (int i = 0; i < n; i++)
                predictions[i].Add(Predictor.Predict(model, samples[i], p.Height, p.Width, h, w, device));
        }
        var rows = samples.Select((s, i) => new MontageRow(
            s.Height == h && s.Width == w ? s.Rgb : Predictor.ResizeRgb(s, h, w),
            s.Height == h && s.Width == w ? s.Depth : Predictor.ResizeDepth(s.Depth, s.Height, s.Width, h, w),
            predictions[i])).ToList();
        return Montage.Png(result.Runs.Select(r => r.DisplayName).ToList(), rows, h, w, "plasma");
    }
}
