using System.Buffers.Binary;
using System.Text;
using DepthKit.Models;
using DepthKit.Models.Pretrained;
using DepthKit.Onnx;
using DepthKit.Onnx.Format;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>Offline pretrained encoders: the NuGet ImageNet ResNet-18 against ONNX Runtime, and torchvision state dicts.</summary>
public class PretrainedTests
{
    /// <summary>A smooth synthetic RGB image in [0, 1] (gradients and a blob), deterministic.</summary>
    static float[] SyntheticImage(int height, int width)
    {
        var rgb = new float[3 * height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double blob = Math.Exp(-(Math.Pow(x - 0.6 * width, 2) + Math.Pow(y - 0.4 * height, 2)) / (0.02 * height * width));
                rgb[0 * height * width + y * width + x] = (float)(0.2 + 0.6 * x / width);
                rgb[1 * height * width + y * width + x] = (float)(0.1 + 0.5 * blob + 0.3 * y / height);
                rgb[2 * height * width + y * width + x] = (float)(0.5 + 0.4 * Math.Sin(0.05 * (x + 2 * y)));
            }
        return rgb;
    }

    [Fact]
    public void ImportedResNet18MatchesOnnxRuntimeWithin1e4()
    {
        using var scope = NewDisposeScope();
        const int size = 224; // the package's model has a fixed 224x224 input
        var onnx = OnnxModel.Load(PretrainedEncoders.ResNet18OnnxPath);
        Assert.Equal("CNTK", onnx.ProducerName);
        // the encoder output is what the final AveragePool reads
        var pool = Assert.Single(onnx.Nodes, n => n.OpType == "AveragePool");
        string featureName = pool.Inputs[0], pooledName = pool.Outputs[0];

        // ONNX Runtime on the package's model, with the stage-4 output added as a graph output
        var rgb = SyntheticImage(size, size);
        var bgrMinusMean = new float[rgb.Length];
        float[] mean = [103.06f, 115.90f, 123.15f]; // B, G, R
        int plane = size * size;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                bgrMinusMean[c * plane + i] = rgb[(2 - c) * plane + i] * 255f - mean[c];
        using var session = new InferenceSession(WithExtraOutput(File.ReadAllBytes(onnx.Path), featureName, [1, 512, 7, 7]));
        using var results = session.Run(
            [NamedOnnxValue.CreateFromTensor(onnx.Inputs[0], new DenseTensor<float>(bgrMinusMean, [1, 3, size, size]))],
            [featureName, pooledName]);
        var expected = tensor(results.First(r => r.Name == featureName).AsEnumerable<float>().ToArray()).reshape(1, 512, 7, 7);
        var expectedPooled = tensor(results.First(r => r.Name == pooledName).AsEnumerable<float>().ToArray()).reshape(1, 512);

        // the kit: a CNN+Res with the CNTK-layout encoder, weights imported by graph structure
        using var model = Architectures.Create("cnn-res", "resnet18-cntk");
        PretrainedEncoders.Load(model, PretrainedEncoders.ResNet18ImageNet);
        model.eval();
        using var noGrad = no_grad();
        var input = tensor(rgb).reshape(1, 3, size, size);
        var features = model.Encoder is ResNet encoder ? encoder.call(model.InputNorm.call(input)) : throw new InvalidOperationException();

        Assert.Equal(expected.shape, features.shape);
        float diff = (features - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-4f, $"max |kit - onnxruntime| = {diff:E2} (feature range {expected.min().item<float>():F2}..{expected.max().item<float>():F2})");
        float pooledDiff = (features.mean([2, 3]) - expectedPooled).abs().max().item<float>();
        Assert.True(pooledDiff <= 1e-4f, $"pooled features differ by {pooledDiff:E2}");
        Assert.True(expected.abs().max().item<float>() > 1f, "features should not be trivially small");
    }

    [Fact]
    public void OnnxImportNeedsTheCntkLayoutAndNamesTheFix()
    {
        using var plain = new ResNet(18);
        var e = Assert.Throws<ArgumentException>(() => PretrainedEncoders.Load(plain, PretrainedEncoders.ResNet18ImageNet));
        Assert.Contains("resnet18-cntk", e.Message);
        Assert.Contains("[2, 2, 2, 3]", e.Message);
        using var cnn = Architectures.Create("cnn");
        Assert.Throws<ArgumentException>(() => PretrainedEncoders.Load(cnn, PretrainedEncoders.ResNet18ImageNet));
    }

