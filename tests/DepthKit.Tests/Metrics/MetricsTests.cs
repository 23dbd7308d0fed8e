using System.Text.Json;
using DepthKit.Metrics;
using static TorchSharp.torch;

namespace DepthKit.Tests.Metrics;

public class MetricsTests
{
    static readonly EvalOptions NoCrop = new() { Crop = CropKind.None };

    static DepthMetrics Eval(float[] pred, float[] gt, EvalOptions? o = null, int height = 1) =>
        DepthErrors.Compute(pred, height, pred.Length / height, gt, height, gt.Length / height, o ?? NoCrop);

    [Fact]
    public void EveryMetricMatchesItsHandComputedValue()
    {
        // thresh = max(gt/pred, pred/gt) = 1, 1.5, 1, 2
        var m = Eval(pred: [1, 3, 4, 4], gt: [1, 2, 4, 8]);
        double ln15 = Math.Log(1.5), ln2 = Math.Log(2);
        Assert.Equal(0.5, m.D1, 12);                      // only the two exact pixels are < 1.25
        Assert.Equal(0.75, m.D2, 12);                     // 1.5 < 1.5625
        Assert.Equal(0.75, m.D3, 12);                     // 2 >= 1.953125
        Assert.Equal((0 + 1.0 / 2 + 0 + 4.0 / 8) / 4, m.AbsRel, 12);
        Assert.Equal((0 + 1.0 / 2 + 0 + 16.0 / 8) / 4, m.SqRel, 12);
        Assert.Equal(Math.Sqrt((0 + 1 + 0 + 16) / 4.0), m.Rmse, 12);
        Assert.Equal(Math.Sqrt((ln15 * ln15 + ln2 * ln2) / 4), m.RmseLog, 12);
        Assert.Equal((Math.Log10(1.5) + Math.Log10(2)) / 4, m.Log10, 12);
        double meanD = (ln15 - ln2) / 4, meanD2 = (ln15 * ln15 + ln2 * ln2) / 4;
        Assert.Equal(100 * Math.Sqrt(meanD2 - meanD * meanD), m.SiLog, 10);
        Assert.Equal((1, 0, 4L), (m.Images, m.SkippedImages, m.Pixels));
    }

    [Fact]
    public void PerfectPredictionHasAllDeltasOneAndZeroErrors()
    {
        float[] gt = [0.5f, 1, 2.25f, 3, 7.5f, 9.99f];
        var m = Eval((float[])gt.Clone(), gt);
        Assert.Equal((1.0, 1.0, 1.0), (m.D1, m.D2, m.D3));
        Assert.Equal([0.0, 0, 0, 0, 0, 0], new[] { m.AbsRel, m.SqRel, m.Rmse, m.RmseLog, m.Log10, m.SiLog });
    }

    [Fact]
    public void PredictionExactlyOnePointTwoFiveTimesTheTruthIsOnTheDelta1BoundaryAndFailsIt()
    {
        // 1.25 * gt and gt / 0.8 are exact in float for these values: the ratio is exactly 1.25, and delta uses <.
        var over = Eval(pred: [2.5f, 5, 0.625f, 10], gt: [2, 4, 0.5f, 8]);
        Assert.Equal(0, over.D1);
        Assert.Equal(1, over.D2);
        Assert.Equal(0.25, over.AbsRel, 15);
        var under = Eval(pred: [2, 4], gt: [2.5f, 5]);
        Assert.Equal(0, under.D1);
        Assert.Equal(1, under.D2);
        var justInside = Eval(pred: [2.4999f], gt: [2]);
        Assert.Equal(1, justInside.D1);
    }

