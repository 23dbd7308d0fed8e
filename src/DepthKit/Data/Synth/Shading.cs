namespace DepthKit.Data.Synth;

/// <summary>
/// Colour of a surface point: albedo x (ambient x occlusion + sum of lights that reach it), Lambert's cosine law,
/// inverse-square falloff, hard-or-soft shadows from shadow rays, a Blinn-Phong highlight on glossy surfaces,
/// plus emission. Randomness (light sample, occlusion directions) comes from the pixel's hash, so pixels can be
/// shaded in any order and still give the same bytes.
/// </summary>
public static class Shading
{
    /// <summary>How far (metres) ambient occlusion looks for nearby geometry: darkens corners and contact points.</summary>
    const double OcclusionRange = 0.35;
    const int OcclusionRays = 2;

    /// <summary>A shaded point: colour = Albedo x Irradiance + Specular + Emitted. Irradiance and Specular (sampled, so
    /// grainy) are kept apart so the renderer can smooth them across neighbouring pixels of the same surface.</summary>
    public readonly record struct Result(Vec3 Albedo, Vec3 Irradiance, Vec3 Specular, Vec3 Emitted);

    public static Result Shade(Scene scene, in Ray ray, in Hit hit, ulong pixelSeed, int stratum = 0)
    {
        var m = hit.Material!;
        var albedo = m.Albedo(hit.LocalPoint, hit.LocalNormal);
        var n = hit.Normal;
        var point = ray.At(hit.T) + n * 1e-5;
        var view = (-ray.Direction).Normalized();

        var emitted = albedo * m.Emission;
        if (m.Emission.X > 2) return new Result(albedo, Vec3.Zero, Vec3.Zero, emitted); // light sources and the outdoors are not lit by the room

        double occlusion = AmbientOcclusion(scene, point, n, pixelSeed);
        var irradiance = scene.Ambient * ((0.8 + 0.2 * n.Y) * occlusion);
        var specular = Vec3.Zero;

        for (int li = 0; li < scene.Lights.Count; li++)
        {
            var light = scene.Lights[li];
            // interleaved sampling: the 16 pixels of each 4x4 block sample 16 different cells of the light, so the
            // renderer's 5x5 smoothing averages a well spread set of light samples
            double a = ((stratum & 3) + Hash.Unit(pixelSeed, (ulong)li, 1)) / 2 - 1, b = ((stratum >> 2 & 3) + Hash.Unit(pixelSeed, (ulong)li, 2)) / 2 - 1;
            Vec3 sample; double emitterCosine = 1;
            if (light.IsRectangle)
                sample = light.Position + light.AxisU * a + light.AxisV * b;
            else
                sample = light.Position + new Vec3(a, b, Hash.Unit(pixelSeed, (ulong)li, 3) * 2 - 1) * light.Radius;
            var toLight = sample - point;
            double distance2 = toLight.Dot(toLight), distance = Math.Sqrt(distance2);
            var l = toLight / distance;
            double cosine = n.Dot(l);
            if (cosine <= 0) continue;
            if (light.IsRectangle)
            {
                emitterCosine = -light.Normal.Dot(l);
                if (emitterCosine <= 0) continue;
            }
            if (scene.Occluded(new Ray(point, toLight), 1 - 1e-4)) continue;
            double falloff = 1 / (distance2 + 0.25);
            irradiance += light.Color * (cosine * emitterCosine * falloff);
            if (m.Gloss > 0)
            {
                var half = (l + view).Normalized();
                double s = Math.Max(0, n.Dot(half));
                for (int k = 0; k < 5; k++) s *= s; // s^32
                specular += light.Color * (m.Gloss * s * falloff);
            }
        }
        if (scene.Sun is var (sunDirection, sunColor))
        {
            double cosine = n.Dot(sunDirection);
            if (cosine > 0 && !scene.Occluded(new Ray(point, sunDirection * 100), 1)) irradiance += sunColor * cosine;
        }
        return new Result(albedo, irradiance, specular, emitted);
    }

    /// <summary>Fraction of short rays that escape: 1 in the open, less in corners and under furniture.</summary>
    static double AmbientOcclusion(Scene scene, Vec3 point, Vec3 n, ulong pixelSeed)
    {
        int open = 0;
        for (int k = 0; k < OcclusionRays; k++)
        {
            // random point in the unit ball (rejection, no trigonometry) + normal ~ cosine-weighted direction
            Vec3 r;
            ulong attempt = 0;
            do
            {
                r = new Vec3(Hash.Unit(pixelSeed, 100 + (ulong)k, attempt) * 2 - 1, Hash.Unit(pixelSeed, 200 + (ulong)k, attempt) * 2 - 1, Hash.Unit(pixelSeed, 300 + (ulong)k, attempt) * 2 - 1);
                attempt++;
            } while (r.Dot(r) > 1 && attempt < 8);
            var dir = (n + r).Normalized();
            if (!scene.Occluded(new Ray(point, dir * OcclusionRange), 1)) open++;
        }
        return 0.35 + 0.65 * open / OcclusionRays;
    }
}
