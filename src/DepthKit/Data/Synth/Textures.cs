namespace DepthKit.Data.Synth;

/// <summary>
/// Procedural surface patterns, evaluated at a hit point in the object's own coordinates (metres), so a pattern
/// has a physical size and its frequency in the image is not a clean function of depth. Each pattern is a short
/// function of (u, v), the two coordinates across the face.
/// </summary>
public static class Textures
{
    public static Vec3 Albedo(Material m, Vec3 p, Vec3 n)
    {
        var (u, v) = FaceCoordinates(p, n);
        return m.Kind switch
        {
            TextureKind.Flat => m.ColorA,
            TextureKind.Paint => Paint(m, u, v),
            TextureKind.WoodPlanks => WoodPlanks(m, u, v),
            TextureKind.Wood => Wood(m, u, v),
            TextureKind.Tiles => Tiles(m, u, v),
            TextureKind.Carpet => Carpet(m, u, v),
            TextureKind.Fabric => Fabric(m, u, v),
            TextureKind.Poster => Poster(m, u, v),
            TextureKind.Exterior => Exterior(m, u, v),
            TextureKind.Screen => Screen(m, u, v),
            TextureKind.CeilingTiles => CeilingTiles(m, u, v),
            TextureKind.Marble => Marble(m, u, v),
            TextureKind.Metal => m.ColorA * (0.9 + 0.2 * Noise.Value(m.Seed, u * 3, v * 90)),
            TextureKind.Leaves => Leaves(m, p),
            TextureKind.Blinds => DetMath.Frac(v / m.Scale) < 0.82 ? m.ColorA * (0.85 + 0.15 * DetMath.Frac(v / m.Scale)) : m.ColorB,
            _ => m.ColorA,
        };
    }

    /// <summary>The two coordinates across a face: floor-like faces use (x, z), walls use (horizontal, y).</summary>
    static (double U, double V) FaceCoordinates(Vec3 p, Vec3 n)
    {
        double ax = Math.Abs(n.X), ay = Math.Abs(n.Y), az = Math.Abs(n.Z);
        if (ay >= ax && ay >= az) return (p.X, p.Z);
        return ax >= az ? (p.Z, p.Y) : (p.X, p.Y);
    }

    static Vec3 Paint(Material m, double u, double v) =>
        m.ColorA * (0.95 + 0.07 * Noise.Fbm(m.Seed, u * 1.3, v * 1.3, 0, 3) + 0.03 * Noise.Value(m.Seed + 9, u * 60, v * 60));

    static Vec3 WoodPlanks(Material m, double u, double v)
    {
        double w = m.Scale, length = m.Scale2;
        double row = Math.Floor(v / w);
        double shifted = u + Hash.Unit(m.Seed, (ulong)(long)row) * length;
        double col = Math.Floor(shifted / length);
        ulong plank = Hash.Mix(m.Seed, (ulong)(long)row, (ulong)(long)col);
        var tint = Vec3.Lerp(m.ColorA, m.ColorB, Hash.Unit(plank));
        double across = v - row * w, along = shifted - col * length;
        double grain = 0.82 + 0.3 * Noise.Fbm(plank, along * 1.2, across * 28, 0, 3);
        double gap = across < 0.004 || along < 0.006 ? 0.45 : 1.0;
        return tint * (grain * gap);
    }

    static Vec3 Wood(Material m, double u, double v)
    {
        double rings = Noise.Fbm(m.Seed, u * 0.8, v * 14, 0, 3) * 9;
        double t = 0.5 + 0.5 * DetMath.Sin(rings * 2 * DetMath.Pi);
        return Vec3.Lerp(m.ColorA, m.ColorB, 0.25 + 0.5 * t) * (0.92 + 0.16 * Noise.Value(m.Seed + 3, u * 40, v * 3));
    }