    [Theory]
    [InlineData(2.0)] [InlineData(0.25)] [InlineData(3.7)]
    public void MedianScaledMetricsAndSiLogIgnoreAGlobalScale(double k)
    {
        float[] gt = [1.2f, 2.7f, 3.1f, 4.4f, 0.9f, 6.3f];
        float[] pred = [1.0f, 3.1f, 2.5f, 4.9f, 1.3f, 5.2f];
        var scaled = pred.Select(p => (float)(p * k)).ToArray();
        var median = NoCrop with { MaxDepth = 100, MedianScaling = true };
        AssertClose(Eval(pred, gt, median), Eval(scaled, gt, median), 1e-5);
        // SILog without alignment: a scale adds log k to every d, which the variance ignores (no clamp is hit here)
        var wide = NoCrop with { MaxDepth = 100 };
        Assert.Equal(Eval(pred, gt, wide).SiLog, Eval(scaled, gt, wide).SiLog, 4);
        Assert.NotEqual(Eval(pred, gt, wide).AbsRel, Eval(scaled, gt, wide).AbsRel, 3);
    }

    [Fact]
    public void MedianScalingAndScaleShiftAlignmentRecoverAnAffinePrediction()
    {
        float[] gt = [1, 2, 3, 5];
        var median = Eval(pred: [2, 4, 6, 10], gt, NoCrop with { MedianScaling = true });   // ratio 2.5 / 5 = 0.5
        Assert.Equal(0, median.AbsRel, 12);
        var affine = Eval(pred: [3, 5, 7, 11], gt, NoCrop with { ScaleShiftAlignment = true }); // pred = 2 gt + 1
        Assert.Equal(0, affine.AbsRel, 6);
        Assert.Equal(1, affine.D1);
        var (s, t) = DepthErrors.LeastSquaresScaleShift([3, 5, 7, 11], [1, 2, 3, 5]);
        Assert.Equal((0.5, -0.5), (Math.Round(s, 12), Math.Round(t, 12)));
        Assert.Equal(2.5, DepthErrors.Median([4, 1, 2, 3]));
        Assert.Throws<ArgumentException>(() => Eval([1], [1], NoCrop with { MedianScaling = true, ScaleShiftAlignment = true }));
    }

    [Fact]
    public void ZeroNanInfAndOutOfRangeGroundTruthNeverChangeAResult()
    {
        var clean = Eval(pred: [1, 3, 4, 4], gt: [1, 2, 4, 8]);
        var dirty = Eval(pred: [1, 3, 99, 4, 4, 0.001f, 7, 3], gt: [1, 2, 0, 4, 8, float.NaN, float.PositiveInfinity, 12]);
        Assert.Equal(clean, dirty);
        Assert.Equal(4, dirty.Pixels);
    }

    [Fact]
    public void PredictionsAreClampedToTheEvaluationRange()
    {
        var m = Eval(pred: [100, -3, float.NaN, float.PositiveInfinity], gt: [5, 0.002f, 0.002f, 5]);
        // 100 -> 10 and inf -> 10 (|5-10|/5 = 1); -3 and NaN -> 1e-3 (|0.002-0.001|/0.002 = 0.5)
        Assert.Equal((1 + 0.5 + 0.5 + 1) / 4, m.AbsRel, 6);
        // degenerate alignments stay finite: an all-zero prediction has an infinite median ratio (-> clamped),
        // a constant one has no least-squares scale (-> shifted onto mean(gt) = 2)
        var zeros = Eval(pred: [0, 0], gt: [1, 3], NoCrop with { MedianScaling = true });
        Assert.True(double.IsFinite(zeros.AbsRel));
        var constant = Eval(pred: [5, 5], gt: [1, 3], NoCrop with { ScaleShiftAlignment = true });
        Assert.Equal((1.0 / 1 + 1.0 / 3) / 2, constant.AbsRel, 12);
    }

    [Fact]
    public void AnAllInvalidImageIsSkippedAndCountedNotDividedByZero()
    {
        var acc = new MetricAccumulator(NoCrop);
        acc.Add(new float[,] { { 1, 3 }, { 4, 4 } }, new float[,] { { 1, 2 }, { 4, 8 } });
        acc.Add(new float[,] { { 1, 2 }, { 3, 4 } }, new float[,] { { 0, 0 }, { float.NaN, 11 } });
        var m = acc.Result();
        Assert.Equal((1, 1, 4L), (m.Images, m.SkippedImages, m.Pixels));
        Assert.Equal(Eval([1, 3, 4, 4], [1, 2, 4, 8]) with { SkippedImages = 1 }, m);

        var none = DepthErrors.Compute(new float[,] { { 1 } }, new float[,] { { 0 } }, NoCrop);
        Assert.Equal((0, 1, 0L), (none.Images, none.SkippedImages, none.Pixels));
        Assert.True(double.IsNaN(none.AbsRel));
        Assert.Contains("\"abs_rel\": \"NaN\"", none.ToJson());
    }

