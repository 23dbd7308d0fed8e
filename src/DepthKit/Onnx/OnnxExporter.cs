using DepthKit.Models;
using DepthKit.Onnx.Format;
using Google.Protobuf;
using TorchSharp;
using TorchSharp.Modules;
using static DepthKit.Onnx.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace DepthKit.Onnx;

/// <summary>
/// What an export wrote: the graph's input and output sizes (the output is the input's, except for CNN+Res (slides),
/// whose head has no padding, and FCRN, which predicts at half the input), node and parameter counts, and the largest
/// per-pixel relative difference between the walk's torch values and the model's forward on the probe input. With
/// <paramref name="Dynamic"/> the sizes are those of the probe; <paramref name="OutputDims"/> is the output's declared
/// shape (<c>[batch, 1, height, width]</c>, or fixed sizes).
/// </summary>
public sealed record OnnxExportInfo(string Architecture, int InputHeight, int InputWidth, int OutputHeight, int OutputWidth,
    int Nodes, long Parameters, double MaxRelativeDifference, bool Dynamic = false, string OutputDims = "");

/// <summary>
/// Writes a DepthKit model as an ONNX graph (opset <see cref="Opset"/>) by walking its module tree: each module
/// type has a rule that emits its ONNX nodes and computes the same step with TorchSharp. The graph has
/// <list type="bullet">
/// <item>input <c>rgb</c>: float32 [batch, 3, H, W], RGB in [0, 1]; batch is dynamic; H and W are fixed to the
/// size the model was exported for (the training size), or with <c>dynamic</c> symbolic (<c>height</c>,
/// <c>width</c>): every size the graph computes (resizes to the input or a skip, 2x upsampling, the
/// up-projections' interleaving reshapes, CNN+FC's adaptive pooling) is then taken from a Shape of its input, so
/// no constant of the graph depends on the export size;</item>
/// <item>the model's <see cref="InputNormalization"/> as its first nodes (Gather for the channel order, Mul, Add),
/// so callers feed plain [0, 1] RGB;</item>
/// <item>output <c>depth</c>: float32 [batch, 1, h, w] in metres (h, w: the input's for the models that resize
/// to it; <c>depth_height</c>, <c>depth_width</c> in a dynamic graph of the two slides' models).</item>
/// </list>
/// BatchNorm layers are exported as BatchNormalization with their running statistics (inference), Dropout as
/// nothing, bilinear resizes with <c>align_corners=false</c> as Resize linear / pytorch_half_pixel, nearest
/// upsampling as Resize nearest / asymmetric / floor, <c>F.pad</c> before a convolution into the convolution's pads.
/// After the walk, its torch value must match <c>model.forward</c> on the probe input; otherwise nothing is written.
/// </summary>
public sealed class OnnxExporter
{
    public const int Opset = 17;
    const long IrVersion = 8; // the IR version that goes with opset 17
    public const string InputName = "rgb";
    public const string OutputName = "depth";

    readonly OnnxGraphBuilder g = new();
    readonly Dictionary<string, Tensor>? trace;
    readonly bool dynamic;
    readonly Dictionary<string, string> spatialShapes = [];

    OnnxExporter(bool dynamic, Dictionary<string, Tensor>? trace) => (this.dynamic, this.trace) = (dynamic, trace);

    /// <summary>Builds the ONNX model of <paramref name="model"/> for inputs of <paramref name="height"/> x <paramref name="width"/>;
    /// with <paramref name="dynamic"/> for inputs of any size, <paramref name="height"/> x <paramref name="width"/> being the
    /// size of the self-check.</summary>
    public static (ModelProto Model, OnnxExportInfo Info) Build(DepthNet model, int height, int width, bool dynamic = false) =>
        Build(model, height, width, dynamic, null);

