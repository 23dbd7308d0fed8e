using System.Text.Json.Serialization;
using DepthKit.Metrics;

namespace DepthKit.Training;

/// <summary>
/// Every knob of a training run in one place (monodepth2's options.py). Saved inside each checkpoint, so
/// <c>--resume</c> continues with exactly these values.
/// </summary>
public sealed record TrainOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>adam, adamw or sgd.</summary>
    public string Optimizer { get; init; } = "adam";
    public double WeightDecay { get; init; }
    /// <summary>SGD momentum (ignored by Adam/AdamW).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>constant, step, cosine or onecycle (see <see cref="LrSchedule"/>).</summary>
    public string Schedule { get; init; } = "constant";
    /// <summary>step schedule: multiply the rate by <see cref="StepGamma"/> every this many epochs.</summary>
    public int StepEpochs { get; init; } = 5;
    public double StepGamma { get; init; } = 0.1;
    /// <summary>onecycle: fraction of the steps spent warming up (PyTorch's pct_start).</summary>
    public double WarmupFraction { get; init; } = 0.3;

    /// <summary>Clip the global gradient norm to this value; 0 turns clipping off.</summary>
    public double GradClipNorm { get; init; }

    /// <summary>Training loss by name (DepthLoss.Create): l1, l2, berhu, silog, ...</summary>
    public string Loss { get; init; } = "l1";

    /// <summary>Seeds the weights (the caller seeds before building the model), the data order and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Random horizontal flips of the training pairs (decided per sample from seed, epoch and index).</summary>
    public bool FlipAugmentation { get; init; } = true;

    /// <summary>
    /// Random brightness, contrast and saturation (±30%), gamma 0.8-1.25 and channel order (p 0.25) of the training RGB,
    /// decided per sample like the flips; depth is untouched. Photos differ from renders most in exposure and colour.
    /// </summary>
    public bool ColorAugmentation { get; init; }

    public bool FreezeEncoder { get; init; }

    /// <summary>Learning rate of a trainable encoder relative to the rest of the model (e.g. 0.1 for a pretrained one).</summary>
    public double EncoderLearningRateScale { get; init; } = 1.0;

    /// <summary>Stop when the monitored validation value has not improved for this many epochs; 0 = never.</summary>
    public int EarlyStopPatience { get; init; }

    /// <summary>What "best" means: val_loss, rmse, abs_rel (lower is better) or d1 (higher is better).</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>Input size H x W the samples are resized to (0 = keep the dataset's size).</summary>
    public int Height { get; init; }
    public int Width { get; init; }

    /// <summary>Where the data came from (a path or "synth"), recorded so <c>--resume</c> can reopen it.</summary>
    public string Data { get; init; } = "";

    /// <summary>What the CLI trained on (absolute path, counts, content fingerprint), so <c>--resume</c> reopens and checks it; null from code.</summary>
    public RunData? DataSource { get; init; }

    /// <summary>How validation metrics are computed (depth range, crop, alignment).</summary>
    public EvalSettings Eval { get; init; } = new();

    /// <summary>Checks the values and names before any work starts.</summary>
    public TrainOptions Validated()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1 (got {Epochs})");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1 (got {BatchSize})");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"learning rate must be positive (got {LearningRate})");
        if (!Optimizers.Names.Contains(Optimizer)) throw new ArgumentException($"unknown optimizer '{Optimizer}': use adam, adamw or sgd");
        if (Schedule is not ("constant" or "step" or "cosine" or "onecycle")) throw new ArgumentException($"unknown schedule '{Schedule}': use constant, step, cosine or onecycle");
        if (Monitor is not ("val_loss" or "rmse" or "abs_rel" or "d1")) throw new ArgumentException($"unknown monitor '{Monitor}': use val_loss, rmse, abs_rel or d1");
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0) throw new ArgumentException($"weight decay must be a finite number, 0 or more (got {WeightDecay})");
        if (!double.IsFinite(GradClipNorm) || GradClipNorm < 0) throw new ArgumentException($"gradient clipping must be a finite norm, 0 (off) or more (got {GradClipNorm})");
        if (EarlyStopPatience < 0) throw new ArgumentException($"early-stopping patience must be 0 (off) or more epochs (got {EarlyStopPatience})");
        if (!(EncoderLearningRateScale > 0) || double.IsInfinity(EncoderLearningRateScale))
            throw new ArgumentException($"encoder learning-rate scale must be positive (got {EncoderLearningRateScale})");
        _ = Losses.DepthLoss.Create(Loss);
        return this;
    }

    /// <summary>True when a larger monitored value is better.</summary>
    [JsonIgnore]
    public bool MonitorHigherIsBetter => Monitor == "d1";
}

/// <summary>The data of a run: absolute path (or "synth"), the train/val counts asked for, and <see cref="Data.DatasetFingerprint"/>s.</summary>
public sealed record RunData(string Path, int TrainCount, int ValCount, string TrainFingerprint, string ValFingerprint);

/// <summary>The serialisable part of <see cref="EvalOptions"/> used during training and by <c>eval</c>.</summary>
public sealed record EvalSettings
{
    public double MinDepth { get; init; } = 1e-3;
    public double MaxDepth { get; init; } = 10.0;
    /// <summary>none, eigen or garg.</summary>
    public string Crop { get; init; } = "none";
    public bool MedianScaling { get; init; }

    public EvalOptions ToEvalOptions() => new()
    {
        MinDepth = MinDepth,
        MaxDepth = MaxDepth,
        Crop = Crops.Parse(Crop),
        MedianScaling = MedianScaling,
    };
}
