using System.Diagnostics;
using DepthKit.Data;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Diagnostics;

/// <summary>What <see cref="BenchSuite.Run"/> measures and how often. <see cref="Quick"/> and <see cref="Full"/> are
/// the CLI's presets; tests use tiny values.</summary>
public sealed record BenchConfig
{
    public string Mode { get; init; } = "full";
    /// <summary>Sections to run: trainer, loader, memory, inference, synth.</summary>
    public IReadOnlyList<string> Sections { get; init; } = BenchSuite.AllSections;
    public int Warmup { get; init; } = 1;
    public int Rounds { get; init; } = 7;

    // 1. trainer overhead (the quick profile's CNN+Res step)
    public string TrainerModel { get; init; } = "cnn-res";
    public int TrainHeight { get; init; } = ReproduceProfile.Quick.Height;
    public int TrainWidth { get; init; } = ReproduceProfile.Quick.Width;
    public int TrainBatch { get; init; } = ReproduceProfile.Quick.BatchSize;
    public int StepsPerRound { get; init; } = 6;

    // 2. loader (NYU-sized source, resized to 240x320 by the default augmentation)
    public int LoaderHeight { get; init; } = 240;
    public int LoaderWidth { get; init; } = 320;
    public int LoaderSourceHeight { get; init; } = 480;
    public int LoaderSourceWidth { get; init; } = 640;
    public int LoaderBatch { get; init; } = 8;
    public int LoaderBatches { get; init; } = 4;
    public IReadOnlyList<int> LoaderWorkers { get; init; } = [1, 2];

    // 3. memory
    public int MemoryEpochs { get; init; } = 10;
    public int MemoryStepsPerEpoch { get; init; } = 3;
    public int MemoryBatch { get; init; } = 8;

    // 4. inference
    public IReadOnlyList<string> InferenceModels { get; init; } = [.. Architectures.Names];
    public IReadOnlyList<(string Name, int Height, int Width)> InferenceSizes { get; init; } =
        [("quick", ReproduceProfile.Quick.Height, ReproduceProfile.Quick.Width), ("paper", ReproduceProfile.Paper.Height, ReproduceProfile.Paper.Width)];
    public int InferenceBatch { get; init; } = 8;
    /// <summary>Repeats for the large (paper) size, where one forward of a ResNet-50 model takes seconds.</summary>
    public int LargeRounds { get; init; } = 3;

    // 5. SynthRooms
    public IReadOnlyList<(int Height, int Width)> SynthSizes { get; init; } = [(240, 320), (480, 640)];
    public int SynthImages { get; init; } = 4;

    /// <summary>A few minutes on 2 cores: fewer rounds, the paper-size inference of the CPU-sized models only.</summary>
    public static BenchConfig Quick { get; } = new()
    {
        Mode = "quick", Rounds = 5, StepsPerRound = 3, LoaderBatches = 3, MemoryStepsPerEpoch = 2, SynthImages = 2, LargeRounds = 2,
        InferenceModels = [.. Architectures.All.Where(a => a.CpuSized).Select(a => a.Name)],
    };

    public static BenchConfig Full { get; } = new();

    /// <summary>Seconds: tiny sizes and one round, to check the harness end to end (tests); the numbers mean nothing.</summary>
    public static BenchConfig Smoke { get; } = new()
    {
        Mode = "smoke", Warmup = 0, Rounds = 1, LargeRounds = 1,
        TrainerModel = "cnn", TrainHeight = 32, TrainWidth = 32, TrainBatch = 2, StepsPerRound = 1,
        LoaderHeight = 32, LoaderWidth = 32, LoaderSourceHeight = 48, LoaderSourceWidth = 64, LoaderBatch = 2, LoaderBatches = 2,
        MemoryEpochs = 3, MemoryStepsPerEpoch = 1, MemoryBatch = 2,
        InferenceModels = ["cnn"], InferenceSizes = [("quick", 32, 32)], InferenceBatch = 2,
        SynthSizes = [(16, 16)], SynthImages = 1,
    };

