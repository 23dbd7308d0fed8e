namespace DepthKit.Data.Synth;

/// <summary>Materials drawn at random from real-world colour ranges (paints, woods, fabrics, floors).</summary>
public sealed class Palette(Rng rng)
{
    readonly Rng _rng = rng;

    Vec3 Jitter(double r, double g, double b, double amount = 12) =>
        Material.Srgb(Math.Clamp(r + _rng.Normal(0, amount), 0, 255), Math.Clamp(g + _rng.Normal(0, amount), 0, 255), Math.Clamp(b + _rng.Normal(0, amount), 0, 255));

    public Material WallPaint()
    {
        (double r, double g, double b)[] paints =
        [
            (236, 233, 224), (242, 240, 235), (225, 218, 200), (214, 208, 196), (200, 200, 198), (222, 214, 190),
            (196, 210, 218), (205, 218, 200), (236, 222, 180), (226, 200, 180), (170, 190, 200), (190, 120, 95),
            (120, 150, 140), (235, 235, 235), (180, 175, 165),
        ];
        var c = paints[_rng.Weighted(6, 6, 4, 3, 3, 3, 2, 2, 1.5, 1.5, 1, 0.6, 0.6, 5, 1.5)];
        return new Material { Kind = TextureKind.Paint, ColorA = Jitter(c.r, c.g, c.b, 8), Seed = _rng.Fork() };
    }

    public Material Ceiling(bool officeTiles) => officeTiles
        ? new Material { Kind = TextureKind.CeilingTiles, ColorA = Jitter(228, 226, 220, 5), ColorB = Jitter(170, 170, 168, 5), Scale = 0.6, Seed = _rng.Fork() }
        : new Material { Kind = TextureKind.Paint, ColorA = Jitter(240, 238, 232, 6), Seed = _rng.Fork() };

    public Material WoodFloor()
    {
        var (a, b) = WoodTones();
        return new Material { Kind = TextureKind.WoodPlanks, ColorA = a, ColorB = b, Scale = _rng.Uniform(0.09, 0.22), Scale2 = _rng.Uniform(0.9, 2.2), Seed = _rng.Fork(), Gloss = _rng.Uniform(0, 0.25) };
    }

    public Material TileFloor()
    {
        (double r, double g, double b)[] tiles = [(220, 215, 205), (180, 170, 155), (150, 140, 130), (235, 235, 235), (120, 115, 110), (200, 185, 160), (90, 90, 95)];
        var t = _rng.Pick(tiles);
        return new Material { Kind = TextureKind.Tiles, ColorA = Jitter(t.r, t.g, t.b, 8), ColorB = Jitter(150, 150, 145, 20), Scale = _rng.Uniform(0.2, 0.6), Seed = _rng.Fork(), Gloss = _rng.Uniform(0.1, 0.4) };
    }

    public Material Carpet()
    {
        (double r, double g, double b)[] carpets = [(120, 115, 110), (90, 95, 110), (150, 130, 110), (70, 75, 80), (170, 160, 140), (110, 60, 55), (60, 80, 110), (130, 135, 120)];
        var c = _rng.Pick(carpets);
        return new Material { Kind = TextureKind.Carpet, ColorA = Jitter(c.r, c.g, c.b), ColorB = Jitter(c.r * 0.8, c.g * 0.8, c.b * 0.8), Seed = _rng.Fork() };
    }

    public Material Rug()
    {
        var a = Jitter(_rng.Uniform(60, 220), _rng.Uniform(50, 200), _rng.Uniform(40, 200), 0);
        var b = Jitter(_rng.Uniform(30, 200), _rng.Uniform(30, 180), _rng.Uniform(30, 180), 0);
        return _rng.Chance(0.5)
            ? new Material { Kind = TextureKind.Carpet, ColorA = a, ColorB = b, Seed = _rng.Fork() }
            : new Material { Kind = TextureKind.Poster, ColorA = a, ColorB = b, Scale = 2, Scale2 = 2, Seed = _rng.Fork() };
    }

    (Vec3, Vec3) WoodTones()
    {
        (double r, double g, double b)[] woods = [(190, 150, 105), (150, 105, 70), (110, 70, 45), (205, 175, 135), (80, 55, 40), (170, 120, 80), (215, 195, 165)];
        var w = _rng.Pick(woods);
        return (Jitter(w.r, w.g, w.b, 10), Jitter(w.r * 0.75, w.g * 0.7, w.b * 0.65, 10));
    }

    public Material Wood()
    {
        var (a, b) = WoodTones();
        return new Material { Kind = TextureKind.Wood, ColorA = a, ColorB = b, Seed = _rng.Fork(), Gloss = _rng.Uniform(0, 0.2) };
    }

    /// <summary>Furniture board: wood, or painted/laminated white, black, grey or a colour.</summary>
    public Material Board()
    {
        int k = _rng.Weighted(5, 3, 1.2, 1.2, 1);
        return k switch
        {
            0 => Wood(),
            1 => new Material { Kind = TextureKind.Paint, ColorA = Jitter(230, 228, 222, 6), Seed = _rng.Fork(), Gloss = 0.1 },
            2 => new Material { Kind = TextureKind.Paint, ColorA = Jitter(40, 38, 36, 6), Seed = _rng.Fork(), Gloss = 0.15 },
            3 => new Material { Kind = TextureKind.Paint, ColorA = Jitter(140, 140, 138, 15), Seed = _rng.Fork() },
            _ => new Material { Kind = TextureKind.Paint, ColorA = Jitter(_rng.Uniform(60, 220), _rng.Uniform(60, 200), _rng.Uniform(60, 200), 0), Seed = _rng.Fork() },
        };
    }

