using DepthKit.Notebooks.Display;

namespace DepthKit.Tests.Browser;

/// <summary>The kit's notebook output in a real browser with the network off: charts draw, pictures show, nothing is fetched.</summary>
public class OfflineOutputTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    [Fact]
    public void ALessonPageWithAChartAPictureAndATensorDrawsOffline()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["lesson.cs"], "// %% [markdown]\n// # Offline\n\n// %%\nvar a = 1;\n\n// %%\nvar b = 2;\n");
        var page = LessonPage.Create(dir["lesson.cs"], dir["out/lesson.html"], TextWriter.Null);
        var chart = page.Show(new HtmlFragment("starting"));
        chart.Update(LiveChart.Lines([("train", [0.5, 1.0], [0.9, 0.7]), ("val", [1.0], [0.8])], "Train Loss", "epoch", "loss"));
        page.Show(Picture.Depth(2, 2, [1f, 2f, 3f, 4f], "depth"));
        using (var scope = TorchSharp.torch.NewDisposeScope()) page.Show(TorchSharp.torch.ones(2, 3));
        page.Finish();

        var report = chromium.Open(dir["out/lesson.html"]);
        Assert.True(report.Problems().Count == 0, report.Describe());
        Assert.Equal(1, report.ChartsDrawn);
        Assert.Equal(2, report.Images);   // the depth map and its colour bar
        Assert.Empty(report.ScriptErrors);
        Assert.Equal("lesson", report.Title);
    }

    [Fact]
    public void AChartWithoutTheKitsPlotlyJsIsReportedBlank()
    {
        // what a notebook shows when the cell with DepthKitNotebook.Start (plotly.js) did not run: the test must see it
        using var dir = new TempDir();
        File.WriteAllText(dir["chart.html"], "<!DOCTYPE html><html><head><title>c</title></head><body>" +
            PlotlyHtml.Chart(LiveChart.Lines([("train", [1.0], [1.0])], "t", "x", "y")) + "</body></html>");
        var report = chromium.Open(dir["chart.html"], settle: TimeSpan.FromSeconds(2));
        Assert.Single(report.BlankCharts);
        Assert.Empty(report.OutsideRequests);
    }
}
