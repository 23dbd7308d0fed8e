using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>One row of a <see cref="ModelSummary"/>: a module call, torchsummary style.</summary>
/// <param name="Layer">Type and call number, e.g. "Conv2d-3".</param>
/// <param name="Path">Module path in the model, e.g. "encoder.layer1.0.conv1".</param>
/// <param name="OutputShape">Output shape with the batch as -1.</param>
/// <param name="Parameters">Parameters owned directly by the module (0 for containers, as torchsummary).</param>
public sealed record SummaryRow(string Layer, string Path, long[] OutputShape, long Parameters);

/// <summary>
/// A model summary like PyTorch's <c>torchsummary</c> (the slides' model table): every module call with its
/// output shape and parameters, then total, trainable and frozen (non-trainable) parameter counts and
/// torchsummary's memory estimates.
/// </summary>
public sealed class ModelSummary
{
    public IReadOnlyList<SummaryRow> Rows { get; }
    public long[] InputShape { get; }
    public long[] OutputShape { get; }
    public long TotalParameters { get; }
    public long TrainableParameters { get; }
    public long FrozenParameters => TotalParameters - TrainableParameters;

    /// <summary>float32 input of one sample, MB (torchsummary's "Input size").</summary>
    public double InputSizeMB => InputShape.Skip(1).Aggregate(1L, (a, b) => a * b) * 4.0 / (1024 * 1024);
    /// <summary>2 x all row outputs of one sample, MB (torchsummary's "Forward/backward pass size").</summary>
    public double ForwardBackwardSizeMB => 2.0 * Rows.Sum(r => r.OutputShape.Skip(1).Aggregate(1L, (a, b) => a * b)) * 4.0 / (1024 * 1024);
    /// <summary>float32 parameters, MB.</summary>
    public double ParamsSizeMB => TotalParameters * 4.0 / (1024 * 1024);

    ModelSummary(IReadOnlyList<SummaryRow> rows, long[] inputShape, long[] outputShape, long total, long trainable)
    {
        Rows = rows;
        InputShape = inputShape;
        OutputShape = outputShape;
        TotalParameters = total;
        TrainableParameters = trainable;
    }

    /// <summary>
    /// Runs one zero input of <paramref name="inputShape"/> (e.g. [1, 3, 256, 320]) through the model in eval mode
    /// without gradients, recording every module call with forward hooks. The model's train/eval mode is restored.
    /// </summary>
    public static ModelSummary Create(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        if (inputShape.Length != 4) throw new ArgumentException("input shape must be [B, C, H, W]", nameof(inputShape));
        var rows = new List<SummaryRow>();
        var counts = new Dictionary<string, int>();
        int calls = 0;
        var removers = new List<Action>();
        foreach (var (path, module) in model.named_modules())
        {
            // torchsummary skips the containers and the model itself. We also skip whole encoders (the slides'
            // trunk is an nn.Sequential of torchvision's children) and the input normalisation (done outside
            // the slides' model), so the totals compare with the slide's table.
            if (module is Sequential || path.Length == 0 || module is not nn.Module<Tensor, Tensor> hookable) continue;
            if (module.GetType().IsGenericType || module is ResNet or ConvEncoder or InputNormalization) continue;
            long own = module.parameters(recurse: false).Sum(p => p.numel());
            var remover = hookable.register_forward_hook((m, input, output) =>
            {
                string type = m.GetType().Name;
                rows.Add(new SummaryRow($"{type}-{++calls}", path, [-1, .. output.shape.Skip(1)], own));
                return null!;
            });
            removers.Add(remover.remove);
        }
        bool wasTraining = model.training;
        long[] outputShape;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            outputShape = [.. model.call(zeros(inputShape, device: device)).shape];
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }
        var (total, trainable, _) = Architectures.CountParameters(model);
        return new ModelSummary(rows, inputShape, outputShape, total, trainable);
    }

    static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
    static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The torchsummary table.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        string line = new('-', 64), doubleLine = new('=', 64);
        sb.AppendLine(line);
        sb.AppendLine($"{"Layer (type)",20}  {"Output Shape",25} {"Param #",15}");
        sb.AppendLine(doubleLine);
        foreach (var r in Rows) sb.AppendLine($"{r.Layer,20}  {Shape(r.OutputShape),25} {N(r.Parameters),15}");
        sb.AppendLine(doubleLine);
        sb.AppendLine($"Total params: {N(TotalParameters)}");
        sb.AppendLine($"Trainable params: {N(TrainableParameters)}");
        sb.AppendLine($"Non-trainable params: {N(FrozenParameters)}");
        sb.AppendLine(line);
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Input size (MB): {InputSizeMB:F2}"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Forward/backward pass size (MB): {ForwardBackwardSizeMB:F2}"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Params size (MB): {ParamsSizeMB:F2}"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Estimated Total Size (MB): {InputSizeMB + ForwardBackwardSizeMB + ParamsSizeMB:F2}"));
        sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>The rows as a DataFrame: Layer, Path, Output Shape, Param #.</summary>
    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("Layer", Rows.Select(r => r.Layer)),
        new StringDataFrameColumn("Path", Rows.Select(r => r.Path)),
        new StringDataFrameColumn("Output Shape", Rows.Select(r => Shape(r.OutputShape))),
        new Int64DataFrameColumn("Param #", Rows.Select(r => r.Parameters)));
}
