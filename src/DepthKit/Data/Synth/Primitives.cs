namespace DepthKit.Data.Synth;

/// <summary>The nearest surface found so far along a ray.</summary>
public struct Hit
{
    /// <summary>Ray parameter; with the renderer's rays this is the depth z along the optical axis.</summary>
    public double T;
    /// <summary>World normal, unit length, facing the ray origin.</summary>
    public Vec3 Normal;
    /// <summary>Hit point and normal in the object's own frame, for texturing.</summary>
    public Vec3 LocalPoint, LocalNormal;
    public Material? Material;

    public static Hit None => new() { T = double.PositiveInfinity };
    public readonly bool Found => Material is not null;
}

/// <summary>
/// A shape with an analytic ray intersection. <see cref="Intersect"/> updates the hit only when it
/// finds a surface nearer than hit.T (and farther than <see cref="Epsilon"/>), so a scene keeps the nearest one.
/// </summary>
public abstract class Primitive(Material material)
{
    /// <summary>Minimum ray parameter: stops shadow rays hitting the surface they start on.</summary>
    public const double Epsilon = 1e-6;
    public Material Material { get; } = material;
    public abstract Aabb Bounds { get; }
    public abstract bool Intersect(in Ray ray, ref Hit hit);

    protected static Vec3 FaceRay(Vec3 normal, Vec3 direction) => normal.Dot(direction) > 0 ? -normal : normal;
}

/// <summary>A box rotated by a yaw angle (radians) about the vertical axis (furniture stands upright).</summary>
public sealed class Box : Primitive
{
    public Vec3 Center { get; }
    public Vec3 Half { get; }
    readonly double _cos, _sin;

    public Box(Vec3 center, Vec3 size, Material material, double yaw = 0) : base(material)
    {
        Center = center; Half = size * 0.5; _cos = DetMath.Cos(yaw); _sin = DetMath.Sin(yaw);
        double ex = Math.Abs(_cos) * Half.X + Math.Abs(_sin) * Half.Z, ez = Math.Abs(_sin) * Half.X + Math.Abs(_cos) * Half.Z;
        Bounds = new Aabb(center - new Vec3(ex, Half.Y, ez), center + new Vec3(ex, Half.Y, ez));
    }

    public static Box FromMinMax(Vec3 min, Vec3 max, Material material) => new((min + max) * 0.5, max - min, material);

    public override Aabb Bounds { get; }

    // world -> local is a rotation by -yaw about y
    Vec3 ToLocal(Vec3 d) => new(_cos * d.X - _sin * d.Z, d.Y, _sin * d.X + _cos * d.Z);
    Vec3 ToWorld(Vec3 d) => new(_cos * d.X + _sin * d.Z, d.Y, -_sin * d.X + _cos * d.Z);

    public override bool Intersect(in Ray ray, ref Hit hit)
    {
        var o = ToLocal(ray.Origin - Center);
        var d = ToLocal(ray.Direction);
        double tNear = double.NegativeInfinity, tFar = double.PositiveInfinity;
        int axis = 0; double sign = 1;
        for (int a = 0; a < 3; a++)
        {
            double oa = a == 0 ? o.X : a == 1 ? o.Y : o.Z, da = a == 0 ? d.X : a == 1 ? d.Y : d.Z, h = a == 0 ? Half.X : a == 1 ? Half.Y : Half.Z;
            if (da == 0) { if (oa < -h || oa > h) return false; continue; }
            double t1 = (-h - oa) / da, t2 = (h - oa) / da;
            double s = -1;
            if (t1 > t2) { (t1, t2) = (t2, t1); s = 1; }
            if (t1 > tNear) { tNear = t1; axis = a; sign = s; }
            if (t2 < tFar) tFar = t2;
            if (tNear > tFar) return false;
        }
        if (tNear <= Epsilon || tNear >= hit.T) return false; // solid: a ray starting inside sees nothing of it
        var localNormal = axis == 0 ? new Vec3(sign, 0, 0) : axis == 1 ? new Vec3(0, sign, 0) : new Vec3(0, 0, sign);
        hit.T = tNear;
        hit.LocalPoint = o + d * tNear;
        hit.LocalNormal = localNormal;
        hit.Normal = ToWorld(localNormal);
        hit.Material = Material;
        return true;
    }
}

