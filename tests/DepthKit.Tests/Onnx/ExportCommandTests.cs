using DepthKit.Models;
using DepthKit.Onnx;
using DepthKit.Tests.Foundation;
using DepthKit.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Tests.Onnx;

/// <summary>
/// <c>depthkit export --onnx</c> on checkpoints of every architecture the kit trains: the file it writes runs in ONNX
/// Runtime and gives the checkpoint's TorchSharp depth within 1e-4 (relative, per pixel) on fixed inputs.
/// </summary>
// the runs are seeded through torch's global generator, and one test changes the current folder and DEPTHKIT_MODELS
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class ExportCommandTests(Xunit.Abstractions.ITestOutputHelper log)
{
    public static TheoryData<string, string?, string, int, int> Architectures() => new()
    {
        // name, encoder, options, training size: small sizes, chosen so the decoders' resize paths run
        { "cnn-fc", null, "width=8;hidden=64;coarse=12x16", 48, 64 },
        { "cnn", null, "width=8", 48, 72 },
        { "cnn-trans", null, "width=8", 48, 64 },
        { "cnn-res", "resnet18", "decoder_width=32;upsampling=bilinear", 64, 80 },
        { "cnn-res", "resnet18-cntk", "decoder_width=32;upsampling=fast-upproj", 64, 64 },
        { "cnn-res", "resnet34", "decoder_width=32;upsampling=upproj", 64, 64 },
        // the slides' models on ResNet-50 (IdentityBlock, ConvolutionalBlock) and their up blocks
        { "cnn-res-slides", "resnet50", "", 64, 64 },
        { "fcrn", "resnet50", "upsampling=upproj", 64, 64 },
        { "fcrn", "resnet18", "upsampling=fast-upproj", 64, 64 },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ExportedFileRunsInOnnxRuntimeLikeTheCheckpoint(string name, string? encoder, string options, int height, int width)
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-export-").FullName;
        try
        {
            var run = SaveRandomRun(Path.Combine(dir, "run"), name, encoder, options, height, width);
            var onnx = Path.Combine(dir, "model.onnx");
            var (code, output, error) = CliRunner.Run("export", "--checkpoint", run, "--onnx", onnx);
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Contains($"[batch, 3, {height}, {width}]", output);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

            var (model, _) = ModelFactory.LoadForInference(run);
            using var scope = NewDisposeScope();
            var generator = new Generator(11);
            var rgb = rand([2, 3, height, width], generator: generator); // batch 2: the batch is dynamic
            Tensor expected;
            using (no_grad()) expected = model.call(rgb);
            var actual = OnnxExportTests.RunOnnx(File.ReadAllBytes(onnx), rgb);
            Assert.Equal(expected.shape, actual.shape);
            OnnxExportTests.AssertClose(expected, actual, $"{name} {encoder} {options}", () => OnnxExportTests.Divergence(model, height, width));
            log.WriteLine($"{name} {encoder} {options}: largest relative difference {((actual - expected).abs() / expected.abs().clamp_min(OnnxExportTests.AbsoluteFloor)).max().ToDouble():E2}, depth {expected.min().ToDouble():F3}-{expected.max().ToDouble():F3} m");
            Assert.True(expected.std().ToDouble() > 1e-4, "the fixed inputs should give a depth map that varies");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>
    /// <c>--dynamic</c>: one file, exported at the training size, runs at that size and at an odd size that is no multiple
    /// of any stride (so every resize to the input or a skip, the 2x upsamplings, the interleaving reshapes and CNN+FC's
    /// adaptive pooling, with overlapping bins there, meet sizes they were not exported at) like the checkpoint.
    /// </summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void DynamicFileRunsInOnnxRuntimeAtOtherSizesLikeTheCheckpoint(string name, string? encoder, string options, int height, int width)
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-export-").FullName;
        try
        {
            var run = SaveRandomRun(Path.Combine(dir, "run"), name, encoder, options, height, width);
            var onnx = Path.Combine(dir, "model.onnx");
            var (code, output, error) = CliRunner.Run("export", "--checkpoint", run, "--onnx", onnx, "--dynamic");
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Contains("RGB [batch, 3, height, width]", output);
            bool inputSized = name is not ("cnn-res-slides" or "fcrn");
            Assert.Contains(inputSized ? "depth [batch, 1, height, width]" : "depth [batch, 1, depth_height, depth_width]", output);
            var bytes = File.ReadAllBytes(onnx);
            var declared = DepthKit.Onnx.Format.ModelProto.Parser.ParseFrom(bytes).Graph.Input.Single().Type.TensorType.Shape.Dim;
            Assert.Equal(["batch", "", "height", "width"], declared.Select(d => d.DimParam));

            var (model, _) = ModelFactory.LoadForInference(run);
            using var scope = NewDisposeScope();
            var generator = new Generator(13);
            foreach (var (h, w) in new[] { (height, width), (height + 17, width - 13) })
            {
                var rgb = rand([2, 3, h, w], generator: generator);
                Tensor expected;
                using (no_grad()) expected = model.call(rgb);
                var actual = OnnxExportTests.RunOnnx(bytes, rgb);
                Assert.Equal(expected.shape, actual.shape);
                OnnxExportTests.AssertClose(expected, actual, $"{name} {encoder} {options} at {h}x{w}");
                log.WriteLine($"{name} {encoder} {options} --dynamic at {h}x{w}: depth {actual.shape[2]}x{actual.shape[3]}, largest relative difference " +
                    $"{((actual - expected).abs() / expected.abs().clamp_min(OnnxExportTests.AbsoluteFloor)).max().ToDouble():E2}");
                Assert.True(expected.std().ToDouble() > 1e-4, "the fixed inputs should give a depth map that varies");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ModelsWithoutAnExportRuleAreRefusedInOneLine()
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-export-").FullName;
        try
        {
            var run = SaveRandomRun(Path.Combine(dir, "run"), "cnn", null, "width=4;coords=true", 16, 16);
            var onnx = Path.Combine(dir, "model.onnx");
            foreach (var flags in new[] { new[] { "--dynamic" }, [] })
            {
                var (code, output, error) = CliRunner.Run(["export", "--checkpoint", run, "--onnx", onnx, .. flags]);
                Assert.Equal(1, code);
                Assert.Contains("coords=true", error);
                Assert.Single(error.Trim().Split('\n'));
                Assert.DoesNotContain(" at ", error);
                Assert.False(File.Exists(onnx));
                Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void SizeOptionExportsTheFullyConvolutionalModelsAtAnotherSize()
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-export-").FullName;
        try
        {
            var run = SaveRandomRun(Path.Combine(dir, "run"), "cnn-res", "resnet18", "decoder_width=16", 48, 64);
            var onnx = Path.Combine(dir, "model.onnx");
            var (code, output, error) = CliRunner.Run("export", "--checkpoint", run, "--onnx", onnx, "--size", "96x128");
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Contains("depth [batch, 1, 96, 128]", output);
            var (model, _) = ModelFactory.LoadForInference(run);
            using var scope = NewDisposeScope();
            var rgb = rand([1, 3, 96, 128], generator: new Generator(5));
            Tensor expected;
            using (no_grad()) expected = model.call(rgb);
            OnnxExportTests.AssertClose(expected, OnnxExportTests.RunOnnx(File.ReadAllBytes(onnx), rgb), "cnn-res at 96x128");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ExistingOutputsAreReplacedOnlyWithOverwrite()
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-export-").FullName;
        try
        {
            var run = SaveRandomRun(Path.Combine(dir, "run"), "cnn", null, "width=4", 16, 16);
            var onnx = Path.Combine(dir, "mine.onnx");
            File.WriteAllText(onnx, "the user's file");
            var (code, output, error) = CliRunner.Run("export", "--checkpoint", run, "--onnx", onnx);
            Assert.Equal(1, code);
            Assert.Contains("mine.onnx", error);
            Assert.Contains("--overwrite", error);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Equal("the user's file", File.ReadAllText(onnx));

            (code, _, error) = CliRunner.Run("export", "--checkpoint", run, "--onnx", onnx, "--overwrite");
            Assert.True(code == 0, error);
            Assert.True(new FileInfo(onnx).Length > 1000);

            (code, _, error) = CliRunner.Run("export", "--checkpoint", run);
            Assert.Equal(2, code);
            Assert.Contains("--onnx", error);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void DefaultNamesTheBundledModelThroughTheSameResolutionAsPredictAndEval()
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-export-").FullName;
        var previous = Environment.GetEnvironmentVariable("DEPTHKIT_MODELS");
        var cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = dir; // no folder called "default" here
            Environment.SetEnvironmentVariable("DEPTHKIT_MODELS", Path.Combine(dir, "empty"));
            var onnx = Path.Combine(dir, "default.onnx");
            // the models/ folders searched here (beside the program, the source tree) may not hold it yet either
            if (!BundledModels.Folders().Skip(1).Any(f => Directory.Exists(Path.Combine(f, BundledModels.Default))))
            {
                var (missing, _, why) = CliRunner.Run("export", "--checkpoint", "default", "--onnx", onnx);
                Assert.Equal(1, missing);
                Assert.Contains("default", why);
                Assert.Contains("bundled model", why);
                Assert.Single(why.Trim().Split('\n'));
            }

            SaveRandomRun(Path.Combine(dir, "models", BundledModels.Default), "cnn", null, "width=4", 24, 32);
            Environment.SetEnvironmentVariable("DEPTHKIT_MODELS", Path.Combine(dir, "models"));
            var (code, output, error) = CliRunner.Run("export", "--checkpoint", "default", "--onnx", onnx);
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Contains("[batch, 3, 24, 32]", output);
            Assert.True(File.Exists(onnx));
            (code, _, error) = CliRunner.Run("predict", "--checkpoint", "default", "--image", WriteImage(dir), "--out", Path.Combine(dir, "out"));
            Assert.True(code == 0, $"predict --checkpoint default: exit {code}: {error}");
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
            Environment.SetEnvironmentVariable("DEPTHKIT_MODELS", previous);
            Directory.Delete(dir, recursive: true);
        }
    }

    static string WriteImage(string dir)
    {
        var path = Path.Combine(dir, "photo.png");
        var rgb = new byte[20 * 30 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7 % 251);
        DepthKit.Data.RgbImage.WritePng(path, 20, 30, rgb);
        return path;
    }

    /// <summary>
    /// A run folder (best.ckpt) of a freshly initialised model whose BatchNorm layers have random affine parameters and
    /// running statistics measured on random images, as training leaves them (made-up statistics let the activations
    /// of a deep net grow until float32 rounding, not the export, decides the last digits).
    /// </summary>
    internal static string SaveRandomRun(string runDir, string name, string? encoder, string options, int height, int width, long seed = 7)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(seed);
        var config = new ModelConfig(name, encoder, height, width,
            options.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(o => o.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]));
        using var model = DepthKit.Models.Architectures.Create(config);
        OnnxExportTests.RandomizeBatchNorm(model);
        CalibrateBatchNorm(model, height, width);
        // the slides' models end in a plain ReLU: their fresh heads predict from 0 m up, where a relative tolerance
        // measures float32 rounding near zero; trained ones predict room depths, so their head is set to 2.5 m +- about 0.5
        if (config.Name is "cnn-res-slides" or "fcrn")
            using (no_grad())
            {
                var head = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                head["head.weight"].mul_(0.1);
                head["head.bias"].add_(2.5);
            }
        Checkpoint.Save(Path.Combine(runDir, Checkpoint.BestFile),
            new CheckpointInfo { Model = ModelFactory.Identity(config), Options = new TrainOptions { Height = height, Width = width } }, model, null);
        return runDir;
    }

    static void CalibrateBatchNorm(DepthNet model, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var layers = model.modules().OfType<DepthKit.Models.BatchNorm2d>().ToList();
        model.train();
        foreach (var bn in layers)
        {
            bn.reset_running_stats();
            bn.momentum = null; // a cumulative average over the calibration batches
            bn.train(); // frozen encoders keep their BatchNorm in eval mode otherwise
        }
        var generator = new Generator(3);
        for (int i = 0; i < 4; i++) model.call(rand([4, 3, height, width], generator: generator));
        foreach (var bn in layers) bn.momentum = 0.1;
        model.eval();
    }
}
