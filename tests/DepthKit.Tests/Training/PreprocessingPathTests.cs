using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Models;
using DepthKit.Training;
using DepthKit.Transforms;
using static TorchSharp.torch;
using DataLoader = DepthKit.Data.DataLoader;

namespace DepthKit.Tests.Training;

/// <summary>Training, evaluation and prediction prepare an image the same way, and evaluation scores at the ground truth's size.</summary>
public class PreprocessingPathTests
{
    /// <summary>A 12x20 image to shrink (area) and a 3x5 one to enlarge (bilinear): both rules of <see cref="Resampling.Rgb"/>.</summary>
    static IEnumerable<DepthSample> Images()
    {
        var random = new Random(3);
        foreach (var (h, w) in new[] { (12, 20), (3, 5) })
        {
            var rgb = new byte[h * w * 3];
            random.NextBytes(rgb);
            yield return new DepthSample(h, w, rgb, [.. Enumerable.Range(0, h * w).Select(i => 1f + i % 5)], $"{h}x{w}");
        }
    }

    [Fact]
    public void TrainingEvaluationAndPredictionFeedTheModelTheSamePixels()
    {
        using var scope = NewDisposeScope();
        foreach (var image in Images())
        {
            var single = new ListDataset([image]);
            var options = new TrainOptions { Height = 6, Width = 8, BatchSize = 1, FlipAugmentation = false };
            var train = new DataLoader(single, Trainer.LoaderOptions(single, options)).Epoch(0).Single();
            var eval = new DataLoader(single, Evaluation.LoaderOptions(single, 6, 8, 1)).Epoch(0).Single();
            var predict = Batches.ImageTensor(image.Rgb, image.Height, image.Width, 6, 8).unsqueeze(0);
            Assert.Equal(train.Rgb.shape, eval.Rgb.shape);
            Assert.Equal(train.Rgb.shape, predict.shape);
            Assert.True(train.Rgb.eq(eval.Rgb).all().item<bool>(), $"{image.Source}: training and evaluation batches differ");
            Assert.True(train.Rgb.eq(predict).all().item<bool>(), $"{image.Source}: prediction input differs from training's");
            // the loader's resize is the shared rule: area when shrinking, bilinear when enlarging
            var expected = Resampling.Rgb(image.Rgb, image.Height, image.Width, 6, 8);
            var pixels = (predict.squeeze(0).permute(1, 2, 0) * 255f).round().to(uint8).contiguous().data<byte>().ToArray();
            Assert.Equal(expected, pixels);
            Assert.Same(image, eval.Sources![0]);
        }
    }

    [Fact]
    public void EvaluationScoresEachImageAtItsOwnResolution()
    {
        // a model that predicts 2 m everywhere, on ground truths of two sizes that are 2 m on the left half and 4 m on the right
        using var scope = NewDisposeScope();
        DepthSample Half(int h, int w) => new(h, w, new byte[h * w * 3], [.. Enumerable.Range(0, h * w).Select(i => i % w < w / 2 ? 2f : 4f)], $"{h}x{w}");
        var data = new ListDataset([Half(4, 6), Half(10, 16), Half(4, 6)]);
        var model = new ConstantDepth(2f);
        var (metrics, _) = Evaluation.Evaluate(model, data, new EvalOptions { Crop = CropKind.None }, 8, 8, batchSize: 2);
        Assert.Equal(3, metrics.Images);
        Assert.Equal(4 * 6 * 2 + 10 * 16, metrics.Pixels);
        Assert.Equal(0.5, metrics.D1, 6);        // the left half exactly, the right half off by 2x
        Assert.Equal(0.25, metrics.AbsRel, 6);   // (0 + 0.5) / 2
    }

    sealed class ListDataset(IReadOnlyList<DepthSample> samples) : IDepthDataset
    {
        public string Name => "list";
        public int Count => samples.Count;
        public DepthSample Get(int index) => samples[index];
    }

    sealed class ConstantDepth(float depth) : TorchSharp.torch.nn.Module<Tensor, Tensor>(nameof(ConstantDepth))
    {
        public override Tensor forward(Tensor x) => full(x.shape[0], 1, x.shape[2], x.shape[3], depth);
    }
}
