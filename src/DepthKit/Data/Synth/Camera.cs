namespace DepthKit.Data.Synth;

/// <summary>
/// Pinhole intrinsics in pixels. Pixel (u, v) looks along ((u - Cx) / Fx, (v - Cy) / Fy, 1) in camera coordinates
/// (x right, y down, z forward), the OpenCV convention NYU's calibration uses.
/// </summary>
public sealed record Intrinsics(double Fx, double Fy, double Cx, double Cy, int Width, int Height)
{
    /// <summary>NYU Depth V2 Kinect RGB camera at 640x480 (Silberman et al. 2012 toolbox, camera_params.m).</summary>
    public static readonly Intrinsics Nyu640x480 = new(518.8579, 519.4696, 325.5824, 253.7362, 640, 480);

    /// <summary>The NYU intrinsics for an output of <paramref name="height"/> x <paramref name="width"/>: each
    /// parameter scales with its axis (fx, cx by width / 640; fy, cy by height / 480), e.g. 240x320 gives fx 259.43.</summary>
    public static Intrinsics Nyu(int height, int width) => Nyu640x480.Scaled(height, width);

    public Intrinsics Scaled(int height, int width)
    {
        double sx = (double)width / Width, sy = (double)height / Height;
        return new Intrinsics(Fx * sx, Fy * sy, Cx * sx, Cy * sy, width, height);
    }
}

/// <summary>
/// A posed pinhole camera. World coordinates: y up, metres, floor at y = 0. The three axes are orthonormal, so a ray
/// d = Right*x' + Down*y' + Forward has unit component along the optical axis and the hit parameter t is the depth z.
/// </summary>
public sealed record Camera(Intrinsics Intrinsics, Vec3 Position, Vec3 Right, Vec3 Down, Vec3 Forward)
{
    /// <summary>
    /// Yaw turns about the vertical (0 looks along +z, positive turns toward +x), pitch tilts up (positive) or down,
    /// roll turns the image about the optical axis. Angles in radians.
    /// </summary>
    public static Camera Create(Intrinsics intrinsics, Vec3 position, double yaw, double pitch = 0, double roll = 0)
    {
        double cp = DetMath.Cos(pitch);
        var forward = new Vec3(DetMath.Sin(yaw) * cp, DetMath.Sin(pitch), DetMath.Cos(yaw) * cp);
        var right = forward.Cross(Vec3.UnitY).Normalized();
        var down = forward.Cross(right); // = -(right x forward), i.e. minus camera-up
        double cr = DetMath.Cos(roll), sr = DetMath.Sin(roll);
        return new Camera(intrinsics, position, right * cr + down * sr, down * cr - right * sr, forward);
    }

    /// <summary>The ray through the centre of pixel (u, v); its parameter t equals depth along the optical axis.</summary>
    public Ray PixelRay(double u, double v)
    {
        double x = (u - Intrinsics.Cx) / Intrinsics.Fx, y = (v - Intrinsics.Cy) / Intrinsics.Fy;
        return new Ray(Position, Right * x + Down * y + Forward);
    }

    /// <summary>Camera-frame coordinates of a world point (z is its depth).</summary>
    public Vec3 ToCamera(Vec3 world)
    {
        var d = world - Position;
        return new Vec3(d.Dot(Right), d.Dot(Down), d.Dot(Forward));
    }
}
