using DepthKit.Visualization;

namespace DepthKit.Tests.Browser;

/// <summary>The fixture itself: it sees a drawn chart as drawn, and a CDN chart, a missing image and any request as problems.</summary>
public class HeadlessChromiumTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    const string RedDot = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    [Fact]
    public void ASelfContainedPageWithAnInlinedChartAndImageHasNoProblems()
    {
        using var dir = new TempDir();
        var page = dir["good.html"];
        File.WriteAllText(page,
            "<!doctype html><html><head><title>good</title><script>" + HtmlReport.PlotlyJs().Replace("</script", "<\\/script") + "</script></head><body>" +
            $"<p>text</p><img src=\"{RedDot}\"/><div id=\"c1\"></div>" +
            "<script>Plotly.newPlot('c1', [{x:[1,2,3], y:[3,1,2], type:'scatter'}], {});</script></body></html>");
        var report = chromium.Open(page);
        Assert.True(report.Problems().Count == 0, report.Describe());
        Assert.Equal(["c1"], report.ChartIds);
        Assert.Equal(1, report.ChartsDrawn);
        Assert.Equal(1, report.Images);
        Assert.Equal("good", report.Title);
    }

    [Fact]
    public void ACdnChartAMissingImageAndOutsideRequestsAreReported()
    {
        using var dir = new TempDir();
        var page = dir["bad.html"];
        File.WriteAllText(page,
            "<!doctype html><html><head><title>bad</title><script src=\"https://cdn.plot.ly/plotly-2.27.1.min.js\"></script>" +
            "<link rel=\"stylesheet\" href=\"other.css\"/></head><body><img src=\"missing.png\"/><img src=\"https://example.com/a.png\"/>" +
            "<div id=\"c2\"></div><script>if (window.Plotly) Plotly.newPlot(\"c2\", [{y:[1,2]}]);</script></body></html>");
        var report = chromium.Open(page, settle: TimeSpan.FromSeconds(1));
        Assert.Equal(["c2"], report.BlankCharts);
        Assert.Equal(2, report.BrokenImages.Count);
        Assert.Contains("https://cdn.plot.ly/plotly-2.27.1.min.js", report.OutsideRequests);
        Assert.Contains("https://example.com/a.png", report.OutsideRequests);
        Assert.Contains(report.OutsideRequests, u => u.EndsWith("/other.css", StringComparison.Ordinal));   // a file beside the page is outside it too
        Assert.Equal(3, report.Problems().Count);
    }

    /// <summary>Pages that are fine but for one thing: each failure alone is a problem, and the only one.</summary>
    public static TheoryData<string, string, string> OneFlaw => new()
    {
        // a chart whose script never draws it (here: plotly.js is not on the page, and nothing is fetched either)
        { "chart", "<div id=\"c3\"></div><script>if (window.Plotly) Plotly.newPlot('c3', [{y:[1,2]}]);</script>", "1 of 1 charts did not draw (no plot SVG): c3" },
        // an image carried in the page that does not decode
        { "image", $"<img src=\"{RedDot}\"/><img src=\"data:image/png;base64,AAAA\"/>", "1 of 2 images are missing: data:image/png;base64,AAAA" },
        // a script that asks the network for something and shows nothing wrong
        { "request", "<p id=\"p\">ok</p><script>fetch('https://example.com/data.json').catch(() => {});</script>", "the page requested 1 resources outside itself: https://example.com/data.json" },
    };

    [Theory]
    [MemberData(nameof(OneFlaw))]
    public void EachKindOfFailureAloneIsReported(string flaw, string body, string problem)
    {
        using var dir = new TempDir();
        var page = dir[$"{flaw}.html"];
        File.WriteAllText(page, $"<!doctype html><html><head><title>{flaw}</title></head><body><p>text</p>{body}</body></html>");
        var report = chromium.Open(page, settle: TimeSpan.FromSeconds(1));
        Assert.Equal([problem], report.Problems());
    }

    [Fact]
    public void TheBrowserRunsWithTheSharedFlags()
    {
        var flags = HeadlessChromium.Flags("/tmp/x");
        foreach (var f in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                                  "--disable-component-update", "--disable-sync", "--user-data-dir=/tmp/x" })
            Assert.Contains(f, flags);
        Assert.True(File.Exists(chromium.Executable), chromium.Executable);
    }
}
