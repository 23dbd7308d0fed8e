using DepthKit.Notebooks.Documents;
using DepthKit.Tests.Browser;
using Xunit.Abstractions;

namespace DepthKit.Tests.Notebooks;

/// <summary>
/// Every lesson runs without the notebook extension: <c>dotnet run lessons/NAME.cs</c> in the smoke profile, in order
/// (07 and 08 reuse the models 06 trains), each writing one page that draws in headless Chromium with the network off.
/// </summary>
[Collection("notebooks")]
public class LessonAppTests(ITestOutputHelper output)
{
    static TimeSpan Timeout => TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("DEPTHKIT_NOTEBOOK_TIMEOUT"), out var s) && s > 0 ? s : 420);

    [Fact]
    public void EveryLessonRunsAsAFileBasedAppAndItsPageDrawsOffline()
    {
        NotebookRunner.Prepare();
        var failures = new List<string>();
        foreach (var app in LessonApps.Lessons())
        {
            var run = LessonApps.Run(app, "smoke", Timeout);
            output.WriteLine(run.Describe());
            File.AppendAllText(Path.Combine(NotebookRunner.OutputFolder, "timings.txt"),
                $"{DateTime.UtcNow:u} smoke lessons/{Path.GetFileName(app)} {(run.Passed ? "passed" : "FAILED")} {run.Elapsed.TotalSeconds:0.0} s{Environment.NewLine}");
            if (!run.Passed) { failures.Add(run.Describe()); continue; }

            var report = HeadlessChromium.Shared.Open(run.Page);
            output.WriteLine(report.Describe());
            var problems = report.Problems().ToList();
            var source = File.ReadAllText(app);
            var cells = FileAppFormat.Parse(source, Path.GetFileName(app));
            // what the lesson shows must be on its page
            if (source.Contains("LiveTraining", StringComparison.Ordinal) || source.Contains("LiveChart", StringComparison.Ordinal) || source.Contains("Charts.", StringComparison.Ordinal))
                if (report.ChartsDrawn == 0) problems.Add("the lesson draws charts but its page has none");
            if (source.Contains("Picture.", StringComparison.Ordinal) || source.Contains("SampleGrid", StringComparison.Ordinal))
                if (report.Images == 0) problems.Add("the lesson shows pictures but its page has none");
            var html = File.ReadAllText(run.Page);
            var text = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", ""));
            foreach (var heading in cells.Where(c => c.Kind == CellKind.Markdown).Select(c => c.Text.Split('\n')[0]).Where(l => l.StartsWith('#')))
                if (!text.Contains(heading.TrimStart('#', ' ').Replace("`", "").Replace("*", ""), StringComparison.Ordinal)) problems.Add($"heading '{heading}' is missing");
            if (html.Contains("<pre class=\"error\">", StringComparison.Ordinal)) problems.Add("a cell failed (error output on the page)");
            if (problems.Count > 0) failures.Add($"{run.Page}:\n  " + string.Join("\n  ", problems));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
