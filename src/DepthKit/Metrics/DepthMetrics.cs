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
/// and of valid pixels. Prints as a table row, becomes a DataFrame row, serialises to JSON with the keys
/// <c>d1, d2, d3, abs_rel, sq_rel, rmse, rmse_log, log10, silog, images, skipped_images, pixels</c>.
/// Metrics are NaN when no image had a valid pixel.
/// </summary>
public sealed record DepthMetrics(
    [property: JsonPropertyName("d1")] double D1,
    [property: JsonPropertyName("d2")] double D2,
    [property: JsonPropertyName("d3")] double D3,
    [property: JsonPropertyName("abs_rel")] double AbsRel,
    [property: JsonPropertyName("sq_rel")] double SqRel,
    [property: JsonPropertyName("rmse")] double Rmse,
    [property: JsonPropertyName("rmse_log")] double RmseLog,
    [property: JsonPropertyName("log10")] double Log10,
    [property: JsonPropertyName("silog")] double SiLog,
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("skipped_images")] int SkippedImages,
    [property: JsonPropertyName("pixels")] long Pixels)
{
    /// <summary>How the images were combined; printed in the table row, not part of the JSON keys.</summary>
    [JsonIgnore]
    public Averaging Averaging { get; init; } = Averaging.PerImage;

    /// <summary>Column names in table and DataFrame order (the JSON keys).</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["d1", "d2", "d3", "abs_rel", "sq_rel", "rmse", "rmse_log", "log10", "silog", "images", "skipped_images", "pixels"];

    /// <summary>The header line matching <see cref="ToString"/>.</summary>
    public static string Header { get; } =
        $"{"d1",7} {"d2",7} {"d3",7} {"abs_rel",8} {"sq_rel",8} {"rmse",8} {"rmse_log",8} {"log10",8} {"silog",8} {"images",7} {"skipped",7} {"pixels",11}  averaging";

    /// <summary>One table row under <see cref="Header"/>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{D1,7:F4} {D2,7:F4} {D3,7:F4} {AbsRel,8:F4} {SqRel,8:F4} {Rmse,8:F4} {RmseLog,8:F4} {Log10,8:F4} {SiLog,8:F4} {Images,7} {SkippedImages,7} {Pixels,11}  {Label(Averaging)}");

    /// <summary>"per-image" or "pixel-pooled".</summary>
    public static string Label(Averaging averaging) => averaging == Averaging.PerImage ? "per-image" : "pixel-pooled";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // NaN (no valid image) is written as the string "NaN" instead of failing.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

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
        columns.Add(new DoubleDataFrameColumn("d1", list.Select(r => r.M.D1)));
        columns.Add(new DoubleDataFrameColumn("d2", list.Select(r => r.M.D2)));
        columns.Add(new DoubleDataFrameColumn("d3", list.Select(r => r.M.D3)));
        columns.Add(new DoubleDataFrameColumn("abs_rel", list.Select(r => r.M.AbsRel)));
        columns.Add(new DoubleDataFrameColumn("sq_rel", list.Select(r => r.M.SqRel)));
        columns.Add(new DoubleDataFrameColumn("rmse", list.Select(r => r.M.Rmse)));
        columns.Add(new DoubleDataFrameColumn("rmse_log", list.Select(r => r.M.RmseLog)));
        columns.Add(new DoubleDataFrameColumn("log10", list.Select(r => r.M.Log10)));
        columns.Add(new DoubleDataFrameColumn("silog", list.Select(r => r.M.SiLog)));
        columns.Add(new Int32DataFrameColumn("images", list.Select(r => r.M.Images)));
        columns.Add(new Int32DataFrameColumn("skipped_images", list.Select(r => r.M.SkippedImages)));
        columns.Add(new Int64DataFrameColumn("pixels", list.Select(r => r.M.Pixels)));
        return new DataFrame(columns);
    }

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