/// <summary>An upright (y-axis) cylinder with flat caps: table legs, pots, lamp bases, cups, stools.</summary>
public sealed class Cylinder(Vec3 center, double radius, double height, Material material) : Primitive(material)
{
    public Vec3 Center { get; } = center;
    public double Radius { get; } = radius;
    public double HalfHeight { get; } = height / 2;
    public override Aabb Bounds { get; } = new(center - new Vec3(radius, height / 2, radius), center + new Vec3(radius, height / 2, radius));

    public override bool Intersect(in Ray ray, ref Hit hit)
    {
        var o = ray.Origin - Center;
        var d = ray.Direction;
        bool found = false;
        double a = d.X * d.X + d.Z * d.Z;
        if (a > 0)
        {
            double b = o.X * d.X + o.Z * d.Z, c = o.X * o.X + o.Z * o.Z - Radius * Radius;
            double disc = b * b - a * c;
            if (disc >= 0)
            {
                double t = (-b - Math.Sqrt(disc)) / a; // outer wall, seen from outside
                if (t > Epsilon && t < hit.T)
                {
                    var p = o + d * t;
                    if (p.Y >= -HalfHeight && p.Y <= HalfHeight)
                    {
                        var n = new Vec3(p.X / Radius, 0, p.Z / Radius);
                        hit.T = t; hit.LocalPoint = new Vec3(p.X, p.Y, p.Z); hit.LocalNormal = n; hit.Normal = n; hit.Material = Material;
                        found = true;
                    }
                }
            }
        }
        if (d.Y != 0)
        {
            foreach (double capY in (ReadOnlySpan<double>)[HalfHeight, -HalfHeight])
            {
                double t = (capY - o.Y) / d.Y;
                if (t <= Epsilon || t >= hit.T) continue;
                var p = o + d * t;
                if (p.X * p.X + p.Z * p.Z > Radius * Radius) continue;
                var n = FaceRay(new Vec3(0, Math.Sign(capY), 0), d);
                hit.T = t; hit.LocalPoint = p; hit.LocalNormal = n; hit.Normal = n; hit.Material = Material;
                found = true;
            }
        }
        return found;
    }
}

/// <summary>An axis-aligned ellipsoid; a sphere when the three radii are equal (balls, lamp globes, pillows, foliage).</summary>
public sealed class Ellipsoid(Vec3 center, Vec3 radii, Material material) : Primitive(material)
{
    public Vec3 Center { get; } = center;
    public Vec3 Radii { get; } = radii;
    public override Aabb Bounds { get; } = new(center - radii, center + radii);

    public static Ellipsoid Sphere(Vec3 center, double radius, Material material) => new(center, new Vec3(radius, radius, radius), material);

    public override bool Intersect(in Ray ray, ref Hit hit)
    {
        // scale space so the ellipsoid is the unit sphere; the ray parameter t is unchanged by the scaling
        var o = new Vec3((ray.Origin.X - Center.X) / Radii.X, (ray.Origin.Y - Center.Y) / Radii.Y, (ray.Origin.Z - Center.Z) / Radii.Z);
        var d = new Vec3(ray.Direction.X / Radii.X, ray.Direction.Y / Radii.Y, ray.Direction.Z / Radii.Z);
        double a = d.Dot(d), b = o.Dot(d), c = o.Dot(o) - 1;
        double disc = b * b - a * c;
        if (disc < 0) return false;
        double root = Math.Sqrt(disc);
        double t = (-b - root) / a;
        if (t <= Epsilon) return false; // solid: nothing seen from inside
        if (t >= hit.T) return false;
        var unit = o + d * t;
        hit.T = t;
        hit.LocalPoint = new Vec3(unit.X * Radii.X, unit.Y * Radii.Y, unit.Z * Radii.Z);
        hit.LocalNormal = unit;
        hit.Normal = new Vec3(unit.X / Radii.X, unit.Y / Radii.Y, unit.Z / Radii.Z).Normalized();
        hit.Material = Material;
        return true;
    }
}

/// <summary>An infinite plane n.p = offset, seen from both sides (used by tests and as a distant backdrop).</summary>
public sealed class Plane(Vec3 normal, double offset, Material material) : Primitive(material)
{
    public Vec3 Normal { get; } = normal.Normalized();
    public double Offset { get; } = offset;
    public override Aabb Bounds => new(new Vec3(-1e9, -1e9, -1e9), new Vec3(1e9, 1e9, 1e9));

