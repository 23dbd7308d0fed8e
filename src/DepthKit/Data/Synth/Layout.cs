namespace DepthKit.Data.Synth;

/// <summary>
/// A local frame on the floor: origin (X, Z), turned by Yaw about the vertical. Furniture is built in local
/// coordinates (x across, y up from the floor, z toward the front) and placed with it.
/// </summary>
public sealed class Frame
{
    public double X { get; }
    public double Z { get; }
    public double Yaw { get; }
    readonly double _c, _s;

    public Frame(double x, double z, double yaw)
    {
        X = x; Z = z; Yaw = yaw; _c = DetMath.Cos(yaw); _s = DetMath.Sin(yaw);
    }

    public Vec3 P(double lx, double ly, double lz) => new(X + _c * lx + _s * lz, ly, Z - _s * lx + _c * lz);

    /// <summary>A box whose bottom is at height <paramref name="y0"/>, centred at (x, z) in this frame.</summary>
    public Box B(double x, double y0, double z, double sx, double sy, double sz, Material m) => new(P(x, y0 + sy / 2, z), new Vec3(sx, sy, sz), m, Yaw);

    /// <summary>An upright cylinder standing at height <paramref name="y0"/>.</summary>
    public Cylinder C(double x, double y0, double z, double radius, double height, Material m) => new(P(x, y0 + height / 2, z), radius, height, m);

    /// <summary>An ellipsoid; radii are swapped for frames turned sideways (ellipsoids stay axis-aligned).</summary>
    public Ellipsoid E(double x, double y, double z, double rx, double ry, double rz, Material m) =>
        Math.Abs(_s) > 0.7 ? new(P(x, y, z), new Vec3(rz, ry, rx), m) : new(P(x, y, z), new Vec3(rx, ry, rz), m);

    public Frame Offset(double lx, double lz, double extraYaw = 0) { var p = P(lx, 0, lz); return new Frame(p.X, p.Z, Yaw + extraYaw); }
}

/// <summary>A flat surface things can stand on (table top, counter, shelf board): a frame and its extent.</summary>
public sealed record Surface(Frame Frame, double Width, double Depth, double Height);

/// <summary>
/// Floor plan bookkeeping: which parts of the floor and of each wall are taken, so furniture does not overlap,
/// stays out of doorways and leaves the camera room to stand.
/// </summary>
public sealed class Layout(double width, double depth, double height, double cameraX, double cameraZ)
{
    public double Width { get; } = width;
    public double Depth { get; } = depth;
    public double Height { get; } = height;
    readonly List<(double X0, double Z0, double X1, double Z1)> _taken = [];
    readonly List<(RoomFace Wall, double H0, double H1, double Bottom)> _wallBlocks = [];
    public List<Surface> Surfaces { get; } = [];

    /// <summary>Marks a stretch of wall: nothing taller than <paramref name="bottom"/> may stand there (0 = nothing at all).</summary>
    public void BlockWall(RoomFace wall, double h0, double h1, double bottom) => _wallBlocks.Add((wall, h0, h1, bottom));

    public static double WallLength(RoomFace wall, double width, double depth) => wall is RoomFace.Left or RoomFace.Right ? depth : width;
    public double WallLength(RoomFace wall) => WallLength(wall, Width, Depth);

    /// <summary>The frame of something of the given depth standing against a wall, at position t along it.</summary>
    public Frame WallFrame(RoomFace wall, double t, double depth, double gap = 0.01) => wall switch
    {
        RoomFace.Back => new Frame(t, depth / 2 + gap, 0),
        RoomFace.Front => new Frame(t, Depth - depth / 2 - gap, DetMath.Pi),
        RoomFace.Left => new Frame(depth / 2 + gap, t, DetMath.Pi / 2),
        _ => new Frame(Width - depth / 2 - gap, t, -DetMath.Pi / 2),
    };

