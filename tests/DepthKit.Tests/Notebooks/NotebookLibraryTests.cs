using System.Text.RegularExpressions;
using DepthKit.Data;
using DepthKit.Notebooks;
using DepthKit.Notebooks.Display;
using Microsoft.Data.Analysis;
using SkiaSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Notebooks;

public class NotebookProfileTests
{
    [Fact]
    public void SmokeShrinksEverySizeAndUnsetMeansLesson()
    {
        Assert.Same(NotebookProfile.Lesson, NotebookProfile.Parse(null));
        Assert.Same(NotebookProfile.Lesson, NotebookProfile.Parse(" "));
        Assert.Same(NotebookProfile.Smoke, NotebookProfile.Parse("Smoke"));
        var (lesson, smoke) = (NotebookProfile.Lesson, NotebookProfile.Smoke);
        Assert.True(smoke.TrainCount < lesson.TrainCount && smoke.Epochs < lesson.Epochs && smoke.Height * smoke.Width < lesson.Height * lesson.Width);
        Assert.Equal(7, smoke.Pick(3, 7));
        Assert.Equal(3, lesson.Pick(3, 7));
        // the ResNet trunk downsamples by 32
        foreach (var p in new[] { lesson, smoke }) Assert.True(p.Height % 32 == 0 && p.Width % 32 == 0, p.ToString());
        Assert.Equal(DepthKit.Experiments.ReproduceProfile.Smoke, smoke.Reproduce);
        Assert.Equal(Path.Combine(NotebookRunner.RepoRoot, "runs", "notebooks", "smoke", "x"), smoke.RunFolder("x")); // the test host runs below the repository root too
        var e = Assert.Throws<ArgumentException>(() => NotebookProfile.Parse("fast"));
        Assert.Contains("DEPTHKIT_PROFILE='fast'", e.Message);
    }
}