    [Fact]
    public void PerImageAndPixelPooledAveragingDifferAsHandComputed()
    {
        // image A: one pixel, pred twice the truth; image B: three perfect pixels
        void Fill(MetricAccumulator a)
        {
            a.Add([2f], 1, 1, [1f], 1, 1);
            a.Add([1f, 2, 3], 1, 3, [1f, 2, 3], 1, 3);
        }
        var perImage = new MetricAccumulator(NoCrop);
        var pooled = new MetricAccumulator(NoCrop with { Averaging = Averaging.PixelPooled });
        Fill(perImage); Fill(pooled);
        var a = perImage.Result();
        var b = pooled.Result();
        Assert.Equal((1.0 + 0) / 2, a.AbsRel, 12);     // mean of the image means
        Assert.Equal((1.0 + 0 + 0 + 0) / 4, b.AbsRel, 12); // mean over the 4 pixels
        Assert.Equal((0.0 + 1) / 2, a.D1, 12);
        Assert.Equal(3.0 / 4, b.D1, 12);
        Assert.Equal((1.0 + 0) / 2, a.Rmse, 12);        // sqrt(1/1) and 0, averaged
        Assert.Equal(Math.Sqrt(1.0 / 4), b.Rmse, 12);
        // pooled SILog from the pooled sums of d and d^2: d = ln 2, 0, 0, 0
        double ln2 = Math.Log(2);
        Assert.Equal(100 * Math.Sqrt(ln2 * ln2 / 4 - ln2 * ln2 / 16), b.SiLog, 10);
        Assert.Equal(0, a.SiLog, 12);                   // each image alone has a constant d
        Assert.EndsWith("per-image", a.ToString());
        Assert.EndsWith("pixel-pooled", b.ToString());
        Assert.Equal((2, 4L), (b.Images, b.Pixels));
    }

    [Fact]
    public void CropsAreTheLiteratureBoxesAndScaleWithTheGroundTruth()
    {
        Assert.Equal(new CropBox(45, 471, 41, 601), Crops.Box(CropKind.Eigen, 480, 640));
        Assert.Equal(new CropBox(195, 476, 23, 616), Crops.Box(CropKind.Garg, 480, 640));   // int(0.40810811*480) ...
        Assert.Equal(new CropBox(23, 236, 21, 301), Crops.Box(CropKind.Eigen, 240, 320));  // 22.5, 235.5, 20.5, 300.5 rounded
        Assert.Equal(new CropBox(0, 4, 0, 6), Crops.Box(CropKind.None, 4, 6));
        Assert.Equal(426 * 560, Crops.Mask(CropKind.Eigen, 480, 640).Count(x => x));
        Assert.Equal(CropKind.Garg, Crops.Parse("GARG"));
        Assert.Throws<ArgumentException>(() => Crops.Parse("kitti"));

        // outside the crop a wildly wrong prediction changes nothing
        int h = 48, w = 64;
        var gt = Enumerable.Repeat(2f, h * w).ToArray();
        var pred = (float[])gt.Clone();
        var eigen = new EvalOptions();
        var box = Crops.Box(CropKind.Eigen, h, w);
        pred[0] = 9; pred[(h - 1) * w + w - 1] = 0.1f;
        var m = DepthErrors.Compute(pred, h, w, gt, h, w, eigen);
        Assert.Equal(0, m.AbsRel);
        Assert.Equal((long)(box.Bottom - box.Top) * (box.Right - box.Left), m.Pixels);
        pred[box.Top * w + box.Left] = 4;
        Assert.Equal(1.0 / m.Pixels, DepthErrors.Compute(pred, h, w, gt, h, w, eigen).AbsRel, 12);
    }