    static (double, double, double, double) Footprint(Frame f, double w, double d)
    {
        double x0 = double.MaxValue, z0 = double.MaxValue, x1 = double.MinValue, z1 = double.MinValue;
        foreach (var (sx, sz) in (ReadOnlySpan<(double, double)>)[(-1, -1), (1, -1), (-1, 1), (1, 1)])
        {
            var p = f.P(sx * w / 2, 0, sz * d / 2);
            x0 = Math.Min(x0, p.X); z0 = Math.Min(z0, p.Z); x1 = Math.Max(x1, p.X); z1 = Math.Max(z1, p.Z);
        }
        return (x0, z0, x1, z1);
    }

    public bool IsFree(Frame f, double w, double d, double margin = 0.05)
    {
        var (x0, z0, x1, z1) = Footprint(f, w, d);
        if (x0 < -1e-6 || z0 < -1e-6 || x1 > Width + 1e-6 || z1 > Depth + 1e-6) return false;
        // the camera stands here: keep 0.5 m clear around it
        double cx = Math.Clamp(cameraX, x0, x1), cz = Math.Clamp(cameraZ, z0, z1);
        if ((cx - cameraX) * (cx - cameraX) + (cz - cameraZ) * (cz - cameraZ) < 0.5 * 0.5) return false;
        foreach (var t in _taken)
            if (x0 < t.X1 + margin && x1 > t.X0 - margin && z0 < t.Z1 + margin && z1 > t.Z0 - margin) return false;
        return true;
    }

    public void Take(Frame f, double w, double d) => _taken.Add(Footprint(f, w, d));

    /// <summary>Finds a free spot against a wall (doors and windows respected); null if the room has none left.</summary>
    public Frame? PlaceAgainstWall(Rng rng, double w, double d, double h, RoomFace? only = null)
    {
        for (int attempt = 0; attempt < 14; attempt++)
        {
            // walls in front of and beside the camera are the ones it sees; the wall behind it gets few things
            var wall = only ?? (RoomFace)(2 + rng.Weighted(WallLength(RoomFace.Left), WallLength(RoomFace.Right), 0.3 * Width, 1.5 * Width));
            double length = WallLength(wall);
            if (length < w + 0.1) continue;
            double t = rng.Uniform(w / 2 + 0.05, length - w / 2 - 0.05);
            bool blocked = false;
            foreach (var b in _wallBlocks)
                if (b.Wall == wall && t + w / 2 > b.H0 - 0.05 && t - w / 2 < b.H1 + 0.05 && h > b.Bottom) blocked = true;
            if (blocked) continue;
            var frame = WallFrame(wall, t, d);
            if (!IsFree(frame, w, d)) continue;
            Take(frame, w, d);
            return frame;
        }
        return null;
    }

    /// <summary>Finds a free spot on the open floor; the yaw is random or square to the room.</summary>
    public Frame? PlaceFree(Rng rng, double w, double d, bool anyYaw, double wallMargin = 0.3)
    {
        for (int attempt = 0; attempt < 14; attempt++)
        {
            double m = Math.Max(w, d) / 2 + wallMargin;
            if (Width < 2 * m || Depth < 2 * m) return null;
            double yaw = anyYaw ? rng.Uniform(-DetMath.Pi, DetMath.Pi) : rng.Int(0, 4) * DetMath.Pi / 2 + rng.Normal(0, 0.05);
            var frame = new Frame(rng.Uniform(m, Width - m), rng.Uniform(m, Depth - m), yaw);
            if (!IsFree(frame, w, d)) continue;
            Take(frame, w, d);
            return frame;
        }
        return null;
    }

    /// <summary>Tries a specific spot (chairs around a table, a coffee table in front of a sofa).</summary>
    public bool TryTake(Frame f, double w, double d, double margin = 0.02)
    {
        if (!IsFree(f, w, d, margin)) return false;
        Take(f, w, d);
        return true;
    }
}
