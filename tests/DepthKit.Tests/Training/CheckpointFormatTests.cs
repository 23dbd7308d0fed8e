using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DepthKit.Models;
using DepthKit.Tests.Foundation;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Tests.Training;

/// <summary>Checkpoints are a checksummed JSON manifest beside safetensors weights that PyTorch can read.</summary>
public class CheckpointFormatTests
{
    static ModelConfig ResNetConfig => new("cnn-res", encoder: "resnet18", inputHeight: 64, inputWidth: 64);

    static (string Path, DepthNet Model) SaveResNet(TempDir dir, string file = "last.ckpt")
    {
        Trainer.Seed(3);
        var model = Architectures.Create(ResNetConfig);
        var path = dir[file];
        Checkpoint.Save(path, new CheckpointInfo { Model = ModelFactory.Identity(ResNetConfig), Options = new TrainOptions(), Epoch = 2, Step = 40 }, model, null);
        return (path, model);
    }

    [Fact]
    public void WeightsAreSafetensorsThatAnIndependentReaderReadsBackWithTorchvisionResNetKeys()
    {
        using var dir = new TempDir();
        var (path, model) = SaveResNet(dir);
        var weightsPath = Checkpoint.WeightsPath(path);
        Assert.EndsWith(".safetensors", weightsPath);
        var tensors = MiniSafetensors.Read(File.ReadAllBytes(weightsPath));

        var state = model.state_dict();
        Assert.Equal(state.Keys.Order(), tensors.Keys.Order());
        foreach (var (key, value) in state)
        {
            var (dtype, shape, bytes) = tensors[key];
            Assert.Equal(value.shape, shape);
            Assert.Equal(value.dtype == ScalarType.Int64 ? "I64" : "F32", dtype);
            Assert.Equal(value.contiguous().cpu().bytes.ToArray(), bytes);
        }

        var encoderKeys = tensors.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)).Select(k => k["encoder.".Length..]);
        Assert.Equal(TorchvisionResNet18Keys().Order(), encoderKeys.Order());
    }

    /// <summary>torchvision.models.resnet18().state_dict().keys() without fc.*, written out from its layout.</summary>
    static IEnumerable<string> TorchvisionResNet18Keys()
    {
        string[] bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];
        IEnumerable<string> Bn(string prefix) => bn.Select(p => $"{prefix}.{p}");
        var keys = new List<string> { "conv1.weight" };
        keys.AddRange(Bn("bn1"));
        for (int layer = 1; layer <= 4; layer++)
            for (int block = 0; block < 2; block++)
            {
                var b = $"layer{layer}.{block}";
                keys.Add($"{b}.conv1.weight");
                keys.AddRange(Bn($"{b}.bn1"));
                keys.Add($"{b}.conv2.weight");
                keys.AddRange(Bn($"{b}.bn2"));
                if (layer > 1 && block == 0)
                {
                    keys.Add($"{b}.downsample.0.weight");
                    keys.AddRange(Bn($"{b}.downsample.1"));
                }
            }
        return keys;
    }

    [Fact]
    public void SavedWeightsLoadBackExactly()
    {
        using var dir = new TempDir();
        var (path, model) = SaveResNet(dir);
        Trainer.Seed(99);
        var fresh = Architectures.Create(ResNetConfig);
        var info = Checkpoint.Load(path, fresh, ModelFactory.Identity(ResNetConfig));
        Assert.Equal((2, 40L), (info.Epoch, info.Step));
        foreach (var (key, value) in model.state_dict())
            Assert.Equal(value.bytes.ToArray(), fresh.state_dict()[key].bytes.ToArray());
    }

    [Fact]
    public void DamagedWeightsGiveOneLineNamingTheFile()
    {
        using var dir = new TempDir();
        var (path, _) = SaveResNet(dir);
        var weights = Checkpoint.WeightsPath(path);
        var bytes = File.ReadAllBytes(weights);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<DepthKitCheckpointException>(() => Checkpoint.Load(path, Architectures.Create(ResNetConfig), ModelFactory.Identity(ResNetConfig)));
        Assert.Contains(weights, e.Message);
        Assert.Contains("checksum mismatch", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TamperedOrEmptyManifestIsRefusedWithOneLine()
    {
        using var dir = new TempDir();
        var (path, _) = SaveResNet(dir);
        var text = File.ReadAllText(path);
        var tampered = Regex.Replace(text, "\"Epoch\": 2", "\"Epoch\": 7");
        Assert.NotEqual(text, tampered);
        File.WriteAllText(path, tampered);
        var e = Assert.Throws<DepthKitCheckpointException>(() => Checkpoint.ReadInfo(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum mismatch", e.Message);

        File.WriteAllBytes(path, []);
        var empty = Assert.Throws<DepthKitCheckpointException>(() => Checkpoint.Load(path, Architectures.Create(ResNetConfig), ModelFactory.Identity(ResNetConfig)));
        Assert.Contains(path, empty.Message);
        Assert.Contains("empty (0 bytes)", empty.Message);

        var (code, _, error) = CliRunner.Run("eval", "--checkpoint", path, "--data", "synth", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(path, error);
    }

    [Fact]
    public void FirstFormatCheckpointsStillLoad()
    {
        using var dir = new TempDir();
        var net = new TinyNet();
        var path = dir["old.ckpt"];
        LegacyCheckpoint.Write(path, new CheckpointInfo { Model = TinyNet.Identity, Options = new TrainOptions(), Epoch = 3 }, net, null);
        Assert.Equal(3, Checkpoint.ReadInfo(path).Epoch);
        var fresh = new TinyNet();
        Checkpoint.Load(path, fresh, TinyNet.Identity);
        Assert.Equal(net.Weights(), fresh.Weights());
    }

    [Fact]
    public void OnlyFilesAManifestNamesStayInTheRunFolder()
    {
        using var dir = new TempDir();
        var net = new TinyNet();
        var info = new CheckpointInfo { Model = TinyNet.Identity, Options = new TrainOptions() };
        Checkpoint.Save(dir["best.ckpt"], info, net, null);
        Checkpoint.Save(dir["last.ckpt"], info, net, null);
        using (no_grad()) foreach (var p in net.parameters()) p.add_(1f);
        Checkpoint.Save(dir["last.ckpt"], info, net, null);
        var expected = new[] { "best.ckpt", "last.ckpt", Path.GetFileName(Checkpoint.WeightsPath(dir["best.ckpt"])), Path.GetFileName(Checkpoint.WeightsPath(dir["last.ckpt"])) };
        Assert.Equal(expected.Order(), Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        Assert.All(expected.Where(f => !f.EndsWith(".ckpt", StringComparison.Ordinal)), f => Assert.True(Checkpoint.IsDataFile(f), f));
        Assert.False(Checkpoint.IsDataFile("last.ckpt"));
        Assert.False(Checkpoint.IsDataFile("model-notahash.safetensors"));
    }
}

/// <summary>
/// A safetensors reader written from the format's description, independent of the kit and of TorchSharp.PyBridge:
/// u64 little-endian header size, a JSON header of name -> {dtype, shape, data_offsets}, then the tensor bytes.
/// </summary>
static class MiniSafetensors
{
    public static Dictionary<string, (string Dtype, long[] Shape, byte[] Bytes)> Read(byte[] file)
    {
        ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.True(headerSize <= (ulong)file.Length - 8, "header size beyond the file");
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)headerSize));
        int dataStart = 8 + (int)headerSize;
        var result = new Dictionary<string, (string, long[], byte[])>();
        long covered = 0;
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var dtype = entry.Value.GetProperty("dtype").GetString()!;
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            int elementSize = dtype switch { "F32" or "I32" => 4, "F64" or "I64" => 8, _ => throw new InvalidDataException(dtype) };
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * elementSize, offsets[1] - offsets[0]);
            covered += offsets[1] - offsets[0];
            result[entry.Name] = (dtype, shape, file[(dataStart + (int)offsets[0])..(dataStart + (int)offsets[1])]);
        }
        Assert.Equal(file.Length - dataStart, covered); // the tensors fill the data area exactly
        return result;
    }
}