    [Fact]
    public void ArrayResizeMatchesTorchInterpolateAndTensorPathMatchesArrayPath()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(7);
        var pred = rand([2, 1, 3, 5], generator: g) * 4 + 0.5;
        var gt = rand([2, 1, 7, 4], generator: g) * 4 + 0.5;
        var torchResized = nn.functional.interpolate(pred, size: [7, 4], mode: InterpolationMode.Bilinear, align_corners: false)
            .data<float>().ToArray();
        var p = pred.data<float>().ToArray();
        var ours = DepthKit.Data.Resampling.Bilinear(p.AsSpan(0, 15), 3, 5, 7, 4).Concat(DepthKit.Data.Resampling.Bilinear(p.AsSpan(15, 15), 3, 5, 7, 4)).ToArray();
        for (int i = 0; i < ours.Length; i++) Assert.Equal(torchResized[i], ours[i], 5);

        var tensorAcc = new MetricAccumulator(NoCrop);
        tensorAcc.Add(pred, gt);
        var arrayAcc = new MetricAccumulator(NoCrop);
        var gv = gt.data<float>().ToArray();
        arrayAcc.Add(p.AsSpan(0, 15), 3, 5, gv.AsSpan(0, 28), 7, 4);
        arrayAcc.Add(p.AsSpan(15, 15), 3, 5, gv.AsSpan(28, 28), 7, 4);
        AssertClose(arrayAcc.Result(), tensorAcc.Result(), 1e-5);
        Assert.Equal(2, tensorAcc.Images);
    }

    [Fact]
    public void TensorBatchSkipsImagesWithoutValidPixels()
    {
        using var scope = NewDisposeScope();
        var gt = tensor(new float[] { 1, 2, 4, 8, 0, 0, 0, 0 }).reshape(2, 1, 2, 2);
        var pred = tensor(new float[] { 1, 3, 4, 4, 5, 5, 5, 5 }).reshape(2, 1, 2, 2);
        var acc = new MetricAccumulator(NoCrop);
        acc.Add(pred, gt);
        var m = acc.Result();
        Assert.Equal((1, 1), (m.Images, m.SkippedImages));
        Assert.Equal(0.25, m.AbsRel, 12);
        acc.Reset();
        Assert.Equal((0, 0), (acc.Images, acc.SkippedImages));
        Assert.Throws<ArgumentException>(() => acc.Add(pred, gt[..1]));
    }

    [Fact]
    public void ResultSerialisesWithTheExactJsonKeysAndBecomesDataFrameRows()
    {
        var m = Eval(pred: [1, 3, 4, 4], gt: [1, 2, 4, 8]);
        using var doc = JsonDocument.Parse(m.ToJson());
        Assert.Equal(["d1", "d2", "d3", "abs_rel", "sq_rel", "rmse", "rmse_log", "log10", "silog", "images", "skipped_images", "pixels"],
                     doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.25, doc.RootElement.GetProperty("abs_rel").GetDouble(), 12);
        Assert.Equal(4, doc.RootElement.GetProperty("pixels").GetInt64());
        Assert.Equal(m, DepthMetrics.FromJson(m.ToJson()));

        var one = m.ToDataFrame();
        Assert.Equal(1, one.Rows.Count);
        Assert.Equal(DepthMetrics.Columns, one.Columns.Select(c => c.Name));
        var perfect = Eval([1, 2], [1, 2]);
        var frame = DepthMetrics.ToDataFrame([("CNN+FC", m), ("CNN+Res", perfect)]);
        Assert.Equal(2, frame.Rows.Count);
        Assert.Equal("CNN+Res", frame["name"][1]);
        Assert.Equal(0.25, (double)frame["abs_rel"][0]!, 12);
        Assert.Equal(2L, frame["pixels"][1]);

        Assert.Equal(DepthMetrics.Header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
                     m.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("0.2500", m.ToString());
        var table = DepthMetrics.Table([("CNN+FC", m)]);
        Assert.StartsWith("name", table);
        Assert.Contains("CNN+FC", table);
    }

    [Fact]
    public void NaiveAbsRelReproducesTheSlidesMagnitudeWhereTheMaskedOneDoesNot()
    {
        float[] gt = [0, 2, 4, 0];
        float[] pred = [0.5f, 2, 4, 0.25f];
        // (0.5 / 1e-6 + 0 + 0 + 0.25 / 1e-6) / 4 = 1.9e5: the order of Table 1's "Abs rel diff"
        Assert.Equal((0.5 / 1e-6 + 0.25 / 1e-6) / 4, NaiveMetrics.AbsRel(pred, gt), 6);
        Assert.Equal(double.PositiveInfinity, NaiveMetrics.AbsRel(pred, gt, epsilon: 0));
        Assert.Equal(0, Eval(pred, gt).AbsRel);
    }

    [Fact]
    public void FlipAveragingMeansTheStraightAndMirroredPredictions()
    {
        using var scope = NewDisposeScope();
        var image = arange(6f).reshape(1, 1, 2, 3);
        // a "model" that is not flip-equivariant: adds the column index
        Tensor Model(Tensor x) => x + arange(3f).reshape(1, 1, 1, 3);
        var averaged = TestTimeFlip.Predict(Model, image);
        // straight: x + [0,1,2]; mirrored back: x + [2,1,0]; mean: x + 1
        Assert.Equal((image + 1).data<float>().ToArray(), averaged.data<float>().ToArray());
    }

    [Fact]
    public void BadInputsAreClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => DepthErrors.Compute([1f, 2f, 3f], 2, 2, [1f, 2f, 3f, 4f], 2, 2));
        Assert.Contains("prediction", e.Message);
        Assert.Throws<ArgumentException>(() => Eval([1], [1], NoCrop with { MinDepth = 5, MaxDepth = 1 }));
    }

    static void AssertClose(DepthMetrics a, DepthMetrics b, double tol)
    {
        double[] x = [a.D1, a.D2, a.D3, a.AbsRel, a.SqRel, a.Rmse, a.RmseLog, a.Log10, a.SiLog];
        double[] y = [b.D1, b.D2, b.D3, b.AbsRel, b.SqRel, b.Rmse, b.RmseLog, b.Log10, b.SiLog];
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(x[i] - y[i]) <= tol * Math.Max(1, Math.Abs(x[i])), $"{DepthMetrics.Columns[i]}: {x[i]} vs {y[i]}");
        Assert.Equal((a.Images, a.SkippedImages, a.Pixels), (b.Images, b.SkippedImages, b.Pixels));
    }
}