    public bool Runs(string section) => Sections.Contains(section, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The bench measurements. Every number that has a baseline is a ratio measured in the same run, with the
/// subject and the baseline timed alternately round by round (<see cref="Timing.Paired"/>), because the machines
/// this runs on are shared and noisy. Results are medians with min/max and quartiles over rounds.
/// </summary>
public static class BenchSuite
{
    public const string Schema = "depthkit-bench/1";
    public static readonly string[] AllSections = ["trainer", "loader", "memory", "inference", "synth"];
    const long Seed = 7;

    public static BenchReport Run(BenchConfig config, Action<string>? log = null, CancellationToken cancel = default)
    {
        foreach (var s in config.Sections)
            if (!AllSections.Contains(s, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"unknown benchmark '{s}': use {string.Join(", ", AllSections)}");
        if (config.Rounds < 1 || config.Warmup < 0) throw new ArgumentException("rounds must be at least 1 and warm-up not negative");
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        log?.Invoke($"machine: {machine.CpuModel}, {machine.LogicalCores} cores, torch threads {machine.TorchThreads}, {machine.Route}, load {string.Join(" ", machine.LoadAverage)}");

        SynthResult[]? synth = null;
        if (config.Runs("synth")) { cancel.ThrowIfCancellationRequested(); synth = [.. config.SynthSizes.Select(s => SynthSpeed(config, s.Height, s.Width, log))]; }
        TrainerOverheadResult? trainer = null;
        if (config.Runs("trainer")) { cancel.ThrowIfCancellationRequested(); trainer = TrainerOverhead(config, log); }
        LoaderResult? loader = null;
        if (config.Runs("loader")) { cancel.ThrowIfCancellationRequested(); loader = LoaderThroughput(config, log); }
        MemoryResult? memory = null;
        if (config.Runs("memory")) { cancel.ThrowIfCancellationRequested(); memory = MemoryDrift(config, log); }
        List<InferenceResult>? inference = null;
        if (config.Runs("inference"))
        {
            inference = [];
            foreach (var (name, h, w) in config.InferenceSizes)
                foreach (var arch in config.InferenceModels)
                {
                    cancel.ThrowIfCancellationRequested();
                    inference.Add(Inference(config, arch, name, h, w, log));
                }
        }

        var goals = new List<GoalCheck>();
        if (trainer is not null) goals.Add(Goal("trainer_overhead", "kit step / bare step <= 1.05", trainer.Ratio.Median, 1.05, false));
        if (loader is not null)
            foreach (var w in loader.Workers)
                goals.Add(Goal($"loader_{w.Workers}_workers", "loader images/s >= 2x the CNN+Res step's", w.RatioToStep.Median, 2.0, true));
        if (memory is not null) goals.Add(Goal("memory_drift", "RSS (after a full GC) drift epoch 2 to last <= 3%", memory.DriftEpoch2ToLast, 0.03, false));

        return new BenchReport
        {
            Mode = config.Mode, StartedUtc = started, ElapsedSeconds = clock.Elapsed.TotalSeconds, Machine = machine with { LoadAverage = MachineInfo.ReadLoadAverage() },
            TrainerOverhead = trainer, Loader = loader, Memory = memory, Inference = inference, Synth = synth?.ToList(), Goals = goals,
        };
    }

    static GoalCheck Goal(string name, string goal, double value, double target, bool higherIsBetter) =>
        new(name, goal, value, target, higherIsBetter, higherIsBetter ? value >= target : value <= target);

    /// <summary>SynthRooms samples of the train split at a size (rendered in parallel).</summary>
    public static DepthSample[] Render(int count, int height, int width)
    {
        var samples = new DepthSample[count];
        Parallel.For(0, count, i => samples[i] = SynthRooms.Render(Seed, i, height, width));
        return samples;
    }

    // ---- 5. SynthRooms ----------------------------------------------------------------------------------------

    public static SynthResult SynthSpeed(BenchConfig config, int height, int width, Action<string>? log)
    {
        int n = config.SynthImages, next = 0;
        void Serial() { for (int i = 0; i < n; i++) SynthRooms.Render(Seed, next++, height, width); }
        void Parallel_() { int start = next; next += n; Parallel.For(0, n, i => SynthRooms.Render(Seed, start + i, height, width)); }
        var times = Timing.Paired(Parallel_, Serial, config.Warmup, config.Rounds);
        var result = new SynthResult(height, width, n, config.Rounds, Stats.Of(times.Baseline).Inverse(n), Stats.Of(times.Subject).Inverse(n), Environment.ProcessorCount);
        log?.Invoke(FormattableString.Invariant($"synth {height}x{width}: {result.SerialImagesPerSecond.Median:F2} images/s on one thread, {result.ParallelImagesPerSecond.Median:F2} on {result.ParallelThreads}"));
        return result;
    }

    // ---- 1. trainer overhead ----------------------------------------------------------------------------------

    /// <summary>A training model as the quick profile builds it (random weights, seeded).</summary>
    public static DepthNet TrainModel(string architecture, int height, int width)
    {
        Trainer.Seed(42);
        return Architectures.Create(Reproduction.ConfigFor(ReproduceProfile.Quick with { Height = height, Width = width }, architecture));
    }

    public static TrainOptions TrainOptionsFor(int height, int width, int batch, int epochs) =>
        ReproduceProfile.Quick.TrainOptions(false) with { Height = height, Width = width, BatchSize = batch, Epochs = epochs };

    /// <summary>The bare loop: pre-built tensors, forward, masked L1, backward, AdamW step; nothing else.</summary>
    public static void BareSteps(nn.Module<Tensor, Tensor> model, TrainOptions o, IReadOnlyList<DepthBatch> batches)
    {
        using var optimizer = Optimizers.Create("adamw", [(model.parameters(), o.LearningRate)], o.LearningRate, o.WeightDecay); // the Trainer's
        model.train();
        foreach (var b in batches)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var pred = model.call(b.Rgb);
            var loss = pred.sub(b.Depth).abs().masked_select(b.Valid).mean();
            loss.backward();
            optimizer.step();
            _ = loss.item<float>(); // the kit reads the loss every step too
        }
    }

    /// <summary>The batches the Trainer's loader makes from a dataset in one epoch, built once (for the bare loop).</summary>
    public static List<DepthBatch> Prebuild(IDepthDataset data, TrainOptions options)
    {
        var loader = new DataLoader(data, Trainer.LoaderOptions(data, options) with { Workers = 0 });
        return [.. loader.Epoch(0)];
    }

    public static TrainerOverheadResult TrainerOverhead(BenchConfig config, Action<string>? log)
    {
        int h = config.TrainHeight, w = config.TrainWidth, batch = config.TrainBatch, steps = config.StepsPerRound;
        var samples = Render(Math.Min(batch, 8), h, w);
        var data = new RepeatedDataset(samples, batch * steps, "bench/train");
        using var model = TrainModel(config.TrainerModel, h, w);
        var options = TrainOptionsFor(h, w, batch, 1);
        var identity = ModelFactory.Identity(model.Config);
        var prebuilt = Prebuild(data, options);
        var waits = new List<double>();
        var process = new List<double>();
        try
        {
            // one fresh Trainer per round (Fit trains its one epoch); the bare loop gets a fresh optimiser too
            void Kit() => new Trainer(model, identity, data, null, options).Fit();
            void Bare() => BareSteps(model, options, prebuilt);
            // the profile: Trainer.TrainEpoch's two parts timed apart, waiting for the loader's next batch and
            // Trainer.ProcessBatch (LR, forward, loss, backward, step, bookkeeping)
            int epoch = 0;
            void Split()
            {
                var trainer = new Trainer(model, identity, data, null, options);
                var loader = new DataLoader(data, Trainer.LoaderOptions(data, options));
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                foreach (var b in loader.Epoch(epoch++))
                {
                    waits.Add(clock.Elapsed.TotalSeconds);
                    using (b) process.Add(Timing.Seconds(() => trainer.ProcessBatch(b)));
                    clock.Restart();
                }
            }
            var times = Timing.Rotated([Kit, Bare, Split], config.Warmup, config.Rounds);
            int warm = config.Warmup * steps;
            var kit = Stats.Of(times[0]).Scaled(1.0 / steps);
            var bare = Stats.Of(times[1]).Scaled(1.0 / steps);
            var wait = Stats.Of(waits.Skip(warm));
            var proc = Stats.Of(process.Skip(warm));
            var result = new TrainerOverheadResult(Architectures.Get(config.TrainerModel).DisplayName, h, w, batch, steps, config.Rounds,
                kit, bare, Stats.Of(times[0].Zip(times[1], (a, b) => a / b)), wait, proc, proc.Median / bare.Median);
            log?.Invoke(FormattableString.Invariant(
                $"trainer overhead ({result.Model} {h}x{w}, batch {batch}): kit {kit.Median:F3} s/step, bare {bare.Median:F3} s/step, ratio {result.Ratio.Median:F3} [{result.Ratio.Min:F3}..{result.Ratio.Max:F3}]; profile: waiting for a batch {wait.Median * 1000:F1} ms [{wait.Min * 1000:F1}..{wait.Max * 1000:F1}], ProcessBatch {proc.Median:F3} s (= {result.ProcessBatchToBare:F3} x bare)"));
            return result;
        }
        finally { prebuilt.ForEach(b => b.Dispose()); }
    }

    // ---- 2. loader --------------------------------------------------------------------------------------------

    public static LoaderResult LoaderThroughput(BenchConfig config, Action<string>? log)
    {
        int h = config.LoaderHeight, w = config.LoaderWidth, batch = config.LoaderBatch;
        var sources = Render(Math.Min(4, batch), config.LoaderSourceHeight, config.LoaderSourceWidth);
        var data = new RepeatedDataset(sources, batch * config.LoaderBatches, "bench/loader");
        var transform = Augmentations.DefaultTrain(h, w);
        var loaders = config.LoaderWorkers.Select(k => new DataLoader(data, new DataLoaderOptions
        { BatchSize = batch, Workers = k, Seed = 1, Transform = transform, Normalization = Normalization.ImageNet })).ToList();

        // the consumer: one CNN+Res training step at the loader's size and batch (bare, on a pre-built batch)
        using var model = TrainModel("cnn-res", h, w);
        var options = TrainOptionsFor(h, w, batch, 1);
        var prebuilt = Prebuild(new RepeatedDataset(Render(1, h, w), batch), options).Take(1).ToList();
        int epoch = 0;
        double Epoch(DataLoader loader)
        {
            var clock = Stopwatch.StartNew();
            int images = 0;
            using (var scope = NewDisposeScope())
                foreach (var b in loader.Epoch(epoch++)) { images += b.Size; b.Dispose(); }
            return images / clock.Elapsed.TotalSeconds;
        }
        try
        {
            for (int i = 0; i < config.Warmup; i++) { loaders.ForEach(l => Epoch(l)); BareSteps(model, options, prebuilt); }
            var rates = loaders.Select(_ => new double[config.Rounds]).ToArray();
            var step = new double[config.Rounds];
            for (int r = 0; r < config.Rounds; r++)
            {
                for (int k = 0; k < loaders.Count; k++) rates[k][r] = Epoch(loaders[k]);
                step[r] = batch / Timing.Seconds(() => BareSteps(model, options, prebuilt));
            }
            var workers = loaders.Select((l, k) => new LoaderWorkersResult(l.Options.Workers, Stats.Of(rates[k]),
                Stats.Of(rates[k].Zip(step, (a, b) => a / b)))).ToList();
            var result = new LoaderResult(h, w, config.LoaderSourceHeight, config.LoaderSourceWidth, batch, config.LoaderBatches, config.Rounds,
                "Augmentations.DefaultTrain (area resize, ±2.5° rotation, flip, colour jitter, gamma, channel swap) + ImageNet normalisation",
                "CNN+Res", Stats.Of(step), workers);
            foreach (var x in workers)
                log?.Invoke(FormattableString.Invariant($"loader {h}x{w} from {config.LoaderSourceHeight}x{config.LoaderSourceWidth}, {x.Workers} worker(s): {x.ImagesPerSecond.Median:F1} images/s = {x.RatioToStep.Median:F2}x the CNN+Res step ({result.StepImagesPerSecond.Median:F2} images/s)"));
            return result;
        }
        finally { prebuilt.ForEach(b => b.Dispose()); }
    }

    // ---- 3. memory --------------------------------------------------------------------------------------------

    public static MemoryResult MemoryDrift(BenchConfig config, Action<string>? log)
    {
        int h = config.TrainHeight, w = config.TrainWidth, batch = config.MemoryBatch;
        var samples = Render(Math.Min(batch, 8), h, w);
        var train = new RepeatedDataset(samples, batch * config.MemoryStepsPerEpoch, "bench/train");
        var val = new RepeatedDataset(samples, batch, "bench/val");
        using var model = TrainModel(config.TrainerModel, h, w);
        var identity = ModelFactory.Identity(model.Config);
        var runDir = Path.Combine(Path.GetTempPath(), $"depthkit-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var rss = new List<long>();
        var managed = new List<long>();
        var rssAfterGc = new List<long>();
        var managedAfterGc = new List<long>();
        long before = ProcessMemory.ResidentBytes() ?? 0;
        try
        {
            // checkpoints and history are written each epoch, as in reproduce
            var trainer = new Trainer(model, identity, train, val, TrainOptionsFor(h, w, batch, config.MemoryEpochs), runDir: runDir)
            {
                Progress = new Inline<TrainProgress>(p =>
                {
                    if (p.Phase != "val") return;
                    rss.Add(ProcessMemory.ResidentBytes() ?? 0);
                    managed.Add(GC.GetTotalMemory(false));
                    // a leak survives a full collection; garbage waiting for the next GC does not
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    rssAfterGc.Add(ProcessMemory.ResidentBytes() ?? 0);
                    managedAfterGc.Add(GC.GetTotalMemory(false));
                }),
            };
            trainer.Fit();
        }
        finally { if (Directory.Exists(runDir)) Directory.Delete(runDir, true); }
        double drift = Drift(rssAfterGc), driftWithoutGc = Drift(rss);
        var result = new MemoryResult(Architectures.Get(config.TrainerModel).DisplayName, h, w, batch, config.MemoryStepsPerEpoch, config.MemoryEpochs,
            rss, managed, rssAfterGc, managedAfterGc, before, drift, driftWithoutGc, Slope(rssAfterGc));
        log?.Invoke(FormattableString.Invariant($"memory: RSS per epoch after a full GC {string.Join(" ", rssAfterGc.Select(r => $"{r / 1048576.0:F0}"))} MiB; drift epoch 2 to {rss.Count}: {drift * 100:+0.0;-0.0}% ({driftWithoutGc * 100:+0.0;-0.0}% without the GC); trend {result.SlopeAfterGcBytesPerEpoch / 1048576:+0.0;-0.0} MiB/epoch"));
        return result;
    }

    /// <summary>(last - epoch 2) / epoch 2; epoch 1 is left out because it still allocates the optimiser state and caches.</summary>
    public static double Drift(IReadOnlyList<long> perEpoch)
    {
        int from = Math.Min(1, perEpoch.Count - 1);
        return perEpoch.Count == 0 || perEpoch[from] == 0 ? double.NaN : (perEpoch[^1] - perEpoch[from]) / (double)perEpoch[from];
    }

    /// <summary>
    /// Least-squares slope over epochs 2..last: a leak grows every epoch, while the allocator's caches make single
    /// epochs swing by several percent either way, which the two-point drift cannot tell apart.
    /// </summary>
    public static double Slope(IReadOnlyList<long> perEpoch)
    {
        var points = perEpoch.Skip(1).Select((v, i) => (X: (double)i, Y: (double)v)).ToList();
        if (points.Count < 2) return double.NaN;
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        return points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
    }

    /// <summary>IProgress that runs on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class Inline<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    // ---- 4. inference -----------------------------------------------------------------------------------------

    public static InferenceResult Inference(BenchConfig config, string architecture, string sizeName, int h, int w, Action<string>? log)
    {
        var info = Architectures.Get(architecture);
        var profile = sizeName == "paper" ? ReproduceProfile.Paper : ReproduceProfile.Quick;
        var options = new Dictionary<string, string>();
        if (info.Encoders.Count == 0) options["width"] = profile.CnnWidth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var cfg = new ModelConfig(info.Name, null, h, w, options);
        Trainer.Seed(42);
        using var model = Architectures.Create(cfg);
        model.eval();
        var image = Render(1, h, w)[0];
        using var single = Batches.ImageTensor(image.Rgb, h, w, h, w).unsqueeze(0);
        using var batched = single.expand(config.InferenceBatch, -1, -1, -1).contiguous();
        void Bare(Tensor x)
        {
            using var scope = NewDisposeScope();
            using var forwardOnly = DepthKit.Training.Inference.Region(); // the same region as Predictor, so the ratio is the kit's overhead
            _ = model.call(x).data<float>()[0];
        }
        bool large = (long)h * w > 100_000;
        int rounds = large ? Math.Min(config.Rounds, config.LargeRounds) : config.Rounds;
        var times = Timing.Paired(() => Predictor.Predict(model, image, h, w, h, w), () => Bare(single), config.Warmup, rounds);
        // the first batched call pays for growing the heap to the batch's buffers; a cold round would be half the median of 3
        var batch = Timing.Repeat(() => Bare(batched), config.Warmup, rounds);
        var (total, _, _) = Architectures.CountParameters(model);
        var result = new InferenceResult(info.Name, info.DisplayName, model.Config.Encoder ?? info.DefaultEncoder, sizeName, h, w, total,
            Stats.Of(times.Subject).Scaled(1000), Stats.Of(times.Baseline).Scaled(1000), Stats.Of(times.Ratios),
            config.InferenceBatch, Stats.Of(batch).Inverse(config.InferenceBatch));
        log?.Invoke(FormattableString.Invariant(
            $"inference {info.DisplayName} {sizeName} {h}x{w}: {result.KitLatencyMs.Median:F1} ms (bare {result.BareLatencyMs.Median:F1} ms, ratio {result.LatencyRatio.Median:F3}), {result.BatchImagesPerSecond.Median:F1} images/s at batch {config.InferenceBatch}"));
        return result;
    }
}
