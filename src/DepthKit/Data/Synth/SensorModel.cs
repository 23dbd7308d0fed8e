using System.Runtime.CompilerServices;

namespace DepthKit.Data.Synth;

/// <summary>
/// From exact depth to what the kit stores. Always: depth outside [<see cref="MinDepth"/>, <see cref="MaxDepth"/>]
/// metres (and rays that hit nothing) becomes 0 = invalid, the NYU convention. With sensor noise on, a Kinect v1
/// model: disparity measured in 1/8 pixel steps with noise, so depth error grows with z squared (about 3 mm at
/// 1 m, 5 cm at 4 m, Khoshelham and Elberink 2012), and holes where a structured-light sensor gets nothing back:
/// dark or glossy surfaces, grazing angles, glass, the projector's shadow beside near objects, and ragged object edges.
/// </summary>
public static class SensorModel
{
    public const double MinDepth = 0.5;
    public const double MaxDepth = 10.0;
    /// <summary>Kinect v1 baseline (m) and IR focal length (px at 640 wide), for disparity.</summary>
    const double Baseline = 0.075, IrFocal = 580.0;
    /// <summary>Disparity resolution: the Kinect reports disparity in 1/8 pixel.</summary>
    const double SubPixel = 8.0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a long loop run a few times: optimise at once, not after tier 0
    public static float[] Measure(RenderBuffers b, Scene scene, Rng rng, bool sensorNoise)
    {
        int n = b.Height * b.Width;
        var depth = new float[n];
        ulong seed = rng.Fork();
        double disparityNoise = rng.Uniform(0.2, 0.6); // in 1/8 pixel units
        double holeScale = Math.Max(2.0, b.Width / 40.0); // hole blobs ~ 1/40 of the image wide
        var projector = scene.Camera.Position + scene.Camera.Right * Baseline;
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                int i = y * b.Width + x;
                double z = b.Depth[i];
                if (z < MinDepth || z > MaxDepth) continue;
                if (!sensorNoise) { depth[i] = (float)z; continue; }

                double blob = Noise.Value(seed, x / holeScale, y / holeScale);
                double speckle = Hash.Unit(seed, (ulong)i, 7);
                if (b.BehindGlass[i]) continue;
                if (b.Cosine[i] < 0.06 || (b.Cosine[i] < 0.15 && blob < 0.4)) continue;               // grazing
                if (b.Reflectance[i] < 0.015 && blob < 0.8 || b.Reflectance[i] < 0.006) continue; // dark: too little IR back
                if (b.Gloss[i] > 0.3 && blob < b.Gloss[i] * 0.9) continue;                           // specular: IR bounces away
                if (IsEdge(b, x, y, z) && speckle < 0.6) continue;                                    // flying pixels at edges
                var point = scene.Camera.Position + scene.Camera.PixelRay(x, y).Direction * z;
                var toProjector = projector - point;
                if (scene.Occluded(new Ray(point + toProjector * 1e-4, toProjector), 1)) continue;  // projector shadow

                double disparity = Baseline * IrFocal / z * SubPixel + NormalFromHash(seed, (ulong)i) * disparityNoise;
                double measured = Baseline * IrFocal * SubPixel / Math.Round(disparity);
                if (measured >= MinDepth && measured <= MaxDepth) depth[i] = (float)measured;
            }
        return depth;
    }

    /// <summary>The depth jumps by more than 5 % to a 4-neighbour.</summary>
    static bool IsEdge(RenderBuffers b, int x, int y, double z)
    {
        double limit = 0.05 * z;
        if (x > 0 && Math.Abs(b.Depth[y * b.Width + x - 1] - z) > limit) return true;
        if (x + 1 < b.Width && Math.Abs(b.Depth[y * b.Width + x + 1] - z) > limit) return true;
        if (y > 0 && Math.Abs(b.Depth[(y - 1) * b.Width + x] - z) > limit) return true;
        if (y + 1 < b.Height && Math.Abs(b.Depth[(y + 1) * b.Width + x] - z) > limit) return true;
        return false;
    }

    static double NormalFromHash(ulong seed, ulong i) =>
        (Hash.Unit(seed, i, 1) + Hash.Unit(seed, i, 2) + Hash.Unit(seed, i, 3) + Hash.Unit(seed, i, 4) - 2) * 1.7320508075688772;
}