public class NotebookDisplayTests
{
    static IReadOnlyList<SKBitmap> Images(string html) =>
        Regex.Matches(html, "data:image/png;base64,([A-Za-z0-9+/=]+)")
             .Select(m => SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value))).ToList();

    static readonly SKColor NearEnd = Color(DepthKit.Visualization.Colormap.Map(Picture.DefaultColormap, 0));
    static readonly SKColor FarEnd = Color(DepthKit.Visualization.Colormap.Map(Picture.DefaultColormap, 1));
    static SKColor Color((byte R, byte G, byte B) c) => new(c.R, c.G, c.B);

    [Fact]
    public void DepthSampleShowsAsRgbDepthAndMaskPngsWithAColourBar()
    {
        // 2x3: one invalid pixel (0), depths 1..5 m
        var sample = new DepthSample(2, 3, Enumerable.Range(0, 18).Select(i => (byte)(i * 10)).ToArray(), [1f, 2f, 0f, 3f, 4f, 5f], "tiny");
        var html = NotebookFormatters.ToHtml(sample);
        Assert.Contains("tiny: 2x3, depth 1-5 m, 83.3% valid", html);
        Assert.Contains(">5 m<", html);
        Assert.Contains(">1 m<", html);
        var images = Images(html);
        Assert.Equal(4, images.Count); // RGB, depth, colour bar, mask
        var (rgb, depth, mask) = (images[0], images[1], images[3]);
        Assert.Equal((3, 2), (rgb.Width, rgb.Height));
        Assert.Equal(new SKColor(30, 40, 50), rgb.GetPixel(1, 0));
        Assert.Equal(NearEnd, depth.GetPixel(0, 0));  // nearest = dark end
        Assert.Equal(FarEnd, depth.GetPixel(2, 1));   // farthest = bright end
        Assert.Equal(SKColors.Black, depth.GetPixel(2, 0));            // invalid
        Assert.Equal(SKColors.White, mask.GetPixel(0, 0));
        Assert.Equal(SKColors.Black, mask.GetPixel(2, 0));
    }

    [Fact]
    public void TensorsShowAsRgbOrDepthAndOtherShapesAreRefused()
    {
        using var scope = NewDisposeScope();
        var rgb = Picture.FromTensor(stack([ones(2, 4), zeros(2, 4), full(2, 4, 0.5f)]).unsqueeze(0));
        Assert.Equal((2, 4), (rgb.Height, rgb.Width));
        Assert.Null(rgb.DepthRange);
        Assert.Equal(new SKColor(255, 0, 128), SKBitmap.Decode(rgb.Png).GetPixel(3, 1));
        var depth = Picture.FromTensor(tensor(new float[] { 2, 4, 6, 8 }).reshape(1, 1, 2, 2), max: 10);
        Assert.Equal((2f, 10f), depth.DepthRange);
        Assert.Equal(NearEnd, SKBitmap.Decode(depth.Png).GetPixel(0, 0));
        var e = Assert.Throws<ArgumentException>(() => Picture.FromTensor(zeros(2, 2, 2)));
        Assert.Contains("[2,2,2]", e.Message);
    }

    [Fact]
    public void MontagesShowAsTheirPng()
    {
        var rows = new[] { new DepthKit.Visualization.MontageRow(new byte[2 * 3 * 3], [1f, 2f, 3f, 4f, 5f, 6f], [[6f, 5f, 4f, 3f, 2f, 1f]]) };
        var montage = Picture.Montage(["CNN"], rows, 2, 3, "one row");
        var images = Images(NotebookFormatters.ToHtml(montage));
        Assert.Single(images);
        Assert.Equal((montage.Width, montage.Height), (images[0].Width, images[0].Height));
        Assert.True(montage.Width > 3 * 96, "three tiles at least 96 px wide");
    }

    [Fact]
    public void SampleGridSharesOneDepthRangeAcrossRows()
    {
        var near = new DepthSample(1, 2, new byte[6], [1f, 2f]);
        var far = new DepthSample(1, 2, new byte[6], [0f, 9f]);
        var grid = new SampleGrid([near, far]);
        Assert.Equal((1f, 9f), grid.Range);
        var images = Images(NotebookFormatters.ToHtml(grid));
        Assert.Equal(7, images.Count); // 2 rows x (RGB, depth, mask) + one colour bar
        Assert.Equal(FarEnd, images[4].GetPixel(1, 0)); // 9 m in the second row is the top of the shared bar
        Assert.NotEqual(FarEnd, images[1].GetPixel(1, 0)); // 2 m in the first row is not
    }

    [Fact]
    public void DataFramesAndRuntimeInfoShowAsHtmlTables()
    {
        var frame = new DataFrame(new StringDataFrameColumn("model", ["CNN+Res", "CNN"]), new DoubleDataFrameColumn("abs_rel", [0.1234567, 1.2e6]));
        var html = NotebookFormatters.ToHtml(frame);
        Assert.Contains(">model</th>", html);
        Assert.Contains(">CNN+Res</td>", html);
        Assert.Contains(">0.1235</td>", html);
        Assert.Contains(">1.2e6</td>", html);
        var info = Runtime.Initialize("cpu", TextWriter.Null);
        Assert.Contains(">TorchSharp</th><td style=\"text-align:left;padding:2px 8px\">0.107.0</td>", NotebookFormatters.ToHtml(info));
    }

    [Fact]
    public void PlotlyChartsShowAsOfflineHtmlThatDrawsOnceThePageHasPlotlyJs()
    {
        var chart = LiveChart.Lines([("train", [1.0, 2.0], [0.5, 0.25])], "Train Loss", "epoch", "loss");
        var html = NotebookFormatters.ToHtml(chart);
        Assert.Matches(@"<div id=""(depthkit-plot-\w+)"" class=""depthkit-chart""></div>", html);
        Assert.Matches(@"Plotly\.newPlot\('depthkit-plot-\w+'", html);
        Assert.Contains("Train Loss", html);
        Assert.Contains("\"name\":\"train\"", html);
        foreach (var online in new[] { "cdn.", "https://", "http://", "require" })
            Assert.DoesNotContain(online, html, StringComparison.OrdinalIgnoreCase);
        var script = PlotlyHtml.Script();
        Assert.StartsWith("<script>(function (define, module, exports) {", script);
        Assert.True(script.Length > 1_000_000, "the whole plotly.js is inlined");
        Assert.Matches(@"^\d+\.\d+\.\d+$", PlotlyHtml.Version);
    }

    [Fact]
    public void TensorsShowShapeDtypeDeviceAndAShortPreview()
    {
        using var scope = NewDisposeScope();
        var t = arange(0, 24, dtype: ScalarType.Float32).reshape(2, 3, 4).requires_grad_(true);
        var html = NotebookFormatters.ToHtml(t);
        Assert.Contains("Tensor [2,3,4] float32 on cpu, requires_grad", html);
        Assert.Contains("min 0, max 23, mean 11.5", html);
        Assert.Contains("[0, 1, 2, 3, 4, 5, 6, 7, … (16 more)]", html);
        Assert.DoesNotContain("<table", html);   // not the object tree of every property
        Assert.Equal("Tensor [3] bool on cpu\n[true, false, true]", TensorView.ToText(tensor(new[] { true, false, true })));
        Assert.Equal("Tensor [0] int64 on cpu\nempty", TensorView.ToText(zeros(0, dtype: ScalarType.Int64)));
        Assert.Contains("Tensor [2,2] uint8 on cpu", Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(ones(2, 2, dtype: ScalarType.Byte), "text/plain"));
    }

    [Fact]
    public void ALessonPageShowsMarkdownCodeAndOutputsUnderTheirCells()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["lesson.cs"], "// %% [markdown]\n// # Title\n//\n// Some *text*.\n\n// %%\n#:project ../x/X.csproj\n\n// %%\nvar a = 1;\n");
        var page = LessonPage.Create(dir["lesson.cs"], dir["out/lesson.html"], TextWriter.Null);
        var handle = page.Show(LiveChart.Lines([("train", [1.0], [0.5])], "Loss", "epoch", "loss"));
        page.WriteLine("printed <text>");
        handle.Update(new HtmlFragment("<b>final state</b>"));
        var running = page.Render(final: false);
        Assert.Contains("<meta http-equiv=\"refresh\"", running);
        page.Finish();
        var html = File.ReadAllText(dir["out/lesson.html"]);
        Assert.DoesNotContain("http-equiv=\"refresh\"", html);    // the finished page stays put
        Assert.Contains("<h1 id=\"title\">Title</h1>", html);
        Assert.Contains("<em>text</em>", html);
        Assert.DoesNotContain("#:project", html);                  // the directives cell is not shown
        Assert.Contains("<pre class=\"code\">var a = 1;</pre>", html);
        Assert.Contains("printed &lt;text&gt;", html);
        Assert.Contains("<b>final state</b>", html);              // updated in place: one output, its last state
        Assert.DoesNotContain("depthkit-chart", html);            // nothing to draw, so no plotly.js either
        Assert.True(html.IndexOf("var a = 1;", StringComparison.Ordinal) < html.IndexOf("final state", StringComparison.Ordinal));
    }
}