    [Fact]
    public void OnnxReaderRejectsAFileThatIsNotOnnx()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["bad.onnx"], [0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(dir["bad.onnx"]));
        Assert.Contains("bad.onnx", e.Message);
    }

    [Fact]
    public void TorchvisionSafetensorsLoadsIntoTheEncoderByKey()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        random.manual_seed(21);
        using var source = new ResNet(18);
        // a torchvision checkpoint also has the classifier: the loader must skip it
        var state = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        state["fc.weight"] = randn(1000, 512);
        state["fc.bias"] = zeros(1000);
        state["bn1.running_var"] = rand(64) + 0.5f; // non-default buffer values must arrive too
        WriteSafetensors(dir["resnet18.safetensors"], state);

        using var model = Architectures.Create("cnn-res");
        PretrainedEncoders.Load(model, dir["resnet18.safetensors"]);
        var loaded = model.Encoder.state_dict();
        foreach (var (key, value) in state.Where(kv => !kv.Key.StartsWith("fc.")))
            Assert.True(value.to_type(loaded[key].dtype).eq(loaded[key]).all().item<bool>(), $"{key} differs");
        // torchvision weights expect torchvision's ImageNet mean/std
        Assert.Equal(1 / 0.229f, model.InputNorm.state_dict()["scale"].flatten()[0].item<float>(), 4);

        // a wrong-depth checkpoint is refused with the key and both shapes
        using var r50 = new ResNet(50);
        var e = Assert.Throws<InvalidDataException>(() => PretrainedEncoders.Load(r50, dir["resnet18.safetensors"]));
        Assert.Contains("resnet18.safetensors", e.Message);
    }

    [Fact]
    public void PyTorchPickleStateDictLoadsIntoTheEncoder()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        random.manual_seed(22);
        using var source = new ResNet(18);
        using (no_grad()) source.state_dict()["layer3.1.bn2.running_mean"].add_(0.25f);
        // PyBridge writes the format torch.save(model.state_dict()) writes
        TorchSharp.PyBridge.PyBridgeModuleExtensions.save_py(source, dir["resnet18.pth"]);

        random.manual_seed(23);
        using var target = new ResNet(18);
        PretrainedEncoders.Load(target, dir["resnet18.pth"]);
        var loaded = target.state_dict();
        foreach (var (key, value) in source.state_dict())
            Assert.True(value.eq(loaded[key]).all().item<bool>(), $"{key} differs");

        File.WriteAllText(dir["junk.pth"], "not a pickle");
        Assert.Contains("junk.pth", Assert.Throws<InvalidDataException>(() => PretrainedEncoders.Load(target, dir["junk.pth"])).Message);
    }

    [Fact]
    public void BadSafetensorsFilesGiveClearErrors()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["short.safetensors"], [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(dir["short.safetensors"])).Message);
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}");
        var bytes = new byte[8 + header.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(dir["cut.safetensors"], bytes);
        Assert.Contains("outside the file", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(dir["cut.safetensors"])).Message);
    }

    /// <summary>The safetensors format written by hand: u64 header length, JSON header, raw little-endian data.</summary>
    static void WriteSafetensors(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new MemoryStream();
        foreach (var (name, t) in tensors)
        {
            byte[] raw;
            string dtype;
            if (t.dtype == int64) { dtype = "I64"; raw = t.data<long>().ToArray().SelectMany(BitConverter.GetBytes).ToArray(); }
            else { dtype = "F32"; raw = t.to_type(float32).data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray(); }
            header.Append($",\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", t.shape)}],\"data_offsets\":[{data.Length},{data.Length + raw.Length}]}}");
            data.Write(raw);
        }
        header.Append('}');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        using var file = File.Create(path);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        file.Write(length);
        file.Write(headerBytes);
        file.Write(data.ToArray());
    }

    /// <summary>The model with one more graph output (a float tensor of the given shape), through the ONNX protobuf classes.</summary>
    static byte[] WithExtraOutput(byte[] model, string name, long[] dims)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        proto.Graph.Output.Add(OnnxGraphBuilder.FloatValue(name, [.. dims.Select(d => (long?)d)]));
        return proto.ToByteArray();
    }
}
