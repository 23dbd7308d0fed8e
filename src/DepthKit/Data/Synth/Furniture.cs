namespace DepthKit.Data.Synth;

/// <summary>
/// Furniture and clutter built from boxes, cylinders and ellipsoids. Each method places one piece (finding room on
/// the floor plan itself), adds it to the scene and registers surfaces that small things can stand on.
/// Sizes are those of real furniture (IKEA-catalogue ranges).
/// </summary>
public sealed class Furniture(Scene scene, Layout layout, Palette palette, Rng rng)
{
    readonly Scene _scene = scene;
    readonly Layout _layout = layout;
    readonly Palette _p = palette;
    readonly Rng _rng = rng;

    double U(double lo, double hi) => _rng.Uniform(lo, hi);

    void Add(string name, List<Primitive> parts) => _scene.Add(name, [.. parts]);

    public bool Table(Frame? at = null, double? width = null, double? depth = null, bool withChairs = false, bool desk = false, double? height = null)
    {
        double w = width ?? U(0.8, 1.8), d = depth ?? U(0.6, 1.0), h = height ?? (desk ? U(0.72, 0.76) : U(0.72, 0.78));
        var f = at ?? (desk ? _layout.PlaceAgainstWall(_rng, w, d, h) : _layout.PlaceFree(_rng, w + (withChairs ? 1.0 : 0), d + (withChairs ? 1.0 : 0), false));
        if (f is null || (at is not null && !_layout.TryTake(at, w, d))) return false;
        var top = _rng.Chance(0.7) ? _p.Wood() : _p.Board();
        var legs = _rng.Chance(0.5) ? top : _p.Metal();
        double t = U(0.025, 0.05), leg = U(0.03, 0.05);
        var parts = new List<Primitive> { f.B(0, h - t, 0, w, t, d, top) };
        bool round = !desk && _rng.Chance(0.2);
        if (round)
        {
            parts.Clear();
            parts.Add(f.C(0, h - t, 0, Math.Min(w, d) / 2, t, top));
            parts.Add(f.C(0, 0, 0, leg * 1.5, h - t, legs));
            parts.Add(f.C(0, 0, 0, Math.Min(w, d) / 4, 0.03, legs));
        }
        else
            foreach (var (sx, sz) in (ReadOnlySpan<(double, double)>)[(-1, -1), (1, -1), (-1, 1), (1, 1)])
                parts.Add(f.B(sx * (w / 2 - leg), 0, sz * (d / 2 - leg), leg, h - t, leg, legs));
        if (desk && _rng.Chance(0.6)) parts.Add(f.B(w / 2 - 0.22, 0.05, 0, 0.4, h - t - 0.05, d - 0.04, top)); // drawer block
        Add(desk ? "desk" : "table", parts);
        _layout.Surfaces.Add(new Surface(f, w - 0.1, d - 0.1, h));
        if (withChairs)
            foreach (var (x, z, turn) in (ReadOnlySpan<(double, double, double)>)[(-w / 4, d / 2 + 0.35, DetMath.Pi), (w / 4, d / 2 + 0.35, DetMath.Pi), (-w / 4, -d / 2 - 0.35, 0), (w / 4, -d / 2 - 0.35, 0), (w / 2 + 0.35, 0, -DetMath.Pi / 2)])
                if (_rng.Chance(0.75)) Chair(f.Offset(x, z, turn + _rng.Normal(0, 0.15)), pulledOut: true);
        if (desk)
        {
            var screen = _p.Screen(_rng.Chance(0.4));
            double mw = U(0.45, 0.65), mh = mw * 0.6;
            Add("monitor", [f.B(0, h, -d / 4, 0.2, 0.015, 0.15, _p.DarkPlastic()), f.B(0, h, -d / 4 - 0.02, 0.04, 0.15, 0.03, _p.DarkPlastic()),
                            f.B(0, h + 0.1, -d / 4, mw, mh, 0.03, _p.DarkPlastic()), f.B(0, h + 0.1 + 0.015, -d / 4 + 0.016, mw - 0.03, mh - 0.03, 0.005, screen)]);
            Add("keyboard", [f.B(U(-0.1, 0.1), h, d / 6, 0.45, 0.02, 0.15, _rng.Chance(0.5) ? _p.DarkPlastic() : _p.Paper())]);
            var chairFrame = f.Offset(U(-0.2, 0.2), d / 2 + 0.35, DetMath.Pi + _rng.Normal(0, 0.4));
            if (_rng.Chance(0.8)) OfficeChair(chairFrame);
            if (_rng.Chance(0.4)) Add("computer", [f.B(-w / 2 + 0.15, 0, 0, 0.2, 0.42, 0.45, _p.DarkPlastic())]);
        }
        return true;
    }

