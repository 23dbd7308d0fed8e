using SkiaSharp;

namespace DepthKit.Visualization;

/// <summary>One row of a montage: the image, its ground truth and each model's prediction, all H x W.</summary>
public sealed record MontageRow(byte[] Rgb, float[] GroundTruth, IReadOnlyList<float[]> Predictions);

/// <summary>
/// The slides' comparison picture: RGB | ground truth | each model's prediction, one row per image, as a PNG.
/// All depth tiles of a row share the ground truth's range (near = dark), so colours compare across columns.
/// </summary>
public static class Montage
{
    const int Header = 22, Gap = 4;

    public static byte[] Png(IReadOnlyList<string> modelNames, IReadOnlyList<MontageRow> rows, int height, int width, string colormap = "plasma")
    {
        if (rows.Count == 0) throw new ArgumentException("a montage needs at least one row");
        colormap = Colormap.Check(colormap);
        var titles = new List<string> { "RGB", "ground truth" };
        titles.AddRange(modelNames);
        int columns = titles.Count;
        int tileWidth = Math.Max(width, 96);
        float scale = (float)tileWidth / width;
        int tileHeight = (int)Math.Round(height * scale);
        int canvasWidth = columns * tileWidth + (columns + 1) * Gap;
        int canvasHeight = Header + rows.Count * (tileHeight + Gap) + Gap;
        using var surface = SKSurface.Create(new SKImageInfo(canvasWidth, canvasHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int c = 0; c < columns; c++)
            canvas.DrawText(titles[c], Gap + c * (tileWidth + Gap) + 2, Header - 6, SKTextAlign.Left, font, ink);
        using var sampling = new SKPaint();
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Predictions.Count != modelNames.Count)
                throw new ArgumentException($"montage row {r} has {row.Predictions.Count} predictions for {modelNames.Count} models");
            var (near, far) = Range(row.GroundTruth);
            var tiles = new List<byte[]> { row.Rgb, Colormap.Colorize(row.GroundTruth, colormap, near, far) };
            tiles.AddRange(row.Predictions.Select(p => Colormap.Colorize(p, colormap, near, far)));
            int y = Header + r * (tileHeight + Gap);
            for (int c = 0; c < columns; c++)
            {
                using var image = ToImage(tiles[c], height, width);
                var dest = SKRect.Create(Gap + c * (tileWidth + Gap), y, tileWidth, tileHeight);
                canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Linear), sampling);
            }
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Valid minimum and maximum of a depth map (1, 2 when it has no valid pixel).</summary>
    public static (double Near, double Far) Range(ReadOnlySpan<float> depth)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var d in depth)
            if (float.IsFinite(d) && d > 0) { lo = Math.Min(lo, d); hi = Math.Max(hi, d); }
        return double.IsInfinity(lo) ? (1, 2) : (lo, hi);
    }

    static SKImage ToImage(byte[] rgb, int height, int width)
    {
        var rgba = new byte[height * width * 4];
        for (int i = 0; i < height * width; i++)
        {
            rgba[4 * i] = rgb[3 * i]; rgba[4 * i + 1] = rgb[3 * i + 1]; rgba[4 * i + 2] = rgb[3 * i + 2]; rgba[4 * i + 3] = 255;
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var data = SKData.CreateCopy(rgba);
        return SKImage.FromPixels(info, data, width * 4);
    }
}
