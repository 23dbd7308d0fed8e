using System.Runtime.CompilerServices;
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
    /// <summary>Shading terms before denoising (H x W x 3 each): radiance = albedo x irradiance + specular + emitted.</summary>
    public double[] Albedo { get; } = new double[height * width * 3];
    public double[] Irradiance { get; } = new double[height * width * 3];
    public double[] Specular { get; } = new double[height * width * 3];
    public double[] Emitted { get; } = new double[height * width * 3];
    public double[] Normal { get; } = new double[height * width * 3];
}

/// <summary>
/// CPU ray caster: one primary ray per pixel through the pinhole, nearest analytic hit, shade it. The ray direction
/// has unit length along the optical axis, so the hit parameter is the depth z directly (not the ray length).
/// </summary>
public static class Renderer
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a long loop run a few times: optimise at once, not after tier 0
    public static RenderBuffers Render(Scene scene, ulong seed)
    {
        var k = scene.Camera.Intrinsics;
        var buffers = new RenderBuffers(k.Height, k.Width);
        for (int v = 0; v < k.Height; v++)
            for (int u = 0; u < k.Width; u++)
                RenderPixel(scene, buffers, u, v, seed);
        SmoothIrradiance(buffers);
        return buffers;
    }

    /// <summary>
    /// Averages the sampled lighting (soft shadows, occlusion: a few random rays per pixel, so grainy) over a 5x5
    /// window (specular highlights too), only across pixels of the same surface (similar depth and normal), the way real-time path tracers
    /// denoise. Texture (albedo) is not blurred, and depth is untouched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a long loop run a few times: optimise at once, not after tier 0
    static void SmoothIrradiance(RenderBuffers b)
    {
        int h = b.Height, w = b.Width;
        ReadOnlySpan<double> weights = [1.0, 1.0, 0.5]; // 0.5 1 1 1 0.5: every cell of the 4x4 sampling pattern weighs the same
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                double z = b.Depth[i];
                if (z <= 0) continue;
                double sr = 0, sg = 0, sb = 0, sw = 0, pr = 0, pg = 0, pb = 0;
                for (int dy = -2; dy <= 2; dy++)
                {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) continue;
                    for (int dx = -2; dx <= 2; dx++)
                    {
                        int xx = x + dx;
                        if (xx < 0 || xx >= w) continue;
                        int j = yy * w + xx;
                        if (Math.Abs(b.Depth[j] - z) > 0.02 * z + 0.005) continue;
                        if (b.Normal[3 * i] * b.Normal[3 * j] + b.Normal[3 * i + 1] * b.Normal[3 * j + 1] + b.Normal[3 * i + 2] * b.Normal[3 * j + 2] < 0.9) continue;
                        double wgt = weights[Math.Abs(dx)] * weights[Math.Abs(dy)];
                        sr += wgt * b.Irradiance[3 * j]; sg += wgt * b.Irradiance[3 * j + 1]; sb += wgt * b.Irradiance[3 * j + 2]; sw += wgt;
                        pr += wgt * b.Specular[3 * j]; pg += wgt * b.Specular[3 * j + 1]; pb += wgt * b.Specular[3 * j + 2];
                    }
                }
                b.Radiance[3 * i] = (b.Albedo[3 * i] * sr + pr) / sw + b.Emitted[3 * i];
                b.Radiance[3 * i + 1] = (b.Albedo[3 * i + 1] * sg + pg) / sw + b.Emitted[3 * i + 1];
                b.Radiance[3 * i + 2] = (b.Albedo[3 * i + 2] * sb + pb) / sw + b.Emitted[3 * i + 2];
            }
    }

    static void RenderPixel(Scene scene, RenderBuffers b, int u, int v, ulong seed)
    {
        int i = v * b.Width + u;
        var ray = scene.Camera.PixelRay(u, v);
        var hit = Hit.None;
        if (!scene.Intersect(ray, ref hit)) return;
        var m = hit.Material!;
        var (albedo, irradiance, specular, emitted) = Shading.Shade(scene, ray, hit, Hash.Mix(seed, (ulong)i), (u & 3) + 4 * (v & 3));
        Store(b.Albedo, i, albedo); Store(b.Irradiance, i, irradiance); Store(b.Specular, i, specular); Store(b.Emitted, i, emitted); Store(b.Normal, i, hit.Normal);
        b.Depth[i] = hit.T;
        b.Cosine[i] = Math.Abs(hit.Normal.Dot(ray.Direction)) / ray.Direction.Length;
        b.Reflectance[i] = albedo.Luminance;
        b.Gloss[i] = m.Gloss;
        b.BehindGlass[i] = m.BehindGlass;
    }

    static void Store(double[] buffer, int i, Vec3 v) { buffer[3 * i] = v.X; buffer[3 * i + 1] = v.Y; buffer[3 * i + 2] = v.Z; }
}
