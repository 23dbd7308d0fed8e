using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DepthKit.Models.Pretrained;

/// <summary>
/// Pretrained weights for the ResNet encoders, with no internet:
/// <list type="bullet">
/// <item><c>resnet18-imagenet</c>: the ImageNet ResNet-18 that ships as ONNX in the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (a CNTK export: stage 4 has three blocks, so the encoder must be
/// <c>resnet18-cntk</c>; input BGR 0-255 minus the channel means, see <see cref="InputNormalization.CntkBgr"/>).
/// Mapped by graph structure, not by names (the CNTK names are "Parameter91" and the like).</item>
/// <item>a path to a torchvision <c>resnet18/34/50</c> state dict: <c>.safetensors</c>, or <c>.pth</c>/<c>.pt</c>
/// (PyTorch pickle, read with TorchSharp.PyBridge). Keys as torchvision's; <c>fc.*</c> is ignored.
/// Input convention: torchvision's ImageNet mean/std (<see cref="InputNormalization.ImageNet"/>).</item>
/// </list>
/// </summary>
public static class PretrainedEncoders
{
    public const string ResNet18ImageNet = "resnet18-imagenet";

    /// <summary>Stage lengths of the package's ResNet-18 (torchvision's is [2, 2, 2, 2]).</summary>
    public static readonly IReadOnlyList<int> CntkResNet18Stages = [2, 2, 2, 3];

