namespace DepthKit.Data.Synth;

/// <summary>Kinds of room, each with its own furniture (NYU Depth V2 has these and more).</summary>
public enum RoomKind { Bedroom, LivingRoom, Kitchen, Office, DiningRoom, Study }

/// <summary>
/// Draws one indoor scene from (seed, scene index): room size, surfaces, doors and windows, lights, furniture,
/// clutter and the camera. Everything random comes from one <see cref="Rng"/> stream in a fixed order.
/// Room coordinates: x across [0, width], y up [0, height], z along [0, depth], floor at y = 0.
/// </summary>
public static class SceneBuilder
{
    public static Scene Build(long seed, long sceneIndex, int height, int width)
    {
        var rng = Rng.For(seed, sceneIndex, 0);
        var palette = new Palette(rng);
        var kind = (RoomKind)rng.Weighted(22, 22, 14, 16, 10, 10);

        // room size: skewed toward NYU's small rooms, up to 8 x 3.2 x 10 m
        double u1 = rng.NextDouble(), u2 = rng.NextDouble();
        double roomWidth = 2.5 + 5.5 * u1 * u1, roomDepth = 3 + 7 * u2 * u2, roomHeight = rng.Uniform(2.4, 3.2);
        if (kind == RoomKind.Office && rng.Chance(0.5)) { roomWidth = rng.Uniform(4, 8); roomDepth = rng.Uniform(5, 10); }

        // camera: usually near one end looking into the room (how people photograph rooms), sometimes anywhere
        var intrinsics = Intrinsics.Nyu(height, width);
        double camX, camZ, yaw;
        if (rng.Chance(0.75))
        {
            camX = rng.Uniform(0.5, roomWidth - 0.5);
            camZ = rng.Uniform(0.4, Math.Max(0.5, Math.Min(1.8, roomDepth * 0.35)));
            double targetX = rng.Uniform(0.1, 0.9) * roomWidth;
            yaw = DetMath.Atan2(targetX - camX, roomDepth - camZ) + rng.Normal(0, 0.2);
        }
        else
        {
            camX = rng.Uniform(0.6, roomWidth - 0.6);
            camZ = rng.Uniform(0.6, roomDepth - 0.6);
            yaw = rng.Uniform(-DetMath.Pi, DetMath.Pi);
        }
        double camY = rng.Uniform(1.0, 1.8);
        double pitch = Math.Clamp(rng.Normal(-0.15, 0.12), -0.55, 0.2), roll = Math.Clamp(rng.Normal(0, 0.035), -0.1, 0.1);
        // people do not photograph a blank wall from arm's length: turn until the view has some depth
        var room = new RoomShell(Vec3.Zero, new Vec3(roomWidth, roomHeight, roomDepth), new Material(), new Material(), new Material());
        for (int attempt = 0; attempt < 8 && ViewDepth(room, intrinsics, camX, camY, camZ, yaw, pitch) < 2.0; attempt++)
            yaw += rng.Uniform(0.4, 1.2) * (rng.Chance(0.5) ? 1 : -1);
        var scene = new Scene(Camera.Create(intrinsics, new Vec3(camX, camY, camZ), yaw, pitch, roll));
        var layout = new Layout(roomWidth, roomDepth, roomHeight, camX, camZ);

        // surfaces
        var floor = kind switch
        {
            RoomKind.Kitchen => rng.Chance(0.75) ? palette.TileFloor() : palette.WoodFloor(),
            RoomKind.Office => rng.Chance(0.6) ? palette.Carpet() : palette.TileFloor(),
            RoomKind.Bedroom => rng.Chance(0.5) ? palette.Carpet() : palette.WoodFloor(),
            _ => rng.Weighted(5, 2, 2) switch { 0 => palette.WoodFloor(), 1 => palette.Carpet(), _ => palette.TileFloor() },
        };
        var paint = palette.WallPaint();
        var accent = rng.Chance(0.25) ? palette.WallPaint() : paint;
        var ceiling = palette.Ceiling(kind is RoomKind.Office or RoomKind.Kitchen && rng.Chance(0.5) || rng.Chance(0.1));
        var walls = new Material[] { floor, ceiling, paint, paint, paint, paint };
        walls[2 + rng.Int(0, 4)] = accent;
        var shell = new RoomShell(Vec3.Zero, new Vec3(roomWidth, roomHeight, roomDepth), walls);
        scene.Structure.Add(shell);
        var trim = palette.Trim();

        var lightColor = rng.Pick(new[] { new Vec3(1.0, 0.86, 0.68), new Vec3(1.0, 0.95, 0.88), new Vec3(0.92, 0.96, 1.0), new Vec3(1.0, 0.92, 0.8) });
        var furniture = new Furniture(scene, layout, palette, rng);

        var doorWalls = AddDoors(scene, shell, layout, palette, rng, trim);
        int windows = AddWindows(scene, shell, layout, palette, rng, doorWalls);
        AddBaseboards(scene, shell, layout, trim, rng);
        AddCeilingLights(scene, layout, rng, kind, lightColor, windows);

        switch (kind)
        {
            case RoomKind.Bedroom:
                furniture.Bed();
                if (rng.Chance(0.7)) furniture.CabinetAgainstWall(tall: true);
                if (rng.Chance(0.6)) furniture.CabinetAgainstWall(tall: false);
                if (rng.Chance(0.4)) furniture.Table(desk: true);
                if (rng.Chance(0.4)) furniture.Bookshelf();
                break;
            case RoomKind.LivingRoom:
                if (furniture.Sofa(out var sofa) && rng.Chance(0.8))
                {
                    double cw = rng.Uniform(0.8, 1.3), cd = rng.Uniform(0.5, 0.8);
                    furniture.Table(sofa!.Offset(rng.Normal(0, 0.1), 0.45 + 0.45 + cd / 2), cw, cd, height: rng.Uniform(0.35, 0.5));
                }
                for (int i = rng.Int(0, 3); i > 0; i--) furniture.Armchair();
                if (rng.Chance(0.7)) furniture.TvStand();
                for (int i = rng.Int(0, 3); i > 0; i--) furniture.Bookshelf();
                if (rng.Chance(0.4)) furniture.FloorLamp(lightColor);
                if (rng.Chance(0.4)) furniture.CabinetAgainstWall(tall: false);
                break;
            case RoomKind.Kitchen:
                var counterWall = (RoomFace)(2 + rng.Weighted(1, 1, 0, 2));
                furniture.KitchenCounter(counterWall);
                if (rng.Chance(0.4)) furniture.KitchenCounter(counterWall == RoomFace.Front ? (rng.Chance(0.5) ? RoomFace.Left : RoomFace.Right) : RoomFace.Front);
                if (rng.Chance(0.6)) furniture.Table(withChairs: true);
                break;
            case RoomKind.Office:
                for (int i = rng.Int(1, 5); i > 0; i--) furniture.Table(desk: true);
                for (int i = rng.Int(0, 3); i > 0; i--) furniture.CabinetAgainstWall(tall: rng.Chance(0.5));
                for (int i = rng.Int(0, 3); i > 0; i--) furniture.Bookshelf();
                if (rng.Chance(0.3)) furniture.Table(withChairs: true);
                break;
            case RoomKind.DiningRoom:
                furniture.Table(withChairs: true, width: rng.Uniform(1.2, 2.2), depth: rng.Uniform(0.8, 1.1));
                if (rng.Chance(0.7)) furniture.CabinetAgainstWall(tall: false);
                if (rng.Chance(0.4)) furniture.CabinetAgainstWall(tall: true);
                break;
            default:
                for (int i = rng.Int(2, 6); i > 0; i--) furniture.Bookshelf();
                furniture.Table(desk: true);
                if (rng.Chance(0.5)) furniture.Armchair();
                if (rng.Chance(0.5)) furniture.CabinetAgainstWall(tall: false);
                break;
        }
        // big rooms hold more: extra pieces in proportion to the floor area
        for (int i = (int)(roomWidth * roomDepth / rng.Uniform(5, 12)); i > 0; i--)
            switch (rng.Weighted(2, 2, 1.5, 1, 1, 1))
            {
                case 0: furniture.CabinetAgainstWall(tall: rng.Chance(0.4)); break;
                case 1: furniture.Bookshelf(); break;
                case 2: furniture.Table(withChairs: rng.Chance(0.5), desk: rng.Chance(0.3)); break;
                case 3: furniture.Armchair(); break;
                case 4: furniture.Plant(); break;
                default: furniture.FloorThing(); break;
            }
        if (rng.Chance(0.45)) furniture.Rug();
        for (int i = rng.Int(0, 3); i > 0; i--) furniture.Plant();
        double messiness = rng.Uniform(0.3, 1.6);
        for (int i = (int)(rng.Uniform(0, 4) * messiness); i > 0; i--) furniture.FloorThing();
        foreach (var surface in layout.Surfaces.ToArray())
            furniture.Clutter(surface, (int)(rng.Uniform(0, 5) * messiness * Math.Min(2, surface.Width * surface.Depth * 2 + 0.3)));
        AddWallDecor(scene, shell, layout, palette, rng, kind);

        // bounce light: brighter in light-walled rooms
        double power = 0;
        foreach (var l in scene.Lights) power += l.Color.Luminance * (l.IsRectangle ? 0.5 : 1);
        scene.Ambient = new Vec3(1, 0.97, 0.93) * (power * rng.Uniform(0.04, 0.12) * (0.5 + paint.ColorA.Luminance));
        scene.Description = $"{kind} {roomWidth:F1} x {roomHeight:F1} x {roomDepth:F1} m, {scene.Objects.Count} objects, {scene.Lights.Count} lights";
        return scene;
    }