    public void Chair(Frame f, bool pulledOut = false)
    {
        double w = U(0.4, 0.5), d = U(0.4, 0.5), seat = U(0.43, 0.48), back = U(0.35, 0.5);
        if (!_layout.TryTake(f, w, d)) return;
        var wood = _rng.Chance(0.6) ? _p.Wood() : _p.Board();
        var cushion = _rng.Chance(0.4) ? _p.Fabric() : wood;
        double leg = 0.03;
        var parts = new List<Primitive> { f.B(0, seat - 0.04, 0, w, 0.04, d, cushion), f.B(0, seat, -d / 2 + 0.02, w, back, 0.03, wood) };
        foreach (var (sx, sz) in (ReadOnlySpan<(double, double)>)[(-1, -1), (1, -1), (-1, 1), (1, 1)])
            parts.Add(f.B(sx * (w / 2 - leg), 0, sz * (d / 2 - leg), leg, seat - 0.04, leg, wood));
        Add("chair", parts);
    }

    public void OfficeChair(Frame f)
    {
        if (!_layout.TryTake(f, 0.6, 0.6)) return;
        var fabric = _rng.Chance(0.6) ? _p.DarkPlastic() : _p.Fabric();
        var metal = _p.Metal();
        double seat = U(0.45, 0.52);
        Add("office chair", [f.E(0, 0.06, 0, 0.3, 0.04, 0.3, metal), f.C(0, 0.06, 0, 0.025, seat - 0.1, metal),
            f.B(0, seat - 0.08, 0, 0.48, 0.08, 0.46, fabric), f.B(0, seat + 0.05, -0.22, 0.44, U(0.4, 0.6), 0.06, fabric)]);
    }

    public bool Sofa(out Frame? placed)
    {
        double w = U(1.4, 2.4), d = U(0.8, 0.95), seat = U(0.4, 0.46), back = U(0.75, 0.9), arm = U(0.12, 0.22);
        placed = _layout.PlaceAgainstWall(_rng, w, d, back);
        if (placed is null) return false;
        var f = placed;
        var fabric = _p.Fabric();
        var parts = new List<Primitive>
        {
            f.B(0, 0.08, 0, w, seat - 0.18, d, fabric),
            f.B(0, 0.08, -d / 2 + 0.1, w, back - 0.08, 0.2, fabric),
            f.B(-w / 2 + arm / 2, 0.08, 0.02, arm, U(0.55, 0.65) - 0.08, d - 0.04, fabric),
            f.B(w / 2 - arm / 2, 0.08, 0.02, arm, U(0.55, 0.65) - 0.08, d - 0.04, fabric),
            f.B(0, 0, 0, w - 0.1, 0.08, d - 0.1, _p.DarkPlastic()),
        };
        int cushions = w > 1.9 ? 3 : 2;
        double cw = (w - 2 * arm) / cushions;
        for (int i = 0; i < cushions; i++)
            parts.Add(f.B(-w / 2 + arm + cw * (i + 0.5), seat - 0.1, 0.08, cw - 0.01, 0.12, d - 0.25, fabric));
        var pillow = _rng.Chance(0.5) ? _p.Fabric() : fabric;
        for (int i = 0; i < _rng.Int(0, 4); i++)
            parts.Add(f.E(U(-w / 2 + arm + 0.2, w / 2 - arm - 0.2), seat + 0.18, -d / 2 + 0.3, 0.2, 0.18, 0.07, pillow));
        Add("sofa", parts);
        return true;
    }

