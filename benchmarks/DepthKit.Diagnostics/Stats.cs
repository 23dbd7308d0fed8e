using System.Diagnostics;

namespace DepthKit.Diagnostics;

/// <summary>
/// Median and spread of repeated measurements. Quartiles use linear interpolation between order statistics
/// (numpy's default, "type 7"), so <c>[1, 2, 3, 4]</c> has median 2.5, Q1 1.75 and Q3 3.25.
/// </summary>
public sealed record Stats(double Median, double Min, double Max, double Q1, double Q3, int N)
{
    /// <summary>Interquartile range relative to the median: a noise figure (0.1 = the middle half spans 10%).</summary>
    public double RelativeIqr => Median == 0 ? 0 : (Q3 - Q1) / Math.Abs(Median);

    public static Stats Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).OrderBy(x => x).ToArray();
        if (v.Length == 0) throw new ArgumentException("no finite measurement to summarise");
        return new Stats(Quantile(v, 0.5), v[0], v[^1], Quantile(v, 0.25), Quantile(v, 0.75), v.Length);
    }

    /// <summary>Quantile q of sorted values: position q*(n-1), interpolated linearly.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Stats scaled by a positive factor (seconds to milliseconds, time per batch to time per image).</summary>
    public Stats Scaled(double factor) => new(Median * factor, Min * factor, Max * factor, Q1 * factor, Q3 * factor, N);

    /// <summary>The rate 1/x of each value (seconds per item to items per second): min and max swap.</summary>
    public Stats Inverse(double numerator = 1) => new(numerator / Median, numerator / Max, numerator / Min, numerator / Q3, numerator / Q1, N);
}

/// <summary>Wall-clock timing with warm-up, and paired (interleaved) timing for ratios on noisy machines.</summary>
public static class Timing
{
    /// <summary>Seconds of one call of <paramref name="action"/>.</summary>
    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Runs <paramref name="warmup"/> untimed calls, then times <paramref name="repeats"/> calls.</summary>
    public static double[] Repeat(Action action, int warmup, int repeats)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++) times[i] = Seconds(action);
        return times;
    }

    /// <summary>
    /// Times <paramref name="subject"/> and <paramref name="baseline"/> alternately (subject first on even rounds,
    /// baseline first on odd ones), so slow phases of a shared machine hit both; the ratio is taken per round.
    /// </summary>
    public static PairedTimes Paired(Action subject, Action baseline, int warmup, int rounds)
    {
        for (int i = 0; i < warmup; i++) { subject(); baseline(); }
        var s = new double[rounds];
        var b = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            if (i % 2 == 0) { s[i] = Seconds(subject); b[i] = Seconds(baseline); }
            else { b[i] = Seconds(baseline); s[i] = Seconds(subject); }
        }
        return new PairedTimes(s, b);
    }

    /// <summary>
    /// Times several arms per round, rotating the starting arm each round (round r runs arm r mod n first), after
    /// <paramref name="warmup"/> untimed calls of each. Returns seconds[arm][round].
    /// </summary>
    public static double[][] Rotated(IReadOnlyList<Action> arms, int warmup, int rounds)
    {
        for (int i = 0; i < warmup; i++) foreach (var a in arms) a();
        var times = arms.Select(_ => new double[rounds]).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < arms.Count; k++)
            {
                int arm = (r + k) % arms.Count;
                times[arm][r] = Seconds(arms[arm]);
            }
        return times;
    }
}

/// <summary>Per-round seconds of a subject and its baseline, measured alternately.</summary>
public sealed record PairedTimes(double[] Subject, double[] Baseline)
{
    /// <summary>subject / baseline per round.</summary>
    public double[] Ratios => [.. Subject.Zip(Baseline, (s, b) => s / b)];
}
