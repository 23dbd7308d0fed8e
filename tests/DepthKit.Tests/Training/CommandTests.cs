using System.Text.Json;
using DepthKit.Data;
using DepthKit.Models;
using DepthKit.Tests.Foundation;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Tests.Training;

/// <summary>Runs <c>reproduce --profile smoke</c> once for the tests that look at its outputs.</summary>
public sealed class SmokeRun : IDisposable
{
    internal TempDir Dir { get; } = new();
    public (int Code, string Out, string Err) Result { get; }
    public string Out => Dir["out"];

    public SmokeRun()
    {
        // the folder holds an earlier run's results: --overwrite replaces them (without it reproduce refuses)
        Directory.CreateDirectory(Dir["out"]);
        File.WriteAllText(Dir["out/metrics.csv"], "an earlier run\n");
        Result = CliRunner.Run("reproduce", "--profile", "smoke", "--out", Dir["out"], "--overwrite", "--device", "cpu");
    }

    public void Dispose() => Dir.Dispose();
}

public class CommandTests(SmokeRun smoke) : IClassFixture<SmokeRun>
{
    [Fact]
    public void ReproduceSmokeWritesEveryFile()
    {
        var (code, output, error) = smoke.Result;
        Assert.True(code == 0, error);
        Assert.Contains("Table 1", output);
        foreach (var row in new[] { "constant (train mean)", "constant, median-scaled", "CNN+FC", "CNN ", "CNN+trans", "CNN+Res" }) Assert.Contains(row, output);
        Assert.Contains("CNN+Res has the best δ<1.25", output);

        var metrics = File.ReadAllLines(Path.Combine(smoke.Out, "metrics.csv"));
        Assert.Equal("name,d1,d2,d3,abs_rel,sq_rel,rmse,rmse_log,log10,silog,images,skipped_images,pixels", metrics[0]);
        Assert.Equal(["constant (train mean)", "\"constant, median-scaled\"", "CNN+FC", "CNN", "CNN+trans", "CNN+Res"], metrics[1..].Select(l => l.StartsWith('"') ? l[..(l.IndexOf('"', 1) + 1)] : l.Split(',')[0]));
        var history = File.ReadAllLines(Path.Combine(smoke.Out, "history.csv"));
        Assert.Equal(5, history.Length); // header + 4 models x 1 epoch
        Assert.StartsWith("model,epoch,step,train_loss,val_loss", history[0]);
        var html = File.ReadAllText(Path.Combine(smoke.Out, "report.html"));
        Assert.Contains("Plotly.newPlot('epochs'", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("<script src", html);
        var (h, w, _) = RgbImage.Read(Path.Combine(smoke.Out, "montage.png"));
        Assert.True(h > 2 * 96 && w >= 6 * 96, $"montage {h}x{w}: 2 rows, 6 columns");
        foreach (var model in new[] { "cnn-fc", "cnn", "cnn-trans", "cnn-res" })
        {
            var info = Checkpoint.ReadInfo(Path.Combine(smoke.Out, "checkpoints", model, "last.ckpt"));
            Assert.Equal((model, 1), (info.Model.Architecture, info.Epoch));
            Assert.True(File.Exists(Path.Combine(smoke.Out, "checkpoints", model, "best.ckpt")));
        }
    }

    [Fact]
    public void EvalPrintsTheMetricsJsonKeys()
    {
        Assert.Equal(0, smoke.Result.Code);
        var (code, output, error) = CliRunner.Run("eval", "--checkpoint", Path.Combine(smoke.Out, "checkpoints", "cnn"), "--data", "synth", "--count", "2", "--json", "--device", "cpu");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["d1", "d2", "d3", "abs_rel", "sq_rel", "rmse", "rmse_log", "log10", "silog", "images", "skipped_images", "pixels"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, json.RootElement.GetProperty("images").GetInt32());
    }

    [Fact]
    public void PredictWritesMillimetrePngColourPngAndPointCloudOfAKnownModel()
    {
        using var dir = new TempDir();
        // a CNN whose head ignores its input: softplus(bias) = 2 m everywhere
        var config = new ModelConfig("cnn", inputHeight: 16, inputWidth: 16, options: new() { ["width"] = "4", ["initial_depth"] = "2" });
        var model = Architectures.Create(config);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name == "head.weight") p.zero_();
        Checkpoint.Save(dir["run/best.ckpt"], new CheckpointInfo { Model = ModelFactory.Identity(config), Options = new TrainOptions { Height = 16, Width = 16 } }, model, null);
        Directory.CreateDirectory(dir["images"]);
        RgbImage.WritePng(dir["images/room.png"], 3, 4, new byte[3 * 4 * 3]);
        File.WriteAllText(dir["images/camera.json"], """{"fx": 2, "fy": 2, "cx": 1, "cy": 1, "width": 4, "height": 3}""");

        var (code, output, error) = CliRunner.Run("predict", "--checkpoint", dir["run"], "--image", dir["images"], "--out", dir["pred"],
            "--colormap", "viridis", "--point-cloud", "--ascii", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("near = dark", output);
        var mm = DepthPng.Read(dir["pred/room_depth.png"]);
        Assert.Equal((3, 4, 16), (mm.Height, mm.Width, mm.BitDepth));
        Assert.All(mm.Values, v => Assert.Equal(2000, v));
        var (h, w, rgb) = RgbImage.Read(dir["pred/room_depth_color.png"]);
        Assert.Equal((3, 4), (h, w));
        Assert.Equal(new byte[] { 68, 1, 84 }, rgb[..3]); // constant depth: the dark (near) end of viridis
        var ply = File.ReadAllLines(dir["pred/room.ply"]);
        Assert.Contains("element vertex 12", ply);
        // pixel (u=0, v=0): x = (0 - 1) * 2 / 2 = -1, y = -1, z = 2; last pixel (3, 2): x = 2, y = 1
        Assert.Equal("-1 -1 2 0 0 0", ply[^12]);
        Assert.Equal("2 1 2 0 0 0", ply[^1]);
    }

    [Fact]
    public void TrainThenResumeWithMoreEpochsContinuesTheRun()
    {
        using var dir = new TempDir();
        string[] common = ["--data", "synth", "--train-count", "8", "--val-count", "2", "--device", "cpu"];
        var (code, output, error) = CliRunner.Run(["train", "--model", "cnn", "--size", "32x32", "--epochs", "1", "--batch", "4", "--out", dir["run"], .. common]);
        Assert.True(code == 0, error);
        Assert.Contains("training CNN on SynthRooms 32x32", output);
        Assert.Contains("CNN: epoch 1/1: train loss", output);
        var (code2, output2, error2) = CliRunner.Run(["train", "--resume", dir["run"], "--epochs", "2", .. common]);
        Assert.True(code2 == 0, error2);
        Assert.Contains("resuming CNN", output2);
        Assert.Contains("CNN: epoch 2/2", output2);
        var info = Checkpoint.ReadInfo(dir["run/last.ckpt"]);
        Assert.Equal((2, 4L), (info.Epoch, info.Step));
        Assert.Equal(3, File.ReadAllLines(dir["run/history.csv"]).Length);
    }

    [Fact]
    public void TrainCommandErrorsAreOneLine()
    {
        var (code, _, error) = CliRunner.Run("train", "--model", "cnn", "--out", "x");
        Assert.Equal(2, code);
        Assert.Equal("depthkit train: --data is required (synth or a path)", error.Trim());
        var (code2, _, error2) = CliRunner.Run("eval", "--checkpoint", "/no/such/run", "--data", "synth", "--device", "cpu");
        Assert.Equal(1, code2);
        Assert.Contains("/no/such/run: no such run folder or checkpoint file", error2);
        Assert.Single(error2.Trim().Split('\n'));
    }
}