    public override bool Intersect(in Ray ray, ref Hit hit)
    {
        double denom = Normal.Dot(ray.Direction);
        if (denom == 0) return false;
        double t = (Offset - Normal.Dot(ray.Origin)) / denom;
        if (t <= Epsilon || t >= hit.T) return false;
        var p = ray.At(t);
        hit.T = t; hit.LocalPoint = p; hit.LocalNormal = Normal; hit.Normal = FaceRay(Normal, ray.Direction); hit.Material = Material;
        return true;
    }
}

/// <summary>A rectangular hole in one face of a <see cref="RoomShell"/> (a door or window opening), in the face's
/// (horizontal, vertical) coordinates: for x-walls horizontal is z, for z-walls it is x; vertical is y.</summary>
public readonly record struct Opening(RoomFace Face, double H0, double H1, double V0, double V1);

public enum RoomFace { Floor, Ceiling, Left, Right, Back, Front }

/// <summary>
/// The inside of an axis-aligned box: the camera stands inside and sees the far side (floor, ceiling, walls), so
/// the hit is where the ray leaves the box. Openings let rays pass through to whatever is behind (a corridor,
/// the view out of a window). Left/Right are x = min/max, Back/Front are z = min/max.
/// </summary>
public sealed class RoomShell : Primitive
{
    public Vec3 Min { get; }
    public Vec3 Max { get; }
    readonly Material[] _faces;
    readonly List<Opening> _openings = [];

    public RoomShell(Vec3 min, Vec3 max, Material floor, Material ceiling, Material walls) : this(min, max, [floor, ceiling, walls, walls, walls, walls]) { }

    public RoomShell(Vec3 min, Vec3 max, Material[] faces) : base(faces[0])
    {
        Min = min; Max = max; _faces = faces;
        Bounds = new Aabb(min, max);
    }

    public override Aabb Bounds { get; }
    public IReadOnlyList<Opening> Openings => _openings;
    public void AddOpening(Opening o) => _openings.Add(o);
    public Material FaceMaterial(RoomFace f) => _faces[(int)f];

    public override bool Intersect(in Ray ray, ref Hit hit)
    {
        double tx = ray.Direction.X > 0 ? (Max.X - ray.Origin.X) * ray.InvDirection.X : ray.Direction.X < 0 ? (Min.X - ray.Origin.X) * ray.InvDirection.X : double.PositiveInfinity;
        double ty = ray.Direction.Y > 0 ? (Max.Y - ray.Origin.Y) * ray.InvDirection.Y : ray.Direction.Y < 0 ? (Min.Y - ray.Origin.Y) * ray.InvDirection.Y : double.PositiveInfinity;
        double tz = ray.Direction.Z > 0 ? (Max.Z - ray.Origin.Z) * ray.InvDirection.Z : ray.Direction.Z < 0 ? (Min.Z - ray.Origin.Z) * ray.InvDirection.Z : double.PositiveInfinity;
        double t = Math.Min(tx, Math.Min(ty, tz));
        if (t <= Epsilon || t >= hit.T || double.IsInfinity(t)) return false;
        var p = ray.At(t);
        RoomFace face; Vec3 n;
        if (t == ty) { face = ray.Direction.Y > 0 ? RoomFace.Ceiling : RoomFace.Floor; n = new Vec3(0, ray.Direction.Y > 0 ? -1 : 1, 0); }
        else if (t == tx) { face = ray.Direction.X > 0 ? RoomFace.Right : RoomFace.Left; n = new Vec3(ray.Direction.X > 0 ? -1 : 1, 0, 0); }
        else { face = ray.Direction.Z > 0 ? RoomFace.Front : RoomFace.Back; n = new Vec3(0, 0, ray.Direction.Z > 0 ? -1 : 1); }
        foreach (var o in _openings)
        {
            if (o.Face != face) continue;
            double h = face is RoomFace.Left or RoomFace.Right ? p.Z : p.X;
            if (h > o.H0 && h < o.H1 && p.Y > o.V0 && p.Y < o.V1) return false;
        }
        hit.T = t; hit.LocalPoint = p; hit.LocalNormal = n; hit.Normal = n; hit.Material = _faces[(int)face];
        return true;
    }
}
