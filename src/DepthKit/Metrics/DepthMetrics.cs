using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Analysis;

namespace DepthKit.Metrics;

/// <summary>
/// The standard depth metrics (Eigen et al. 2014): threshold accuracies d1..d3 (fraction of pixels with
/// max(gt/pred, pred/gt) &lt; 1.25^k, higher is better) and the errors AbsRel, SqRel, RMSE (m), RMSElog, log10,
/// SILog (lower is better), with the number of images evaluated, of images skipped for having no valid pixel,
/// and of valid pixels. <see cref="Fields"/> is the one list of the metrics: the text table, the DataFrame, CSV
/// (metrics.csv, history.csv), the HTML report and JSON (keys <c>d1, d2, d3, abs_rel, sq_rel, rmse, rmse_log, log10,
/// silog</c>, then <c>images, skipped_images, pixels</c>) all read it, so a new metric is a parameter here, its entry
/// in <see cref="Fields"/>, and its computation in <see cref="ErrorSums"/>. Metrics are NaN when no image had a valid pixel.
/// </summary>
[JsonConverter(typeof(DepthMetricsJsonConverter))]
public sealed record DepthMetrics(
    double D1, double D2, double D3, double AbsRel, double SqRel, double Rmse, double RmseLog, double Log10, double SiLog,
    int Images, int SkippedImages, long Pixels)
{
    /// <summary>How the images were combined; printed in the table row, not part of the JSON keys.</summary>
    public Averaging Averaging { get; init; } = Averaging.PerImage;

    /// <summary>Every metric in table order: key (JSON, CSV and DataFrame column), label, direction, getter and setter.</summary>
    public static IReadOnlyList<MetricField> Fields { get; } =
    [
        new("d1", "δ<1.25", true, m => m.D1, (m, v) => m with { D1 = v }, Width: 7),
        new("d2", "δ<1.25²", true, m => m.D2, (m, v) => m with { D2 = v }, Width: 7),
        new("d3", "δ<1.25³", true, m => m.D3, (m, v) => m with { D3 = v }, Width: 7),
        new("abs_rel", "AbsRel", false, m => m.AbsRel, (m, v) => m with { AbsRel = v }),
        new("sq_rel", "SqRel", false, m => m.SqRel, (m, v) => m with { SqRel = v }),
        new("rmse", "RMSE", false, m => m.Rmse, (m, v) => m with { Rmse = v }),
        new("rmse_log", "RMSElog", false, m => m.RmseLog, (m, v) => m with { RmseLog = v }),
        new("log10", "log10", false, m => m.Log10, (m, v) => m with { Log10 = v }),
        new("silog", "SILog", false, m => m.SiLog, (m, v) => m with { SiLog = v }),
    ];

    /// <summary>The counts that follow the metrics in every table.</summary>
    public static IReadOnlyList<string> CountColumns { get; } = ["images", "skipped_images", "pixels"];

    /// <summary>Column names in table and DataFrame order (the JSON keys): the <see cref="Fields"/>, then the counts.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. Fields.Select(f => f.Key), .. CountColumns];

    /// <summary>The metric values in <see cref="Fields"/> order.</summary>
    public double[] Values() => [.. Fields.Select(f => f.Get(this))];

    /// <summary>Metrics from values in <see cref="Fields"/> order and the counts.</summary>
    public static DepthMetrics FromValues(IReadOnlyList<double> values, int images, int skippedImages, long pixels, Averaging averaging = Averaging.PerImage)
    {
        if (values.Count != Fields.Count) throw new ArgumentException($"expected {Fields.Count} metric values, got {values.Count}");
        var m = Empty(images, skippedImages, pixels) with { Averaging = averaging };
        for (int i = 0; i < Fields.Count; i++) m = Fields[i].With(m, values[i]);
        return m;
    }

    /// <summary>Every metric NaN (nothing measured), with these counts.</summary>
    public static DepthMetrics Empty(int images = 0, int skippedImages = 0, long pixels = 0) =>
        new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, images, skippedImages, pixels);

    /// <summary>The header line matching <see cref="ToString"/>.</summary>
    public static string Header { get; } =
        string.Join(' ', Fields.Select(f => f.Key.PadLeft(CellWidth(f)))) + $" {"images",7} {"skipped",7} {"pixels",11}  averaging";

    /// <summary>One table row under <see cref="Header"/>.</summary>
    public override string ToString() =>
        string.Join(' ', Fields.Select(f => f.Get(this).ToString("F4", CultureInfo.InvariantCulture).PadLeft(CellWidth(f)))) +
        string.Create(CultureInfo.InvariantCulture, $" {Images,7} {SkippedImages,7} {Pixels,11}  {Label(Averaging)}");

    static int CellWidth(MetricField f) => Math.Max(f.Width, f.Key.Length);

    /// <summary>"per-image" or "pixel-pooled".</summary>
    public static string Label(Averaging averaging) => averaging == Averaging.PerImage ? "per-image" : "pixel-pooled";

    /// <summary>The metric values and counts as CSV cells (invariant culture, round-trip precision), in <see cref="Columns"/> order.</summary>
    public IEnumerable<string> CsvCells() =>
        Values().Select(v => v.ToString("R", CultureInfo.InvariantCulture))
            .Concat([Images.ToString(CultureInfo.InvariantCulture), SkippedImages.ToString(CultureInfo.InvariantCulture), Pixels.ToString(CultureInfo.InvariantCulture)]);

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DepthMetrics FromJson(string json) =>
        JsonSerializer.Deserialize<DepthMetrics>(json, Json) ?? throw new InvalidDataException("metrics JSON is empty (null)");

    /// <summary>A one-row DataFrame with the <see cref="Columns"/>.</summary>
    public DataFrame ToDataFrame() => BuildFrame([(null, this)]);

    /// <summary>One row per named result, a first column "name" then the <see cref="Columns"/>.</summary>
    public static DataFrame ToDataFrame(IEnumerable<(string Name, DepthMetrics M)> rows) =>
        BuildFrame(rows.Select(r => ((string?)r.Name, r.M)));

    static DataFrame BuildFrame(IEnumerable<(string? Name, DepthMetrics M)> rows)
    {
        var list = rows.ToList();
        var columns = new List<DataFrameColumn>();
        if (list.Any(r => r.Name is not null))
            columns.Add(new StringDataFrameColumn("name", list.Select(r => r.Name ?? "")));
        columns.AddRange(MetricColumns(list.Select(r => (DepthMetrics?)r.M).ToList()));
        columns.Add(new Int32DataFrameColumn("images", list.Select(r => r.M.Images)));
        columns.Add(new Int32DataFrameColumn("skipped_images", list.Select(r => r.M.SkippedImages)));
        columns.Add(new Int64DataFrameColumn("pixels", list.Select(r => r.M.Pixels)));
        return new DataFrame(columns);
    }

    /// <summary>One DataFrame column per metric of <see cref="Fields"/> (NaN where a row has no metrics).</summary>
    public static IEnumerable<DataFrameColumn> MetricColumns(IReadOnlyList<DepthMetrics?> rows) =>
        Fields.Select(f => (DataFrameColumn)new DoubleDataFrameColumn(f.Key, rows.Select(m => m is null ? double.NaN : f.Get(m))));

    /// <summary>A plain-text table: header, then one row per named result.</summary>
    public static string Table(IEnumerable<(string Name, DepthMetrics M)> rows)
    {
        var list = rows.ToList();
        int width = Math.Max(5, list.Count == 0 ? 0 : list.Max(r => r.Name.Length));
        var sb = new StringBuilder();
        sb.Append("name".PadRight(width)).Append(' ').AppendLine(Header);
        foreach (var (name, m) in list) sb.Append(name.PadRight(width)).Append(' ').AppendLine(m.ToString());
        return sb.ToString();
    }
}

