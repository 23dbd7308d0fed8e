using System.Globalization;
using SkiaSharp;

namespace DepthKit.Visualization;

/// <summary>One line of a <see cref="LineChart"/>: a name for the legend and its (x, y) points in order.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>
/// Line charts as PNG (SkiaSharp), for documents that must show a curve without a browser: learning curves in
/// docs/, charts in a terminal-only run. Axes start at the data's range padded by 5%, with about five ticks each;
/// an optional horizontal reference line (a baseline) is drawn dashed and labelled.
/// </summary>
public static class LineChart
{
    static readonly SKColor[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    public static byte[] Png(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        IReadOnlyList<(string Name, double Y)>? references = null, int width = 900, int height = 520)
    {
        if (series.Count == 0 || series.All(s => s.Points.Count == 0)) throw new ArgumentException($"chart '{title}' has no points");
        references ??= [];
        var xs = series.SelectMany(s => s.Points.Select(p => p.X)).ToList();
        var ys = series.SelectMany(s => s.Points.Select(p => p.Y)).Concat(references.Select(r => r.Y)).Where(double.IsFinite).ToList();
        var (x0, x1) = Padded(Math.Min(0, xs.Min()), xs.Max());
        var (y0, y1) = Padded(ys.Min(), ys.Max());
        const int left = 70, top = 40, bottom = 50;
        int legendWidth = 250, right = legendWidth + 20;
        var plot = SKRect.Create(left, top, width - left - right, height - top - bottom);
        float X(double x) => plot.Left + (float)((x - x0) / (x1 - x0)) * plot.Width;
        float Y(double y) => plot.Bottom - (float)((y - y0) / (y1 - y0)) * plot.Height;

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var titleFont = new SKFont(SKTypeface.Default, 16);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke };

        canvas.DrawText(title, left, 24, SKTextAlign.Left, titleFont, ink);
        foreach (var t in Ticks(x0, x1))
        {
            canvas.DrawLine(X(t), plot.Top, X(t), plot.Bottom, grid);
            canvas.DrawText(Label(t), X(t), plot.Bottom + 18, SKTextAlign.Center, font, ink);
        }
        foreach (var t in Ticks(y0, y1))
        {
            canvas.DrawLine(plot.Left, Y(t), plot.Right, Y(t), grid);
            canvas.DrawText(Label(t), plot.Left - 6, Y(t) + 4, SKTextAlign.Right, font, ink);
        }
        canvas.DrawRect(plot, axis);
        canvas.DrawText(xLabel, plot.MidX, height - 12, SKTextAlign.Center, font, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 16, plot.MidY);
        canvas.DrawText(yLabel, 16, plot.MidY + 4, SKTextAlign.Center, font, ink);
        canvas.Restore();

        float legendY = plot.Top + 4;
        using var dash = SKPathEffect.CreateDash([6, 4], 0);
        using var dotted = SKPathEffect.CreateDash([2, 3], 0);
        for (int r = 0; r < references.Count; r++)
        {
            var (name, y) = references[r];
            // references alternate between a grey dash and a black dot so two baselines stay apart
            using var line = new SKPaint
            {
                Color = r % 2 == 0 ? SKColors.Gray : SKColors.Black, StrokeWidth = 1.5f, PathEffect = r % 2 == 0 ? dash : dotted, IsAntialias = true,
            };
            canvas.DrawLine(plot.Left, Y(y), plot.Right, Y(y), line);
            Legend(canvas, plot.Right + 12, ref legendY, name, line, font, ink);
        }
        for (int k = 0; k < series.Count; k++)
        {
            var s = series[k];
            var color = Palette[k % Palette.Length];
            using var line = new SKPaint
            {
                Color = color, StrokeWidth = 2, Style = SKPaintStyle.Stroke, IsAntialias = true, PathEffect = s.Dashed ? dash : null,
            };
            using var dot = new SKPaint { Color = color, IsAntialias = true };
            using var builder = new SKPathBuilder(); // SkiaSharp 4: paths are built, then taken as an immutable SKPath
            for (int i = 0; i < s.Points.Count; i++)
            {
                var (x, y) = s.Points[i];
                if (i == 0) builder.MoveTo(X(x), Y(y)); else builder.LineTo(X(x), Y(y));
                canvas.DrawCircle(X(x), Y(y), 3, dot);
            }
            using var path = builder.Detach();
            canvas.DrawPath(path, line);
            Legend(canvas, plot.Right + 12, ref legendY, s.Name, line, font, ink);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static void Legend(SKCanvas canvas, float x, ref float y, string name, SKPaint line, SKFont font, SKPaint ink)
    {
        canvas.DrawLine(x, y + 6, x + 22, y + 6, line);
        canvas.DrawText(name.Length > 34 ? name[..33] + "…" : name, x + 28, y + 10, SKTextAlign.Left, font, ink);
        y += 18;
    }

    static (double Lo, double Hi) Padded(double lo, double hi)
    {
        if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
        double pad = 0.05 * (hi - lo);
        return (lo - pad, hi + pad);
    }

    /// <summary>About five round tick values (1, 2 or 5 times a power of ten apart) inside [lo, hi].</summary>
    internal static IEnumerable<double> Ticks(double lo, double hi)
    {
        double raw = (hi - lo) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        for (long k = (long)Math.Ceiling(lo / step); k * step <= hi + 1e-9 * step; k++) yield return Math.Round(k * step, 12);
    }

    static string Label(double v) => v.ToString(Math.Abs(v) >= 100 ? "F0" : Math.Abs(v) >= 10 ? "0.#" : "0.###", CultureInfo.InvariantCulture);
}