    static Vec3 Tiles(Material m, double u, double v)
    {
        double s = m.Scale, iu = Math.Floor(u / s), iv = Math.Floor(v / s);
        double fu = u - iu * s, fv = v - iv * s, grout = 0.004 + 0.01 * s;
        if (fu < grout || fv < grout) return m.ColorB;
        double tint = 0.9 + 0.18 * Hash.Unit(m.Seed, (ulong)(long)iu, (ulong)(long)iv);
        return m.ColorA * (tint * (0.96 + 0.06 * Noise.Fbm(m.Seed + 1, u * 4, v * 4, 0, 3)));
    }

    static Vec3 Carpet(Material m, double u, double v)
    {
        double fine = 0.78 + 0.3 * Noise.Value(m.Seed, u * 120, v * 120);
        double mottle = Noise.Fbm(m.Seed + 5, u * 1.5, v * 1.5, 0, 3);
        return Vec3.Lerp(m.ColorA, m.ColorB, DetMath.SmoothStep(0.3, 0.75, mottle)) * fine;
    }

    static Vec3 Fabric(Material m, double u, double v)
    {
        double weave = 0.86 + 0.22 * Noise.Value(m.Seed, u * 90, v * 90);
        double folds = Noise.Fbm(m.Seed + 2, u * 3, v * 3, 0, 2);
        return Vec3.Lerp(m.ColorA, m.ColorB, folds * 0.6) * weave;
    }

    static Vec3 Marble(Material m, double u, double v)
    {
        double warp = Noise.Fbm(m.Seed, u * 2, v * 2, 0, 4);
        double vein = Math.Abs(DetMath.Sin((u * 3 + v * 2 + warp * 6) * DetMath.Pi));
        return Vec3.Lerp(m.ColorB, m.ColorA, DetMath.SmoothStep(0.0, 0.25, vein));
    }

    static Vec3 CeilingTiles(Material m, double u, double v)
    {
        double s = m.Scale, fu = DetMath.Frac(u / s) * s, fv = DetMath.Frac(v / s) * s;
        if (fu < 0.015 || fv < 0.015) return m.ColorB;
        return m.ColorA * (0.9 + 0.12 * Noise.Value(m.Seed, u * 150, v * 150));
    }

    static Vec3 Leaves(Material m, Vec3 p)
    {
        double n = Noise.Fbm(m.Seed, p.X * 18, p.Y * 18, p.Z * 18, 3);
        return Vec3.Lerp(m.ColorB, m.ColorA, DetMath.SmoothStep(0.3, 0.7, n)) * (0.6 + 0.6 * Noise.Value(m.Seed + 4, p.X * 40, p.Y * 40, p.Z * 40));
    }

    /// <summary>Posters, pictures, whiteboards and calendars: a frame and a composition drawn from the seed.
    /// u, v are centred on the poster; Scale x Scale2 is its width x height.</summary>
    static Vec3 Poster(Material m, double u, double v)
    {
        double w = m.Scale, h = m.Scale2, x = u / w + 0.5, y = v / h + 0.5; // 0..1 across the poster
        double border = 0.025 / Math.Min(w, h);
        if (x < border || x > 1 - border || y < border || y > 1 - border) return m.ColorB;
        ulong s = m.Seed;
        int style = (int)(Hash.Mix(s, 1) % 4);
        var c1 = Palette(s, 2); var c2 = Palette(s, 3); var c3 = Palette(s, 4);
        switch (style)
        {
            case 0: // landscape photo: sky, horizon, ground with texture
                double horizon = 0.3 + 0.4 * Hash.Unit(s, 5) + 0.12 * (Noise.Fbm(s, x * 4, 0, 0, 3) - 0.5);
                return y > horizon
                    ? Vec3.Lerp(c1 * 0.6 + new Vec3(0.3, 0.4, 0.6), new Vec3(0.7, 0.75, 0.8), (y - horizon) / (1 - horizon))
                    : c2 * (0.4 + 0.8 * Noise.Fbm(s + 1, x * 9, y * 9, 0, 4));
            case 1: // abstract shapes
                double dx = x - Hash.Unit(s, 6), dy = y - Hash.Unit(s, 7), r = 0.15 + 0.25 * Hash.Unit(s, 8);
                if (dx * dx + dy * dy < r * r) return c2;
                return DetMath.Frac(x * (2 + 6 * Hash.Unit(s, 9)) + y * 2 * Hash.Unit(s, 10)) < 0.5 ? c1 : c3;
            case 2: // document or whiteboard: light page with lines of dark marks
                var page = new Vec3(0.75, 0.75, 0.72);
                double line = DetMath.Frac(y * 14);
                if (x > 0.08 && x < 0.92 && y < 0.88 && line < 0.4 && Noise.Value(s, x * 30, Math.Floor(y * 14)) > 0.35) return c3 * 0.3;
                return page;
            default: // painting: blended colour fields
                double t = Noise.Fbm(s, x * 3, y * 3, 0, 4);
                return Vec3.Lerp(Vec3.Lerp(c1, c2, DetMath.SmoothStep(0.35, 0.55, t)), c3, DetMath.SmoothStep(0.55, 0.7, t));
        }
    }