    /// <summary>As <see cref="Build(DepthNet, int, int, bool)"/>; <paramref name="trace"/> receives every emitted value's torch
    /// value on the probe input (a ramp, batch 1), by ONNX name, to find the first node where a runtime differs.</summary>
    internal static (ModelProto Model, OnnxExportInfo Info) Build(DepthNet model, int height, int width, bool dynamic, Dictionary<string, Tensor>? trace)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"ONNX export size {height}x{width}: height and width must be positive");
        var exporter = new OnnxExporter(dynamic, trace);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var forwardOnly = Training.Inference.Region();
        bool wasTraining = model.training;
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        model.eval();
        try
        {
            // a fixed, non-trivial probe (a smooth ramp per channel), batch 1
            var probe = Probe(height, width).to(device);
            var (walked, inputSized) = exporter.Net(model, new OnnxValue(InputName, probe));
            var reference = model.call(probe);
            if (!walked.Torch.shape.SequenceEqual(reference.shape))
                throw new InvalidOperationException($"ONNX export of {model.Config.Name}: the walk gives shape [{string.Join(", ", walked.Shape)}], the model [{string.Join(", ", reference.shape)}]");
            using Scalar floor = 1e-6;
            double relative = ((walked.Torch - reference).abs() / reference.abs().clamp_min(floor)).max().ToDouble();
            if (!double.IsFinite(relative))
                throw new InvalidOperationException($"ONNX export of {model.Config.Name}: the model's output is not finite (NaN or infinite weights?); nothing was written");
            if (relative > 1e-5)
                throw new InvalidOperationException($"ONNX export of {model.Config.Name}: the walk does not reproduce the model's forward (relative difference {relative:G3}); this module tree needs a new export rule");

            var graph = exporter.g.Graph;
            graph.Name = model.Config.Name;
            Dimension batch = new("batch");
            Dimension[] input = dynamic ? [batch, new(3), new("height"), new("width")] : [batch, new(3), new(height), new(width)];
            Dimension[] output = !dynamic ? [batch, new(1), new(walked.Shape[2]), new(walked.Shape[3])]
                : inputSized ? [batch, new(1), input[2], input[3]]
                : [batch, new(1), new("depth_height"), new("depth_width")];
            graph.Input.Add(FloatValue(InputName, input));
            // the last node's output is renamed to the graph output
            var last = graph.Node.Last(n => n.Output.Contains(walked.Name));
            last.Output[last.Output.IndexOf(walked.Name)] = OutputName;
            graph.Output.Add(FloatValue(OutputName, output));
            string inputDims = $"[{string.Join(", ", input)}]", outputDims = $"[{string.Join(", ", output)}]";

            var proto = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = "DepthKit",
                ProducerVersion = Training.Checkpoint.Version,
                DocString = $"{Architectures.Get(model.Config.Name).DisplayName}: RGB {inputDims} in [0, 1] -> depth {outputDims} in metres",
                Graph = graph,
            };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "depthkit.architecture", Value = model.Config.Name });
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "depthkit.config", Value = model.Config.ToJson() });
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "depthkit.input", Value = "RGB in [0, 1], NCHW; normalisation is inside the graph" });
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "depthkit.output", Value = "depth in metres" });
            var info = new OnnxExportInfo(model.Config.Name, height, width, (int)walked.Shape[2], (int)walked.Shape[3], graph.Node.Count,
                Architectures.CountParameters(model).Total, relative, dynamic, outputDims);
            return (proto, info);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The probe input of the export's self-check: a ramp over all values, [1, 3, H, W].</summary>
    internal static Tensor Probe(int height, int width) => linspace(0, 1, 3L * height * width, dtype: float32).reshape(1, 3, height, width);

    /// <summary>Exports to an .onnx file, written atomically (a temporary file beside it, then a rename).</summary>
    public static OnnxExportInfo Save(DepthNet model, int height, int width, string path, bool dynamic = false)
    {
        var (proto, info) = Build(model, height, width, dynamic);
        Data.AtomicFile.Write(path, proto.WriteTo);
        return info;
    }

    // ---- architectures: the same steps as each model's Predict ----

    // InputSized: the output has the input's height and width whatever they are (the model ends in a resize to it)
    (OnnxValue Depth, bool InputSized) Net(DepthNet model, OnnxValue rgb)
    {
        var c = Children(model);
        var x = Module(c["input_norm"], rgb, "input_norm");
        switch (model)
        {
            case CnnFc fc:
            {
                var f = Module(c["encoder"], x, "encoder");
                f = Module(c["pool"], f, "pool");
                f = Flatten(f);
                f = Module(c["fc1"], f, "fc1");
                f = Module(c["relu"], f, "relu");
                f = Module(c["dropout"], f, "dropout");
                f = Module(c["fc2"], f, "fc2");
                f = Softplus(f);
                var (ch, cw) = fc.Config.GetSize("coarse", (24, 32));
                if (ch * cw != f.Shape[1]) throw new InvalidOperationException($"CNN+FC coarse map {ch}x{cw} does not match fc2's {f.Shape[1]} outputs");
                f = Reshape(f, [-1, 1, ch, cw], t => t.reshape(t.shape[0], 1, ch, cw));
                return (Resize(f, x, always: true), true);
            }
            case Cnn or CnnTrans:
            {
                var y = Module(c["head"], Module(c["decoder"], Module(c["encoder"], x, "encoder"), "decoder"), "head");
                return (Softplus(Resize(y, x)), true);
            }
            case CnnRes:
            {
                var f = ResNetFeatures(c["encoder"], x, "encoder");
                var ups = c["ups"].children().ToList();
                var skips = c["skips"].children().ToList();
                var y = Module(c["reduce"], f[4], "reduce");
                for (int i = 0; i < ups.Count; i++)
                {
                    var skip = Module(skips[i], f[3 - i], $"skips.{i}");
                    var up = Module(ups[i], y, $"ups.{i}");
                    y = Relu(Add(Resize(up, skip), skip));
                }
                y = Resize(Module(c["head"], y, "head"), x);
                return (Softplus(y), true);
            }
            case CnnResSlides:
            {
                var y = Module(c["bn"], Module(c["conv"], Module(c["encoder"], x, "encoder"), "conv"), "bn");
                foreach (var name in new[] { "up1", "up2", "up3" }) y = Module(c[name], y, name);
                return (Module(c["relu"], Module(c["head"], y, "head"), "relu"), false);
            }
            case Fcrn:
            {
                var y = Module(c["bn"], Module(c["conv"], Module(c["encoder"], x, "encoder"), "conv"), "bn");
                var ups = c["ups"].children().ToList();
                for (int i = 0; i < ups.Count; i++) y = Module(ups[i], y, $"ups.{i}");
                return (Relu(Module(c["head"], y, "head")), false);
            }
            default:
                throw new NotSupportedException($"ONNX export has no rule for the architecture {model.GetType().Name} ({model.Config.Name})");
        }
    }

    // ---- modules ----

    OnnxValue Module(nn.Module m, OnnxValue x, string path)
    {
        switch (m)
        {
            case InputNormalization: return Normalize(m, x, path);
            case Conv2d conv: return Conv(conv, x, path);
            case ConvTranspose2d deconv: return ConvTranspose(deconv, x, path);
            case TorchSharp.Modules.BatchNorm bn: return BatchNorm(bn, x, path); // the kit's BatchNorm2d (or torch's)
            case ReLU: return Relu(x);
            case Dropout: return x; // inference
            case MaxPool2d pool: return MaxPool(pool, x);
            case AdaptiveAvgPool2d pool: return AdaptiveAvgPool(pool, x, path);
            case Linear linear: return Gemm(linear, x, path);
            case Sequential seq:
            {
                int i = 0;
                foreach (var child in seq.children()) x = Module(child, x, $"{path}.{i++}");
                return x;
            }
            case ConvEncoder { Coordinates: true }:
                throw new NotSupportedException($"ONNX export has no rule for a ConvEncoder with coordinate channels ({path}, option coords=true)");
            case ConvEncoder: return Module(Children(m)["stages"], x, $"{path}.stages");
            case ResNet: return ResNetFeatures(m, x, path)[^1];
            case ConvBnRelu or TransposedConvBnRelu:
            {
                var c = Children(m);
                var conv = c.ContainsKey("conv") ? "conv" : "deconv";
                return Relu(Module(c["bn"], Module(c[conv], x, $"{path}.{conv}"), $"{path}.bn"));
            }
            case SkipProjection:
            {
                var c = Children(m);
                return Module(c["bn"], Module(c["conv"], x, $"{path}.conv"), $"{path}.bn");
            }
            case UpsampleConv:
                return Module(Children(m)["conv"], Upsample2x(x, linear: true), $"{path}.conv");
            case BasicBlock:
            {
                var c = Children(m);
                var y = Relu(Module(c["bn1"], Module(c["conv1"], x, $"{path}.conv1"), $"{path}.bn1"));
                y = Module(c["bn2"], Module(c["conv2"], y, $"{path}.conv2"), $"{path}.bn2");
                var shortcut = c.TryGetValue("downsample", out var down) ? Module(down, x, $"{path}.downsample") : x;
                return Relu(Add(y, shortcut));
            }
            case IdentityBlock or ConvolutionalBlock:
            {
                var c = Children(m);
                var y = Relu(Module(c["bn1"], Module(c["conv1"], x, $"{path}.conv1"), $"{path}.bn1"));
                y = Relu(Module(c["bn2"], Module(c["conv2"], y, $"{path}.conv2"), $"{path}.bn2"));
                y = Module(c["bn3"], Module(c["conv3"], y, $"{path}.conv3"), $"{path}.bn3");
                var shortcut = c.TryGetValue("downsample", out var down) ? Module(down, x, $"{path}.downsample") : x;
                return Relu(Add(y, shortcut));
            }
            case UpProjection or FastUpProjection or BilinearUpProjection:
            {
                var c = Children(m);
                var u = m switch
                {
                    UpProjection => Unpool(x),
                    BilinearUpProjection => Upsample2x(x, linear: true),
                    _ => x,
                };
                var branch = Relu(Module(c["bn1"], Module(c["conv1"], u, $"{path}.conv1"), $"{path}.bn1"));
                branch = Module(c["bn2"], Module(c["conv2"], branch, $"{path}.conv2"), $"{path}.bn2");
                var shortcut = Module(c["projection_bn"], Module(c["projection"], u, $"{path}.projection"), $"{path}.projection_bn");
                return Relu(Add(branch, shortcut));
            }
            case FastUpConvolution:
            {
                var c = Children(m);
                // F.pad order (left, right, top, bottom) as in FastUpConvolution.forward
                var a = Conv((Conv2d)c["conv_a"], x, $"{path}.conv_a", [1, 1, 1, 1]);
                var b = Conv((Conv2d)c["conv_b"], x, $"{path}.conv_b", [0, 1, 1, 1]);
                var cc = Conv((Conv2d)c["conv_c"], x, $"{path}.conv_c", [1, 1, 0, 1]);
                var d = Conv((Conv2d)c["conv_d"], x, $"{path}.conv_d", [0, 1, 0, 1]);
                return Interleave(Interleave(a, b, 4), Interleave(cc, d, 4), 3);
            }
            case SlideUpBlock:
            {
                var c = Children(m);
                var up = Upsample2x(x, linear: false);
                var branch1 = Module(c["conv2"], Module(c["relu"], Module(c["conv1"], up, $"{path}.conv1"), $"{path}.relu"), $"{path}.conv2");
                var branch2 = Module(c["conv3"], up, $"{path}.conv3");
                return Concat([branch1, branch2], 1);
            }
            default:
                throw new NotSupportedException($"ONNX export has no rule for the module {m.GetType().Name} ({path})");
        }
    }

    OnnxValue[] ResNetFeatures(nn.Module resnet, OnnxValue x, string path)
    {
        var c = Children(resnet);
        var stem = Relu(Module(c["bn1"], Module(c["conv1"], x, $"{path}.conv1"), $"{path}.bn1"));
        var f1 = Module(c["layer1"], Module(c["maxpool"], stem, $"{path}.maxpool"), $"{path}.layer1");
        var f2 = Module(c["layer2"], f1, $"{path}.layer2");
        var f3 = Module(c["layer3"], f2, $"{path}.layer3");
        var f4 = Module(c["layer4"], f3, $"{path}.layer4");
        return [stem, f1, f2, f3, f4];
    }

    static Dictionary<string, nn.Module> Children(nn.Module m) => m.named_children().ToDictionary(c => c.name, c => c.module);

    // ---- ops: each emits ONNX nodes and computes the same with torch ----

    OnnxValue V(string name, Tensor value)
    {
        if (trace is not null) trace[name] = value.detach().clone().MoveToOuterDisposeScope();
        return new(name, value);
    }

    OnnxValue Normalize(nn.Module norm, OnnxValue x, string path)
    {
        var buffers = norm.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        var order = buffers["channel_order"].cpu().data<long>().ToArray();
        var name = x.Name;
        var t = x.Torch;
        if (!order.SequenceEqual([0L, 1, 2]))
        {
            name = g.Node("Gather", [name, g.Int64s($"{path}.channel_order", order)], $"{path}/reordered", Int("axis", 1));
            t = t.index_select(1, buffers["channel_order"]);
        }
        var scaled = g.Node("Mul", [name, g.Weight($"{path}.scale", buffers["scale"])], $"{path}/scaled");
        var shifted = g.Node("Add", [scaled, g.Weight($"{path}.shift", buffers["shift"])], $"{path}/normalized");
        // the module adds with an explicit alpha of 1: the same value as a plain add
        return V(shifted, Scalars.Add(t * buffers["scale"], buffers["shift"]));
    }

    // torchPad: an F.pad (left, right, top, bottom) applied before the convolution, folded into its pads
    OnnxValue Conv(Conv2d conv, OnnxValue x, string path, long[]? torchPad = null)
    {
        if (conv.padding_mode != PaddingModes.Zeros) throw new NotSupportedException($"ONNX export: {path} pads with {conv.padding_mode}, only zeros are supported");
        var kernel = conv.kernel_size;
        var pad = ConvPadding(conv, path);
        long[] pads = [pad[0], pad[1], pad[0], pad[1]]; // ONNX: top, left, bottom, right
        var input = x.Torch;
        if (torchPad is not null)
        {
            pads = [pads[0] + torchPad[2], pads[1] + torchPad[0], pads[2] + torchPad[3], pads[3] + torchPad[1]];
            input = nn.functional.pad(input, torchPad);
        }
        List<string> inputs = [x.Name, g.Weight($"{path}.weight", conv.weight!)];
        if (conv.bias is not null) inputs.Add(g.Weight($"{path}.bias", conv.bias));
        var name = g.Node("Conv", inputs, path,
            Ints("kernel_shape", kernel), Ints("strides", conv.stride), Ints("pads", pads), Ints("dilations", conv.dilation), Int("group", conv.groups));
        return V(name, conv.call(input));
    }

    static long[] ConvPadding(Convolution conv, string path)
    {
        if (conv.padding_type == Padding.Valid) return [0, 0];
        if (conv.padding_type == Padding.Same)
        {
            if (conv.kernel_size.Any(k => k % 2 == 0) || conv.stride.Any(s => s != 1))
                throw new NotSupportedException($"ONNX export: {path} uses padding 'same' with an even kernel or a stride");
            return [.. conv.kernel_size.Zip(conv.dilation, (k, d) => d * (k - 1) / 2)];
        }
        var padding = conv.padding ?? [0, 0];
        return padding.Length == 1 ? [padding[0], padding[0]] : padding;
    }

    OnnxValue ConvTranspose(ConvTranspose2d deconv, OnnxValue x, string path)
    {
        var pad = ConvPadding(deconv, path);
        List<string> inputs = [x.Name, g.Weight($"{path}.weight", deconv.weight!)];
        if (deconv.bias is not null) inputs.Add(g.Weight($"{path}.bias", deconv.bias));
        var outputPadding = deconv.output_padding.Length == 1 ? [deconv.output_padding[0], deconv.output_padding[0]] : deconv.output_padding;
        var name = g.Node("ConvTranspose", inputs, path,
            Ints("kernel_shape", deconv.kernel_size), Ints("strides", deconv.stride), Ints("pads", pad[0], pad[1], pad[0], pad[1]),
            Ints("dilations", deconv.dilation), Ints("output_padding", outputPadding), Int("group", deconv.groups));
        return V(name, deconv.call(x.Torch));
    }

    OnnxValue BatchNorm(TorchSharp.Modules.BatchNorm bn, OnnxValue x, string path)
    {
        if (bn.running_mean is null || bn.running_var is null) throw new NotSupportedException($"ONNX export: {path} keeps no running statistics");
        var channels = bn.num_features;
        var scale = bn.weight is null ? ones(channels) : (Tensor)bn.weight;
        var bias = bn.bias is null ? zeros(channels) : (Tensor)bn.bias;
        var name = g.Node("BatchNormalization",
            [x.Name, g.Weight($"{path}.weight", scale), g.Weight($"{path}.bias", bias), g.Weight($"{path}.running_mean", bn.running_mean), g.Weight($"{path}.running_var", bn.running_var)],
            path, Float("epsilon", (float)bn.eps));
        return V(name, bn.call(x.Torch));
    }

    OnnxValue Relu(OnnxValue x) => V(g.Node("Relu", [x.Name], $"{x.Name}/relu"), nn.functional.relu(x.Torch));

    OnnxValue Softplus(OnnxValue x) => V(g.Node("Softplus", [x.Name], $"{x.Name}/softplus"), Scalars.Softplus(x.Torch));

    OnnxValue Add(OnnxValue a, OnnxValue b) => V(g.Node("Add", [a.Name, b.Name], $"{a.Name}/add"), Scalars.Add(a.Torch, b.Torch));

    OnnxValue Concat(OnnxValue[] parts, long axis) =>
        V(g.Node("Concat", parts.Select(p => p.Name), $"{parts[0].Name}/concat", Int("axis", axis)), cat(parts.Select(p => p.Torch).ToList(), axis));

    OnnxValue Flatten(OnnxValue x) => V(g.Node("Flatten", [x.Name], $"{x.Name}/flatten", Int("axis", 1)), x.Torch.flatten(1));

    /// <summary>Reshape; a 0 or -1 in <paramref name="shape"/> keeps or infers a dimension (the batch).</summary>
    OnnxValue Reshape(OnnxValue x, long[] shape, Func<Tensor, Tensor> torchReshape) =>
        V(g.Node("Reshape", [x.Name, g.Int64s($"{x.Name}/shape", shape)], $"{x.Name}/reshape"), torchReshape(x.Torch));

    OnnxValue MaxPool(MaxPool2d pool, OnnxValue x)
    {
        var kernel = pool.kernel_size;
        var stride = pool.stride ?? kernel;
        var padding = pool.padding ?? [0, 0];
        var dilation = pool.dilation ?? [1, 1];
        if (padding.Length == 1) padding = [padding[0], padding[0]];
        var name = g.Node("MaxPool", [x.Name], $"{x.Name}/maxpool", Ints("kernel_shape", kernel), Ints("strides", stride),
            Ints("pads", padding[0], padding[1], padding[0], padding[1]), Ints("dilations", dilation), Int("ceil_mode", pool.ceil_mode ? 1 : 0));
        return V(name, pool.call(x.Torch));
    }

    /// <summary>
    /// Adaptive average pooling to a fixed size: an AveragePool when the bins are equal, otherwise two MatMuls with
    /// the bins' averaging matrices (bin i of n over a length L covers [floor(iL/n), ceil((i+1)L/n)) as torch's).
    /// In a dynamic graph the matrices are computed from the input's Shape (<see cref="AveragingMatrix(string, string, long)"/>).
    /// </summary>
    OnnxValue AdaptiveAvgPool(AdaptiveAvgPool2d pool, OnnxValue x, string path)
    {
        long h = x.Shape[2], w = x.Shape[3];
        var result = pool.call(x.Torch);
        long oh = result.shape[2], ow = result.shape[3];
        if (dynamic)
        {
            var hw = SpatialShape(x);
            var height = g.Node("Gather", [hw, g.Int64Scalar($"{path}/h_index", 0)], $"{path}/height", Int("axis", 0));
            var width = g.Node("Gather", [hw, g.Int64Scalar($"{path}/w_index", 1)], $"{path}/width", Int("axis", 0));
            var rowMatrix = AveragingMatrix($"{path}.rows", height, oh); // [oh, H]
            var columnMatrix = g.Node("Transpose", [AveragingMatrix($"{path}.columns", width, ow)], $"{path}.columns/transposed", Ints("perm", 1, 0)); // [W, ow]
            var pooledColumns = g.Node("MatMul", [x.Name, columnMatrix], $"{path}/columns");
            return V(g.Node("MatMul", [rowMatrix, pooledColumns], path), result);
        }
        if (h % oh == 0 && w % ow == 0)
        {
            long[] kernel = [h / oh, w / ow];
            return V(g.Node("AveragePool", [x.Name], path, Ints("kernel_shape", kernel), Ints("strides", kernel)), result);
        }
        var rows = g.Floats($"{path}.rows", AveragingMatrix(oh, h), oh, h);        // [oh, h]
        var columns = g.Floats($"{path}.columns", Transposed(AveragingMatrix(ow, w), ow, w), w, ow); // [w, ow]
        var y = g.Node("MatMul", [x.Name, columns], $"{path}/columns");
        return V(g.Node("MatMul", [rows, y], path), result);
    }

    /// <summary>
    /// The [bins, L] averaging matrix of adaptive pooling over a length known only at run time (<paramref name="length"/>,
    /// a 0-D int64 value): row i is 1 / (end - start) on [start, end), start = floor(iL / bins), end = ceil((i+1)L / bins).
    /// </summary>
    string AveragingMatrix(string path, string length, long bins)
    {
        var bin = new long[bins];
        for (long i = 0; i < bins; i++) bin[i] = i;
        var n = g.Int64Scalar($"{path}/bins", bins);
        var i0 = g.Node("Unsqueeze", [g.Int64s($"{path}/i", bin), g.Int64s($"{path}/axis1", 1)], $"{path}/i_column"); // [bins, 1]
        var i1 = g.Node("Add", [i0, g.Int64Scalar($"{path}/one", 1)], $"{path}/i_plus_1");
        // non-negative int64: Div is floor division; ceil(a / n) = (a + n - 1) / n
        var start = g.Node("Div", [g.Node("Mul", [i0, length], $"{path}/iL"), n], $"{path}/start");
        var end = g.Node("Div", [g.Node("Add", [g.Node("Mul", [i1, length], $"{path}/i1L"), g.Int64Scalar($"{path}/bins_minus_1", bins - 1)], $"{path}/i1L_up"), n], $"{path}/end");
        var j = g.Node("Range", [g.Int64Scalar($"{path}/zero", 0), length, g.Int64Scalar($"{path}/step", 1)], $"{path}/j"); // [L]
        var inside = g.Node("And", [g.Node("GreaterOrEqual", [j, start], $"{path}/after_start"), g.Node("Less", [j, end], $"{path}/before_end")], $"{path}/inside");
        var ones = g.Node("Cast", [inside], $"{path}/ones", Int("to", (int)TensorProto.Types.DataType.Float));
        var count = g.Node("Cast", [g.Node("Sub", [end, start], $"{path}/count_int")], $"{path}/count", Int("to", (int)TensorProto.Types.DataType.Float));
        return g.Node("Div", [ones, count], path);
    }

    static float[] AveragingMatrix(long bins, long length)
    {
        var m = new float[bins * length];
        for (long i = 0; i < bins; i++)
        {
            long start = i * length / bins, end = ((i + 1) * length + bins - 1) / bins;
            for (long j = start; j < end; j++) m[i * length + j] = 1f / (end - start);
        }
        return m;
    }

    static float[] Transposed(float[] m, long rows, long columns)
    {
        var t = new float[m.Length];
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < columns; j++) t[j * rows + i] = m[i * columns + j];
        return t;
    }

    OnnxValue Gemm(Linear linear, OnnxValue x, string path)
    {
        if (x.Torch.dim() != 2) throw new NotSupportedException($"ONNX export: {path} gets a {x.Torch.dim()}-D input, only [batch, features] is supported");
        List<string> inputs = [x.Name, g.Weight($"{path}.weight", linear.weight!)];
        if (linear.bias is not null) inputs.Add(g.Weight($"{path}.bias", linear.bias));
        return V(g.Node("Gemm", inputs, path, Int("transB", 1)), linear.call(x.Torch));
    }

    /// <summary>The [H, W] of <paramref name="x"/> as an int64 graph value (one Shape node per value).</summary>
    string SpatialShape(OnnxValue x)
    {
        if (!spatialShapes.TryGetValue(x.Name, out var name))
            spatialShapes[x.Name] = name = g.Node("Shape", [x.Name], $"{x.Name}/hw", Int("start", 2), Int("end", 4));
        return name;
    }

    /// <summary>
    /// Bilinear resize with align_corners=false to the height and width of <paramref name="like"/>, as Layers.ResizeTo
    /// (and F.interpolate to a size). Without <paramref name="always"/> a same-size input passes through, as in
    /// ResizeTo, but only in a fixed graph: in a dynamic one the sizes may differ at other inputs, and a same-size
    /// bilinear resize is the identity (half-pixel source coordinates land on the pixels).
    /// </summary>
    OnnxValue Resize(OnnxValue x, OnnxValue like, bool always = false)
    {
        long height = like.Shape[2], width = like.Shape[3];
        if (!always && !dynamic && x.Shape[2] == height && x.Shape[3] == width) return x;
        var torchValue = nn.functional.interpolate(x.Torch, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        return Resize(x, SpatialShape(like), linear: true, torchValue);
    }

    /// <summary>F.interpolate with scale_factor 2: bilinear (align_corners=false) or nearest. The output size is twice the
    /// input's, read from its Shape, so ONNX Runtime's scale (output / input) is exactly torch's 2.</summary>
    OnnxValue Upsample2x(OnnxValue x, bool linear)
    {
        var torchValue = nn.functional.interpolate(x.Torch, scale_factor: [2.0, 2.0],
            mode: linear ? InterpolationMode.Bilinear : InterpolationMode.Nearest, align_corners: linear ? false : null);
        var doubled = g.Node("Mul", [SpatialShape(x), g.Int64s($"{x.Name}/two", 2, 2)], $"{x.Name}/hw_doubled");
        return Resize(x, doubled, linear, torchValue);
    }

    /// <summary>
    /// Resize to the [H, W] in <paramref name="hw"/> (an int64 graph value): bilinear as pytorch_half_pixel, nearest as
    /// asymmetric / floor (F.interpolate's default). The sizes keep the input's batch and channels (Shape, Concat).
    /// </summary>
    OnnxValue Resize(OnnxValue x, string hw, bool linear, Tensor torchValue)
    {
        var batchAndChannels = g.Node("Shape", [x.Name], $"{x.Name}/shape", Int("start", 0), Int("end", 2));
        var sizes = g.Node("Concat", [batchAndChannels, hw], $"{x.Name}/sizes", Int("axis", 0));
        AttributeProto[] attributes = linear
            ? [String("mode", "linear"), String("coordinate_transformation_mode", "pytorch_half_pixel")]
            : [String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor")];
        return V(g.Node("Resize", [x.Name, "", "", sizes], $"{x.Name}/resize", attributes), torchValue);
    }

    /// <summary>The shape of <paramref name="x"/> with each dimension multiplied (Shape, Mul): a reshape's target that
    /// holds at every input size.</summary>
    string ScaledShape(OnnxValue x, params long[] factors) =>
        g.Node("Mul", [g.Node("Shape", [x.Name], $"{x.Name}/shape"), g.Int64s($"{x.Name}/factors", factors)], $"{x.Name}/scaled_shape");

    /// <summary><c>stack([a, b], dim).reshape(...)</c> with dim 4 (interleave columns) or 3 (interleave rows).</summary>
    OnnxValue Interleave(OnnxValue a, OnnxValue b, long dim)
    {
        long n = a.Shape[0], c = a.Shape[1], h = a.Shape[2], w = a.Shape[3];
        var axes = g.Int64s($"{a.Name}/axis", dim);
        var ua = g.Node("Unsqueeze", [a.Name, axes], $"{a.Name}/unsqueeze");
        var ub = g.Node("Unsqueeze", [b.Name, axes], $"{b.Name}/unsqueeze");
        var stacked = g.Node("Concat", [ua, ub], $"{a.Name}/stack", Int("axis", dim));
        long[] factors = dim == 4 ? [1, 1, 1, 2] : [1, 1, 2, 1];
        var name = g.Node("Reshape", [stacked, ScaledShape(a, factors)], $"{a.Name}/interleave");
        var torchValue = (dim == 4 ? stack([a.Torch, b.Torch], dim: -1) : stack([a.Torch, b.Torch], dim: 3)).reshape(n, c, h * factors[2], w * factors[3]);
        return V(name, torchValue);
    }

    /// <summary>UpProjection.Unpool: the value in the top-left of each 2x2 cell, zeros elsewhere (Unsqueeze, Pad, Reshape).</summary>
    OnnxValue Unpool(OnnxValue x)
    {
        var six = g.Node("Unsqueeze", [x.Name, g.Int64s($"{x.Name}/axes", 3, 5)], $"{x.Name}/cells"); // [N, C, H, 1, W, 1]
        var padded = g.Node("Pad", [six, g.Int64s($"{x.Name}/pads", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1)], $"{x.Name}/padded"); // [N, C, H, 2, W, 2]
        var name = g.Node("Reshape", [padded, ScaledShape(x, 1, 1, 2, 2)], $"{x.Name}/unpool");
        return V(name, UpProjection.Unpool(x.Torch));
    }
}
