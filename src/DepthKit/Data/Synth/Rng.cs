namespace DepthKit.Data.Synth;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator written out here so a seed means the same numbers
/// forever. System.Random is not used because its algorithm is allowed to change between .NET versions.
/// A scene is drawn from <c>Rng.For(seed, sceneIndex, stream)</c>, so sample i depends only on (seed, i).
/// </summary>
public sealed class Rng(ulong state)
{
    ulong _state = state;

    /// <summary>Separate streams for the scene, the camera effects and the depth sensor, so switching sensor noise on
    /// changes nothing in the RGB image or the layout.</summary>
    public static Rng For(long seed, long sceneIndex, ulong stream = 0) => new(Hash.Mix((ulong)seed, (ulong)sceneIndex, stream));

    public ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();
    /// <summary>Uniform integer in [lo, hi).</summary>
    public int Int(int lo, int hi) => lo + (int)((NextULong() >> 33) % (ulong)(hi - lo));
    public bool Chance(double p) => NextDouble() < p;
    /// <summary>Approximately normal (Irwin-Hall sum of four uniforms): no transcendental functions needed.</summary>
    public double Normal(double mean, double sd) => mean + sd * ((NextDouble() + NextDouble() + NextDouble() + NextDouble() - 2.0) * 1.7320508075688772);
    public T Pick<T>(IReadOnlyList<T> items) => items[Int(0, items.Count)];
    public ulong Fork() => NextULong();

    /// <summary>Picks an index with probability proportional to its weight.</summary>
    public int Weighted(params double[] weights)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        double r = NextDouble() * total;
        for (int i = 0; i < weights.Length; i++) { r -= weights[i]; if (r < 0) return i; }
        return weights.Length - 1;
    }
}

/// <summary>Integer hashing for per-pixel randomness and lattice noise (stateless, so pixels can render in any order).</summary>
public static class Hash
{
    public static ulong Mix(ulong a, ulong b = 0, ulong c = 0)
    {
        ulong h = a * 0x9E3779B97F4A7C15UL ^ (b + 0x632BE59BD9B4E019UL) * 0xC2B2AE3D27D4EB4FUL ^ (c + 0x165667B19E3779F9UL) * 0xD6E8FEB86659FD93UL;
        h ^= h >> 32; h *= 0xD6E8FEB86659FD93UL;
        h ^= h >> 32; h *= 0xD6E8FEB86659FD93UL;
        return h ^ (h >> 32);
    }

    /// <summary>Uniform in [0, 1) from a hash of the arguments.</summary>
    public static double Unit(ulong a, ulong b = 0, ulong c = 0) => (Mix(a, b, c) >> 11) * (1.0 / (1UL << 53));
}