    /// <summary>Where the package's build props copy the model: DnnImageModels/ResNet18Onnx/ResNet18.onnx beside the app or DepthKit.dll.</summary>
    public static string ResNet18OnnxPath
    {
        get
        {
            var relative = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
            var candidates = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(PretrainedEncoders).Assembly.Location) ?? "" }
                .Select(d => Path.Combine(d, relative));
            return candidates.FirstOrDefault(File.Exists) ?? candidates.First();
        }
    }

    /// <summary>
    /// Loads weights into a model's ResNet encoder and sets the model's input normalisation to the weights'
    /// convention. <paramref name="spec"/>: <c>resnet18-imagenet</c> or a file path.
    /// </summary>
    public static void Load(DepthNet model, string spec)
    {
        if (model.Encoder is not ResNet encoder)
            throw new ArgumentException($"model '{model.Config.Name}' has no ResNet encoder: pretrained weights need cnn-res, cnn-res-slides or fcrn");
        model.InputNorm.CopyFrom(Load(encoder, spec));
    }

    /// <summary>Loads weights into a ResNet; returns the input normalisation they expect.</summary>
    public static InputNormalization Load(ResNet encoder, string spec)
    {
        if (string.Equals(spec, ResNet18ImageNet, StringComparison.OrdinalIgnoreCase)) return LoadResNet18ImageNet(encoder);
        var extension = Path.GetExtension(spec).ToLowerInvariant();
        switch (extension)
        {
            case ".onnx":
                return LoadResNet18ImageNet(encoder, spec);
            case ".safetensors":
                LoadStateDict(encoder, SafeTensors.Read(spec), spec);
                return InputNormalization.ImageNet();
            case ".pth" or ".pt" or ".bin":
                LoadStateDict(encoder, ReadPickle(spec), spec);
                return InputNormalization.ImageNet();
            default:
                throw new ArgumentException($"pretrained '{spec}': use {ResNet18ImageNet}, or a .safetensors, .pth or .onnx file");
        }
    }

    /// <summary>Loads the package's ImageNet ResNet-18 (or another CNTK-layout ResNet-18 ONNX file).</summary>
    public static InputNormalization LoadResNet18ImageNet(ResNet encoder, string? onnxPath = null)
    {
        onnxPath ??= ResNet18OnnxPath;
        if (!File.Exists(onnxPath))
            throw new FileNotFoundException($"{onnxPath} not found: it comes with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 (referenced by DepthKit.csproj); rebuild", onnxPath);
        var state = ReadResNetOnnx(OnnxModel.Load(onnxPath), out var stages);
        if (encoder.Depth != 18 || !encoder.BlocksPerStage.SequenceEqual(stages))
            throw new ArgumentException($"{onnxPath} is a ResNet-18 with stages [{string.Join(", ", stages)}] but the encoder is ResNet-{encoder.Depth} with [{string.Join(", ", encoder.BlocksPerStage)}]: use encoder resnet18-cntk");
        LoadStateDict(encoder, state, onnxPath);
        return InputNormalization.CntkBgr();
    }

    /// <summary>
    /// Turns a ResNet (BasicBlock) ONNX graph into torchvision-keyed weights by following its structure: the
    /// first Conv+BatchNormalization is the stem; each Add closes a residual block whose one input comes from
    /// conv3x3-BN (conv2/bn2, preceded by ReLU-BN-conv: conv1/bn1) and whose other input is either the block
    /// input (identity) or a 1x1 conv-BN (downsample). Stages start where the block stride is 2.
    /// </summary>
    public static Dictionary<string, Tensor> ReadResNetOnnx(OnnxModel onnx, out int[] stages)
    {
        var state = new Dictionary<string, Tensor>();
        string file = onnx.Path;
        OnnxNode Require(string? value, string op, string what)
        {
            var node = value is null ? null : onnx.Producer(value);
            return node is not null && node.OpType == op ? node
                : throw new InvalidDataException($"{file}: expected a {op} for {what}, found {node?.OpType ?? "nothing"} (not a ResNet with BasicBlocks?)");
        }
        void AddConv(string key, OnnxNode conv)
        {
            var w = onnx.Initializers.GetValueOrDefault(conv.Inputs[1]) ?? throw new InvalidDataException($"{file}: conv {conv.Name} weight {conv.Inputs[1]} is not an initializer");
            if (conv.Inputs.Count > 2) throw new InvalidDataException($"{file}: conv {conv.Name} has a bias; ResNet convolutions have none");
            state[key + ".weight"] = tensor(w.Data).reshape(w.Dims);
        }
        void AddBatchNorm(string key, OnnxNode bn)
        {
            var eps = bn.Float("epsilon") ?? 1e-5f;
            if (Math.Abs(eps - 1e-5f) > 1e-9f) throw new InvalidDataException($"{file}: BatchNormalization {bn.Name} epsilon {eps} is not torch's 1e-5");
            string[] names = ["weight", "bias", "running_mean", "running_var"];
            for (int i = 0; i < 4; i++)
            {
                var t = onnx.Initializers.GetValueOrDefault(bn.Inputs[i + 1]) ?? throw new InvalidDataException($"{file}: BatchNormalization {bn.Name} input {bn.Inputs[i + 1]} is not an initializer");
                state[$"{key}.{names[i]}"] = tensor(t.Data).reshape(t.Dims);
            }
            state[key + ".num_batches_tracked"] = tensor(0L);
        }

        var input = onnx.Inputs.Count == 1 ? onnx.Inputs[0] : throw new InvalidDataException($"{file}: expected one data input, found {onnx.Inputs.Count}");
        var stem = onnx.Nodes.FirstOrDefault(n => n.OpType == "Conv" && n.Inputs[0] == input)
            ?? throw new InvalidDataException($"{file}: no Conv reads the input {input}");
        AddConv("conv1", stem);
        AddBatchNorm("bn1", onnx.Consumers(stem.Outputs[0]).FirstOrDefault(n => n.OpType == "BatchNormalization")
            ?? throw new InvalidDataException($"{file}: the first Conv has no BatchNormalization"));

        var blockStages = new List<int>();
        int stage = 0, indexInStage = 0;
        foreach (var add in onnx.Nodes.Where(n => n.OpType == "Add"))
        {
            if (add.Inputs.Count != 2) throw new InvalidDataException($"{file}: Add {add.Name} does not have two inputs");
            // the main branch ends in BN(conv3x3 ...); the downsample branch in BN(conv1x1)
            OnnxNode? Conv3x3Bn(string v) => onnx.Producer(v) is { OpType: "BatchNormalization" } bn
                && onnx.Producer(bn.Inputs[0]) is { OpType: "Conv" } c && c.Ints("kernel_shape").SequenceEqual([3L, 3L]) ? bn : null;
            var mainIndex = Conv3x3Bn(add.Inputs[0]) is not null ? 0 : Conv3x3Bn(add.Inputs[1]) is not null ? 1
                : throw new InvalidDataException($"{file}: Add {add.Name} has no conv3x3-BN input (not a BasicBlock)");
            var bn2 = Conv3x3Bn(add.Inputs[mainIndex])!;
            var conv2 = Require(bn2.Inputs[0], "Conv", "conv2");
            var relu = Require(conv2.Inputs[0], "Relu", "the ReLU inside a block");
            var bn1 = Require(relu.Inputs[0], "BatchNormalization", "bn1");
            var conv1 = Require(bn1.Inputs[0], "Conv", "conv1");
            bool strided = conv1.Ints("strides").Any(s => s != 1);
            // layer1 starts at the first block; every later stage starts with a strided block
            if (blockStages.Count == 0 || strided) { stage++; indexInStage = 0; }
            string prefix = $"layer{stage}.{indexInStage}";
            AddConv(prefix + ".conv1", conv1);
            AddBatchNorm(prefix + ".bn1", bn1);
            AddConv(prefix + ".conv2", conv2);
            AddBatchNorm(prefix + ".bn2", bn2);
            if (onnx.Producer(add.Inputs[1 - mainIndex]) is { OpType: "BatchNormalization" } dsBn)
            {
                var dsConv = Require(dsBn.Inputs[0], "Conv", "the downsample conv");
                AddConv(prefix + ".downsample.0", dsConv);
                AddBatchNorm(prefix + ".downsample.1", dsBn);
            }
            blockStages.Add(stage);
            indexInStage++;
        }
        if (blockStages.Count == 0 || blockStages[^1] != 4)
            throw new InvalidDataException($"{file}: found {blockStages.Count} residual blocks in {(blockStages.Count == 0 ? 0 : blockStages[^1])} stages, expected 4 stages");
        stages = Enumerable.Range(1, 4).Select(s => blockStages.Count(b => b == s)).ToArray();
        return state;
    }

    /// <summary>Reads a PyTorch pickle state dict (torch.save(model.state_dict())) with TorchSharp.PyBridge.</summary>
    public static Dictionary<string, Tensor> ReadPickle(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PyTorch checkpoint not found: {path}", path);
        IDictionary raw;
        try
        {
            using var stream = File.OpenRead(path);
            raw = (IDictionary)PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException($"{path}: not a PyTorch state dict ({e.Message})", e);
        }
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in raw)
            if (entry.Key is string key && entry.Value is Tensor t) result[key.StartsWith("module.", StringComparison.Ordinal) ? key[7..] : key] = t;
        return result;
    }

    /// <summary>
    /// Copies a torchvision-keyed state dict into the encoder. Every encoder key must be present with the same
    /// shape (<c>num_batches_tracked</c> may be missing); keys the encoder lacks (<c>fc.*</c>) are ignored.
    /// </summary>
    public static void LoadStateDict(ResNet encoder, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var missing = new List<string>();
        using var noGrad = no_grad();
        foreach (var (key, target) in encoder.state_dict())
        {
            if (!state.TryGetValue(key, out var value))
            {
                if (!key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) missing.Add(key);
                continue;
            }
            if (!value.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{source}: {key} has shape [{string.Join(", ", value.shape)}], the ResNet-{encoder.Depth} encoder needs [{string.Join(", ", target.shape)}]");
            target.copy_(value.to(target.dtype, target.device));
        }
        if (missing.Count > 0)
            throw new InvalidDataException($"{source}: {missing.Count} encoder weights missing (e.g. {string.Join(", ", missing.Take(3))}); is it a torchvision ResNet-{encoder.Depth} state dict?");
    }
}