    public void Armchair()
    {
        double w = U(0.75, 0.95), d = U(0.75, 0.9);
        var f = _layout.PlaceFree(_rng, w, d, false, 0.2) ?? _layout.PlaceAgainstWall(_rng, w, d, 0.9);
        if (f is null) return;
        var fabric = _p.Fabric();
        Add("armchair", [f.B(0, 0.1, 0, w, 0.32, d, fabric), f.B(0, 0.1, -d / 2 + 0.1, w, 0.75, 0.2, fabric),
            f.B(-w / 2 + 0.08, 0.1, 0, 0.16, 0.5, d, fabric), f.B(w / 2 - 0.08, 0.1, 0, 0.16, 0.5, d, fabric),
            f.B(0, 0, 0, w - 0.1, 0.1, d - 0.1, _p.Wood())]);
    }

    public void Bed()
    {
        double w = _rng.Pick([0.9, 1.4, 1.6, 1.8]) + U(0, 0.05), l = U(2.0, 2.15), h = U(0.4, 0.6);
        var f = _layout.PlaceAgainstWall(_rng, w + 0.1, l, 1.0);
        if (f is null) return;
        var frame = _rng.Chance(0.6) ? _p.Wood() : _p.Board();
        var sheet = _p.Bedding();
        var duvet = _rng.Chance(0.6) ? _p.Bedding() : _p.Fabric();
        var parts = new List<Primitive>
        {
            f.B(0, 0, 0.05, w + 0.06, h - 0.2, l - 0.1, frame),
            f.B(0, h - 0.2, 0.05, w, 0.22, l - 0.12, sheet),
            f.B(0, 0, -l / 2 + 0.03, w + 0.1, U(0.8, 1.2), 0.06, frame),
            f.B(0, h - 0.05, 0.35 + U(-0.1, 0.1), w + 0.04, 0.08, l - 0.7, duvet),
        };
        var pillow = _p.Bedding();
        int pillows = w > 1.2 ? 2 : 1;
        for (int i = 0; i < pillows; i++)
            parts.Add(f.E(pillows == 1 ? 0 : (i - 0.5) * w / 2, h + 0.07, -l / 2 + 0.3, Math.Min(0.33, w / 2 - 0.05), 0.09, 0.2, pillow));
        Add("bed", parts);
        foreach (double side in (ReadOnlySpan<double>)[-1, 1])
            if (_rng.Chance(0.6))
            {
                var n = f.Offset(side * (w / 2 + 0.35), -l / 2 + 0.25);
                if (_layout.TryTake(n, 0.45, 0.4)) Cabinet(n, 0.45, 0.4, U(0.45, 0.6), drawers: true, lamp: _rng.Chance(0.6));
            }
    }

