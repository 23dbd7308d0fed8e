using System.Diagnostics;
using DepthKit.Data;
using DepthKit.Losses;
using DepthKit.Metrics;
using DepthKit.Transforms;
using DataLoader = DepthKit.Data.DataLoader;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>Why <see cref="Trainer.Fit"/> returned.</summary>
public enum StopReason { Completed, EarlyStopped }

/// <summary>
/// Trains one depth model (monodepth2's trainer.py shape): <see cref="Fit"/> runs the epochs;
/// <see cref="TrainEpoch"/>, <see cref="ProcessBatch"/>, <see cref="Validate"/>, <see cref="Save"/> and
/// <see cref="Resume"/> are the pieces. Each step lives in its own dispose scope, so memory stays flat. With a
/// run folder it writes <c>last.ckpt</c> at each epoch end and on cancellation (Ctrl+C), <c>best.ckpt</c> when the
/// monitored validation value improves, and <c>history.csv</c> / <c>steps.csv</c>.
/// A resumed run continues exactly: weights, optimiser moments, step (the whole LR schedule state), torch RNG
/// state and the data order (a function of seed and epoch) are all restored.
/// </summary>
public sealed class Trainer
{
    readonly IDepthDataset _train;
    readonly DataLoader _loader;
    readonly IDepthDataset? _val;
    readonly DepthLoss _loss;
    readonly OptimizerHelper _optimizer;
    // learning-rate multiplier of each optimiser parameter group (the schedule's rate times this)
    readonly double[] _groupScales;
    readonly List<Parameter> _trainable;
    readonly Stopwatch _clock = new();
    double _imagesPerSecond;
    long _stepsTimed;
    double _secondsTimed;

    public nn.Module<Tensor, Tensor> Model { get; }
    public ModelIdentity Identity { get; }
    public TrainOptions Options { get; }
    public Device Device { get; }
    /// <summary>Where checkpoints and history go; null keeps everything in memory.</summary>
    public string? RunDir { get; }
    public IProgress<TrainProgress>? Progress { get; set; }
    /// <summary>Called after each epoch's validation and checkpoints (learning curves evaluate here).</summary>
    public Action<Trainer>? EpochEnded { get; set; }
    /// <summary>Process CPU time spent in <see cref="TrainEpoch"/> (all threads), the x axis of learning curves.</summary>
    public TimeSpan TrainCpuTime { get; private set; }

