using System.Globalization;
using System.Text;
using DepthKit.Data;
using DepthKit.Metrics;
using Microsoft.Data.Analysis;

namespace DepthKit.Training;

/// <summary>One epoch of a run: mean training loss, validation loss and metrics, rate and time.</summary>
public sealed record EpochRecord(int Epoch, long Step, double TrainLoss, double ValLoss, DepthMetrics? Val, double LearningRate, double Seconds);

/// <summary>
/// Per-step training loss and per-epoch train/val loss and validation metrics. Serialisable (it travels inside
/// checkpoints so a resumed run keeps its curve), and exported as a DataFrame or <c>history.csv</c>.
/// </summary>
public sealed class TrainingHistory
{
    public List<double> StepLoss { get; init; } = [];
    public List<EpochRecord> Epochs { get; init; } = [];

    /// <summary>Columns of ToDataFrame and history.csv.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["model", "epoch", "step", "train_loss", "val_loss", "lr", "seconds", .. DepthMetrics.Fields.Select(f => f.Key)];

    /// <summary>One row per epoch; <paramref name="model"/> fills the first column (reproduce stacks several runs).</summary>
    public DataFrame ToDataFrame(string model = "") => ToDataFrame([(model, this)]);

    public static DataFrame ToDataFrame(IEnumerable<(string Model, TrainingHistory History)> runs)
    {
        var rows = runs.SelectMany(r => r.History.Epochs.Select(e => (r.Model, e))).ToList();
        return new DataFrame(new DataFrameColumn[]
        {
            new StringDataFrameColumn("model", rows.Select(r => r.Model)),
            new Int32DataFrameColumn("epoch", rows.Select(r => r.e.Epoch)),
            new Int64DataFrameColumn("step", rows.Select(r => r.e.Step)),
            new DoubleDataFrameColumn("train_loss", rows.Select(r => r.e.TrainLoss)),
            new DoubleDataFrameColumn("val_loss", rows.Select(r => r.e.ValLoss)),
            new DoubleDataFrameColumn("lr", rows.Select(r => r.e.LearningRate)),
            new DoubleDataFrameColumn("seconds", rows.Select(r => r.e.Seconds)),
        }.Concat(DepthMetrics.MetricColumns([.. rows.Select(r => r.e.Val)])));
    }

    /// <summary>The epoch table as CSV (invariant culture, header = <see cref="Columns"/>).</summary>
    public static string ToCsv(IEnumerable<(string Model, TrainingHistory History)> runs)
    {
        var sb = new StringBuilder().AppendLine(string.Join(',', Columns));
        foreach (var (model, history) in runs)
            foreach (var e in history.Epochs)
            {
                var m = e.Val;
                double[] metrics = m is null ? Enumerable.Repeat(double.NaN, DepthMetrics.Fields.Count).ToArray() : m.Values();
                sb.AppendLine(string.Join(',', new[] { Csv.Quote(model), I(e.Epoch), I(e.Step), G(e.TrainLoss), G(e.ValLoss), G(e.LearningRate), G(e.Seconds) }
                    .Concat(metrics.Select(G))));
            }
        return sb.ToString();
    }

    /// <summary>Writes history.csv atomically.</summary>
    public void WriteCsv(string path, string model = "") => AtomicFile.WriteAllText(path, ToCsv([(model, this)]));

    /// <summary>Writes the per-step losses (steps.csv: step,train_loss) atomically.</summary>
    public void WriteStepCsv(string path)
    {
        var sb = new StringBuilder("step,train_loss\n");
        for (int i = 0; i < StepLoss.Count; i++) sb.Append(I(i + 1)).Append(',').AppendLine(G(StepLoss[i]));
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
    static string G(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

static class Csv
{
    public static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
