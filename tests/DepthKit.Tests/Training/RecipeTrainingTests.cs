using DepthKit.Data;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Visualization;
using static TorchSharp.torch;

namespace DepthKit.Tests.Training;

/// <summary>The training knobs of the recipe study: an encoder learning rate of its own, curve runs, charts.</summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class RecipeTrainingTests
{
    static IDepthDataset Tiny(int count) =>
        SynthRooms.Open(new SynthRoomsOptions { Seed = 3, Height = 32, Width = 32, TrainCount = count, ValCount = 2, TestCount = 2, Cache = true }).Train;

    [Fact]
    public void EncoderLearningRateScaleMovesTheEncoderLessThanTheDecoder()
    {
        using var scope = NewDisposeScope();
        double Moved(double scale, bool encoder)
        {
            Trainer.Seed(5);
            using var model = Architectures.Create(new ModelConfig("cnn-res", "resnet18", 32, 32));
            var before = (encoder ? model.EncoderParameters() : model.DecoderParameters()).Select(p => p.detach().clone()).ToList();
            var options = new TrainOptions { Epochs = 1, BatchSize = 4, LearningRate = 1e-3, Optimizer = "sgd", Momentum = 0, EncoderLearningRateScale = scale };
            var trainer = new Trainer(model, ModelFactory.Identity(model.Config), Tiny(4), null, options);
            trainer.TrainEpoch();
            var after = (encoder ? model.EncoderParameters() : model.DecoderParameters()).ToList();
            return before.Zip(after, (b, a) => (a - b).abs().sum().item<float>()).Sum();
        }
        // plain SGD, one step: the update is lr * scale * grad, so the encoder moves exactly 10x less with scale 0.1
        double full = Moved(1.0, encoder: true), tenth = Moved(0.1, encoder: true);
        Assert.True(full > 0);
        Assert.Equal(0.1, tenth / full, 3);
        Assert.Equal(Moved(1.0, encoder: false), Moved(0.1, encoder: false), 4);
    }

    [Fact]
    public void EncoderLearningRateScaleMustBePositive()
    {
        Assert.Throws<ArgumentException>(() => new TrainOptions { EncoderLearningRateScale = 0 }.Validated());
        Assert.Throws<ArgumentException>(() => new TrainOptions { EncoderLearningRateScale = double.NaN }.Validated());
    }

    [Fact]
    public void CurveRunLinesSetTrainingAndArchitectureOptions()
    {
        var defaults = new TrainOptions { Loss = "l1", LearningRate = 2e-3, FreezeEncoder = true };
        var run = CurveRun.Parse("ft-silog model=cnn-res freeze-encoder=false encoder-lr-scale=0.1 loss=silog upsampling=upproj augment=false", defaults, 96, 128);
        Assert.Equal("ft-silog", run.Name);
        Assert.False(run.Options.FreezeEncoder);
        Assert.Equal(0.1, run.Options.EncoderLearningRateScale);
        Assert.Equal("silog", run.Options.Loss);
        Assert.False(run.Options.FlipAugmentation);
        Assert.Equal("upproj", run.Config.Options["upsampling"]);
        Assert.Equal("resnet18-cntk", run.Config.Encoder);           // the offline ImageNet weights' layout
        Assert.Equal("resnet18-imagenet", run.Pretrained);
        var plain = CurveRun.Parse("cnn model=cnn width=8", defaults, 96, 128);
        Assert.Null(plain.Pretrained);
        Assert.False(plain.Options.FreezeEncoder);                    // nothing pretrained to freeze
        Assert.Equal("8", plain.Config.Options["width"]);
        Assert.Throws<FormatException>(() => CurveRun.Parse("bad lr=fast", defaults, 96, 128));
        Assert.Throws<FormatException>(() => CurveRun.Parse("bad loss", defaults, 96, 128));
        Assert.Throws<ArgumentException>(() => CurveRun.Parse("bad loss=nope", defaults, 96, 128));
    }

    [Fact]
    public void LearningCurvesMeasureEveryEpochOnTestAndExtraImages()
    {
        var splits = SynthRooms.Open(new SynthRoomsOptions { Seed = 9, Height = 32, Width = 32, TrainCount = 8, ValCount = 2, TestCount = 3, Cache = true });
        var data = new ExperimentData(splits.Train, splits.Val, splits.Test, "tiny");
        var run = CurveRun.Parse("cnn model=cnn width=4", new TrainOptions { Epochs = 2, BatchSize = 4 }, 32, 32);
        var seen = new List<CurvePoint>();
        var points = LearningCurves.Measure(run, data, [("extra", splits.Val)], onPoint: seen.Add);
        Assert.Equal(points, seen);
        // per epoch: the test set as a whole, then the extra set as a whole and each of its 2 images
        Assert.Equal(2 * (1 + 1 + 2), points.Count);
        Assert.Equal([1, 2], points.Select(p => p.Epoch).Distinct());
        Assert.All(points, p => Assert.InRange(p.Metric.D1, 0, 1));
        Assert.True(points.Where(p => p.Epoch == 2).All(p => p.CpuMinutes > points.First(q => q.Epoch == 1).CpuMinutes));
        var csv = string.Join('\n', [LearningCurves.CsvHeader, .. points.Select(LearningCurves.CsvLine)]);
        using var dir = new TempDir();
        File.WriteAllText(dir["curves.csv"], csv);
        var back = LearningCurves.ReadCsv(dir["curves.csv"]);
        Assert.Equal(points.Count, back.Count);
        Assert.Equal(points[3].Metric.D1, back[3].Metric.D1, 4);
        Assert.Equal(points[3].Image, back[3].Image);
    }

    [Fact]
    public void LineChartDrawsEverySeriesAsAPng()
    {
        var png = LineChart.Png("t", "x", "y",
            [new ChartSeries("a", [(0, 0.5), (1, 0.6), (2, 0.7)]), new ChartSeries("b", [(0, 0.4), (2, 0.9)], Dashed: true)],
            [("baseline", 0.55)]);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.Equal(900, bitmap.Width);
        // both series' colours appear in the plot
        var colours = new HashSet<SkiaSharp.SKColor>();
        for (int y = 0; y < bitmap.Height; y += 2) for (int x = 0; x < bitmap.Width; x += 2) colours.Add(bitmap.GetPixel(x, y));
        Assert.Contains(new SkiaSharp.SKColor(31, 119, 180), colours);
        Assert.Contains(new SkiaSharp.SKColor(255, 127, 14), colours);
        Assert.Throws<ArgumentException>(() => LineChart.Png("t", "x", "y", [new ChartSeries("empty", [])]));
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], LineChart.Ticks(0, 1).ToArray());
    }
}