    /// <summary>Shortest distance to the room's walls along the centre and the left and right edges of the view.</summary>
    static double ViewDepth(RoomShell room, Intrinsics k, double x, double y, double z, double yaw, double pitch)
    {
        var camera = Camera.Create(k, new Vec3(x, y, z), yaw, pitch);
        double nearest = double.MaxValue;
        foreach (var (u, v) in new[] { (k.Width / 2.0, k.Height / 2.0), (0.0, k.Height / 2.0), (k.Width - 1.0, k.Height / 2.0) })
        {
            var hit = Hit.None;
            if (room.Intersect(camera.PixelRay(u, v), ref hit)) nearest = Math.Min(nearest, hit.T * (u == k.Width / 2.0 ? 1 : 1.6));
        }
        return nearest;
    }

    static HashSet<RoomFace> AddDoors(Scene scene, RoomShell shell, Layout layout, Palette palette, Rng rng, Material trim)
    {
        var used = new HashSet<RoomFace>();
        int doors = rng.Weighted(2, 6, 2);
        var doorMaterial = rng.Chance(0.5) ? palette.Wood() : palette.Board();
        for (int k = 0; k < doors; k++)
        {
            var wall = (RoomFace)(2 + rng.Weighted(2, 2, 1, 2));
            double length = layout.WallLength(wall), dw = rng.Uniform(0.8, 0.95), dh = rng.Uniform(1.98, 2.12);
            if (used.Contains(wall) || length < dw + 0.5) continue;
            double t = rng.Uniform(0.2 + dw / 2, length - dw / 2 - 0.2);
            var wf = layout.WallFrame(wall, t, 0);
            used.Add(wall);
            layout.BlockWall(wall, t - dw / 2 - 0.1, t + dw / 2 + 0.1, 0);
            var parts = new List<Primitive>
            {
                wf.B(-dw / 2 - 0.04, 0, 0.01, 0.08, dh + 0.04, 0.02, trim), wf.B(dw / 2 + 0.04, 0, 0.01, 0.08, dh + 0.04, 0.02, trim),
                wf.B(0, dh, 0.01, dw + 0.16, 0.08, 0.02, trim),
            };
            var swing = wf.Offset(0, dw / 2 + 0.02);
            bool open = rng.Chance(0.45) && layout.IsFree(swing, dw, dw);
            if (open)
            {
                layout.Take(swing, dw, dw);
                shell.AddOpening(new Opening(wall, t - dw / 2, t + dw / 2, -1, dh));
                // a corridor or the next room behind the opening
                double cw = rng.Uniform(dw + 0.6, 6), cd = rng.Uniform(1.2, 4), ch = rng.Uniform(2.3, layout.Height);
                double shift = rng.Uniform(-cw / 2 + dw / 2 + 0.1, cw / 2 - dw / 2 - 0.1);
                var a = wf.P(shift - cw / 2, 0, 0); var b = wf.P(shift + cw / 2, ch, -cd);
                var corridorWall = palette.WallPaint();
                scene.Structure.Add(new RoomShell(Vec3.Min(a, b), Vec3.Max(a, b), rng.Chance(0.5) ? shell.FaceMaterial(RoomFace.Floor) : palette.WoodFloor(), palette.Ceiling(false), corridorWall));
                double reveal = rng.Uniform(0.1, 0.25);
                parts.Add(wf.B(-dw / 2 - 0.01, 0, -reveal / 2, 0.02, dh, reveal, trim));
                parts.Add(wf.B(dw / 2 + 0.01, 0, -reveal / 2, 0.02, dh, reveal, trim));
                parts.Add(wf.B(0, dh, -reveal / 2, dw + 0.04, 0.02, reveal, trim));
                double angle = rng.Uniform(1.0, 1.7);
                var hinge = wf.P(-dw / 2, 0, 0.02);
                var panel = new Frame(hinge.X, hinge.Z, wf.Yaw - angle).Offset(dw / 2, 0);
                parts.Add(panel.B(0, 0.01, 0, dw - 0.01, dh - 0.02, 0.04, doorMaterial));
                parts.Add(Ellipsoid.Sphere(panel.P(dw / 2 - 0.08, 1.0, 0.05), 0.03, palette.Metal()));
            }
            else
            {
                parts.Add(wf.B(0, 0, 0.02, dw, dh, 0.04, doorMaterial));
                parts.Add(Ellipsoid.Sphere(wf.P(dw / 2 - 0.08, 1.0, 0.06), 0.03, palette.Metal()));
            }
            parts.Add(wf.B(dw / 2 + 0.25, 1.1, 0.005, 0.08, 0.12, 0.01, trim)); // light switch
            scene.Add("door", [.. parts]);
        }
        return used;
    }

