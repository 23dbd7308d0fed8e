using System.Text;
using Microsoft.Data.Analysis;

namespace DepthKit.Notebooks.Display;

/// <summary>HTML tables for DataFrames (metrics, histories) and the runtime report.</summary>
public static class TableHtml
{
    /// <summary>At most <paramref name="maxRows"/> rows; a footer says how many were left out.</summary>
    public static string Of(DataFrame frame, int maxRows = 50)
    {
        var sb = new StringBuilder("<table style=\"border-collapse:collapse;font-variant-numeric:tabular-nums\"><thead><tr>");
        foreach (var c in frame.Columns) sb.Append($"<th style=\"text-align:right;padding:2px 8px\">{Html.Escape(c.Name)}</th>");
        sb.Append("</tr></thead><tbody>");
        long rows = Math.Min(frame.Rows.Count, maxRows);
        for (long r = 0; r < rows; r++)
        {
            sb.Append("<tr>");
            foreach (var c in frame.Columns) sb.Append($"<td style=\"text-align:right;padding:2px 8px\">{Html.Escape(Cell(c[r]))}</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (frame.Rows.Count > rows) sb.Append($"<div style=\"font-size:11px\">{frame.Rows.Count - rows} more rows of {frame.Rows.Count}</div>");
        return sb.ToString();
    }

    public static string Of(RuntimeInfo info)
    {
        var sb = new StringBuilder("<table style=\"border-collapse:collapse\">");
        foreach (var (key, value) in info.Lines())
            sb.Append($"<tr><th style=\"text-align:left;padding:2px 8px\">{Html.Escape(key)}</th><td style=\"text-align:left;padding:2px 8px\">{Html.Escape(value)}</td></tr>");
        return sb.Append("</table>").ToString();
    }

    static string Cell(object? value) => value switch
    {
        null => "",
        double d => Html.Number(d),
        float f => Html.Number(f),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
