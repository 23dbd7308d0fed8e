using System.Text;
using DepthKit.Data;
using DepthKit.Visualization;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Notebooks.Display;

/// <summary>
/// An image a notebook shows inline (a PNG in a data URI): an RGB photo, a colourised depth map with its colour bar,
/// or a valid mask. <c>display(picture)</c> or ending a cell with it draws it.
/// </summary>
public sealed class Picture : IHtmlView
{
    Picture(int height, int width, byte[] png, string caption, (float Min, float Max)? depthRange, string colormap = DefaultColormap)
    {
        Height = height; Width = width; Png = png; Caption = caption; DepthRange = depthRange; Colormap = colormap;
    }

    public int Height { get; }
    public int Width { get; }
    /// <summary>The encoded image (what the notebook embeds).</summary>
    public byte[] Png { get; }
    public string Caption { get; }
    /// <summary>For a depth map: the metres at the dark and the bright end of its colour bar.</summary>
    public (float Min, float Max)? DepthRange { get; }
    public string Colormap { get; }

    /// <summary>An 8-bit RGB image (row-major H x W x 3).</summary>
    public static Picture Rgb(int height, int width, byte[] rgb, string caption = "") =>
        new(height, width, RgbImage.EncodePng(height, width, rgb), caption, null);

    /// <summary>The colormap depth maps are drawn with (the montage's): near = its dark end.</summary>
    public const string DefaultColormap = "plasma";

    /// <summary>
    /// A depth map in metres, near = dark, invalid pixels black, with a colour bar. Without a range the valid depths
    /// set it; give one range to several pictures to compare them.
    /// </summary>
    public static Picture Depth(int height, int width, ReadOnlySpan<float> depth, string caption = "", float? min = null, float? max = null,
                                string colormap = DefaultColormap)
    {
        if (depth.Length != height * width) throw new ArgumentException($"{depth.Length} depth values for a {height}x{width} map");
        var (near, far) = Visualization.Montage.Range(depth);
        float lo = min ?? (float)near, hi = max ?? (float)far;
        return new(height, width, RgbImage.EncodePng(height, width, Visualization.Colormap.Colorize(depth, colormap, lo, hi)), caption, (lo, hi), colormap);
    }

    /// <summary>An encoded PNG as it is (a montage, a contact sheet).</summary>
    public static Picture FromPng(byte[] png, string caption = "")
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new ArgumentException("not a PNG image");
        return new(bitmap.Height, bitmap.Width, png, caption, null);
    }

    /// <summary>The slides' comparison picture (RGB | ground truth | each model), see <see cref="Montage.Png"/>.</summary>
    public static Picture Montage(IReadOnlyList<string> modelNames, IReadOnlyList<MontageRow> rows, int height, int width, string caption = "") =>
        FromPng(Visualization.Montage.Png(modelNames, rows, height, width), caption);

    /// <summary>A valid mask: white where the depth is a measurement, black where it is missing.</summary>
    public static Picture Mask(int height, int width, ReadOnlySpan<bool> valid, string caption = "")
    {
        var rgb = new byte[height * width * 3];
        for (int i = 0; i < valid.Length; i++)
            if (valid[i]) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = 255;
        return new(height, width, RgbImage.EncodePng(height, width, rgb), caption, null);
    }

    /// <summary>
    /// A tensor as a picture: [3,H,W] (or [1,3,H,W]) float RGB in [0,1] or uint8, or [H,W] / [1,H,W] / [1,1,H,W] depth in metres.
    /// </summary>
    public static Picture FromTensor(Tensor image, string caption = "", float? min = null, float? max = null)
    {
        using var scope = NewDisposeScope();
        var t = image.detach().cpu();
        while (t.dim() > 3 && t.shape[0] == 1) t = t.squeeze(0);
        if (t.dim() == 3 && t.shape[0] == 1) t = t.squeeze(0);
        if (t.dim() == 2)
        {
            int h = (int)t.shape[0], w = (int)t.shape[1];
            return Depth(h, w, t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray(), caption, min, max);
        }
        if (t.dim() == 3 && t.shape[0] == 3)
        {
            int h = (int)t.shape[1], w = (int)t.shape[2];
            var bytes = t.dtype == ScalarType.Byte ? t : (t.to_type(ScalarType.Float32).clamp(0, 1) * 255).round().to_type(ScalarType.Byte);
            return Rgb(h, w, bytes.permute(1, 2, 0).contiguous().data<byte>().ToArray(), caption);
        }
        throw new ArgumentException($"cannot show a tensor of shape [{string.Join(",", image.shape)}] as a picture: use [3,H,W] RGB or [H,W] depth");
    }

    /// <summary>Pixels per image pixel on screen: small training images are enlarged (pixelated, not blurred).</summary>
    internal static int DisplayScale(int height, int width) => Math.Max(1, 192 / Math.Max(1, Math.Max(height, width)));

    public string ToHtml() => ToHtml(DisplayScale(Height, Width));

    internal string ToHtml(int scale, bool colourBar = true)
    {
        var sb = new StringBuilder("<figure style=\"display:inline-block;margin:4px;text-align:center\">");
        sb.Append("<div style=\"display:flex;align-items:stretch;gap:4px\">");
        sb.Append($"<img src=\"{Html.PngDataUri(Png)}\" width=\"{Width * scale}\" height=\"{Height * scale}\" style=\"image-rendering:pixelated\" alt=\"{Html.Escape(Caption)}\"/>");
        if (colourBar && DepthRange is { } range) sb.Append(ColorBarHtml(range.Min, range.Max, Height * scale, Colormap));
        sb.Append("</div>");
        if (Caption.Length > 0) sb.Append($"<figcaption style=\"font-size:12px\">{Html.Escape(Caption)}</figcaption>");
        return sb.Append("</figure>").ToString();
    }

    /// <summary>The colour bar beside a depth map: far (bright) at the top, near (dark) at the bottom, in metres.</summary>
    internal static string ColorBarHtml(float min, float max, int height, string colormap)
    {
        var bar = RgbImage.EncodePng(64, 1, BarRgb(64, colormap));
        return "<div style=\"display:flex;gap:2px;font-size:11px\">"
               + $"<img src=\"{Html.PngDataUri(bar)}\" width=\"12\" height=\"{height}\" style=\"image-rendering:auto\" alt=\"colour bar\"/>"
               + "<div style=\"display:flex;flex-direction:column;justify-content:space-between\">"
               + $"<span>{Html.Metres(max)}</span><span>{Html.Metres((min + max) / 2)}</span><span>{Html.Metres(min)}</span></div></div>";
    }

    static byte[] BarRgb(int height, string colormap)
    {
        var rgb = new byte[height * 3];
        for (int y = 0; y < height; y++)
            (rgb[3 * y], rgb[3 * y + 1], rgb[3 * y + 2]) = Visualization.Colormap.Map(colormap, 1 - (double)y / (height - 1));
        return rgb;
    }
}