public class NaiveMetricsTests
{
    [Fact]
    public void TensorNaiveAbsRelMatchesTheArrayOneAndTheSlidesTableIsQuotedAsPrinted()
    {
        using var scope = NewDisposeScope();
        float[] gt = [0, 2, 4, 0];
        float[] pred = [0.5f, 2, 3, 0.25f];
        double expected = (0.5 / 1e-6 + 0 + 0.25 + 0.25 / 1e-6) / 4;
        Assert.Equal(expected, NaiveMetrics.AbsRel(pred, gt), 6);
        Assert.Equal(expected, NaiveMetrics.AbsRel(tensor(pred).reshape(1, 1, 2, 2), tensor(gt).reshape(1, 1, 2, 2)), 6);
        // masked and cropped the right way, only the two valid pixels count: (0 + 1/4) / 2
        Assert.Equal(0.125, DepthErrors.Compute(tensor(pred).reshape(1, 1, 2, 2), tensor(gt).reshape(1, 1, 2, 2), new EvalOptions { Crop = CropKind.None }).AbsRel, 6);
        Assert.Equal(["CNN+FC", "CNN", "CNN+trans", "CNN+Res"], NaiveMetrics.SlidesTable1.Select(r => r.Model));
        Assert.All(NaiveMetrics.SlidesTable1, r => Assert.True(r.AbsRelDiff > 1e4));
    }