    public Material Fabric()
    {
        (double r, double g, double b)[] fabrics = [(120, 120, 118), (170, 160, 140), (60, 70, 100), (100, 75, 60), (70, 100, 80), (150, 60, 55), (200, 195, 185), (50, 50, 52), (180, 150, 110), (90, 110, 140)];
        var f = _rng.Pick(fabrics);
        return new Material { Kind = TextureKind.Fabric, ColorA = Jitter(f.r, f.g, f.b), ColorB = Jitter(f.r * 0.7, f.g * 0.7, f.b * 0.7), Seed = _rng.Fork() };
    }

    public Material Bedding() => _rng.Chance(0.5)
        ? new Material { Kind = TextureKind.Fabric, ColorA = Jitter(235, 232, 225, 8), ColorB = Jitter(200, 198, 190, 8), Seed = _rng.Fork() }
        : Fabric();

    public Material Metal() => new() { Kind = TextureKind.Metal, ColorA = Jitter(_rng.Chance(0.5) ? 170 : 60, 165, 160, 15), Seed = _rng.Fork(), Gloss = _rng.Uniform(0.3, 0.7) };
    public Material DarkPlastic() => new() { Kind = TextureKind.Flat, ColorA = Jitter(25, 25, 27, 4), Gloss = 0.35 };
    public Material Plastic() => new() { Kind = TextureKind.Flat, ColorA = Jitter(_rng.Uniform(20, 240), _rng.Uniform(20, 240), _rng.Uniform(20, 240), 0), Gloss = _rng.Uniform(0, 0.5) };
    public Material Trim() => _rng.Chance(0.7) ? new Material { Kind = TextureKind.Paint, ColorA = Jitter(240, 238, 232, 5), Seed = _rng.Fork() } : Wood();
    public Material Countertop() => _rng.Chance(0.5)
        ? new Material { Kind = TextureKind.Marble, ColorA = Jitter(220, 218, 212), ColorB = Jitter(120, 118, 115), Seed = _rng.Fork(), Gloss = 0.4 }
        : Wood();
    public Material Paper() => new() { Kind = TextureKind.Flat, ColorA = Jitter(230, 228, 220, 10) };
    public Material Leaves() => new() { Kind = TextureKind.Leaves, ColorA = Jitter(80, 120, 50, 15), ColorB = Jitter(20, 45, 20, 5), Seed = _rng.Fork() };
    public Material Cardboard() => new() { Kind = TextureKind.Carpet, ColorA = Jitter(170, 130, 90, 10), ColorB = Jitter(150, 115, 80, 10), Seed = _rng.Fork() };

    public Material Poster(double width, double height) =>
        new() { Kind = TextureKind.Poster, ColorA = Vec3.One, ColorB = _rng.Chance(0.5) ? Jitter(30, 30, 30, 5) : Jitter(200, 190, 170, 20), Scale = width, Scale2 = height, Seed = _rng.Fork(), Gloss = _rng.Uniform(0, 0.3) };

    public Material Screen(bool on) => on
        ? new Material { Kind = TextureKind.Screen, ColorA = Jitter(_rng.Uniform(30, 200), _rng.Uniform(30, 200), _rng.Uniform(60, 230), 0), ColorB = Jitter(_rng.Uniform(30, 250), _rng.Uniform(30, 250), _rng.Uniform(30, 250), 0), Scale = 1, Scale2 = 1, Seed = _rng.Fork(), Emission = new Vec3(0.8, 0.8, 0.8), Gloss = 0.6 }
        : new Material { Kind = TextureKind.Screen, ColorA = Jitter(12, 12, 14, 2), Seed = _rng.Fork(), Gloss = 0.8 };

    /// <summary>A random "thing" colour for books, boxes, toys.</summary>
    public Material Thing()
    {
        int k = _rng.Weighted(4, 2, 1, 1);
        return k switch
        {
            0 => new Material { Kind = TextureKind.Flat, ColorA = Jitter(_rng.Uniform(20, 230), _rng.Uniform(20, 220), _rng.Uniform(20, 220), 0), Gloss = _rng.Uniform(0, 0.3) },
            1 => new Material { Kind = TextureKind.Fabric, ColorA = Jitter(_rng.Uniform(40, 220), _rng.Uniform(40, 220), _rng.Uniform(40, 220), 0), ColorB = Jitter(80, 80, 80, 30), Seed = _rng.Fork() },
            2 => Cardboard(),
            _ => Paper(),
        };
    }

    public static Material LightSource(Vec3 color, double strength) =>
        new() { Kind = TextureKind.Flat, ColorA = color, Emission = new Vec3(strength, strength, strength), CastsShadow = false };

    public static Material Shade(Vec3 color, double glow) =>
        new() { Kind = TextureKind.Fabric, ColorA = color, ColorB = color * 0.85, Emission = new Vec3(glow, glow, glow), CastsShadow = false };
}
