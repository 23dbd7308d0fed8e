namespace DepthKit.Data.Synth;

/// <summary>A grid of samples, each shown as RGB | colourised depth | valid mask, for eyeballing a dataset.</summary>
public static class ContactSheet
{
    /// <summary>Composes the sheet as RGB bytes; depth colours span 0..<paramref name="maxDepth"/> metres (turbo), invalid is black.</summary>
    public static (int Height, int Width, byte[] Rgb) Compose(IReadOnlyList<DepthSample> samples, int columns, double maxDepth = 10, bool showMask = false)
    {
        if (samples.Count == 0) throw new ArgumentException("contact sheet needs at least one sample");
        int h = samples[0].Height, w = samples[0].Width, panels = showMask ? 3 : 2, gap = 4;
        int rows = (samples.Count + columns - 1) / columns;
        int tileW = panels * w + (panels - 1) * 2, sheetW = columns * tileW + (columns + 1) * gap, sheetH = rows * h + (rows + 1) * gap;
        var sheet = new byte[sheetH * sheetW * 3];
        Array.Fill(sheet, (byte)255);
        for (int s = 0; s < samples.Count; s++)
        {
            var sample = samples[s];
            int ox = gap + (s % columns) * (tileW + gap), oy = gap + (s / columns) * (h + gap);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    int d = ((oy + y) * sheetW + ox + x) * 3;
                    sheet[d] = sample.Rgb[3 * i]; sheet[d + 1] = sample.Rgb[3 * i + 1]; sheet[d + 2] = sample.Rgb[3 * i + 2];
                    var (r, g, b) = sample.IsValid(i) ? Turbo(sample.Depth[i] / maxDepth) : ((byte)0, (byte)0, (byte)0);
                    d += (w + 2) * 3;
                    sheet[d] = r; sheet[d + 1] = g; sheet[d + 2] = b;
                    if (showMask)
                    {
                        d += (w + 2) * 3;
                        byte m = sample.IsValid(i) ? (byte)255 : (byte)0;
                        sheet[d] = m; sheet[d + 1] = m; sheet[d + 2] = m;
                    }
                }
        }
        return (sheetH, sheetW, sheet);
    }

    /// <summary>Google's Turbo colour map, polynomial fit (Mikhailov 2019); t in [0, 1], near = blue, far = red.</summary>
    public static (byte R, byte G, byte B) Turbo(double t)
    {
        t = DetMath.Clamp01(t);
        double r = 0.13572138 + t * (4.61539260 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
        double g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
        double b = 0.10667330 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
        static byte B(double v) => (byte)Math.Clamp((int)(v * 255 + 0.5), 0, 255);
        return (B(r), B(g), B(b));
    }
}
