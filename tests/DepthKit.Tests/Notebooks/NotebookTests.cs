using System.Text.Json;
using Xunit.Abstractions;

namespace DepthKit.Tests.Notebooks;

[CollectionDefinition("notebooks", DisableParallelization = true)]
public sealed class NotebookCollection;

/// <summary>
/// Every notebook is committed clean and runs top to bottom headless (dotnet-repl) in the smoke profile.
/// The collection runs alone, after the parallel tests, one notebook at a time (2 cores).
/// </summary>
[Collection("notebooks")]
public class NotebookTests(ITestOutputHelper output)
{
    /// <summary>Seconds one notebook may take in the smoke profile (DEPTHKIT_NOTEBOOK_TIMEOUT overrides).</summary>
    static TimeSpan Timeout => TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("DEPTHKIT_NOTEBOOK_TIMEOUT"), out var s) && s > 0 ? s : 240);

    public static TheoryData<string> Series()
    {
        var data = new TheoryData<string>();
        foreach (var name in NotebookRunner.Notebooks()) data.Add(name);
        return data;
    }

    [Fact]
    public void TheSeriesIsThere()
    {
        string[] series =
        [
            "00-setup", "01-data-and-preprocessing", "02-batch-normalization", "03-residual-blocks", "04-models",
            "05-training", "06-loss-curves", "07-metrics-table", "08-predict-your-image",
        ];
        Assert.Equal(series.Select(n => n + ".ipynb"), NotebookRunner.Notebooks());
        Assert.True(File.Exists(Path.Combine(NotebookRunner.NotebookFolder, "README.md")), "notebooks/README.md is missing");
    }

    [Theory]
    [MemberData(nameof(Series))]
    public void IsCommittedWithoutOutputs(string notebook)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(NotebookRunner.NotebookFolder, notebook)));
        var root = doc.RootElement;
        Assert.Equal("csharp", root.GetProperty("metadata").GetProperty("polyglot_notebook").GetProperty("kernelInfo").GetProperty("defaultKernelName").GetString());
        int index = 0;
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            if (cell.GetProperty("cell_type").GetString() == "code")
            {
                Assert.True(cell.GetProperty("outputs").GetArrayLength() == 0, $"{notebook}: cell {index} has outputs; clear them before committing");
                Assert.True(cell.GetProperty("execution_count").ValueKind == JsonValueKind.Null, $"{notebook}: cell {index} has an execution count; clear outputs before committing");
            }
            index++;
        }
    }

    /// <summary>
    /// The whole series in order, one notebook at a time (07 and 08 reuse the models 06 trains), reporting every
    /// failing notebook with its failing cells. Each executed notebook is then converted to HTML (nbconvert) and
    /// opened in headless Chromium with the network off: every chart must draw, every image show, nothing be fetched.
    /// A live view leaves one final output: no stack of intermediate ones, and each training cell keeps one Train
    /// Loss chart and one finished progress line.
    /// </summary>
    [Fact]
    public void TheSeriesRunsHeadlessInTheSmokeProfileAndDrawsOfflineInChromium()
    {
        var failures = new List<string>();
        var html = Path.Combine(NotebookRunner.OutputFolder, "html");
        foreach (var notebook in NotebookRunner.Notebooks())
        {
            var run = NotebookRunner.Execute(notebook, "smoke", Timeout);
            output.WriteLine(run.Describe());
            File.AppendAllText(Path.Combine(NotebookRunner.OutputFolder, "timings.txt"),
                $"{DateTime.UtcNow:u} smoke {notebook} {(run.Passed ? "passed" : "FAILED")} {run.Elapsed.TotalSeconds:0.0} s{Environment.NewLine}");
            if (!run.Passed) { failures.Add(run.Describe()); continue; }

            var executed = Path.Combine(NotebookRunner.OutputFolder, notebook);
            var problems = NotebookRunner.ReadStackedOutputs(executed).Concat(NotebookRunner.ReadUnfinishedLiveViews(executed))
                .Select(e => $"cell {e.Cell} `{e.FirstLine}`: {e.Error}").ToList();
            var report = Browser.HeadlessChromium.Shared.Open(LessonApps.ToHtml(executed, html));
            output.WriteLine(report.Describe());
            problems.AddRange(report.Problems());
            if (NotebookRunner.CountOutputs(executed, "depthkit-chart") != report.ChartIds.Count)
                problems.Add($"{NotebookRunner.CountOutputs(executed, "depthkit-chart")} chart outputs in the notebook, {report.ChartIds.Count} charts on its HTML page");
            if (problems.Count > 0) failures.Add($"notebooks/{notebook} as HTML ({report.Url}):\n  " + string.Join("\n  ", problems));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
