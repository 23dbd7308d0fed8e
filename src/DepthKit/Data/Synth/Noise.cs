namespace DepthKit.Data.Synth;

/// <summary>Value noise on an integer lattice with smooth interpolation, and its fractal sum. Stateless and
/// deterministic: the lattice values come from <see cref="Hash"/>.</summary>
public static class Noise
{
    static double Lattice(ulong seed, long x, long y, long z) => Hash.Unit(seed, (ulong)x * 0x1F1F1F1FUL ^ (ulong)y, (ulong)z);

    static double Fade(double t) => t * t * (3 - 2 * t);

    /// <summary>Value noise in [0, 1] over the plane (four lattice values).</summary>
    public static double Value(ulong seed, double x, double y)
    {
        double fx = Math.Floor(x), fy = Math.Floor(y);
        long ix = (long)fx, iy = (long)fy;
        double tx = Fade(x - fx), ty = Fade(y - fy);
        double a = Lerp(Lattice(seed, ix, iy, 0), Lattice(seed, ix + 1, iy, 0), tx);
        double b = Lerp(Lattice(seed, ix, iy + 1, 0), Lattice(seed, ix + 1, iy + 1, 0), tx);
        return Lerp(a, b, ty);
    }

    /// <summary>Value noise in [0, 1] in space (eight lattice values).</summary>
    public static double Value(ulong seed, double x, double y, double z)
    {
        double fx = Math.Floor(x), fy = Math.Floor(y), fz = Math.Floor(z);
        long ix = (long)fx, iy = (long)fy, iz = (long)fz;
        double tx = Fade(x - fx), ty = Fade(y - fy), tz = Fade(z - fz);
        double Row(long yy, long zz) => Lerp(Lattice(seed, ix, yy, zz), Lattice(seed, ix + 1, yy, zz), tx);
        double Plane(long zz) => Lerp(Row(iy, zz), Row(iy + 1, zz), ty);
        return Lerp(Plane(iz), Plane(iz + 1), tz);
    }

    /// <summary>Fractal value noise in about [0, 1]: octaves at doubling frequency and halving amplitude.</summary>
    public static double Fbm(ulong seed, double x, double y, double z = 0, int octaves = 4)
    {
        double sum = 0, amplitude = 0.5, norm = 0;
        for (int o = 0; o < octaves; o++)
        {
            sum += amplitude * (z == 0 ? Value(seed + (ulong)o, x, y) : Value(seed + (ulong)o, x, y, z));
            norm += amplitude;
            amplitude *= 0.5; x *= 2.03; y *= 2.03; z *= 2.03;
        }
        return sum / norm;
    }

    static double Lerp(double a, double b, double t) => a + (b - a) * t;
}
