using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using DepthKit.Metrics;
using DepthKit.Training;

namespace DepthKit.Visualization;

/// <summary>
/// A single self-contained HTML file: Plotly loss curves of every model (train and validation per epoch, and the
/// per-step training loss), metric bars, the metrics table and a montage PNG embedded as base64. plotly.js is
/// inlined (embedded in this assembly at build time), so the report works offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>The page. <paramref name="montagePng"/> may be null.</summary>
    public static string Build(string title, string subtitle, IReadOnlyList<(string Name, TrainingHistory History)> runs,
        IReadOnlyList<(string Name, DepthMetrics Metrics)> results, byte[]? montagePng, string? notes = null)
    {
        var epochTraces = new List<object>();
        var stepTraces = new List<object>();
        string[] palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
        for (int i = 0; i < runs.Count; i++)
        {
            var (name, h) = runs[i];
            var colour = palette[i % palette.Length];
            var epochs = h.Epochs.Select(e => e.Epoch).ToArray();
            epochTraces.Add(new { type = "scatter", mode = "lines+markers", name = $"{name} train", x = epochs, y = h.Epochs.Select(e => Finite(e.TrainLoss)).ToArray(), line = new { color = colour } });
            epochTraces.Add(new { type = "scatter", mode = "lines+markers", name = $"{name} val", x = epochs, y = h.Epochs.Select(e => Finite(e.ValLoss)).ToArray(), line = new { color = colour, dash = "dash" } });
            stepTraces.Add(new { type = "scatter", mode = "lines", name, x = Enumerable.Range(1, h.StepLoss.Count).ToArray(), y = h.StepLoss.Select(Finite).ToArray(), line = new { color = colour, width = 1 } });
        }
        var names = results.Select(r => r.Name).ToArray();
        object Bar(string metric, Func<DepthMetrics, double> f, int axis) => new
        {
            type = "bar", name = metric, x = names, y = results.Select(r => Finite(f(r.Metrics))).ToArray(),
            xaxis = axis == 1 ? "x" : $"x{axis}", yaxis = axis == 1 ? "y" : $"y{axis}",
        };
        var bars = new[] { Bar("δ<1.25 (higher is better)", m => m.D1, 1), Bar("AbsRel (lower is better)", m => m.AbsRel, 2), Bar("RMSE m (lower is better)", m => m.Rmse, 3) };

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append("</title>\n");
        html.Append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}")
            .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append(".plot{width:100%;height:420px}img{max-width:100%}</style>\n");
        html.Append("<script>").Append(PlotlyJs().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n</head><body>\n");
        html.Append("<h1>").Append(Encode(title)).Append("</h1>\n<p>").Append(Encode(subtitle)).Append("</p>\n");
        html.Append("<h2>Table 1: test metrics</h2>\n").Append(MetricsTable(results));
        if (notes is not null) html.Append("<p>").Append(Encode(notes)).Append("</p>\n");
        html.Append("<h2>Metrics</h2><div id=\"bars\" class=\"plot\"></div>\n");
        html.Append("<h2>Loss per epoch (solid: train, dashed: validation)</h2><div id=\"epochs\" class=\"plot\"></div>\n");
        html.Append("<h2>Training loss per step</h2><div id=\"steps\" class=\"plot\"></div>\n");
        if (montagePng is not null)
            html.Append("<h2>RGB | ground truth | predictions (near = dark)</h2>\n<img alt=\"montage\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(montagePng)).Append("\">\n");
        html.Append("<script>\n");
        html.Append("Plotly.newPlot('bars',").Append(Json(bars)).Append(",").Append(Json(new
        {
            grid = new { rows = 1, columns = 3, pattern = "independent" }, showlegend = false,
            annotations = new object[]
            {
                new { text = "δ<1.25 ↑", xref = "x domain", yref = "y domain", x = 0.5, y = 1.08, showarrow = false },
                new { text = "AbsRel ↓", xref = "x2 domain", yref = "y2 domain", x = 0.5, y = 1.08, showarrow = false },
                new { text = "RMSE (m) ↓", xref = "x3 domain", yref = "y3 domain", x = 0.5, y = 1.08, showarrow = false },
            },
        })).Append(");\n");
        html.Append("Plotly.newPlot('epochs',").Append(Json(epochTraces)).Append(",").Append(Json(new { xaxis = new { title = new { text = "epoch" }, dtick = 1 }, yaxis = new { title = new { text = "loss" } } })).Append(");\n");
        html.Append("Plotly.newPlot('steps',").Append(Json(stepTraces)).Append(",").Append(Json(new { xaxis = new { title = new { text = "step" } }, yaxis = new { title = new { text = "training loss" } } })).Append(");\n");
        html.Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>The metrics as an HTML table (the full suite).</summary>
    public static string MetricsTable(IReadOnlyList<(string Name, DepthMetrics Metrics)> results)
    {
        var sb = new StringBuilder("<table><tr><th>model</th>");
        foreach (var f in DepthMetrics.Fields) sb.Append("<th>").Append(Encode($"{f.Label} {f.Arrow}")).Append("</th>");
        sb.Append("<th>images</th>");
        sb.Append("</tr>\n");
        foreach (var (name, m) in results)
        {
            sb.Append("<tr><td>").Append(Encode(name)).Append("</td>");
            foreach (var v in m.Values())
                sb.Append("<td>").Append(v.ToString("F4", CultureInfo.InvariantCulture)).Append("</td>");
            sb.Append("<td>").Append(m.Images).Append("</td></tr>\n");
        }
        return sb.Append("</table>\n").ToString();
    }

    /// <summary>plotly.min.js, embedded in this assembly at build time (no network needed).</summary>
    public static string PlotlyJs()
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("DepthKit.Visualization.plotly.min.js")
                           ?? throw new InvalidOperationException("plotly.js is not embedded in this DepthKit build; the report cannot be made self-contained");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    static double? Finite(double v) => double.IsFinite(v) ? v : null;

    static string Json(object value) => JsonSerializer.Serialize(value);

    static string Encode(string s) => WebUtility.HtmlEncode(s);
}
