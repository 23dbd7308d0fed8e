using System.Globalization;
using System.Net;
using System.Text;
using DepthKit.Labs.Authoring;

namespace DepthKit.Labs.Grading;

/// <summary>The grader's files: grades.csv and the feedback page of a student.</summary>
public static class GradeFiles
{
    public static string Csv(IEnumerable<GradeRow> rows)
    {
        var sb = new StringBuilder("student,lab,task,points,max_points,message\n");
        foreach (var r in rows)
            sb.Append(Field(r.Student)).Append(',').Append(Field(r.Lab)).Append(',').Append(Field(r.Task)).Append(',')
              .Append(r.Points.ToString("0.##", CultureInfo.InvariantCulture)).Append(',')
              .Append(r.MaxPoints.ToString("0.##", CultureInfo.InvariantCulture)).Append(',').Append(Field(r.Message)).Append('\n');
        return sb.ToString();
    }

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is kept as text.</summary>
    static string Field(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@') s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }

    static string H(string s) => WebUtility.HtmlEncode(s);

    public static string FeedbackPage(string student, IReadOnlyList<GradeRow> rows, IReadOnlyList<SubmissionRun> runs,
                                      IReadOnlyDictionary<string, LabDefinition> labs)
    {
        var sb = new StringBuilder();
        double total = rows.Sum(r => r.Points), max = rows.Sum(r => r.MaxPoints);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>DepthKit labs: ").Append(H(student)).Append("</title>\n")
          .Append("<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}")
          .Append("table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}")
          .Append("th{background:#f3f3f3}.ok{color:#176f2c}.bad{color:#a4161a}.note{color:#555}code{background:#f6f6f6;padding:0 .2rem}</style></head><body>\n")
          .Append("<h1>Lab feedback: ").Append(H(student)).Append("</h1>\n")
          .Append(CultureInfo.InvariantCulture, $"<p><strong>Total: {total:0.##} / {max:0.##} points</strong></p>\n");
        foreach (var group in rows.GroupBy(r => r.Lab))
        {
            string title = labs.TryGetValue(group.Key, out var lab) ? $"{group.Key}: {lab.Title}" : group.Key;
            var run = runs.FirstOrDefault(r => r.Lab == group.Key);
            sb.Append("<h2>").Append(H(title)).Append("</h2>\n");
            if (run is not null)
                sb.Append("<p class=\"").Append(run.Completed ? "ok" : "bad").Append("\">Run: ").Append(H(run.Status))
                  .Append(run.Seconds > 0 ? string.Create(CultureInfo.InvariantCulture, $", {run.Seconds:0.0} s") : "").Append("</p>\n");
            sb.Append("<table><tr><th>task</th><th>points</th><th>result</th></tr>\n");
            foreach (var r in group)
                sb.Append("<tr><td><code>").Append(H(r.Task)).Append("</code></td><td class=\"").Append(r.Points >= r.MaxPoints && r.MaxPoints > 0 ? "ok" : "bad").Append("\">")
                  .Append(r.Points.ToString("0.##", CultureInfo.InvariantCulture)).Append(" / ").Append(r.MaxPoints.ToString("0.##", CultureInfo.InvariantCulture))
                  .Append("</td><td>").Append(H(r.Message)).Append("</td></tr>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>total</th><th>{group.Sum(r => r.Points):0.##} / {group.Sum(r => r.MaxPoints):0.##}</th><th></th></tr></table>\n");
            if (run is { CellErrors.Count: > 0 })
            {
                sb.Append("<p class=\"note\">Cells that raised an error:</p><ul>\n");
                foreach (var e in run.CellErrors) sb.Append("<li><code>").Append(H(e)).Append("</code></li>\n");
                sb.Append("</ul>\n");
            }
        }
        sb.Append("<p class=\"note\">Each task is worth its points when its check passes. Run the check cells yourself to see the same messages.</p>\n</body></html>\n");
        return sb.ToString();
    }
}
