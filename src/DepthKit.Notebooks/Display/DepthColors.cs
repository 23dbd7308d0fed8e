namespace DepthKit.Notebooks.Display;

/// <summary>
/// Depth to colour for display: viridis from near (dark purple) to far (yellow), so near is dark as in the slides;
/// pixels without a measurement are black.
/// </summary>
public static class DepthColors
{
    // viridis sampled at 0, 1/8, ..., 1 (matplotlib); linear in between is visually indistinguishable at 8-bit
    static readonly byte[,] Anchors =
    {
        { 68, 1, 84 }, { 71, 44, 122 }, { 59, 81, 139 }, { 44, 113, 142 }, { 33, 144, 141 },
        { 39, 173, 129 }, { 92, 200, 99 }, { 170, 220, 50 }, { 253, 231, 37 },
    };

    /// <summary>The colour of <paramref name="t"/> in [0, 1] (clamped).</summary>
    public static (byte R, byte G, byte B) Viridis(double t)
    {
        if (double.IsNaN(t)) t = 0;
        t = Math.Clamp(t, 0, 1) * (Anchors.GetLength(0) - 1);
        int i = Math.Min((int)t, Anchors.GetLength(0) - 2);
        double f = t - i;
        byte C(int c) => (byte)Math.Round(Anchors[i, c] + f * (Anchors[i + 1, c] - Anchors[i, c]));
        return (C(0), C(1), C(2));
    }

    /// <summary>The range of the valid depths (metres), or (0, 1) when there is none.</summary>
    public static (float Min, float Max) ValidRange(ReadOnlySpan<float> depth)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var d in depth)
            if (Data.DepthSample.IsValidDepth(d)) { min = Math.Min(min, d); max = Math.Max(max, d); }
        return min > max ? (0f, 1f) : (min, max);
    }

    /// <summary>Row-major RGB bytes for a depth map shown over [min, max] metres.</summary>
    public static byte[] Colorize(ReadOnlySpan<float> depth, float min, float max)
    {
        var rgb = new byte[depth.Length * 3];
        double span = Math.Max(max - min, 1e-6);
        for (int i = 0; i < depth.Length; i++)
        {
            if (!Data.DepthSample.IsValidDepth(depth[i])) continue;
            var (r, g, b) = Viridis((depth[i] - min) / span);
            rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b;
        }
        return rgb;
    }

    /// <summary>A vertical colour bar (far at the top), <paramref name="height"/> x <paramref name="width"/> RGB.</summary>
    public static byte[] BarRgb(int height, int width)
    {
        var rgb = new byte[height * width * 3];
        for (int y = 0; y < height; y++)
        {
            var (r, g, b) = Viridis(1 - (double)y / Math.Max(height - 1, 1));
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3;
                rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
            }
        }
        return rgb;
    }
}