    static int AddWindows(Scene scene, RoomShell shell, Layout layout, Palette palette, Rng rng, HashSet<RoomFace> doorWalls)
    {
        int count = rng.Weighted(2, 5, 2.5, 0.5), added = 0;
        double elevation = rng.Chance(0.5) ? 0 : rng.Uniform(3, 20);
        double daylight = rng.Uniform(0.4, 1.0);
        var exterior = new Material
        {
            Kind = TextureKind.Exterior, ColorA = Vec3.One, Scale = rng.Uniform(6, 20), Scale2 = rng.Uniform(6, 30), Seed = rng.Fork(),
            Emission = new Vec3(1, 1, 1) * (3 + 9 * daylight), BehindGlass = true, CastsShadow = false,
        };
        var frameMaterial = rng.Chance(0.6) ? new Material { Kind = TextureKind.Paint, ColorA = Material.Srgb(235, 235, 232), Seed = rng.Fork() } : rng.Chance(0.5) ? palette.Wood() : palette.DarkPlastic();
        var used = new List<(RoomFace, double, double)>();
        for (int k = 0; k < count; k++)
        {
            var wall = (RoomFace)(2 + rng.Weighted(2, 2, 0.5, 2));
            if (doorWalls.Contains(wall)) continue;
            double length = layout.WallLength(wall);
            double ww = rng.Uniform(0.6, Math.Min(2.6, length - 0.6));
            if (ww < 0.5) continue;
            double t = rng.Uniform(0.3 + ww / 2, length - ww / 2 - 0.3);
            bool overlaps = false;
            foreach (var (w2, a, b) in used) if (w2 == wall && t + ww / 2 > a - 0.3 && t - ww / 2 < b + 0.3) overlaps = true;
            if (overlaps) continue;
            used.Add((wall, t - ww / 2, t + ww / 2));
            double sill = rng.Uniform(0.5, 1.1), top = Math.Min(layout.Height - 0.12, sill + rng.Uniform(1.0, 1.7));
            shell.AddOpening(new Opening(wall, t - ww / 2, t + ww / 2, sill, top));
            layout.BlockWall(wall, t - ww / 2 - 0.05, t + ww / 2 + 0.05, sill - 0.05);
            var wf = layout.WallFrame(wall, t, 0);
            var wallPaint = shell.FaceMaterial(wall);
            double reveal = rng.Uniform(0.1, 0.3), bar = rng.Uniform(0.03, 0.06), glassZ = -reveal + 0.04;
            var parts = new List<Primitive>
            {
                wf.B(-ww / 2 - 0.01, sill, -reveal / 2, 0.02, top - sill, reveal, wallPaint), wf.B(ww / 2 + 0.01, sill, -reveal / 2, 0.02, top - sill, reveal, wallPaint),
                wf.B(0, top, -reveal / 2, ww + 0.04, 0.02, reveal, wallPaint),
                wf.B(0, sill - 0.03, rng.Uniform(0.0, 0.1) - reveal / 2, ww + 0.12, 0.03, reveal + 0.12, frameMaterial), // sill board
                wf.B(-ww / 2 + bar / 2, sill, glassZ, bar, top - sill, 0.05, frameMaterial), wf.B(ww / 2 - bar / 2, sill, glassZ, bar, top - sill, 0.05, frameMaterial),
                wf.B(0, sill, glassZ, ww, bar, 0.05, frameMaterial), wf.B(0, top - bar, glassZ, ww, bar, 0.05, frameMaterial),
            };
            int panes = Math.Max(1, (int)(ww / rng.Uniform(0.5, 1.2)));
            for (int p = 1; p < panes; p++) parts.Add(wf.B(-ww / 2 + ww * p / panes, sill, glassZ, bar * 0.7, top - sill, 0.05, frameMaterial));
            if (rng.Chance(0.5)) parts.Add(wf.B(0, sill + (top - sill) * rng.Uniform(0.55, 0.75), glassZ, ww, bar * 0.7, 0.05, frameMaterial));
            if (rng.Chance(0.3))
            {
                double bh = (top - sill) * rng.Uniform(0.15, 0.9);
                parts.Add(wf.B(0, top - bh, 0.03, ww + 0.04, bh, 0.015, new Material { Kind = TextureKind.Blinds, ColorA = Material.Srgb(230, 228, 220), ColorB = Material.Srgb(90, 90, 90), Scale = 0.03 }));
            }
            scene.Add("window", [.. parts]);
            if (rng.Chance(0.45))
            {
                var curtain = palette.Fabric();
                double cw = rng.Uniform(0.25, 0.55), bottom = rng.Chance(0.6) ? 0.02 : sill - 0.1, ctop = Math.Min(layout.Height - 0.05, top + 0.15);
                var c = new List<Primitive>();
                foreach (double side in (ReadOnlySpan<double>)[-1, 1])
                    c.Add(wf.B(side * (ww / 2 + cw / 2 - 0.1), bottom, 0.1, cw, ctop - bottom, 0.06, curtain));
                c.Add(wf.B(0, ctop, 0.1, ww + 2 * cw, 0.025, 0.025, palette.Metal()));
                scene.Add("curtains", [.. c]);
                if (bottom < 0.1) layout.BlockWall(wall, t - ww / 2 - cw - 0.1, t + ww / 2 + cw + 0.1, 0);
            }
            else if (rng.Chance(0.35))
            {
                var rf = layout.WallFrame(wall, t, 0.1, 0.04);
                if (layout.TryTake(rf, ww * 0.8, 0.1))
                    scene.Add("radiator", rf.B(0, 0.12, 0, ww * 0.8, Math.Min(0.55, sill - 0.2), 0.08, new Material { Kind = TextureKind.Blinds, ColorA = Material.Srgb(235, 235, 230), ColorB = Material.Srgb(170, 170, 165), Scale = 0.05 }));
            }
            // the view out: a lit backdrop some way off; a window is also an area light into the room
            var outside = wf.P(0, 0, -rng.Uniform(5, 40));
            scene.Structure.Add(new Box(new Vec3(outside.X, -elevation, outside.Z), new Vec3(200, 80, 0.1), exterior, wf.Yaw));
            var center = wf.P(0, (sill + top) / 2, 0);
            var along = wf.P(1, 0, 0) - wf.P(0, 0, 0);
            double strength = (1.5 + 6 * daylight) * rng.Uniform(0.6, 1.4);
            scene.Lights.Add(new Light(center, new Vec3(0.95, 0.97, 1.0) * (strength * ww * (top - sill)), 0, along * (ww / 2), new Vec3(0, (top - sill) / 2, 0)));
            if (scene.Sun is null && daylight > 0.6 && rng.Chance(0.5))
            {
                // sun low enough to shine in through this window: a bright patch on the floor and walls, hard shadows
                var outward = wf.P(0, 0, -1) - wf.P(0, 0, 0);
                double elevationAngle = rng.Uniform(0.25, 0.8), azimuth = rng.Uniform(-0.8, 0.8);
                var direction = (outward * (DetMath.Cos(elevationAngle) * DetMath.Cos(azimuth)) + along * (DetMath.Cos(elevationAngle) * DetMath.Sin(azimuth)) + Vec3.UnitY * DetMath.Sin(elevationAngle)).Normalized();
                scene.Sun = (direction, new Vec3(1.0, 0.93, 0.82) * rng.Uniform(2, 5));
            }
            added++;
        }
        return added;
    }