/// <summary>Pictures side by side (a transform's before/after, prediction next to ground truth).</summary>
// title may be null: lessons pass ToString() of a transform, which C# types as string?
public sealed class PictureRow(IReadOnlyList<Picture> pictures, string? title = "") : IHtmlView
{
    public IReadOnlyList<Picture> Pictures { get; } = pictures;
    public string Title { get; } = title ?? "";

    public static PictureRow Of(params Picture[] pictures) => new(pictures);

    public string ToHtml()
    {
        int scale = Pictures.Count == 0 ? 1 : Pictures.Min(p => Picture.DisplayScale(p.Height, p.Width));
        var sb = new StringBuilder("<div>");
        if (Title.Length > 0) sb.Append($"<div style=\"font-weight:bold\">{Html.Escape(Title)}</div>");
        sb.Append("<div style=\"display:flex;flex-wrap:wrap;align-items:flex-start\">");
        foreach (var p in Pictures) sb.Append(p.ToHtml(scale));
        return sb.Append("</div></div>").ToString();
    }
}

/// <summary>
/// Samples as a grid, one row each: RGB | colourised depth | valid mask, all depths on one colour bar so rows
/// compare (the SynthRooms contact sheet).
/// </summary>
public sealed class SampleGrid(IReadOnlyList<DepthSample> samples, float? min = null, float? max = null) : IHtmlView
{
    public IReadOnlyList<DepthSample> Samples { get; } = samples;

    public static SampleGrid Of(IDepthDataset dataset, int count, int start = 0) =>
        new(Enumerable.Range(start, Math.Min(count, dataset.Count - start)).Select(dataset.Get).ToList());

    /// <summary>The shared depth range: the given one, or the range of all valid depths.</summary>
    public (float Min, float Max) Range
    {
        get
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            foreach (var s in Samples)
            {
                var (a, b) = Visualization.Montage.Range(s.Depth);
                if (s.ValidMask().Any(v => v)) { lo = Math.Min(lo, (float)a); hi = Math.Max(hi, (float)b); }
            }
            if (lo > hi) (lo, hi) = (0f, 1f);
            return (min ?? lo, max ?? hi);
        }
    }

    public string ToHtml()
    {
        var (lo, hi) = Range;
        var sb = new StringBuilder("<div style=\"display:flex;align-items:flex-start;gap:8px\"><table style=\"border-collapse:collapse\">");
        sb.Append("<tr><th>#</th><th>RGB</th><th>depth</th><th>valid</th></tr>");
        int scale = Samples.Count == 0 ? 1 : Samples.Min(s => Picture.DisplayScale(s.Height, s.Width));
        int i = 0;
        foreach (var s in Samples)
        {
            sb.Append($"<tr><td>{i++}</td>");
            sb.Append("<td>").Append(Picture.Rgb(s.Height, s.Width, s.Rgb).ToHtml(scale)).Append("</td>");
            sb.Append("<td>").Append(Picture.Depth(s.Height, s.Width, s.Depth, min: lo, max: hi).ToHtml(scale, colourBar: false)).Append("</td>");
            sb.Append("<td>").Append(Picture.Mask(s.Height, s.Width, s.ValidMask()).ToHtml(scale)).Append("</td></tr>");
        }
        sb.Append("</table>");
        int barHeight = Math.Min(400, Samples.Count == 0 ? 100 : Samples.Sum(s => s.Height * scale + 12));
        sb.Append(Picture.ColorBarHtml(lo, hi, barHeight, Picture.DefaultColormap));
        return sb.Append("</div>").ToString();
    }
}
