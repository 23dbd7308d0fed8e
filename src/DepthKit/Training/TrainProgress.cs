namespace DepthKit.Training;

/// <summary>What a training run reports after every step and at each epoch end (for a progress bar or a live chart).</summary>
/// <remarks>Phase: "train" after a step, "val" after an epoch's validation (with the epoch summary in Message)</remarks>
/// <remarks>Epoch: 1-based epoch being run</remarks>
/// <remarks>Step: global optimiser steps done</remarks>
/// <remarks>TotalSteps: steps of the whole run</remarks>
/// <remarks>Loss: loss of the last step (train) or the validation loss (val)</remarks>
/// <remarks>ImagesPerSecond: training throughput, smoothed</remarks>
/// <remarks>Eta: estimated time to the end of training</remarks>
/// <remarks>Message: a line worth printing (epoch summary, early stop), or null</remarks>
public sealed record TrainProgress(string Phase, int Epoch, int Epochs, int BatchInEpoch, int BatchesPerEpoch, long Step, long TotalSteps,
                                   double Loss, double LearningRate, double ImagesPerSecond, TimeSpan Eta, string? Message = null)
{
    public double Fraction => TotalSteps == 0 ? 1 : Math.Clamp((double)Step / TotalSteps, 0, 1);
}

/// <summary>An <see cref="IProgress{T}"/> that calls back on the training thread (System.Progress posts to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
