using DepthKit.Training;

namespace DepthKit.Notebooks.Display;

/// <summary>
/// The live Train Loss chart of a training cell: hand <see cref="For"/> to <c>Trainer.Progress</c> and the chart grows
/// while the cell runs (training loss per step, validation loss per epoch, x in epochs), with a progress line below.
/// Several models can share one chart (one <see cref="For"/> each).
/// </summary>
public sealed class LiveTraining : IDisposable
{
    readonly LiveProgress _bar;

    public LiveTraining(string title = "Train Loss", IDisplaySink? sink = null, TimeSpan? minInterval = null)
    {
        Chart = new LiveChart(title, "epoch", "loss", sink) { MinInterval = minInterval ?? TimeSpan.FromSeconds(1) };
        _bar = new LiveProgress("training", 1000, sink) { MinInterval = minInterval ?? TimeSpan.FromSeconds(1) };
    }

    public LiveChart Chart { get; }

    /// <summary>Progress of one model; its curves are named "<paramref name="model"/> train" and "... val".</summary>
    public IProgress<TrainProgress> For(string model) => new SyncProgress<TrainProgress>(p => Report(model, p));

    void Report(string model, TrainProgress p)
    {
        double epochs = p.BatchesPerEpoch == 0 ? p.Epoch : (double)p.Step / p.BatchesPerEpoch;
        string prefix = model.Length == 0 ? "" : model + " ";
        if (p.Phase == "train") Chart.Add(prefix + "train", epochs, p.Loss);
        else if (p.Phase == "val" && double.IsFinite(p.Loss)) Chart.Add(prefix + "val", epochs, p.Loss);
        _bar.Update(p.Fraction, $"{prefix}epoch {p.Epoch}/{p.Epochs}, step {p.Step}/{p.TotalSteps}, loss {p.Loss:F4}, {p.ImagesPerSecond:F0} img/s" +
                                (p.Message is null ? "" : " — " + p.Message));
    }

    public void Dispose()
    {
        Chart.Flush();
        _bar.Dispose();
    }
}
