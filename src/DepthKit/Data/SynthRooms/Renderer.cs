namespace DepthKit.Data.Synth;

/// <summary>What one render produces before the camera and the depth sensor have their say.</summary>
public sealed class RenderBuffers(int height, int width)
{
    public int Height { get; } = height;
    public int Width { get; } = width;
    /// <summary>Linear RGB radiance, H x W x 3.</summary>
    public double[] Radiance { get; } = new double[height * width * 3];
    /// <summary>Exact depth along the optical axis in metres (0 where the ray hit nothing).</summary>
    public double[] Depth { get; } = new double[height * width];
    /// <summary>|cos| of the angle between the viewing ray and the surface normal (small = grazing).</summary>
    public double[] Cosine { get; } = new double[height * width];
    /// <summary>Albedo luminance: how much infrared the Kinect gets back (dark surfaces return little).</summary>
    public double[] Reflectance { get; } = new double[height * width];
    public double[] Gloss { get; } = new double[height * width];
    /// <summary>The ray left the room through a window pane.</summary>
    public bool[] BehindGlass { get; } = new bool[height * width];
}

/// <summary>
/// CPU ray caster: one primary ray per pixel through the pinhole, nearest analytic hit, shade it. The ray direction
/// has unit length along the optical axis, so the hit parameter is the depth z directly (not the ray length).
/// </summary>
public static class Renderer
{
    public static RenderBuffers Render(Scene scene, ulong seed)
    {
        var k = scene.Camera.Intrinsics;
        var buffers = new RenderBuffers(k.Height, k.Width);
        for (int v = 0; v < k.Height; v++)
            for (int u = 0; u < k.Width; u++)
                RenderPixel(scene, buffers, u, v, seed);
        return buffers;
    }

    static void RenderPixel(Scene scene, RenderBuffers b, int u, int v, ulong seed)
    {
        int i = v * b.Width + u;
        var ray = scene.Camera.PixelRay(u, v);
        var hit = Hit.None;
        if (!scene.Intersect(ray, ref hit)) return;
        var m = hit.Material!;
        var color = Shading.Shade(scene, ray, hit, Hash.Mix(seed, (ulong)i), out var albedo);
        b.Radiance[3 * i] = color.X; b.Radiance[3 * i + 1] = color.Y; b.Radiance[3 * i + 2] = color.Z;
        b.Depth[i] = hit.T;
        b.Cosine[i] = Math.Abs(hit.Normal.Dot(ray.Direction)) / ray.Direction.Length;
        b.Reflectance[i] = albedo.Luminance;
        b.Gloss[i] = m.Gloss;
        b.BehindGlass[i] = m.BehindGlass;
    }
}
