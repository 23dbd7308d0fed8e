namespace DepthKit.Metrics;

/// <summary>
/// How much of a depth map's fine detail is a fixed periodic pattern (the checkerboard that strided
/// up-sampling leaves). With R = map - (p x p box mean of map), the high-pass residual, and P the mean of R over
/// the pixels of each phase (i mod p, j mod p), the score is sum(P tiled)^2 / sum R^2: 1 when the detail is
/// a pure period-p pattern, near 0 for smooth maps, edges and noise. A pattern of period 2 or 4 is also periodic
/// with period 8, so <c>period = 8</c> catches the grid of every up-sampling stage from /2 to /8.
/// </summary>
public static class GridArtefacts
{
    /// <summary>The periodic share of the high-pass energy of a row-major h x w map; a border of p pixels is ignored.</summary>
    public static double PeriodicEnergy(ReadOnlySpan<float> map, int height, int width, int period = 8) =>
        Measure(map, height, width, period).Share;

    /// <summary>
    /// Share: the periodic part of the high-pass energy (0..1). Amplitude: RMS of the periodic pattern over the mean
    /// of the map (0.01 = a pattern of 1% of the depth), which stays meaningful on a flat map with little detail.
    /// </summary>
    public static (double Share, double Amplitude) Measure(ReadOnlySpan<float> map, int height, int width, int period = 8)
    {
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), "period must be at least 2");
        if (map.Length != height * width) throw new ArgumentException($"map has {map.Length} values, expected {height}x{width}");
        if (height < 3 * period || width < 3 * period) throw new ArgumentException($"a {height}x{width} map is too small for period {period}");
        var smooth = BoxMean(map, height, width, period);
        var phaseSum = new double[period * period];
        var phaseCount = new int[period * period];
        double sum = 0, sumSq = 0, level = 0;
        int n = 0;
        for (int i = period; i < height - period; i++)
            for (int j = period; j < width - period; j++)
            {
                double r = map[i * width + j] - smooth[i * width + j];
                int k = (i % period) * period + j % period;
                phaseSum[k] += r;
                phaseCount[k]++;
                sum += r;
                sumSq += r * r;
                level += map[i * width + j];
                n++;
            }
        // a constant offset of the residual (the window is not centred on even periods) is not a pattern
        double mean = sum / n, total = sumSq - n * mean * mean;
        double periodic = 0;
        for (int k = 0; k < phaseSum.Length; k++)
        {
            double phaseMean = phaseSum[k] / phaseCount[k] - mean;
            periodic += phaseCount[k] * phaseMean * phaseMean;
        }
        // detail below a millionth of the depth is float32 rounding: no share to speak of
        double floor = n * Math.Pow(1e-6 * level / n, 2);
        double share = total <= floor ? 0 : Math.Min(1, periodic / total);
        double amplitude = Math.Abs(level) < 1e-20 ? 0 : Math.Sqrt(periodic / n) / Math.Abs(level / n);
        return (share, amplitude);
    }

    /// <summary>Mean over the p x p window starting p/2 before each pixel (clamped at the edges); any period-p pattern averages out.</summary>
    static double[] BoxMean(ReadOnlySpan<float> map, int height, int width, int p)
    {
        var rows = new double[height * width];
        int before = p / 2;
        for (int i = 0; i < height; i++)
            for (int j = 0; j < width; j++)
            {
                double s = 0;
                for (int t = 0; t < p; t++) s += map[i * width + Math.Clamp(j - before + t, 0, width - 1)];
                rows[i * width + j] = s / p;
            }
        var result = new double[height * width];
        for (int i = 0; i < height; i++)
            for (int j = 0; j < width; j++)
            {
                double s = 0;
                for (int t = 0; t < p; t++) s += rows[Math.Clamp(i - before + t, 0, height - 1) * width + j];
                result[i * width + j] = s / p;
            }
        return result;
    }
}
