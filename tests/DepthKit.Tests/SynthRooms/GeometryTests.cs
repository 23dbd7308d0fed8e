using DepthKit.Data;
using DepthKit.Data.Synth;

namespace DepthKit.Tests.Synth;

/// <summary>Rendered depth against hand-solved geometry: planes, spheres, boxes, to 1 mm.</summary>
public class GeometryTests
{
    const int H = 48, W = 64;
    static readonly Material Grey = new() { ColorA = new Vec3(0.5, 0.5, 0.5) };

    static DepthSample Render(Scene scene, bool sensor = false) =>
        SynthRooms.Render(scene, 1, new Rng(2), new Rng(3), sensor, cameraEffects: false);

    static Scene WithLight(Camera camera)
    {
        var scene = new Scene(camera);
        scene.Lights.Add(new Light(new Vec3(0.3, 1.0, 0.5), new Vec3(2, 2, 2)));
        return scene;
    }

    [Fact]
    public void IntrinsicsScaleWithTheOutputSize()
    {
        var k = Intrinsics.Nyu(240, 320);
        Assert.Equal(259.43, k.Fx, 2);   // 518.8579 / 2
        Assert.Equal(259.73, k.Fy, 2);   // 519.4696 / 2
        Assert.Equal(162.79, k.Cx, 2);
        Assert.Equal(126.87, k.Cy, 2);
        var full = Intrinsics.Nyu(480, 640);
        Assert.Equal(518.8579, full.Fx, 6);
        Assert.Equal(253.7362, full.Cy, 6);
        var odd = Intrinsics.Nyu(96, 128);
        Assert.Equal(518.8579 * 128 / 640, odd.Fx, 9);
        Assert.Equal(519.4696 * 96 / 480, odd.Fy, 9);
    }

    [Fact]
    public void FacingAWallEveryPixelHasTheWallDistanceNotTheRayLength()
    {
        var scene = WithLight(Camera.Create(Intrinsics.Nyu(H, W), new Vec3(0, 1.5, 0), yaw: 0));
        scene.Structure.Add(new Plane(new Vec3(0, 0, 1), 3.2, Grey));
        var s = Render(scene);
        Assert.All(s.Depth, d => Assert.Equal(3.2, d, 0.001));
        // the ray to a corner pixel is longer than 3.2 m; depth is z, so it is still 3.2
        var corner = scene.Camera.PixelRay(0, 0).Direction;
        Assert.True(3.2 * corner.Length > 3.4);
    }

    [Fact]
    public void TurnedCameraSeesAWallAtItsPerpendicularDistancePerPixel()
    {
        // camera turned 30 degrees toward +x, facing the wall z = 4: pixel depth = (4 - 0) / (d.z) along the optical axis
        double yaw = DetMath.Pi / 6;
        var camera = Camera.Create(Intrinsics.Nyu(H, W), new Vec3(0, 1.4, 0), yaw);
        var scene = WithLight(camera);
        scene.Structure.Add(new Plane(new Vec3(0, 0, 1), 4, Grey));
        var s = Render(scene);
        var k = camera.Intrinsics;
        foreach (var (u, v) in new[] { (0, 0), (W - 1, 0), (31, 24), (W - 1, H - 1), (5, 40) })
        {
            // hand-solve: world z of the pixel direction; the right axis is (-cos yaw, 0, sin yaw)
            double x = (u - k.Cx) / k.Fx;
            double dz = Math.Cos(yaw) + x * Math.Sin(yaw);
            Assert.Equal(4 / dz, s.Depth[v * W + u], 0.001);
        }
    }

    [Fact]
    public void SphereDepthMatchesTheAnalyticIntersection()
    {
        // principal point on a pixel centre so pixel (32, 24) is the optical axis
        var k = new Intrinsics(60, 60, 32, 24, W, H);
        var scene = WithLight(Camera.Create(k, Vec3.Zero, 0));
        var centre = new Vec3(0, 0, 3);
        double r = 0.5;
        scene.Add("ball", Ellipsoid.Sphere(centre, r, Grey));
        var s = Render(scene);
        Assert.Equal(2.5, s.Depth[24 * W + 32], 0.001); // distance - radius
        foreach (var (u, v) in new[] { (36, 27), (28, 20), (40, 24), (32, 31) })
        {
            // |t d - c|^2 = r^2 with d = (x', y', 1) up to sign of x', y' (c is on the axis): nearer root, depth = t
            double x = (u - 32) / 60.0, y = (v - 24) / 60.0;
            double dd = x * x + y * y + 1, dc = 3, cc = 9;
            double t = (dc - Math.Sqrt(dc * dc - dd * (cc - r * r))) / dd;
            Assert.Equal(t, s.Depth[v * W + u], 0.001);
        }
        Assert.Equal(0f, s.Depth[0]); // nothing behind the ball: no measurement
    }

    [Fact]
    public void BoxInFrontOfAWallOccludesIt()
    {
        var k = new Intrinsics(60, 60, 32, 24, W, H);
        var scene = WithLight(Camera.Create(k, Vec3.Zero, 0));
        scene.Structure.Add(new Plane(new Vec3(0, 0, 1), 5, Grey));
        scene.Add("box", new Box(new Vec3(0, 0, 2.25), new Vec3(1, 1, 0.5), Grey)); // front face at z = 2
        scene.Add("leg", new Cylinder(new Vec3(1.5, 0, 3), 0.2, 4, Grey));          // side nearest the axis at x = 1.3
        var s = Render(scene);
        Assert.Equal(2.0, s.Depth[24 * W + 32], 0.001);
        Assert.Equal(5.0, s.Depth[2 * W + 62], 0.001);
        // column u = 2 looks along x = 0.5 z (the camera's right is -x), through the cylinder axis at z = 3:
        // (0.5 t - 1.5)^2 + (t - 3)^2 = 0.2^2  ->  1.25 t^2 - 7.5 t + 11.21 = 0, nearer root
        double expected = (7.5 - Math.Sqrt(7.5 * 7.5 - 4 * 1.25 * 11.21)) / (2 * 1.25);
        Assert.Equal(expected, s.Depth[24 * W + 2], 0.001);
        Assert.Equal(expected, s.Depth[2 * W + 2], 0.001); // upright: same depth in every row of that column
    }

    [Fact]
    public void DepthOutsideHalfToTenMetresIsInvalid()
    {
        foreach (double d in new[] { 0.3, 12.0 })
        {
            var scene = WithLight(Camera.Create(Intrinsics.Nyu(H, W), Vec3.Zero, 0));
            scene.Structure.Add(new Plane(new Vec3(0, 0, 1), d, Grey));
            Assert.All(Render(scene).Depth, v => Assert.Equal(0f, v));
        }
    }
}
