using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using Xunit.Abstractions;

namespace DepthKit.Tests.Models;

/// <summary>
/// The checkerboard of the up-projection decoders, measured: CNN+Res trained briefly with each up-sampling unit,
/// then asked for flat and simple surfaces (a uniform grey image, a smooth ramp, SynthRooms walls). The periodic
/// share of the prediction's fine detail (<see cref="GridArtefacts"/>) is large for unpool-based units and
/// small for bilinear up-sampling.
/// </summary>
[Collection(nameof(GlobalTorchSeed))] // weights come from torch's global generator
public class GridArtefactTests(ITestOutputHelper output)
{
    const int H = 64, W = 96;

    [Fact]
    public void PeriodicEnergyIsOneForAPurePatternAndSmallForSmoothMaps()
    {
        var checker = new float[H * W];
        var ramp = new float[H * W];
        var noisy = new float[H * W];
        var rng = new Random(5);
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++)
            {
                checker[i * W + j] = 2 + 0.1f * ((i / 2 + j / 2) % 2 == 0 ? 1 : -1);
                ramp[i * W + j] = 1 + 0.03f * i + 0.01f * j;
                noisy[i * W + j] = ramp[i * W + j] + (float)(rng.NextDouble() - 0.5);
            }
        var pure = GridArtefacts.Measure(checker, H, W);
        Assert.InRange(pure.Share, 0.99, 1.0);
        Assert.InRange(pure.Amplitude, 0.0499, 0.0501); // RMS 0.1 on a mean of 2
        Assert.InRange(GridArtefacts.PeriodicEnergy(noisy, H, W), 0, 0.05);
        // a ramp has no detail left after the box mean except the clamped border, which is skipped
        Assert.InRange(GridArtefacts.PeriodicEnergy(ramp, H, W), 0, 0.05);
        var both = checker.Zip(noisy, (a, b) => a + b - 2).ToArray();
        Assert.InRange(GridArtefacts.PeriodicEnergy(both, H, W), 0.01, 0.9);
    }

    [Theory]
    [InlineData("fast-upproj", true)]
    [InlineData("upproj", true)]
    [InlineData("bilinear", false)]
    public void OnlyUnpoolingDecodersDrawAGridOnFlatSurfaces(string upsampling, bool gridExpected)
    {
        var splits = SynthRooms.Open(new SynthRoomsOptions { Seed = 7, Height = H, Width = W, TrainCount = 48, ValCount = 4, TestCount = 8, Cache = true });
        var config = new ModelConfig("cnn-res", "resnet18", H, W).With("upsampling", upsampling).With("decoder_width", "64");
        Trainer.Seed(11);
        using var model = Architectures.Create(config);
        var options = new TrainOptions { Epochs = 3, BatchSize = 8, LearningRate = 2e-3, Optimizer = "adamw", Schedule = "onecycle", Loss = "l1", Height = H, Width = W };
        new Trainer(model, ModelFactory.Identity(config), splits.Train, null, options).Fit();

        var flat = new List<(string Name, DepthSample Sample)>
        {
            ("grey", Image((i, j) => (128, 128, 128))),
            ("ramp", Image((i, j) => ((byte)(60 + 2 * j), (byte)(90 + i), 140))),
        };
        for (int k = 0; k < splits.Test.Count; k++) flat.Add(($"synth test {k}", splits.Test.Get(k)));
        // RMS of the period-8 pattern relative to the depth, per image (see GridArtefacts.Measure)
        var scores = flat.Select(f => (f.Name, Amplitude: LearningCurves.Shape(model, f.Sample, H, W).Grid)).ToList();
        output.WriteLine($"{upsampling}: " + string.Join(", ", scores.Select(s => $"{s.Name} {100 * s.Amplitude:F2}%")));
        double median = scores.Select(s => s.Amplitude).Order().ElementAt(scores.Count / 2);
        if (gridExpected) Assert.True(median > 0.01, $"{upsampling}: median grid amplitude {100 * median:F2}% of the depth, expected a grid (> 1%)");
        else Assert.True(median < 0.01, $"{upsampling}: median grid amplitude {100 * median:F2}% of the depth, expected none (< 1%)");
    }

    static DepthSample Image(Func<int, int, (byte R, byte G, byte B)> color)
    {
        var rgb = new byte[H * W * 3];
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++)
            {
                var (r, g, b) = color(i, j);
                rgb[3 * (i * W + j)] = r; rgb[3 * (i * W + j) + 1] = g; rgb[3 * (i * W + j) + 2] = b;
            }
        var depth = new float[H * W];
        Array.Fill(depth, 2f);
        return new DepthSample(H, W, rgb, depth, "flat");
    }
}
