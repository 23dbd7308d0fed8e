using DepthKit.Data;
using DepthKit.Data.Synth;

namespace DepthKit.Tests.Synth;

/// <summary>The Kinect-like depth sensor: quantisation on the disparity grid and invalid (0) pixels.</summary>
public class SensorModelTests
{
    const int H = 48, W = 64;

    static DepthSample Render(Scene scene, bool sensor) => SynthRooms.Render(scene, 1, new Rng(2), new Rng(3), sensor, cameraEffects: false);

    static Scene Wall(double distance, Material m)
    {
        var scene = new Scene(Camera.Create(Intrinsics.Nyu(H, W), new Vec3(0, 1.5, 0), 0));
        scene.Lights.Add(new Light(new Vec3(0, 1.5, 0.5), new Vec3(2, 2, 2)));
        scene.Structure.Add(new Plane(new Vec3(0, 0, 1), distance, m));
        return scene;
    }

    [Fact]
    public void QuantisedDepthLiesOnTheDisparityGridAndErrorGrowsWithDistance()
    {
        var grey = new Material { ColorA = new Vec3(0.5, 0.5, 0.5) };
        const double bf8 = 0.075 * 580 * 8; // baseline x focal x 1/8 pixel steps
        double previousError = 0;
        foreach (double z in new[] { 1.0, 3.0, 6.0 })
        {
            var valid = Render(Wall(z, grey), sensor: true).Depth.Where(DepthSample.IsValidDepth).ToArray();
            Assert.True(valid.Length > H * W * 0.8, $"{valid.Length} valid pixels at {z} m");
            foreach (var d in valid)
            {
                double k = bf8 / d;
                Assert.Equal(Math.Round(k), k, 0.001); // an integer number of 1/8-pixel disparity steps
            }
            double step = z * z / bf8;                 // depth resolution at z
            double error = valid.Average(d => Math.Abs(d - z));
            Assert.True(error < 3 * step + 1e-4, $"mean error {error} m at {z} m, step {step}");
            Assert.True(error > previousError, $"error does not grow: {error} at {z} m vs {previousError}");
            previousError = error;
        }
    }

    [Fact]
    public void DarkAndGlassSurfacesAreInvalidOnlyWithTheSensorModel()
    {
        var black = new Material { ColorA = new Vec3(0.005, 0.005, 0.005) };
        var glass = new Material { ColorA = new Vec3(0.8, 0.8, 0.8), BehindGlass = true };
        foreach (var m in new[] { black, glass })
        {
            Assert.All(Render(Wall(2, m), sensor: false).Depth, d => Assert.Equal(2.0, d, 0.001));
            Assert.All(Render(Wall(2, m), sensor: true).Depth, d => Assert.Equal(0f, d));
        }
    }

    [Fact]
    public void GrazingFloorFarAwayLosesDepthAndTheValidMaskCountsIt()
    {
        // camera 1.5 m up looking level over a floor: far rows meet it at grazing angles
        var scene = new Scene(Camera.Create(Intrinsics.Nyu(H, W), new Vec3(0, 1.5, 0), 0));
        scene.Lights.Add(new Light(new Vec3(0, 2.5, 2), new Vec3(3, 3, 3)));
        scene.Structure.Add(new Plane(new Vec3(0, 1, 0), 0, new Material { ColorA = new Vec3(0.5, 0.5, 0.5) }));
        var clean = Render(scene, sensor: false);
        var noisy = Render(scene, sensor: true);
        int cleanValid = clean.ValidMask().Count(v => v), noisyValid = noisy.ValidMask().Count(v => v);
        Assert.Equal(clean.Depth.Count(d => d > 0), cleanValid);
        Assert.Equal(noisy.Depth.Count(d => d > 0), noisyValid);
        Assert.True(noisyValid < cleanValid, $"sensor model kept {noisyValid} of {cleanValid} pixels");
        // the upper half looks above the horizon: no floor there, so no depth in either
        Assert.All(clean.Depth.Take(W * 20), d => Assert.Equal(0f, d));
        // the bottom row is near and steep enough to measure
        Assert.True(noisy.Depth.Skip(W * (H - 1)).Count(d => d > 0) > W / 2);
    }

    [Fact]
    public void RoomsWithSensorNoiseHaveSomeButNotTooManyHoles()
    {
        int total = 0, holes = 0;
        for (int i = 0; i < 3; i++)
        {
            var s = SynthRooms.Render(21, i, H, W, sensorNoise: true);
            total += s.Depth.Length;
            holes += s.Depth.Count(d => d == 0);
        }
        double fraction = (double)holes / total;
        Assert.InRange(fraction, 0.005, 0.5);
    }
}