    static void AddBaseboards(Scene scene, RoomShell shell, Layout layout, Material trim, Rng rng)
    {
        if (rng.Chance(0.15)) return;
        double h = rng.Uniform(0.05, 0.12);
        var parts = new List<Primitive>();
        foreach (var wall in (ReadOnlySpan<RoomFace>)[RoomFace.Left, RoomFace.Right, RoomFace.Back, RoomFace.Front])
        {
            double length = layout.WallLength(wall), start = 0;
            var cuts = shell.Openings.Where(o => o.Face == wall && o.V0 < 0).OrderBy(o => o.H0).Select(o => (o.H0 - 0.09, o.H1 + 0.09)).Append((length, length));
            foreach (var (a, b) in cuts)
            {
                if (a - start > 0.05)
                {
                    var f = layout.WallFrame(wall, (start + a) / 2, 0.012, 0);
                    parts.Add(f.B(0, 0, 0, a - start, h, 0.012, trim));
                }
                start = b;
            }
        }
        scene.Add("baseboards", [.. parts]);
    }

    static void AddCeilingLights(Scene scene, Layout layout, Rng rng, RoomKind kind, Vec3 color, int windows)
    {
        int count = windows == 0 ? rng.Int(1, 3) : rng.Weighted(2, 5, 2);
        for (int k = 0; k < count && scene.Lights.Count < 3; k++)
        {
            double x = rng.Uniform(0.3, 0.7) * layout.Width, z = rng.Uniform(0.3, 0.8) * layout.Depth, y = layout.Height;
            double strength = rng.Uniform(2, 6) * (layout.Height / 2.6) * (layout.Height / 2.6);
            var fixture = Palette.LightSource(color, 6);
            if (kind == RoomKind.Office || rng.Chance(0.15))
                scene.Add("ceiling panel", new Box(new Vec3(x, y - 0.02, z), new Vec3(1.2, 0.04, 0.3), fixture));
            else if (rng.Chance(0.5))
                scene.Add("ceiling light", new Cylinder(new Vec3(x, y - 0.04, z), rng.Uniform(0.12, 0.3), 0.08, fixture));
            else
            {
                double r = rng.Uniform(0.12, 0.25), drop = Math.Max(0.1, Math.Min(rng.Uniform(0.3, 0.8), layout.Height - 2.15 - r));
                scene.Add("pendant", new Cylinder(new Vec3(x, y - drop / 2, z), 0.006, drop, new Material { ColorA = new Vec3(0.05, 0.05, 0.05), CastsShadow = false }),
                          new Ellipsoid(new Vec3(x, y - drop - r * 0.5, z), new Vec3(r, r * 0.7, r), Palette.Shade(color * 0.9, 2.5)));
                y -= drop + r;
            }
            scene.Lights.Add(new Light(new Vec3(x, y - 0.12, z), color * strength, 0.1));
        }
    }