    public TrainingHistory History { get; private set; } = new();
    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }
    /// <summary>Batches of the current epoch already trained.</summary>
    public int BatchInEpoch { get; private set; }
    /// <summary>Optimiser steps taken.</summary>
    public long Step { get; private set; }
    public double? BestValue { get; private set; }
    public int BestEpoch { get; private set; }
    int _sinceBest;

    public int BatchesPerEpoch { get; }
    public long TotalSteps => (long)BatchesPerEpoch * Options.Epochs;

    /// <remarks>model: the network, already built (seed torch before building it for reproducible weights)</remarks>
    /// <remarks>identity: its registry name, display name and config, stored in checkpoints</remarks>
    public Trainer(nn.Module<Tensor, Tensor> model, ModelIdentity identity, IDepthDataset train, IDepthDataset? val, TrainOptions options,
                   Device? device = null, string? runDir = null)
    {
        Options = options.Validated();
        if (train.Count < 1) throw new ArgumentException($"{train.Name} has no training images");
        Model = model;
        Identity = identity;
        _train = train;
        _val = val is { Count: > 0 } ? val : null;
        Device = device ?? CPU;
        RunDir = runDir;
        _loss = DepthLoss.Create(options.Loss);
        Model.to(Device);
        // DepthNet and ConvStack take the host's convolution route themselves; a model of any other class would
        // otherwise train the routed shapes on the faulty kernels
        if (Models.ConvolutionRoute.Rule is not null) Models.ConvolutionRoute.Attach(Model);
        _trainable = [.. Model.parameters().Where(p => p.requires_grad)];
        if (_trainable.Count == 0) throw new ArgumentException($"{identity.DisplayName} has no trainable parameters");
        (_optimizer, _groupScales) = CreateOptimizer(Model, _trainable, options);
        _loader = new DataLoader(train, LoaderOptions(train, options));
        BatchesPerEpoch = _loader.BatchesPerEpoch;
    }

    /// <summary>Seeds torch's default generator (weights, dropout); call before building the model.</summary>
    public static void Seed(int seed) => random.manual_seed(seed);

    /// <summary>
    /// Continues a run from its folder (or a checkpoint file): rebuilds the model with <paramref name="build"/>
    /// from the stored identity and options, restores weights, optimiser, step, RNG and history.
    /// </summary>
    public static Trainer Resume(string runDirOrFile, Func<ModelIdentity, TrainOptions, nn.Module<Tensor, Tensor>> build,
                                 IDepthDataset train, IDepthDataset? val, Device? device = null, int? epochs = null)
    {
        var path = Checkpoint.Resolve(runDirOrFile);
        Checkpoint.CheckResumable(path);
        var info = Checkpoint.ReadInfo(path);
        var options = epochs is { } e ? info.Options with { Epochs = e } : info.Options;
        var model = build(info.Model, options);
        var runDir = Directory.Exists(runDirOrFile) ? runDirOrFile : Path.GetDirectoryName(Path.GetFullPath(path));
        var trainer = new Trainer(model, info.Model, train, val, options, device, runDir);
        trainer.Restore(path);
        return trainer;
    }

    void Restore(string path)
    {
        var info = Checkpoint.Load(path, Model, Identity, _optimizer);
        Epoch = info.Epoch;
        BatchInEpoch = info.BatchInEpoch;
        Step = info.Step;
        BestValue = info.BestValue;
        BestEpoch = info.BestEpoch;
        _sinceBest = info.EpochsWithoutImprovement;
        History = info.History;
        if (info.TorchRngState.Length > 0)
        {
            using var state = Checkpoint.DecodeRng(info.TorchRngState);
            random.set_rng_state(state);
        }
    }

    /// <summary>
    /// Trains the remaining epochs, validating and checkpointing after each; honours early stopping. With a run
    /// folder it holds the folder's <see cref="RunLock"/> (unless <see cref="Lock"/> is already one) and, when
    /// anything fails midway (a bad image, a full disk, Ctrl+C during validation), saves the trained state to
    /// <c>last.ckpt</c> before the error propagates, unless the model itself went non-finite.
    /// </summary>
    public StopReason Fit(CancellationToken cancel = default)
    {
        using var own = RunDir is not null && Lock is null ? RunLock.Acquire(RunDir) : null;
        try
        {
            return FitEpochs(cancel);
        }
        catch (Exception e) when (RunDir is not null && e is not DepthKitTrainingException && !_saveFailed && !_abandoned && Step > _savedStep)
        {
            try
            {
                if (WeightsFinite()) Save(Path.Combine(RunDir, Checkpoint.LastFile));
            }
            catch (Exception) { } // the first error is the one to report (a second save on a full disk fails too)
            throw;
        }
    }

    /// <summary>A run folder lock already held by the caller (the CLI takes it before checking the folder); Fit takes its own when null.</summary>
    public RunLock? Lock { get; set; }

    bool _saveFailed, _abandoned;
    long _savedStep = -1;

    StopReason FitEpochs(CancellationToken cancel)
    {
        while (Epoch < Options.Epochs)
        {
            var started = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            double trainLoss = TrainEpoch(cancel);
            TrainCpuTime += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var (valLoss, metrics) = _val is null ? (double.NaN, null) : Validate(cancel);
            CheckFinite(trainLoss, valLoss);
            Epoch++;
            BatchInEpoch = 0;
            double lr = LrSchedule.At(Options, Math.Max(0, Step - 1), BatchesPerEpoch);
            History.Epochs.Add(new EpochRecord(Epoch, Step, trainLoss, valLoss, metrics, lr, started.Elapsed.TotalSeconds));
            double monitored = Monitored(trainLoss, valLoss, metrics);
            bool improved = double.IsFinite(monitored) && (BestValue is not { } best || (Options.MonitorHigherIsBetter ? monitored > best : monitored < best));
            if (improved) { BestValue = monitored; BestEpoch = Epoch; _sinceBest = 0; }
            else _sinceBest++;
            if (RunDir is not null)
            {
                Save(Path.Combine(RunDir, Checkpoint.LastFile));
                if (improved) Save(Path.Combine(RunDir, Checkpoint.BestFile), withOptimizer: false);
                History.WriteCsv(Path.Combine(RunDir, "history.csv"), Identity.DisplayName);
                History.WriteStepCsv(Path.Combine(RunDir, "steps.csv"));
            }
            bool stop = Options.EarlyStopPatience > 0 && _sinceBest >= Options.EarlyStopPatience && Epoch < Options.Epochs;
            string summary = FormattableString.Invariant(
                $"epoch {Epoch}/{Options.Epochs}: train loss {trainLoss:F4}, val loss {valLoss:F4}") +
                (metrics is null ? "" : FormattableString.Invariant($", d1 {metrics.D1:F3}, AbsRel {metrics.AbsRel:F3}, RMSE {metrics.Rmse:F3} m")) +
                (improved ? " (best)" : "") +
                (stop ? $"; early stop: {Options.Monitor} has not improved for {_sinceBest} epochs (best at epoch {BestEpoch})" : "");
            Report("val", valLoss, summary);
            EpochEnded?.Invoke(this);
            if (stop) return StopReason.EarlyStopped;
        }
        return StopReason.Completed;
    }

    /// <summary>
    /// A loss can be finite on the last step while that step's update made the weights NaN (a huge learning rate):
    /// the epoch's end checks the weights and the validation loss too, so a NaN model is never saved, as best or last.
    /// </summary>
    void CheckFinite(double trainLoss, double valLoss)
    {
        string? what = !WeightsFinite() ? "the model's weights became NaN or infinite"
            : _val is not null && !double.IsFinite(valLoss) ? $"the validation loss became {valLoss}"
            : double.IsNaN(trainLoss) || double.IsInfinity(trainLoss) ? $"the training loss became {trainLoss}" : null;
        if (what is null) return;
        _abandoned = true;
        double lr = LrSchedule.At(Options, Math.Max(0, Step - 1), BatchesPerEpoch);
        string last = RunDir is not null && File.Exists(Path.Combine(RunDir, Checkpoint.LastFile))
            ? $"the last good checkpoint {Path.Combine(RunDir, Checkpoint.LastFile)} (epoch {Epoch}) is kept"
            : "no checkpoint was written";
        throw new DepthKitTrainingException(FormattableString.Invariant(
            $"{what} in epoch {Epoch + 1} (step {Step}); training stopped and {last}. Try a lower learning rate (e.g. --lr {lr / 10:G3}) or gradient clipping (--clip 1)"),
            Step);
    }

    bool WeightsFinite()
    {
        using var scope = NewDisposeScope();
        foreach (var p in Model.parameters())
            if (!p.isfinite().all().item<bool>()) return false;
        return true;
    }

    /// <summary>One pass over the training set (from <see cref="BatchInEpoch"/> when resuming mid-epoch); returns the epoch's mean loss.</summary>
    public double TrainEpoch(CancellationToken cancel = default)
    {
        int epoch = Epoch;
        Model.train();
        int b = 0, trained = 0, withDepth = 0;
        _clock.Restart();
        // the loader's order and augmentation are functions of (seed, epoch, index): skipping the batches a
        // resumed run already trained yields exactly the batches the uninterrupted run saw next
        foreach (var batch in _loader.Epoch(epoch, cancel))
        {
            using (batch)
            {
                if (b++ < BatchInEpoch) continue;
                using (NewDisposeScope()) if (batch.Valid.any().item<bool>()) withDepth++;
                trained++;
                double loss = ProcessBatch(batch);
                BatchInEpoch = b;
                double seconds = _clock.Elapsed.TotalSeconds;
                _stepsTimed++;
                _secondsTimed += seconds;
                double rate = batch.Size / Math.Max(seconds, 1e-9);
                _imagesPerSecond = _stepsTimed == 1 ? rate : 0.9 * _imagesPerSecond + 0.1 * rate;
                Report("train", loss, null);
            }
            if (cancel.IsCancellationRequested && BatchInEpoch < BatchesPerEpoch)
            {
                if (RunDir is not null) Save(Path.Combine(RunDir, Checkpoint.LastFile));
                cancel.ThrowIfCancellationRequested();
            }
            _clock.Restart();
        }
        if (trained > 0 && withDepth == 0)
        {
            // every loss is 0 on such data: the run would "succeed" and learn nothing
            _abandoned = true;
            throw new DepthKitDataException(_train.Name,
                $"no training image of epoch {epoch + 1} has a valid depth pixel (all depth is 0, NaN or missing); check the depth files and --depth-scale");
        }
        long epochStart = (long)epoch * BatchesPerEpoch;
        var losses = History.StepLoss.Skip((int)epochStart).Take(BatchesPerEpoch).ToList();
        return losses.Count == 0 ? double.NaN : losses.Average();
    }

    /// <summary>One optimiser step on a batch; returns the loss. A NaN or infinite loss stops training (nothing is saved).</summary>
    public double ProcessBatch(DepthBatch batch)
    {
        using var scope = NewDisposeScope();
        double lr = LrSchedule.At(Options, Step, BatchesPerEpoch);
        int g = 0;
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr * _groupScales[g++];
        var b = batch.To(Device);
        _optimizer.zero_grad();
        var pred = Resampling.Bilinear(Model.call(b.Rgb), (int)b.Depth.shape[2], (int)b.Depth.shape[3]);
        var loss = _loss.Compute(pred, b.Depth, b.Valid);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) throw NonFinite(value, lr);
        loss.backward();
        if (Options.GradClipNorm > 0) nn.utils.clip_grad_norm_(_trainable, Options.GradClipNorm);
        _optimizer.step();
        Step++;
        History.StepLoss.Add(value);
        return value;
    }

    /// <summary>Validation loss and metrics on the validation set.</summary>
    public (double Loss, DepthMetrics Metrics) Validate(CancellationToken cancel = default)
    {
        if (_val is null) throw new InvalidOperationException("this trainer has no validation set");
        var (metrics, loss) = Evaluation.Evaluate(Model, _val, Options.Eval.ToEvalOptions(), Options.Height, Options.Width,
            Options.BatchSize, device: Device, loss: _loss, cancel: cancel);
        return (loss, metrics);
    }

    /// <summary>Writes a checkpoint of the current state (atomic).</summary>
    public void Save(string path, bool withOptimizer = true, Action<string>? beforeRename = null)
    {
        using var rng = random.get_rng_state();
        var info = new CheckpointInfo
        {
            Model = Identity,
            Options = Options,
            Epoch = Epoch,
            BatchInEpoch = BatchInEpoch,
            Step = Step,
            TorchRngState = Checkpoint.EncodeRng(rng),
            DataSeed = Options.Seed,
            BestValue = BestValue,
            BestEpoch = BestEpoch,
            EpochsWithoutImprovement = _sinceBest,
            History = History,
        };
        try { Checkpoint.Save(path, info, Model, withOptimizer ? _optimizer : null, beforeRename); }
        catch { _saveFailed = true; throw; } // a second attempt (Fit's rescue save) would fail the same way
        _savedStep = Step;
    }

    double Monitored(double trainLoss, double valLoss, DepthMetrics? m) => Options.Monitor switch
    {
        "rmse" when m is not null => m.Rmse,
        "abs_rel" when m is not null => m.AbsRel,
        "d1" when m is not null => m.D1,
        "val_loss" when _val is not null => valLoss,
        _ => Options.MonitorHigherIsBetter ? -trainLoss : trainLoss,
    };

    Exception NonFinite(double value, double lr)
    {
        string last = RunDir is not null && File.Exists(Path.Combine(RunDir, Checkpoint.LastFile))
            ? $"the last good checkpoint {Path.Combine(RunDir, Checkpoint.LastFile)} (epoch {Epoch}) is kept"
            : "no checkpoint was written yet";
        return new DepthKitTrainingException(FormattableString.Invariant(
            $"loss became {value} at step {Step + 1} (epoch {Epoch + 1}, batch {BatchInEpoch + 1}); training stopped and {last}. Try a lower learning rate (e.g. --lr {lr / 10:G3}) or gradient clipping"),
            Step + 1);
    }

    void Report(string phase, double loss, string? message)
    {
        if (Progress is null) return;
        double perStep = _stepsTimed == 0 ? 0 : _secondsTimed / _stepsTimed;
        var eta = TimeSpan.FromSeconds(Math.Max(0, TotalSteps - Step) * perStep);
        double lr = LrSchedule.At(Options, Math.Max(0, Step - 1), BatchesPerEpoch);
        Progress.Report(new TrainProgress(phase, Math.Min(Epoch + (phase == "train" ? 1 : 0), Options.Epochs), Options.Epochs, BatchInEpoch,
            BatchesPerEpoch, Step, TotalSteps, loss, lr, _imagesPerSecond, eta, message));
    }

    /// <summary>
    /// Batches for training: RGB in [0, 1] (DepthKit models normalise their own input), resized to the
    /// options' size when the data has another, mirrored at random when <see cref="TrainOptions.FlipAugmentation"/>, recoloured at random when
    /// <see cref="TrainOptions.ColorAugmentation"/>.
    /// </summary>
    public static DataLoaderOptions LoaderOptions(IDepthDataset train, TrainOptions options)
    {
        var steps = new List<IPairedTransform>();
        // always, not only when the first sample differs: a set of mixed sizes must still batch (the resize is a no-op
        // for samples that already fit)
        if (options.Height > 0 && options.Width > 0)
            steps.Add(new Transforms.Resize(options.Height, options.Width, RgbResize.Auto));
        if (options.FlipAugmentation) steps.Add(new HorizontalFlip());
        if (options.ColorAugmentation)
            steps.AddRange([new ColorJitter(0.3, 0.3, 0.3), new RandomGamma(0.8, 1.25), new ChannelSwap(0.25)]);
        return new DataLoaderOptions
        {
            BatchSize = options.BatchSize, Shuffle = true, Seed = options.Seed, Workers = 1, Prefetch = 2,
            DropLast = train.Count >= options.BatchSize, Normalization = Normalization.Unit,
            Transform = steps.Count == 0 ? null : new Compose([.. steps]),
        };
    }

    /// <summary>
    /// The optimiser over the trainable parameters. With <see cref="TrainOptions.EncoderLearningRateScale"/> != 1 and a
    /// trainable encoder, the encoder's parameters form a second group whose rate is scaled (a pretrained encoder
    /// fine-tunes at a lower rate than the freshly initialised decoder).
    /// </summary>
    static (OptimizerHelper Optimizer, double[] Scales) CreateOptimizer(nn.Module model, List<Parameter> trainable, TrainOptions o)
    {
        var encoder = model is Models.IHasEncoder e && o.EncoderLearningRateScale != 1
            ? new HashSet<IntPtr>(e.Encoder.parameters().Where(p => p.requires_grad).Select(p => p.Handle)) : [];
        var groups = encoder.Count == 0
            ? [(trainable, 1.0)]
            : new List<(List<Parameter> Parameters, double Scale)>
              {
                  ([.. trainable.Where(p => !encoder.Contains(p.Handle))], 1.0),
                  ([.. trainable.Where(p => encoder.Contains(p.Handle))], o.EncoderLearningRateScale),
              }.Where(x => x.Parameters.Count > 0).ToList();
        double[] scales = [.. groups.Select(x => x.Scale)];
        var optimizer = Optimizers.Create(o.Optimizer, groups.Select(x => ((IEnumerable<Parameter>)x.Parameters, o.LearningRate * x.Scale)),
                                          o.LearningRate, o.WeightDecay, o.Momentum);
        return (optimizer, scales);
    }
}

/// <summary>Training cannot go on (a non-finite loss): the message says where and what to try.</summary>
public sealed class DepthKitTrainingException(string message, long step) : Exception(message)
{
    /// <summary>The 1-based step whose loss was not finite.</summary>
    public long FailedStep { get; } = step;
}