    static Vec3 Palette(ulong seed, ulong k) =>
        new(0.03 + 0.8 * Hash.Unit(seed, k, 1) * Hash.Unit(seed, k, 1), 0.03 + 0.8 * Hash.Unit(seed, k, 2) * Hash.Unit(seed, k, 2), 0.03 + 0.8 * Hash.Unit(seed, k, 3) * Hash.Unit(seed, k, 3));

    /// <summary>The view out of a window: sky, a skyline of buildings with lit windows, trees. v is height in metres
    /// above the window's bottom edge plane, u runs along the wall.</summary>
    static Vec3 Exterior(Material m, double u, double v)
    {
        ulong s = m.Seed;
        double day = Hash.Unit(s, 1);
        var skyLow = Vec3.Lerp(new Vec3(0.55, 0.62, 0.75), new Vec3(0.9, 0.9, 0.88), day);
        var skyHigh = Vec3.Lerp(new Vec3(0.25, 0.4, 0.75), new Vec3(0.75, 0.8, 0.9), day);
        double buildingWidth = m.Scale;
        double b = Math.Floor(u / buildingWidth);
        double top = m.Scale2 * (0.2 + 0.9 * Hash.Unit(s, (ulong)(long)b, 3));
        double treeTop = m.Scale2 * 0.3 * Noise.Fbm(s + 7, u * 0.8, 0, 0, 3) + m.Scale2 * 0.1;
        if (v < treeTop)
            return Vec3.Lerp(new Vec3(0.04, 0.08, 0.03), new Vec3(0.15, 0.25, 0.08), Noise.Fbm(s + 8, u * 5, v * 5, 0, 3));
        if (v < top)
        {
            var wall = Vec3.Lerp(new Vec3(0.35, 0.33, 0.3), new Vec3(0.7, 0.68, 0.62), Hash.Unit(s, (ulong)(long)b, 4));
            double wx = DetMath.Frac(u / 1.5), wy = DetMath.Frac(v / 1.5);
            return wx > 0.3 && wx < 0.7 && wy > 0.35 && wy < 0.75 ? wall * 0.35 : wall;
        }
        return Vec3.Lerp(skyLow, skyHigh, DetMath.Clamp01((v - top) / (m.Scale2 * 1.5))) * (0.9 + 0.2 * Noise.Fbm(s + 9, u * 0.3, v * 0.6, 0, 3));
    }

    static Vec3 Screen(Material m, double u, double v)
    {
        if (m.Emission.X <= 0) return m.ColorA * (0.9 + 0.2 * Noise.Value(m.Seed, u * 4, v * 4)); // off: dark, a faint reflection
        double x = DetMath.Frac(u / m.Scale + 0.5), y = DetMath.Frac(v / m.Scale2 + 0.5);
        return Vec3.Lerp(m.ColorA, m.ColorB, Noise.Fbm(m.Seed, x * 4, y * 4, 0, 3)) * (y > 0.9 ? 0.5 : 1.0);
    }
}
