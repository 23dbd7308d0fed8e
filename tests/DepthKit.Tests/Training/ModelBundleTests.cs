using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using DepthKit.Models;
using DepthKit.Tests.Foundation;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Tests.Training;

/// <summary>Trains a tiny CNN for one epoch of two steps through the CLI, once for the bundle tests.</summary>
public sealed class TinyTrainedRun : IDisposable
{
    internal TempDir Dir { get; } = new();
    public string Run => Dir["run"];

    public TinyTrainedRun()
    {
        var (code, _, error) = CliRunner.Run("train", "--model", "cnn", "--data", "synth", "--size", "32x32", "--train-count", "8",
            "--val-count", "4", "--epochs", "1", "--batch", "4", "--option", "width=4", "--out", Run, "--device", "cpu");
        Assert.True(code == 0, $"train: exit {code}: {error}");
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>
/// <c>export --bundle</c>: the inference-only model folder that ships as <c>models/default</c> (float16 weights and the
/// checkpoint manifest), how it loads, what it refuses, and <c>predict</c> finding it without <c>--checkpoint</c>.
/// </summary>
// DEPTHKIT_MODELS is process-wide, and so are the seeds of the models built here
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class ModelBundleTests(TinyTrainedRun trained, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<TinyTrainedRun>
{
    [Fact]
    public void BundleHoldsFloat16ParametersAndTheRunsManifestButNoOptimizerAndPredictsLikeTheRun()
    {
        using var dir = new TempDir();
        var bundle = dir["bundle"];
        var (code, output, error) = CliRunner.Run("export", "--checkpoint", trained.Run, "--bundle", bundle);
        Assert.True(code == 0, $"export --bundle: exit {code}: {error}");
        Assert.Contains("no optimizer state", output);

        var files = Directory.GetFiles(bundle).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(Checkpoint.BundleFile, files[1]);
        Assert.Matches(@"^model-[0-9a-f]{16}\.safetensors$", files[0]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.Empty(Directory.GetDirectories(dir.Path, "*.tmp"));

        // the manifest read as plain JSON: the weights' SHA-256 is the file's, there is no optimizer entry
        var weightsPath = Path.Combine(bundle, files[0]!);
        using (var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, Checkpoint.BundleFile))))
        {
            var body = manifest.RootElement.GetProperty("body");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weightsPath))), body.GetProperty("Weights").GetProperty("Sha256").GetString());
            Assert.False(body.TryGetProperty("Optimizer", out _));
        }
        var runInfo = Checkpoint.ReadInfo(Path.Combine(trained.Run, Checkpoint.BestFile));
        var info = Checkpoint.ReadInfo(Path.Combine(bundle, Checkpoint.BundleFile));
        Assert.Equal((runInfo.Epoch, runInfo.Step, runInfo.Model), (info.Epoch, info.Step, info.Model));
        Assert.Equal(JsonSerializer.Serialize(runInfo.Options), JsonSerializer.Serialize(info.Options));
        Assert.Equal(runInfo.History.StepLoss, info.History.StepLoss);
        Assert.Equal(runInfo.History.Epochs.Count, info.History.Epochs.Count);
        Assert.True(info.History.StepLoss.Count >= 2, "the run trained for at least two steps");

        var (reference, _) = ModelFactory.LoadForInference(trained.Run);
        var (loaded, _) = ModelFactory.LoadForInference(bundle);
        using var _r = reference;
        using var _l = loaded;
        // the header, read here without the kit's reader: parameters F16, buffers (BatchNorm statistics) as they were
        var header = SafetensorsHeader(weightsPath);
        var parameterNames = reference.named_parameters().Select(p => p.name).ToHashSet();
        var state = reference.state_dict();
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), header.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, dtype) in header)
            Assert.True(dtype == (parameterNames.Contains(name) ? "F16" : state[name].dtype == ScalarType.Int64 ? "I64" : "F32"), $"{name}: {dtype}");
        Assert.Contains(header, kv => kv.Key.EndsWith("running_var", StringComparison.Ordinal));

        using var scope = NewDisposeScope();
        // loading casts back to float32: every parameter is exactly the run's rounded to the nearest float16
        var loadedState = loaded.state_dict();
        foreach (var (name, value) in state)
        {
            Assert.Equal(value.dtype, loadedState[name].dtype);
            var expected = parameterNames.Contains(name) ? value.to(float16).to(float32) : value;
            Assert.True(expected.equal(loadedState[name]).all().item<bool>(), $"{name} differs from the run's weight rounded to float16");
        }

        // Rounding to float16 changes each weight by at most 2^-11 = 4.9e-4 of itself. The depth is a sum over many
        // weights whose rounding errors have random signs, so its relative change stays of that order; 20 such units
        // (1e-2) leaves room for the few layers that add up in one direction, and is still 1% of a depth, far below
        // any difference between models.
        var rgb = rand([2, 3, 32, 32], generator: new Generator(5));
        Tensor a, b;
        using (no_grad())
        {
            a = reference.call(rgb);
            b = loaded.call(rgb);
        }
        var relative = ((b - a).abs() / a.abs().clamp_min(1e-3)).max().item<float>();
        log.WriteLine($"largest relative difference float16 bundle vs float32 run: {relative:E2}");
        Assert.True(relative < 1e-2, $"bundle predicts {relative:E2} (relative) away from the run");
        Assert.True(relative > 0, "the bundle's weights should be float16-rounded, so its depth cannot equal the float32 run's bit for bit");
    }

    [Fact]
    public void CnnResAtTheShippedSizeMakesABundleUnder50MB()
    {
        using var dir = new TempDir();
        // the architecture and size of the model that ships (the weights' size does not depend on training)
        random.manual_seed(3);
        var config = new ModelConfig("cnn-res", "resnet18-cntk", 144, 192, new() { ["upsampling"] = "bilinear" });
        long parameters;
        using (var model = Architectures.Create(config))
        {
            parameters = model.parameters().Sum(p => p.numel());
            Checkpoint.Save(dir["run/best.ckpt"], new CheckpointInfo { Model = ModelFactory.Identity(config), Options = new TrainOptions { Height = 144, Width = 192 } }, model, null);
        }
        Assert.InRange(parameters, 16_000_000, 16_300_000);
        var float32 = new FileInfo(Checkpoint.WeightsPath(dir["run/best.ckpt"])).Length;

        var summary = ModelBundle.Write(dir["run"], dir["bundle"], overwrite: false);
        var total = Directory.GetFiles(dir["bundle"]).Sum(f => new FileInfo(f).Length);
        log.WriteLine($"{parameters} parameters: float32 weights {float32 / 1e6:F1} MB, bundle {total / 1e6:F1} MB ({summary.WeightsBytes / 1e6:F1} MB weights)");
        Assert.Equal(total, summary.TotalBytes);
        Assert.True(total < 50_000_000, $"bundle {total} bytes");
        // half of float32 (2 of 4 bytes per parameter) plus the float32 buffers and the header
        Assert.InRange(summary.WeightsBytes, float32 / 2, float32 / 2 + 400_000);
    }

    [Fact]
    public void ADamagedBundleIsRefusedWithOneLineNamingTheFile()
    {
        using var dir = new TempDir();
        var bundle = ModelBundle.Write(trained.Run, dir["bundle"], overwrite: false);
        var weights = Path.Combine(bundle.Dir, bundle.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0x40; // one bit of the last tensor's data: the file still parses, so only the checksum can tell
        File.WriteAllBytes(weights, bytes);

        var (code, _, error) = CliRunner.Run("predict", "--checkpoint", bundle.Dir, "--image", WriteImage(dir.Path), "--out", dir["out"], "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(bundle.WeightsFile, error);
        Assert.Contains("checksum mismatch", error);
        var e = Assert.Throws<DepthKitCheckpointException>(() => ModelFactory.LoadForInference(bundle.Dir));
        Assert.Contains("checksum mismatch", e.Message);
    }

    [Fact]
    public void AnExistingFolderIsReplacedOnlyWithOverwriteAndNeverTheRunItself()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["bundle"]);
        File.WriteAllText(dir["bundle/notes.txt"], "keep me");
        var (code, _, error) = CliRunner.Run("export", "--checkpoint", trained.Run, "--bundle", dir["bundle"]);
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--bundle", error);
        Assert.Contains("--overwrite", error);
        Assert.Equal("keep me", File.ReadAllText(dir["bundle/notes.txt"]));

        (code, _, error) = CliRunner.Run("export", "--checkpoint", trained.Run, "--bundle", dir["bundle"], "--overwrite");
        Assert.True(code == 0, $"--overwrite: exit {code}: {error}");
        Assert.False(File.Exists(dir["bundle/notes.txt"]));
        Assert.True(File.Exists(dir["bundle/" + Checkpoint.BundleFile]));
        Assert.Equal([dir["bundle"]], Directory.GetDirectories(dir.Path)); // no temporary or old folder left beside it

        // the run's own folder would be deleted by the replacement: refused even with --overwrite
        var before = Directory.GetFiles(trained.Run).Order(StringComparer.Ordinal).ToList();
        (code, _, error) = CliRunner.Run("export", "--checkpoint", trained.Run, "--bundle", trained.Run, "--overwrite");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("holds the checkpoint being exported", error);
        Assert.Equal(before, Directory.GetFiles(trained.Run).Order(StringComparer.Ordinal));

        (code, _, error) = CliRunner.Run("export", "--checkpoint", dir["no-such-run"], "--bundle", dir["other"]);
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("no-such-run", error);
        Assert.False(Directory.Exists(dir["other"]));
    }

    [Fact]
    public void PredictWithoutCheckpointUsesTheBundledDefault()
    {
        using var dir = new TempDir();
        var previous = Environment.GetEnvironmentVariable("DEPTHKIT_MODELS");
        try
        {
            var image = WriteImage(dir.Path);
            Environment.SetEnvironmentVariable("DEPTHKIT_MODELS", dir["empty"]);
            // the other places searched (beside the program, the source tree) may hold a real default model
            if (!BundledModels.Folders().Skip(1).Any(f => Directory.Exists(Path.Combine(f, BundledModels.Default))))
            {
                var (missing, _, why) = CliRunner.Run("predict", "--image", image, "--out", dir["none"], "--device", "cpu");
                Assert.Equal(1, missing);
                Assert.Single(why.Trim().Split('\n'));
                Assert.Contains("no bundled model", why);
                Assert.Contains("--checkpoint", why);
                Assert.False(Directory.Exists(dir["none"]));
            }

            ModelBundle.Write(trained.Run, dir["models/default"], overwrite: false);
            Environment.SetEnvironmentVariable("DEPTHKIT_MODELS", dir["models"]);
            var (code, output, error) = CliRunner.Run("predict", "--image", image, "--out", dir["implicit"], "--device", "cpu");
            Assert.True(code == 0, $"predict without --checkpoint: exit {code}: {error}");
            Assert.Contains("photo.png -> photo_depth.png", output);
            (code, _, error) = CliRunner.Run("predict", "--checkpoint", dir["models/default"], "--image", image, "--out", dir["explicit"], "--device", "cpu");
            Assert.True(code == 0, error);
            Assert.Equal(File.ReadAllBytes(dir["explicit/photo_depth.png"]), File.ReadAllBytes(dir["implicit/photo_depth.png"]));
            // eval finds it by name through the same lookup
            (code, _, error) = CliRunner.Run("eval", "--checkpoint", "default", "--data", "synth", "--count", "2", "--json", "--device", "cpu");
            Assert.True(code == 0, $"eval --checkpoint default: exit {code}: {error}");

            var help = new StringWriter();
            Assert.Equal(0, DepthKit.Cli.Cli.Run(["predict", "--help"], help, new StringWriter()));
            Assert.Contains("[--checkpoint CHECKPOINT]", help.ToString());
            Assert.Contains("left out: the bundled model 'default'", help.ToString());
        }
        finally { Environment.SetEnvironmentVariable("DEPTHKIT_MODELS", previous); }
    }

    [Fact]
    public void ResumingABundleIsOneLineAndTouchesNothing()
    {
        using var dir = new TempDir();
        var bundle = ModelBundle.Write(trained.Run, dir["bundle"], overwrite: false);
        var before = Directory.GetFiles(bundle.Dir).Select(f => (f, File.ReadAllBytes(f).Length)).ToList();
        foreach (var target in new[] { bundle.Dir, Path.Combine(bundle.Dir, Checkpoint.BundleFile) })
        {
            var (code, _, error) = CliRunner.Run("train", "--resume", target, "--device", "cpu");
            Assert.Equal(1, code);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Contains("no optimizer state", error);
            Assert.Contains("cannot resume", error);
            Assert.Contains(Checkpoint.BundleFile, error);
        }
        // no lock file, no history: the folder is as export left it
        Assert.Equal(before, Directory.GetFiles(bundle.Dir).Select(f => (f, File.ReadAllBytes(f).Length)));
        var e = Assert.Throws<DepthKitCheckpointException>(() =>
            Trainer.Resume(bundle.Dir, ModelFactory.Build, new TinyDataset(4, 32, 32, seed: 1), null));
        Assert.Contains("no optimizer state", e.Message);
    }

    /// <summary>Name and dtype of every tensor in a safetensors file, read from its JSON header directly.</summary>
    static Dictionary<string, string> SafetensorsHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, length));
        return header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("dtype").GetString()!);
    }

    static string WriteImage(string dir)
    {
        var path = Path.Combine(dir, "photo.png");
        var rgb = new byte[24 * 36 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 11 % 251);
        DepthKit.Data.RgbImage.WritePng(path, 24, 36, rgb);
        return path;
    }
}