public class LiveViewTests
{
    sealed class Recorder : IDisplaySink, IDisplayHandle
    {
        public List<object> Shown { get; } = [];
        public List<object> Updates { get; } = [];
        public IDisplayHandle Show(object value) { Shown.Add(value); return this; }
        public void Update(object value) => Updates.Add(value);
    }

    sealed class BatchRecorder : IDisplaySink, IDisplayHandle
    {
        public int Shown, Updates;
        public bool FinalOnly => true;
        public IDisplayHandle Show(object value) { Shown++; return this; }
        public void Update(object value) => Updates++;
    }

    [Fact]
    public void AFrontendThatKeepsEveryUpdateGetsOnlyTheFinalState()
    {
        var sink = new BatchRecorder();
        using (var live = new LiveTraining("Train Loss", sink, minInterval: TimeSpan.Zero))
        {
            var p = live.For("");
            for (int step = 1; step <= 20; step++)
                p.Report(new DepthKit.Training.TrainProgress("train", 1, 1, step, 20, step, 20, 1.0 / step, 1e-3, 10, TimeSpan.Zero));
            Assert.Equal(0, sink.Shown);
        }
        Assert.Equal((2, 0), (sink.Shown, sink.Updates));   // the chart and the progress line, once each
    }

    [Fact]
    public void LiveChartDrawsOnceThenThrottlesUpdatesAndFlushesTheLastState()
    {
        var sink = new Recorder();
        var chart = new LiveChart("Train Loss", "step", "loss", sink) { MinInterval = TimeSpan.FromHours(1) };
        for (int i = 1; i <= 100; i++) chart.Add("train", i, 1.0 / i);
        chart.Add("val", 100, 0.02);
        Assert.Single(sink.Shown);   // first point drawn at once
        Assert.Empty(sink.Updates);  // the rest throttled
        chart.Flush();
        Assert.Single(sink.Updates);
        chart.Flush();               // nothing new: no redraw
        Assert.Single(sink.Updates);
        Assert.Equal(["train", "val"], chart.Series.Select(s => s.Name));
        Assert.Equal(100, chart.Series[0].Y.Count);
        Assert.Equal(0.01, chart.Series[0].Y[^1]);
    }

