using DepthKit.Data;
using DepthKit.Tests.Data;
using DepthKit.Tests.Foundation;
using DepthKit.Tests.Training;
using DepthKit.Training;
using DepthKit.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Reliability;

/// <summary>Results that used to be wrong with exit 0: now an error saying why, or the right answer.</summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class SilentWrongTests
{
    static TrainOptions Options(int epochs = 1, int batch = 4) => new()
    {
        Epochs = epochs, BatchSize = batch, LearningRate = 0.01, Seed = 5, Eval = new EvalSettings { Crop = "none" },
    };

    /// <summary>A dataset whose depth is all 0 (no valid pixel).</summary>
    sealed class NoDepth(int count) : IDepthDataset
    {
        public string Name => "no-depth";
        public int Count => count;
        public DepthSample Get(int index) => new(8, 8, new byte[8 * 8 * 3], new float[64], $"no-depth#{index}");
    }

    /// <summary>
    /// eval on a small synth folder and predict of one 4x4 image, both with the run in <c>dir["run"]</c>: each must exit 1
    /// with one line, which <paramref name="check"/> then reads (with the output).
    /// </summary>
    static void EvalAndPredictFailWithOneLine(TempDir dir, Action<string, string> check)
    {
        Fixtures.SynthFolder(dir["data"], 10);
        RgbImage.WritePng(dir["room.png"], 4, 4, new byte[48]);
        foreach (var args in new[]
                 {
                     new[] { "eval", "--checkpoint", dir["run"], "--data", dir["data"], "--device", "cpu" },
                     ["predict", "--checkpoint", dir["run"], "--image", dir["room.png"], "--out", dir["pred"], "--device", "cpu"],
                 })
        {
            var (code, output, error) = CliRunner.Run(args);
            Assert.True(code == 1, $"{args[0]}: exit {code}: {output}{error}");
            Assert.Single(error.Trim().Split('\n'));
            check(output, error);
        }
    }

    [Fact]
    public void SixtyFourCorruptedBytesInTheWeightsAreRefusedByEvalAndPredict()
    {
        using var dir = new TempDir();
        Fixtures.ConstantModel(dir["run"]);
        var weights = Checkpoint.WeightsPath(dir["run/best.ckpt"]);
        var bytes = File.ReadAllBytes(weights);
        new Random(64).NextBytes(bytes.AsSpan(bytes.Length - 200, 64)); // inside the tensor data, after the header
        File.WriteAllBytes(weights, bytes);
        EvalAndPredictFailWithOneLine(dir, (output, error) =>
        {
            Assert.Contains(Path.GetFileName(weights), error);
            Assert.Contains("checksum mismatch", error);
            Assert.DoesNotContain("δ<1.25", output);
        });
        Assert.False(Directory.Exists(dir["pred"]) && Directory.EnumerateFiles(dir["pred"]).Any());
    }

    [Fact]
    public void CheckpointWithNaNWeightsIsRefusedForEvalAndPredict()
    {
        using var dir = new TempDir();
        // Checkpoint.Save takes any model: a NaN one can only come from outside the trainer, which refuses to save it
        Fixtures.ConstantModel(dir["run"], edit: (name, p) => { if (name == "head.bias") { using var nan = float.NaN.ToScalar(); p.fill_(nan); } });
        EvalAndPredictFailWithOneLine(dir, (_, error) =>
        {
            Assert.Contains("best.ckpt", error);
            Assert.Contains("NaN or infinite weights (head.bias)", error);
        });
        Assert.False(File.Exists(dir["pred/room_depth.png"]));
    }

    [Fact]
    public void PredictionWithoutOneValidPixelIsAFailureNotAPlaceholderRange()
    {
        using var dir = new TempDir();
        // finite weights whose softplus head gives 0 m (invalid) everywhere
        Fixtures.ConstantModel(dir["run"], edit: (name, p) => { if (name == "head.bias") { using var low = (-200f).ToScalar(); p.fill_(low); } });
        Directory.CreateDirectory(dir["images"]);
        RgbImage.WritePng(dir["images/room.png"], 4, 4, new byte[48]);
        var (code, output, error) = CliRunner.Run("predict", "--checkpoint", dir["run"], "--image", dir["images"], "--out", dir["pred"], "--device", "cpu");
        Assert.Equal(1, code);
        Assert.DoesNotContain("1.00-2.00 m", output);
        var lines = error.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("room.png", lines[0]);
        Assert.Contains("no valid depth", lines[0]);
        Assert.Contains("1 of 1 image(s)", lines[1]);
        Assert.False(File.Exists(dir["pred/room_depth.png"]));
    }

    [Fact]
    public void WeightsGoingNaNOnTheLastStepAreNeverSavedAsBest()
    {
        using var dir = new TempDir();
        var data = new TinyDataset(8, 8, 8, seed: 1);
        Trainer.Seed(5);
        var trainer = new Trainer(new TinyNet(), TinyNet.Identity, data, data, Options(epochs: 1), runDir: dir.Path);
        // the last step's loss is finite, its update is not (what --lr 1e30 does)
        trainer.Progress = new SyncProgress<TrainProgress>(p =>
        {
            if (p.Phase == "train" && p.Step == trainer.TotalSteps)
                using (no_grad()) trainer.Model.parameters().First().fill_(float.NaN);
        });
        var e = Assert.Throws<DepthKitTrainingException>(() => trainer.Fit());
        Assert.Contains("weights became NaN or infinite in epoch 1", e.Message);
        Assert.Contains("no checkpoint was written", e.Message);
        Assert.False(File.Exists(dir["best.ckpt"]));
        Assert.False(File.Exists(dir["last.ckpt"]));
    }

    [Fact]
    public void DivergingRunFromTheCliExitsNonZeroWithoutABestCheckpoint()
    {
        using var dir = new TempDir();
        var (code, _, error) = CliRunner.Run("train", "--model", "cnn", "--data", "synth", "--size", "32x32", "--train-count", "8", "--val-count", "2",
            "--batch", "8", "--epochs", "1", "--lr", "1e30", "--out", dir["run"], "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("training stopped", error);
        Assert.False(File.Exists(dir["run/best.ckpt"]));
    }

    [Fact]
    public void ValidationSplitWithoutValidDepthIsAnError()
    {
        var train = new TinyDataset(8, 8, 8, seed: 1);
        Trainer.Seed(5);
        var trainer = new Trainer(new TinyNet(), TinyNet.Identity, train, new NoDepth(2), Options());
        var e = Assert.Throws<DepthKitDataException>(() => trainer.Fit());
        Assert.Equal("no-depth", e.Path);
        Assert.Contains("none of its 2 images has a valid depth pixel", e.Message);
    }

    [Fact]
    public void TrainingDataWithoutValidDepthIsAnError()
    {
        using var dir = new TempDir();
        Trainer.Seed(5);
        var trainer = new Trainer(new TinyNet(), TinyNet.Identity, new NoDepth(8), null, Options(), runDir: dir.Path);
        var e = Assert.Throws<DepthKitDataException>(() => trainer.Fit());
        Assert.Contains("no training image of epoch 1 has a valid depth pixel", e.Message);
        Assert.False(File.Exists(dir["last.ckpt"])); // nothing learned, nothing saved
    }

    [Theory]
    [InlineData(6, 4, 3)] // rotate 90 clockwise to view: a 4x3 (WxH) sensor image is 3 wide, 4 high upright
    [InlineData(8, 4, 3)]
    [InlineData(3, 3, 4)]
    [InlineData(1, 3, 4)]
    public void PredictHonoursExifOrientation(ushort orientation, int uprightHeight, int uprightWidth)
    {
        using var dir = new TempDir();
        Fixtures.ConstantModel(dir["run"]);
        Directory.CreateDirectory(dir["images"]);
        File.WriteAllBytes(dir["images/phone.jpg"], Fixtures.JpegWithOrientation(3, 4, new byte[3 * 4 * 3], orientation));
        var (code, _, error) = CliRunner.Run("predict", "--checkpoint", dir["run"], "--image", dir["images/phone.jpg"], "--out", dir["pred"], "--device", "cpu");
        Assert.True(code == 0, error);
        var png = DepthPng.Read(dir["pred/phone_depth.png"]);
        Assert.Equal((uprightHeight, uprightWidth), (png.Height, png.Width));
    }

    [Fact]
    public void OrientMovesPixelsWhereExifSays()
    {
        // 2 high, 3 wide; pixel value = index
        byte[] rgb = [.. Enumerable.Range(0, 6).SelectMany(i => new[] { (byte)i, (byte)i, (byte)i })];
        var (h, w, r) = RgbImage.Orient(2, 3, rgb, SkiaSharp.SKEncodedOrigin.RightTop);
        Assert.Equal((3, 2), (h, w));
        // rotated 90 clockwise: the bottom-left stored pixel (3) is now top-left, the top-left (0) top-right
        Assert.Equal(new byte[] { 3, 0, 4, 1, 5, 2 }, r.Where((_, i) => i % 3 == 0).ToArray());
        var (_, _, m) = RgbImage.Orient(2, 3, rgb, SkiaSharp.SKEncodedOrigin.TopRight);
        Assert.Equal(new byte[] { 2, 1, 0, 5, 4, 3 }, m.Where((_, i) => i % 3 == 0).ToArray());
    }

    [Theory]
    [InlineData("""{"fx": 0, "fy": 2, "cx": 1, "cy": 1, "width": 4, "height": 3}""", "focal lengths")]
    [InlineData("""{"fx": -5, "fy": 2, "cx": 1, "cy": 1, "width": 4, "height": 3}""", "focal lengths")]
    [InlineData("""{"fx": 2, "fy": 2, "cx": 1, "cy": 1, "width": 0, "height": 3}""", "image size")]
    [InlineData("""{"fx": 2, "fy": 2, "cx": 1, "cy": 1, "width": 4, "height": 0}""", "image size")]
    public void CameraJsonThatWouldGiveNaNPointsIsRejected(string json, string why)
    {
        using var dir = new TempDir();
        Fixtures.ConstantModel(dir["run"]);
        Directory.CreateDirectory(dir["images"]);
        RgbImage.WritePng(dir["images/room.png"], 3, 4, new byte[3 * 4 * 3]);
        File.WriteAllText(dir["images/camera.json"], json);
        var (code, _, error) = CliRunner.Run("predict", "--checkpoint", dir["run"], "--image", dir["images"], "--out", dir["pred"], "--point-cloud", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("camera.json", error);
        Assert.Contains(why, error);
        Assert.False(File.Exists(dir["pred/room.ply"]));
        Assert.Throws<ArgumentException>(() => PointCloud.BackProject(new float[12], new byte[36], 3, 4, new PinholeCamera(0, 1, 1, 1, 4, 3)));
    }

    [Fact]
    public void ResumeRefusesConflictingOptionsAndSaysWhatItReuses()
    {
        using var dir = new TempDir();
        string[] first = ["train", "--model", "cnn", "--data", "synth", "--size", "32x32", "--train-count", "8", "--val-count", "2",
            "--batch", "4", "--epochs", "1", "--out", dir["run"], "--device", "cpu"];
        var (code, _, error) = CliRunner.Run(first);
        Assert.True(code == 0, error);
        var (bad, _, error2) = CliRunner.Run("train", "--resume", dir["run"], "--epochs", "2", "--lr", "0.5", "--batch", "16", "--model", "cnn-fc", "--size", "64x64", "--loss", "berhu");
        Assert.Equal(2, bad);
        Assert.Single(error2.Trim().Split('\n'));
        foreach (var part in new[] { "--lr 0.5 (run: 0.001)", "--batch 16 (run: 4)", "--model cnn-fc (run: cnn)", "--size 64x64 (run: 32x32)", "--loss berhu (run: l1)" })
            Assert.Contains(part, error2);
        Assert.Equal(1, Checkpoint.ReadInfo(dir["run/last.ckpt"]).Epoch);
        // the same values as the run's are fine; the counts come from the run, not from the defaults
        var (ok, output, error3) = CliRunner.Run("train", "--resume", dir["run"], "--epochs", "2", "--batch", "4", "--device", "cpu");
        Assert.True(ok == 0, error3);
        Assert.Contains("reusing the run's options: size 32x32, batch 4, lr 0.001 (constant), loss l1", output);
        Assert.Contains("(8 train, 2 val, same content as when the run started)", output);
    }

    [Fact]
    public void RunsStoreAbsoluteDataAndResumeRefusesOtherData()
    {
        using var dir = new TempDir();
        Fixtures.SynthFolder(dir["a"], 20, seed: 1);
        Fixtures.SynthFolder(dir["b"], 20, seed: 2); // same layout and size, other pictures
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, dir["a"]);
        var (code, _, error) = CliRunner.Run("train", "--model", "cnn", "--data", relative, "--size", "16x16", "--epochs", "1",
            "--batch", "4", "--out", dir["run"], "--device", "cpu");
        Assert.True(code == 0, error);
        var o = Checkpoint.ReadInfo(dir["run/last.ckpt"]).Options;
        Assert.Equal(dir["a"], o.Data);
        Assert.Equal(dir["a"], o.DataSource!.Path);
        Assert.StartsWith("17 images, sha256 ", o.DataSource.TrainFingerprint);

        var (bad, _, error2) = CliRunner.Run("train", "--resume", dir["run"], "--epochs", "2", "--data", dir["b"], "--device", "cpu");
        Assert.Equal(1, bad);
        Assert.Contains("is not the data this run trained on", error2);
        Assert.Equal(1, Checkpoint.ReadInfo(dir["run/last.ckpt"]).Epoch);
    }

    [Fact]
    public void IntegerEigenTestDepthIsRefusedOrScaledAsAsked()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir.Path, 1, 4, 6);
        var depth = new byte[24];
        for (int i = 0; i < 24; i++) depth[i] = (byte)(10 + i); // 0-255 steps of v/255*10 m, not metres
        Npy.WriteUInt8(dir[NyuTestNpy.DepthFile], depth, 1, 4, 6);
        var e = Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir.Path, DatasetSplit.Test));
        Assert.Contains("holds integers (|u1), not float metres", e.Message);
        using var scaled = Datasets.Open(dir.Path, DatasetSplit.Test, new DatasetOptions { DepthUnitsPerMetre = 25.5 });
        Assert.Equal(10 / 25.5f, scaled.Get(0).Depth[0], 5);
        Assert.True(scaled.Get(0).Depth.Max() < 10f);
    }
}