/// <summary>One metric of <see cref="DepthMetrics"/>: its key, a label for tables and charts, and which way is better.</summary>
/// <remarks>Width: characters of its column in the text table (errors can reach 100, accuracies stay below 1)</remarks>
public sealed record MetricField(string Key, string Label, bool HigherIsBetter, Func<DepthMetrics, double> Get, Func<DepthMetrics, double, DepthMetrics> With,
                                 int Width = 8)
{
    /// <summary>"↑" when higher is better, else "↓".</summary>
    public string Arrow => HigherIsBetter ? "↑" : "↓";
}

/// <summary>JSON of <see cref="DepthMetrics"/> from <see cref="DepthMetrics.Fields"/>; NaN and infinities as the strings "NaN", "Infinity", "-Infinity".</summary>
public sealed class DepthMetricsJsonConverter : JsonConverter<DepthMetrics>
{
    public override DepthMetrics Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("metrics JSON must be an object");
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName) throw new JsonException("metrics JSON: expected a key");
            string key = reader.GetString()!;
            reader.Read();
            values[key] = reader.TokenType switch
            {
                JsonTokenType.Number => reader.GetDouble(),
                JsonTokenType.String => double.Parse(reader.GetString()!, CultureInfo.InvariantCulture),
                _ => throw new JsonException($"metrics JSON: '{key}' is not a number"),
            };
        }
        double Count(string key) => values.TryGetValue(key, out var v) ? v : 0;
        return DepthMetrics.FromValues([.. DepthMetrics.Fields.Select(f => values.TryGetValue(f.Key, out var v) ? v : double.NaN)],
            (int)Count("images"), (int)Count("skipped_images"), (long)Count("pixels"));
    }

    public override void Write(Utf8JsonWriter writer, DepthMetrics value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var f in DepthMetrics.Fields)
        {
            double v = f.Get(value);
            if (double.IsFinite(v)) writer.WriteNumber(f.Key, v);
            else writer.WriteString(f.Key, v.ToString(CultureInfo.InvariantCulture));
        }
        writer.WriteNumber("images", value.Images);
        writer.WriteNumber("skipped_images", value.SkippedImages);
        writer.WriteNumber("pixels", value.Pixels);
        writer.WriteEndObject();
    }
}
