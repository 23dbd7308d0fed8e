namespace DepthKit.Data.Synth;

/// <summary>A light: a point (bulb) or a rectangle (a window); Radius > 0 softens a point light's shadows.</summary>
public sealed record Light(Vec3 Position, Vec3 Color, double Radius = 0, Vec3 AxisU = default, Vec3 AxisV = default)
{
    /// <summary>Rectangle lights span Position +- AxisU +- AxisV and shine to the side their normal faces.</summary>
    public bool IsRectangle => AxisU != default;
    public Vec3 Normal => AxisU.Cross(AxisV).Normalized();
}

/// <summary>One piece of furniture (or one shelf of books): its parts and a box around them that rays test first.</summary>
public sealed class SceneObject
{
    public string Name { get; }
    public Primitive[] Parts { get; }
    public Aabb Bounds { get; }

    public SceneObject(string name, params Primitive[] parts)
    {
        Name = name; Parts = parts;
        var b = Aabb.Empty;
        foreach (var p in parts) b = b.Union(p.Bounds);
        Bounds = b;
    }
}

/// <summary>Everything the renderer needs: geometry, lights, ambient light and the camera.</summary>
public sealed class Scene(Camera camera)
{
    public Camera Camera { get; set; } = camera;
    /// <summary>Room shells, corridors, backdrops: large pieces tested for every ray.</summary>
    public List<Primitive> Structure { get; } = [];
    public List<SceneObject> Objects { get; } = [];
    public List<Light> Lights { get; } = [];
    /// <summary>Sunlight: unit direction toward the sun and its colour; it enters only where nothing (a wall
    /// with a window hole in it) blocks the way out.</summary>
    public (Vec3 Direction, Vec3 Color)? Sun { get; set; }
    /// <summary>Light arriving from everywhere (bounce light), times albedo.</summary>
    public Vec3 Ambient { get; set; } = new(0.15, 0.15, 0.15);
    /// <summary>A short description for logs ("bedroom 4.1 x 2.6 x 5.3 m, 23 objects").</summary>
    public string Description { get; set; } = "";

    public void Add(string name, params Primitive[] parts) => Objects.Add(new SceneObject(name, parts));

    BoundingVolumeHierarchy? _bvh;
    readonly Lock _bvhLock = new();

    /// <summary>The object hierarchy, built on first use after the scene is complete (adding objects later resets it).</summary>
    BoundingVolumeHierarchy Bvh
    {
        get
        {
            var bvh = _bvh;
            if (bvh is not null && bvh.ObjectCount == Objects.Count) return bvh;
            lock (_bvhLock) return _bvh = new BoundingVolumeHierarchy(Objects);
        }
    }

    public bool Intersect(in Ray ray, ref Hit hit)
    {
        bool found = false;
        foreach (var p in Structure) found |= p.Intersect(ray, ref hit);
        return Bvh.Intersect(ray, ref hit) | found;
    }

    /// <summary>True if something that casts shadows lies on the ray before parameter <paramref name="tMax"/>.</summary>
    public bool Occluded(in Ray ray, double tMax)
    {
        if (Bvh.Occluded(ray, tMax)) return true;
        var hit = new Hit { T = tMax };
        foreach (var p in Structure)
            if (p.Material.CastsShadow && p.Intersect(ray, ref hit)) return true;
        return false;
    }
}