    static void AddWallDecor(Scene scene, RoomShell shell, Layout layout, Palette palette, Rng rng, RoomKind kind)
    {
        int posters = rng.Int(1, 7) + (kind == RoomKind.Office ? 1 : 0);
        for (int k = 0; k < posters; k++)
        {
            var wall = (RoomFace)(2 + rng.Weighted(2, 2, 0.3, 2));
            double w = rng.Uniform(0.25, kind == RoomKind.Office && k == 0 ? 1.8 : 1.1), h = rng.Uniform(0.25, 1.0);
            double length = layout.WallLength(wall);
            if (length < w + 0.4) continue;
            double t = rng.Uniform(w / 2 + 0.2, length - w / 2 - 0.2), y = rng.Uniform(1.1, Math.Min(2.0, layout.Height - h / 2 - 0.2));
            bool clash = false;
            foreach (var o in shell.Openings)
                if (o.Face == wall && t + w / 2 > o.H0 - 0.1 && t - w / 2 < o.H1 + 0.1 && y + h / 2 > o.V0 - 0.1) clash = true;
            if (clash) continue;
            var f = layout.WallFrame(wall, t, 0.02, 0.002);
            scene.Add("poster", f.B(0, y - h / 2, 0, w, h, rng.Uniform(0.004, 0.03), palette.Poster(w, h)));
        }
        if (rng.Chance(0.2))
        {
            var wall = (RoomFace)(2 + rng.Weighted(1, 1, 0, 1));
            var f = layout.WallFrame(wall, rng.Uniform(0.5, layout.WallLength(wall) - 0.5), 0.04, 0);
            double r = rng.Uniform(0.12, 0.2);
            scene.Add("clock", f.E(0, rng.Uniform(1.8, Math.Min(2.3, layout.Height - 0.3)), 0, r, r, 0.025, palette.Poster(2 * r, 2 * r)));
        }
    }
}
