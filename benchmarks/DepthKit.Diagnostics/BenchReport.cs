using System.Text.Json;
using System.Text.Json.Serialization;

namespace DepthKit.Diagnostics;

/// <summary>Everything <c>depthkit bench --json</c> prints; the keys (snake_case) are documented in docs/benchmarks.md.</summary>
public sealed record BenchReport
{
    public string Schema { get; init; } = BenchSuite.Schema;
    public required string Mode { get; init; }
    public required DateTime StartedUtc { get; init; }
    public double ElapsedSeconds { get; init; }
    public required MachineInfo Machine { get; init; }
    public TrainerOverheadResult? TrainerOverhead { get; init; }
    public LoaderResult? Loader { get; init; }
    public MemoryResult? Memory { get; init; }
    public List<InferenceResult>? Inference { get; init; }
    public List<SynthResult>? Synth { get; init; }
    public List<GoalCheck> Goals { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>One bench goal: met when <c>value</c> is on the right side of <c>target</c>.</summary>
public sealed record GoalCheck(string Name, string Goal, double Value, double Target, bool HigherIsBetter, bool Met);

/// <summary>Kit training step (Trainer: DataLoader + transforms + forward + loss + backward + step + bookkeeping) vs a bare TorchSharp loop.
/// The profile: WaitSeconds is how long each step waited for the loader's next batch, ProcessBatchSeconds the rest of
/// the step (Trainer.ProcessBatch), ProcessBatchToBare = its median over the bare step's median.</summary>
public sealed record TrainerOverheadResult(
    string Model, int Height, int Width, int BatchSize, int StepsPerRound, int Rounds,
    Stats KitStepSeconds, Stats BareStepSeconds, Stats Ratio, Stats WaitSeconds, Stats ProcessBatchSeconds, double ProcessBatchToBare);

/// <summary>DataLoader images/s with the default augmentation vs the CNN+Res step's consumption (images/s).</summary>
public sealed record LoaderResult(
    int Height, int Width, int SourceHeight, int SourceWidth, int BatchSize, int BatchesPerRound, int Rounds, string Transform,
    string StepModel, Stats StepImagesPerSecond, List<LoaderWorkersResult> Workers);

public sealed record LoaderWorkersResult(int Workers, Stats ImagesPerSecond, Stats RatioToStep);

/// <summary>
/// RSS at the end of each epoch of a short training run, as found and after a full garbage collection. The drift
/// (the goal's number) uses the after-collection series: what the process still holds, not when the GC last ran.
/// </summary>
public sealed record MemoryResult(
    string Model, int Height, int Width, int BatchSize, int StepsPerEpoch, int Epochs,
    List<long> RssBytesPerEpoch, List<long> ManagedBytesPerEpoch, List<long> RssAfterGcBytesPerEpoch, List<long> ManagedAfterGcBytesPerEpoch,
    long RssBeforeBytes,
    [property: JsonPropertyName("drift_epoch2_to_last")] double DriftEpoch2ToLast,
    [property: JsonPropertyName("drift_epoch2_to_last_without_gc")] double DriftEpoch2ToLastWithoutGc,
    [property: JsonPropertyName("slope_after_gc_bytes_per_epoch")] double SlopeAfterGcBytesPerEpoch);

/// <summary>Single-image latency through the kit's predictor vs a bare forward, and batched bare throughput.</summary>
public sealed record InferenceResult(
    string Model, string DisplayName, string? Encoder, string SizeName, int Height, int Width, long Parameters,
    Stats KitLatencyMs, Stats BareLatencyMs, Stats LatencyRatio, int Batch, Stats BatchImagesPerSecond);

/// <summary>SynthRooms rendering speed, one thread and all cores.</summary>
public sealed record SynthResult(int Height, int Width, int ImagesPerRound, int Rounds, Stats SerialImagesPerSecond, Stats ParallelImagesPerSecond, int ParallelThreads);