    /// <summary>Nightstand, dresser, sideboard, wardrobe, filing cabinet: a box with door or drawer fronts.</summary>
    public void Cabinet(Frame f, double w, double d, double h, bool drawers, bool lamp = false)
    {
        var body = _p.Board();
        var front = _rng.Chance(0.7) ? body : _p.Board();
        var handle = _p.Metal();
        var parts = new List<Primitive> { f.B(0, 0.05, 0, w, h - 0.05, d, body), f.B(0, 0, 0.02, w - 0.04, 0.05, d - 0.04, _p.DarkPlastic()) };
        int rows = drawers ? Math.Max(1, (int)(h / 0.2)) : 1;
        int cols = !drawers && w > 0.6 ? 2 : 1;
        double rh = (h - 0.08) / rows, cw = (w - 0.02) / cols;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double x = -w / 2 + 0.01 + cw * (c + 0.5), y = 0.07 + rh * r;
                parts.Add(f.B(x, y + 0.005, d / 2 + 0.008, cw - 0.008, rh - 0.01, 0.016, front));
                parts.Add(drawers ? f.B(x, y + rh * 0.6, d / 2 + 0.025, Math.Min(0.12, cw * 0.4), 0.015, 0.02, handle)
                                  : f.B(x + (c == 0 ? 1 : -1) * (cw / 2 - 0.05), y + rh / 2, d / 2 + 0.025, 0.015, Math.Min(0.2, rh * 0.3), 0.02, handle));
            }
        Add(drawers ? "drawers" : "cabinet", parts);
        if (h < 1.3) _layout.Surfaces.Add(new Surface(f, w - 0.08, d - 0.08, h));
        if (lamp) TableLamp(f.Offset(U(-w / 4, w / 4), U(-d / 6, d / 6)), h);
    }

    public void CabinetAgainstWall(bool tall)
    {
        double w = tall ? U(0.6, 1.5) : U(0.6, 1.6), d = tall ? U(0.45, 0.6) : U(0.4, 0.55), h = tall ? U(1.7, 2.2) : U(0.7, 1.1);
        var f = _layout.PlaceAgainstWall(_rng, w, d, h);
        if (f is not null) Cabinet(f, w, d, h, drawers: !tall && _rng.Chance(0.6), lamp: !tall && _rng.Chance(0.25));
    }

    public void Bookshelf()
    {
        double w = U(0.6, 1.2), d = U(0.28, 0.4), h = U(1.0, 2.2);
        var f = _layout.PlaceAgainstWall(_rng, w, d, h);
        if (f is null) return;
        var board = _p.Board();
        double t = 0.02;
        int shelves = Math.Max(2, (int)(h / U(0.3, 0.4)));
        var parts = new List<Primitive> { f.B(-w / 2 + t / 2, 0, 0, t, h, d, board), f.B(w / 2 - t / 2, 0, 0, t, h, d, board), f.B(0, 0, -d / 2 + 0.005, w, h, 0.01, board) };
        double gap = (h - t) / shelves;
        for (int s = 0; s <= shelves; s++) parts.Add(f.B(0, s * gap, 0, w - 2 * t, t, d, board));
        Add("bookshelf", parts);
        for (int s = 0; s < shelves; s++)
            if (_rng.Chance(0.85)) Books(f, -w / 2 + t, w / 2 - t, s * gap + t, gap - t - 0.02, d);
    }

    /// <summary>A row of books (and sometimes a box or gap) on one shelf board: one scene object per shelf.</summary>
    void Books(Frame f, double x0, double x1, double y0, double maxHeight, double depth)
    {
        var parts = new List<Primitive>();
        double x = x0 + U(0, 0.1);
        double tint = U(0, 1);
        while (x < x1 - 0.02)
        {
            if (_rng.Chance(0.08)) { x += U(0.05, 0.25); continue; }
            double bw = U(0.015, 0.05), bh = Math.Min(maxHeight, U(0.15, 0.32)), bd = Math.Min(depth - 0.02, U(0.12, 0.25));
            if (x + bw > x1) break;
            var m = tint < 0.3 ? _p.Paper() : _p.Thing();
            parts.Add(f.B(x + bw / 2, y0, -depth / 2 + 0.02 + bd / 2 + U(0, 0.02), bw, bh, bd, m));
            x += bw + U(0, 0.004);
        }
        if (parts.Count > 0) Add("books", parts);
    }

    public void TvStand()
    {
        double w = U(1.0, 1.8), d = U(0.35, 0.5), h = U(0.4, 0.6);
        var f = _layout.PlaceAgainstWall(_rng, w, d, h + 0.6);
        if (f is null) return;
        Cabinet(f, w, d, h, drawers: false);
        double tw = Math.Min(w, U(0.8, 1.4)), th = tw * 0.58;
        var screen = _p.Screen(_rng.Chance(0.3));
        Add("tv", [f.B(0, h, -0.05, 0.3, 0.02, 0.2, _p.DarkPlastic()), f.B(0, h + 0.02, -0.06, 0.06, 0.08, 0.04, _p.DarkPlastic()),
                   f.B(0, h + 0.08, -0.06, tw, th, 0.05, _p.DarkPlastic()), f.B(0, h + 0.1, -0.03, tw - 0.04, th - 0.04, 0.005, screen)]);
    }

    public void KitchenCounter(RoomFace wall)
    {
        double length = _layout.WallLength(wall) * U(0.5, 0.95);
        double d = 0.6, h = 0.9;
        var f = _layout.PlaceAgainstWall(_rng, length, d, h, wall);
        if (f is null) return;
        var front = _p.Board();
        var top = _p.Countertop();
        var handle = _p.Metal();
        var parts = new List<Primitive> { f.B(0, 0, -0.03, length, 0.1, d - 0.08, _p.DarkPlastic()), f.B(0, 0.1, -0.01, length, h - 0.14, d - 0.04, front), f.B(0, h - 0.04, 0.01, length + 0.02, 0.04, d + 0.02, top) };
        int doors = Math.Max(1, (int)(length / 0.6));
        double dw = length / doors;
        for (int i = 0; i < doors; i++)
        {
            parts.Add(f.B(-length / 2 + dw * (i + 0.5), 0.12, d / 2 - 0.02, dw - 0.006, h - 0.2, 0.02, front));
            parts.Add(f.B(-length / 2 + dw * (i + 0.5), h - 0.2, d / 2 + 0.0, 0.12, 0.015, 0.02, handle));
        }
        Add("counter", parts);
        double sink = U(-length / 3, length / 3);
        Add("sink", [f.B(sink, h, 0, 0.5, 0.005, 0.4, _p.Metal()), f.C(sink, h, -0.22, 0.015, 0.3, _p.Metal())]);
        if (_rng.Chance(0.6))
        {
            var upper = _rng.Chance(0.6) ? front : _p.Board();
            double uy = U(1.4, 1.55), uh = Math.Min(_layout.Height - uy - 0.05, U(0.6, 0.9));
            var ups = new List<Primitive>();
            for (int i = 0; i < doors; i++)
                if (_rng.Chance(0.85)) ups.Add(f.B(-length / 2 + dw * (i + 0.5), uy, -d / 2 + 0.18, dw - 0.01, uh, 0.35, upper));
            if (ups.Count > 0) Add("upper cabinets", ups);
        }
        _layout.Surfaces.Add(new Surface(f, length - 0.1, d - 0.15, h));
        if (_rng.Chance(0.7))
        {
            double fw = U(0.6, 0.9), fd = 0.7, fh = U(1.6, 2.0);
            var ff = _layout.PlaceAgainstWall(_rng, fw, fd, fh, wall) ?? _layout.PlaceAgainstWall(_rng, fw, fd, fh);
            if (ff is not null)
            {
                var body = _rng.Chance(0.5) ? new Material { Kind = TextureKind.Paint, ColorA = Material.Srgb(235, 235, 232), Gloss = 0.5 } : _p.Metal();
                Add("fridge", [ff.B(0, 0, 0, fw, fh, fd, body), ff.B(0, fh * 0.62, fd / 2 + 0.005, fw - 0.02, 0.006, 0.01, _p.DarkPlastic()), ff.B(fw / 2 - 0.07, fh * 0.3, fd / 2 + 0.03, 0.02, 0.35, 0.03, _p.Metal())]);
            }
        }
    }

    public void Plant()
    {
        double r = U(0.1, 0.2), ph = U(0.18, 0.4), size = U(0.2, 0.45);
        var f = _layout.PlaceAgainstWall(_rng, 2 * size, 2 * size, 1.2) ?? _layout.PlaceFree(_rng, 2 * size, 2 * size, true);
        if (f is null) return;
        var pot = _rng.Chance(0.5) ? new Material { Kind = TextureKind.Flat, ColorA = Material.Srgb(170, 90, 60) } : _p.Plastic();
        var parts = new List<Primitive> { f.C(0, 0, 0, r, ph, pot) };
        var leaves = _p.Leaves();
        int blobs = _rng.Int(3, 7);
        for (int i = 0; i < blobs; i++)
            parts.Add(f.E(U(-size / 2, size / 2), ph + U(0.1, size * 1.6), U(-size / 2, size / 2), U(0.06, size * 0.45), U(0.08, size * 0.6), U(0.06, size * 0.45), leaves));
        Add("plant", parts);
    }

    public void FloorLamp(Vec3 lightColor)
    {
        var f = _layout.PlaceAgainstWall(_rng, 0.4, 0.4, 1.7) ?? _layout.PlaceFree(_rng, 0.4, 0.4, true);
        if (f is null) return;
        double h = U(1.4, 1.8), r = U(0.15, 0.25);
        var metal = _p.Metal();
        Add("floor lamp", [f.C(0, 0, 0, 0.15, 0.03, metal), f.C(0, 0.03, 0, 0.015, h - 0.3, metal), f.C(0, h - 0.3, 0, r, 0.3, Palette.Shade(lightColor, 0.6))]);
        _scene.Lights.Add(new Light(f.P(0, h - 0.15, 0), lightColor * U(0.8, 1.6), 0.08));
    }

    void TableLamp(Frame f, double y0)
    {
        var color = new Vec3(1.0, 0.85, 0.6);
        double r = U(0.1, 0.18);
        Add("table lamp", [f.C(0, y0, 0, 0.07, 0.02, _p.Plastic()), f.C(0, y0, 0, 0.02, 0.25, _p.Metal()), f.C(0, y0 + 0.2, 0, r, 0.22, Palette.Shade(_p.Bedding().ColorA, 0.5))]);
        if (_scene.Lights.Count < 3 && _rng.Chance(0.5)) _scene.Lights.Add(new Light(f.P(0, y0 + 0.3, 0), color * U(0.3, 0.7), 0.05));
    }

    public void Rug()
    {
        double w = U(1.2, 3.0), d = U(0.8, 2.2);
        // rugs lie flat: they may go under other furniture, so they take no floor space
        var f = new Frame(U(w / 2 + 0.2, Math.Max(w / 2 + 0.21, _layout.Width - w / 2 - 0.2)), U(d / 2 + 0.5, Math.Max(d / 2 + 0.51, _layout.Depth - d / 2 - 0.2)), _rng.Normal(0, 0.05));
        if (f.X + w / 2 > _layout.Width || f.Z + d / 2 > _layout.Depth) return;
        Add("rug", [f.B(0, 0, 0, w, U(0.005, 0.015), d, _p.Rug())]);
    }

    /// <summary>Small things on tables, counters and cabinets: books, cups, bottles, bowls, boxes, paper, laptops.</summary>
    public void Clutter(Surface s, int count)
    {
        var parts = new List<Primitive>();
        var f = s.Frame;
        for (int i = 0; i < count; i++)
        {
            double x = U(-s.Width / 2 + 0.08, s.Width / 2 - 0.08), z = U(-s.Depth / 2 + 0.08, s.Depth / 2 - 0.08), y = s.Height;
            switch (_rng.Weighted(3, 3, 2, 1.5, 2, 1.5, 1, 1))
            {
                case 0: // stack of books or papers
                    double by = y;
                    for (int k = 0; k < _rng.Int(1, 5); k++) { double bh = U(0.02, 0.05); parts.Add(f.B(x + _rng.Normal(0, 0.01), by, z, U(0.15, 0.3), bh, U(0.2, 0.28), _p.Thing())); by += bh; }
                    break;
                case 1: parts.Add(f.C(x, y, z, U(0.035, 0.05), U(0.08, 0.12), _p.Plastic())); break; // cup
                case 2: // bottle
                    var glass = _p.Plastic(); double bh2 = U(0.18, 0.3), br = U(0.03, 0.045);
                    parts.Add(f.C(x, y, z, br, bh2, glass)); parts.Add(f.C(x, y + bh2, z, br * 0.4, 0.06, glass)); break;
                case 3: parts.Add(f.E(x, y + 0.03, z, U(0.08, 0.15), 0.04, U(0.08, 0.15), _p.Plastic())); break; // bowl
                case 4: parts.Add(f.B(x, y, z, U(0.1, 0.35), U(0.06, 0.25), U(0.1, 0.3), _p.Thing())); break; // box
                case 5: parts.Add(f.B(x, y, z, U(0.2, 0.3), 0.003, U(0.28, 0.32), _p.Paper())); break; // sheet of paper
                case 6: // laptop
                    parts.Add(f.B(x, y, z, 0.34, 0.02, 0.24, _p.DarkPlastic())); parts.Add(f.B(x, y + 0.02, z - 0.12, 0.34, 0.22, 0.01, _p.Screen(_rng.Chance(0.5)))); break;
                default: // vase with a flower ball
                    var vase = _p.Plastic(); double vh = U(0.12, 0.3);
                    parts.Add(f.C(x, y, z, U(0.04, 0.07), vh, vase)); parts.Add(f.E(x, y + vh + 0.06, z, 0.08, 0.08, 0.08, _p.Leaves())); break;
            }
        }
        if (parts.Count > 0) Add("clutter", parts);
    }

    /// <summary>Things on the floor: boxes, bags, balls, bins, baskets, stools.</summary>
    public void FloorThing()
    {
        switch (_rng.Weighted(3, 1.5, 1.5, 1.5, 1))
        {
            case 0:
                double w = U(0.25, 0.6), d = U(0.25, 0.5), h = U(0.15, 0.5);
                var f = _layout.PlaceAgainstWall(_rng, w, d, h) ?? _layout.PlaceFree(_rng, w, d, true, 0.1);
                if (f is null) return;
                var parts = new List<Primitive> { f.B(0, 0, 0, w, h, d, _p.Cardboard()) };
                if (_rng.Chance(0.4)) parts.Add(f.B(U(-0.05, 0.05), h, U(-0.05, 0.05), w * U(0.6, 0.9), h * U(0.5, 0.9), d * U(0.6, 0.9), _p.Thing()));
                Add("boxes", parts);
                break;
            case 1:
                var bf = _layout.PlaceFree(_rng, 0.4, 0.4, true, 0.1);
                if (bf is null) return;
                double r = U(0.08, 0.2);
                Add("ball", [Ellipsoid.Sphere(bf.P(0, r, 0), r, _p.Plastic())]);
                break;
            case 2:
                var tf = _layout.PlaceAgainstWall(_rng, 0.35, 0.35, 0.5);
                if (tf is null) return;
                Add("bin", [tf.C(0, 0, 0, U(0.12, 0.18), U(0.3, 0.5), _rng.Chance(0.5) ? _p.Plastic() : _p.Metal())]);
                break;
            case 3:
                double bw = U(0.3, 0.5);
                var gf = _layout.PlaceFree(_rng, bw, bw, true, 0.1) ?? _layout.PlaceAgainstWall(_rng, bw, bw, 0.4);
                if (gf is null) return;
                Add("bag", [gf.E(0, U(0.12, 0.2), 0, bw / 2, U(0.12, 0.2), bw / 2.5, _p.Fabric())]);
                break;
            default:
                var sf = _layout.PlaceFree(_rng, 0.4, 0.4, true, 0.1);
                if (sf is null) return;
                var m = _p.Wood(); double sh = U(0.42, 0.7);
                Add("stool", [sf.C(0, sh - 0.04, 0, U(0.15, 0.2), 0.04, m), sf.C(0, 0, 0, 0.025, sh - 0.04, _p.Metal()), sf.C(0, 0, 0, 0.16, 0.02, _p.Metal())]);
                break;
        }
    }
}