    [Fact]
    public void EveryTableTakesItsMetricColumnsFromTheOneFieldList()
    {
        string[] keys = [.. DepthMetrics.Fields.Select(f => f.Key)];
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal([.. keys, "images", "skipped_images", "pixels"], DepthMetrics.Columns);
        var m = DepthErrors.Compute([1, 3, 4, 4], 1, 4, [1, 2, 4, 8], 1, 4, new EvalOptions { Crop = CropKind.None });
        // each field reads its own value and sets only itself
        for (int i = 0; i < keys.Length; i++)
        {
            var f = DepthMetrics.Fields[i];
            var changed = f.With(m, 42);
            Assert.Equal(42, f.Get(changed));
            Assert.Equal(m.Values().Select((v, j) => j == i ? 42 : v), changed.Values());
        }
        Assert.Equal(m, DepthMetrics.FromValues(m.Values(), m.Images, m.SkippedImages, m.Pixels, m.Averaging));

        var history = new DepthKit.Training.TrainingHistory();
        history.Epochs.Add(new DepthKit.Training.EpochRecord(1, 10, 0.5, 0.4, m, 1e-3, 2));
        history.Epochs.Add(new DepthKit.Training.EpochRecord(2, 20, 0.3, double.NaN, null, 1e-3, 2));
        var csv = DepthKit.Training.TrainingHistory.ToCsv([("CNN", history)]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([.. "model,epoch,step,train_loss,val_loss,lr,seconds".Split(','), .. keys], csv[0].Split(','));
        Assert.Equal(m.Values().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), csv[1].Split(',')[7..]);
        Assert.All(csv[2].Split(',')[7..], cell => Assert.Equal("NaN", cell));
        var frame = history.ToDataFrame("CNN");
        Assert.Equal(keys, frame.Columns.Skip(7).Select(c => c.Name));
        Assert.Equal(m.AbsRel, (double)frame["abs_rel"][0]!);
        Assert.True(double.IsNaN((double)frame["abs_rel"][1]!));

        var html = DepthKit.Visualization.HtmlReport.MetricsTable([("CNN", m)]);
        Assert.Equal(keys.Length + 2, System.Text.RegularExpressions.Regex.Matches(html, "<th>").Count); // model, the fields, images
        Assert.Equal(keys.Length + 2, System.Text.RegularExpressions.Regex.Matches(html, "<td>").Count);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("RMSElog ↓"), html);
        Assert.Equal(keys.Length + 4, DepthMetrics.Header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length); // + 3 counts + averaging
        Assert.Equal(keys.Length + 4, m.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void JsonKeepsNonFiniteMetricsAndReadsOldFiles()
    {
        var m = DepthMetrics.Empty(0, 3, 0) with { D1 = double.PositiveInfinity, Rmse = double.NegativeInfinity };
        var back = DepthMetrics.FromJson(m.ToJson());
        Assert.True(double.IsPositiveInfinity(back.D1) && double.IsNegativeInfinity(back.Rmse) && double.IsNaN(back.SiLog));
        Assert.Equal(3, back.SkippedImages);
        // the layout earlier versions wrote (history inside checkpoints): numbers, "NaN" strings, keys in any order
        var old = DepthMetrics.FromJson("""{"pixels": 7, "d1": 0.5, "d2": 0.75, "d3": 1, "abs_rel": 0.25, "sq_rel": "NaN", "rmse": 2,""" +
                                        """ "rmse_log": 0.1, "log10": 0.05, "silog": 12.5, "images": 2, "skipped_images": 1}""");
        Assert.Equal((0.5, 2.0, 12.5, 2, 1, 7L), (old.D1, old.Rmse, old.SiLog, old.Images, old.SkippedImages, old.Pixels));
        Assert.True(double.IsNaN(old.SqRel));
        Assert.Throws<System.Text.Json.JsonException>(() => DepthMetrics.FromJson("""{"d1": true}"""));
    }
}
