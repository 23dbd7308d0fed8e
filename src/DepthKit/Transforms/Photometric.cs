using DepthKit.Data;

namespace DepthKit.Transforms;

/// <summary>
/// Random brightness, contrast, saturation (factors uniform in [1-x, 1+x]) and hue (shift uniform in [-hue, hue]
/// of a full turn, applied as a rotation of the YIQ chroma plane), in that order. RGB only: depth is untouched.
/// </summary>
public sealed class ColorJitter(double brightness = 0.2, double contrast = 0.2, double saturation = 0.2, double hue = 0.0) : IPairedTransform
{
    public DepthSample Apply(DepthSample s, Random random)
    {
        double b = random.Uniform(1 - brightness, 1 + brightness);
        double c = random.Uniform(1 - contrast, 1 + contrast);
        double sat = random.Uniform(1 - saturation, 1 + saturation);
        double turn = random.Uniform(-hue, hue) * 2 * Math.PI;
        var rgb = s.Rgb;
        int n = s.Height * s.Width;
        double meanGray = 0;
        for (int i = 0; i < n; i++) meanGray += Gray(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
        meanGray = meanGray / n * b;
        float cosH = (float)Math.Cos(turn), sinH = (float)Math.Sin(turn);
        var result = new byte[rgb.Length];
        for (int i = 0; i < n; i++)
        {
            float r = (float)(rgb[3 * i] * b), g = (float)(rgb[3 * i + 1] * b), bl = (float)(rgb[3 * i + 2] * b);
            r = (float)((r - meanGray) * c + meanGray); g = (float)((g - meanGray) * c + meanGray); bl = (float)((bl - meanGray) * c + meanGray);
            float gray = Gray(r, g, bl);
            r = (float)((r - gray) * sat + gray); g = (float)((g - gray) * sat + gray); bl = (float)((bl - gray) * sat + gray);
            if (turn != 0)
            {
                float y = 0.299f * r + 0.587f * g + 0.114f * bl, ci = 0.596f * r - 0.274f * g - 0.322f * bl, cq = 0.211f * r - 0.523f * g + 0.312f * bl;
                float i2 = ci * cosH - cq * sinH, q2 = ci * sinH + cq * cosH;
                r = y + 0.956f * i2 + 0.621f * q2; g = y - 0.272f * i2 - 0.647f * q2; bl = y - 1.106f * i2 + 1.703f * q2;
            }
            result[3 * i] = ToByte(r); result[3 * i + 1] = ToByte(g); result[3 * i + 2] = ToByte(bl);
        }
        return s with { Rgb = result };
    }

    static float Gray(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;
    internal static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v, MidpointRounding.AwayFromZero), 0f, 255f);
    public override string ToString() => $"ColorJitter(b={brightness}, c={contrast}, s={saturation}, h={hue})";
}

/// <summary>
/// DenseDepth's channel swap: with probability <paramref name="probability"/> the RGB channels are permuted by
/// one of the five non-identity permutations (a cheap colour augmentation; depth untouched).
/// </summary>
public sealed class ChannelSwap(double probability = 0.25) : IPairedTransform
{
    static readonly int[][] Permutations = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    public DepthSample Apply(DepthSample s, Random random)
    {
        if (random.NextDouble() >= probability) return s;
        var p = Permutations[random.Next(Permutations.Length)];
        var rgb = new byte[s.Rgb.Length];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = s.Rgb[i + p[0]]; rgb[i + 1] = s.Rgb[i + p[1]]; rgb[i + 2] = s.Rgb[i + p[2]];
        }
        return s with { Rgb = rgb };
    }
    public override string ToString() => $"ChannelSwap(p={probability})";
}

/// <summary>out = 255 * (in / 255)^gamma with gamma uniform in [min, max] (BTS: 0.9..1.1). RGB only.</summary>
public sealed class RandomGamma(double min = 0.9, double max = 1.1) : IPairedTransform
{
    public DepthSample Apply(DepthSample s, Random random)
    {
        double gamma = random.Uniform(min, max);
        var table = new byte[256];
        for (int v = 0; v < 256; v++) table[v] = ColorJitter.ToByte((float)(255 * Math.Pow(v / 255.0, gamma)));
        var rgb = new byte[s.Rgb.Length];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = table[s.Rgb[i]];
        return s with { Rgb = rgb };
    }
    public override string ToString() => $"RandomGamma({min}..{max})";
}
