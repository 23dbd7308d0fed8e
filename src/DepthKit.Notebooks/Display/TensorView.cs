using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Notebooks.Display;

/// <summary>
/// How a tensor shows in a notebook: shape, dtype, device (and requires_grad), min/max/mean of a floating tensor and a
/// short preview of its first values, instead of the formatter's object tree of every property.
/// </summary>
public static class TensorView
{
    /// <summary>At most this many values in the preview (the first ones, row-major).</summary>
    public const int PreviewCount = 8;

    /// <summary>The one-line summary, e.g. <c>Tensor [2,3,32,32] float32 on cpu</c>.</summary>
    public static string Summary(Tensor t) =>
        $"Tensor [{string.Join(",", t.shape)}] {DtypeName(t.dtype)} on {t.device}{(t.requires_grad ? ", requires_grad" : "")}";

    /// <summary>Min, max and mean (floating tensors), then the first values; empty tensors say so.</summary>
    public static string Details(Tensor t)
    {
        if (t.numel() == 0) return "empty";
        using var scope = NewDisposeScope();
        var flat = t.detach().cpu().reshape(-1);
        var parts = new List<string>();
        if (flat.is_floating_point())
        {
            var f = flat.to_type(ScalarType.Float64);
            parts.Add($"min {Number(f.min().item<double>())}, max {Number(f.max().item<double>())}, mean {Number(f.mean().item<double>())}");
        }
        long n = Math.Min(PreviewCount, flat.numel());
        var head = flat.narrow(0, 0, n);
        var values = head.dtype == ScalarType.Bool
            ? head.data<bool>().ToArray().Select(b => b ? "true" : "false")
            : head.to_type(ScalarType.Float64).data<double>().ToArray().Select(Number);
        parts.Add($"[{string.Join(", ", values)}{(flat.numel() > n ? $", … ({flat.numel() - n:N0} more)" : "")}]");
        return string.Join("; ", parts);
    }

    public static string ToText(Tensor t) => Summary(t) + "\n" + Details(t);

    public static string ToHtml(Tensor t) =>
        $"<div style=\"font-family:monospace\"><b>{Html.Escape(Summary(t))}</b><br/>{Html.Escape(Details(t))}</div>";

    static string Number(double v) => Html.Number(v);

    static string DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Float16 => "float16", ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64", ScalarType.Int32 => "int32", ScalarType.Int16 => "int16", ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8", ScalarType.Bool => "bool",
        _ => type.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
