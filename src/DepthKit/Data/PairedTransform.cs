namespace DepthKit.Data;

/// <summary>
/// A transform of an RGB-D pair that keeps RGB and depth aligned: every geometric change moves both, every
/// photometric change touches RGB only. Randomness comes only from the Random passed to Apply, so a pipeline is
/// deterministic given the Random it is handed (the DataLoader seeds one per (seed, epoch, index)).
/// </summary>
public interface IPairedTransform
{
    DepthSample Apply(DepthSample sample, Random random);
}

/// <summary>Seeds one Random per sample so augmentation depends on (seed, epoch, index) only, not on threads.</summary>
public static class AugmentationRandom
{
    public static Random For(int seed, int epoch, int index)
    {
        // SplitMix64 over the three numbers: nearby (seed, epoch, index) give unrelated streams
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)index * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z & 0x7FFFFFFF)); // seeded System.Random is the same on every run and platform
    }

    /// <summary>Uniform in [lo, hi).</summary>
    public static double Uniform(this Random random, double lo, double hi) => lo + (hi - lo) * random.NextDouble();
}