    [Fact]
    public void LiveTrainingDrawsStepLossAndValidationLossPerModelInEpochs()
    {
        var sink = new Recorder();
        var live = new LiveTraining("Train Loss", sink, minInterval: TimeSpan.Zero);
        var cnn = live.For("CNN");
        // 4 batches per epoch: step 2 is half an epoch, the val report at step 4 ends epoch 1
        cnn.Report(new DepthKit.Training.TrainProgress("train", 1, 2, 2, 4, 2, 8, 0.9, 1e-3, 10, TimeSpan.Zero));
        cnn.Report(new DepthKit.Training.TrainProgress("val", 1, 2, 4, 4, 4, 8, 0.7, 1e-3, 10, TimeSpan.Zero, "epoch 1/2"));
        cnn.Report(new DepthKit.Training.TrainProgress("val", 2, 2, 4, 4, 8, 8, double.NaN, 1e-3, 10, TimeSpan.Zero)); // no val set: NaN is not drawn
        live.Dispose();
        var series = live.Chart.Series;
        Assert.Equal(["CNN train", "CNN val"], series.Select(s => s.Name));
        Assert.Equal([0.5], series[0].X);
        Assert.Equal([0.9], series[0].Y);
        Assert.Equal([1.0], series[1].X);
        Assert.Equal([0.7], series[1].Y);
        Assert.Contains(sink.Updates, u => u.ToString()!.Contains("1000/1000") && u.ToString()!.Contains("epoch 2/2"));
    }

    [Fact]
    public void LiveProgressUpdatesInPlaceAndClampsToTheTotal()
    {
        var sink = new Recorder();
        using (var bar = new LiveProgress("render", 4, sink) { MinInterval = TimeSpan.Zero })
        {
            bar.Report(2, "half");
            bar.Report(9);
            Assert.Equal(4, bar.Done);
        }
        Assert.Single(sink.Shown);
        Assert.Equal(2, sink.Updates.Count); // one per report with no throttle; dispose has nothing new
        var last = sink.Updates[^1].ToString()!;
        Assert.Contains("4/4", last);
        Assert.Contains("half", last);
        // the notebook shows a progress bar, not its escaped source
        var html = NotebookFormatters.ToHtml(sink.Updates[^1]);
        Assert.Contains("<progress value=\"4\" max=\"4\"", html);
        Assert.DoesNotContain("&lt;progress", html);
    }
}
