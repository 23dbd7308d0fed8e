namespace DepthKit.Data.Synth;

/// <summary>
/// A 3-vector of doubles. Plain double arithmetic (no FMA, no SIMD) so a scene renders to the same bytes on any
/// x64/ARM64 machine: every operation here is an IEEE-754 correctly rounded add, multiply, divide or square root.
/// </summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    public static readonly Vec3 Zero = new(0, 0, 0);
    public static readonly Vec3 One = new(1, 1, 1);
    public static readonly Vec3 UnitY = new(0, 1, 0);

    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);
    public static Vec3 operator *(Vec3 a, double s) => new(a.X * s, a.Y * s, a.Z * s);
    public static Vec3 operator *(double s, Vec3 a) => new(a.X * s, a.Y * s, a.Z * s);
    /// <summary>Component-wise product (colour times colour).</summary>
    public static Vec3 operator *(Vec3 a, Vec3 b) => new(a.X * b.X, a.Y * b.Y, a.Z * b.Z);
    public static Vec3 operator /(Vec3 a, double s) => new(a.X / s, a.Y / s, a.Z / s);

    public double Dot(Vec3 b) => X * b.X + Y * b.Y + Z * b.Z;
    public Vec3 Cross(Vec3 b) => new(Y * b.Z - Z * b.Y, Z * b.X - X * b.Z, X * b.Y - Y * b.X);
    public double Length => Math.Sqrt(X * X + Y * Y + Z * Z);
    public Vec3 Normalized() { double l = Length; return l > 0 ? this / l : this; }
    public double Luminance => 0.2126 * X + 0.7152 * Y + 0.0722 * Z;
    public static Vec3 Lerp(Vec3 a, Vec3 b, double t) => a + (b - a) * t;
    public static Vec3 Min(Vec3 a, Vec3 b) => new(Math.Min(a.X, b.X), Math.Min(a.Y, b.Y), Math.Min(a.Z, b.Z));
    public static Vec3 Max(Vec3 a, Vec3 b) => new(Math.Max(a.X, b.X), Math.Max(a.Y, b.Y), Math.Max(a.Z, b.Z));
}

/// <summary>A ray o + t d. <see cref="Direction"/> is not normalised: the renderer uses d = (x', y', 1) in camera
/// coordinates so the hit parameter t is directly the depth along the optical axis.</summary>
public readonly struct Ray
{
    public readonly Vec3 Origin, Direction, InvDirection;

    public Ray(Vec3 origin, Vec3 direction)
    {
        Origin = origin;
        Direction = direction;
        InvDirection = new Vec3(1.0 / direction.X, 1.0 / direction.Y, 1.0 / direction.Z);
    }

    public Vec3 At(double t) => Origin + Direction * t;
}

/// <summary>Axis-aligned bounding box, used to skip whole pieces of furniture a ray misses.</summary>
public readonly record struct Aabb(Vec3 Min, Vec3 Max)
{
    public static Aabb Empty => new(new Vec3(double.MaxValue, double.MaxValue, double.MaxValue), new Vec3(double.MinValue, double.MinValue, double.MinValue));
    public Aabb Union(Aabb b) => new(Vec3.Min(Min, b.Min), Vec3.Max(Max, b.Max));

    /// <summary>Slab test: true if the ray enters the box before <paramref name="tMax"/>.</summary>
    public bool Hits(in Ray r, double tMax)
    {
        double t1 = (Min.X - r.Origin.X) * r.InvDirection.X, t2 = (Max.X - r.Origin.X) * r.InvDirection.X;
        double tNear = Math.Min(t1, t2), tFar = Math.Max(t1, t2);
        t1 = (Min.Y - r.Origin.Y) * r.InvDirection.Y; t2 = (Max.Y - r.Origin.Y) * r.InvDirection.Y;
        tNear = Math.Max(tNear, Math.Min(t1, t2)); tFar = Math.Min(tFar, Math.Max(t1, t2));
        t1 = (Min.Z - r.Origin.Z) * r.InvDirection.Z; t2 = (Max.Z - r.Origin.Z) * r.InvDirection.Z;
        tNear = Math.Max(tNear, Math.Min(t1, t2)); tFar = Math.Min(tFar, Math.Max(t1, t2));
        return tFar >= Math.Max(tNear, 0) && tNear < tMax;
    }
}
