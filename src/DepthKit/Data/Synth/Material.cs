namespace DepthKit.Data.Synth;

/// <summary>Which procedural pattern a surface carries (see <see cref="Textures"/>).</summary>
public enum TextureKind { Flat, Paint, WoodPlanks, Wood, Tiles, Carpet, Fabric, Poster, Exterior, Screen, CeilingTiles, Marble, Metal, Leaves, Blinds }

/// <summary>
/// How a surface looks (albedo pattern, gloss, emission) and how the depth sensor sees it (infrared reflectance,
/// glass). Colours are linear RGB in [0, 1].
/// </summary>
public sealed class Material
{
    public TextureKind Kind { get; init; } = TextureKind.Flat;
    public Vec3 ColorA { get; init; } = new(0.5, 0.5, 0.5);
    public Vec3 ColorB { get; init; } = new(0.3, 0.3, 0.3);
    /// <summary>Pattern size in metres (plank width, tile size, noise scale ...).</summary>
    public double Scale { get; init; } = 0.2;
    /// <summary>Second size for patterns that need one (plank length, poster height).</summary>
    public double Scale2 { get; init; } = 1.0;
    public ulong Seed { get; init; }
    /// <summary>0 = matte (pure Lambert), up to 1 = a shiny highlight; the depth sensor loses glossy surfaces.</summary>
    public double Gloss { get; init; }
    /// <summary>Light the surface gives off itself (lamp shades, screens, the view out of a window).</summary>
    public Vec3 Emission { get; init; } = Vec3.Zero;
    /// <summary>Seen through glass (a window): a Kinect gets no depth here.</summary>
    public bool BehindGlass { get; init; }
    /// <summary>Lamp shades and bulbs do not block their own light.</summary>
    public bool CastsShadow { get; init; } = true;

    public Vec3 Albedo(Vec3 localPoint, Vec3 localNormal) => Textures.Albedo(this, localPoint, localNormal);

    /// <summary>sRGB 0-255 to linear (gamma 2.2 is close enough for albedos).</summary>
    public static Vec3 Srgb(double r, double g, double b) =>
        new(DetMath.Pow(r / 255, 2.2), DetMath.Pow(g / 255, 2.2), DetMath.Pow(b / 255, 2.2));
}
