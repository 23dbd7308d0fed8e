using System.Globalization;
using System.Text;
using System.Text.Json;
using DepthKit.Data;

namespace DepthKit.Visualization;

/// <summary>Pinhole intrinsics in pixels for an image of Width x Height.</summary>
public sealed record PinholeCamera(double Fx, double Fy, double Cx, double Cy, int Width, int Height)
{
    /// <summary>The NYU Depth V2 Kinect RGB camera at 640x480.</summary>
    public static PinholeCamera NyuKinect { get; } = new(518.86, 519.47, 325.58, 253.74, 640, 480);

    /// <summary>Why these intrinsics would give NaN or infinite points (focal lengths must be positive, the size non-empty), or null.</summary>
    public string? Problem() =>
        !(double.IsFinite(Fx) && Fx > 0 && double.IsFinite(Fy) && Fy > 0) ? FormattableString.Invariant($"focal lengths fx {Fx} and fy {Fy} must be positive pixels")
        : !(double.IsFinite(Cx) && double.IsFinite(Cy)) ? FormattableString.Invariant($"principal point cx {Cx}, cy {Cy} must be finite")
        : Width <= 0 || Height <= 0 ? $"image size width {Width} x height {Height} must be positive (the size the intrinsics are for)"
        : null;

    /// <summary>The same camera for an image resized to width x height (focal lengths and centre scale with the axes).</summary>
    public PinholeCamera Scaled(int width, int height)
    {
        double sx = (double)width / Width, sy = (double)height / Height;
        return new PinholeCamera(Fx * sx, Fy * sy, Cx * sx, Cy * sy, width, height);
    }

    /// <summary>
    /// Reads camera.json (as <c>depthkit synth</c> writes it): numbers fx, fy, cx, cy and width, height, at the top
    /// level or under "intrinsics".
    /// </summary>
    public static PinholeCamera FromJsonFile(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.TryGetProperty("intrinsics", out var inner) && inner.ValueKind == JsonValueKind.Object) root = inner;
            double Get(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
                : throw new DepthKitDataException(path, $"camera file has no number '{key}' (expected fx, fy, cx, cy, width, height)");
            var camera = new PinholeCamera(Get("fx"), Get("fy"), Get("cx"), Get("cy"), (int)Math.Clamp(Get("width"), -1, int.MaxValue), (int)Math.Clamp(Get("height"), -1, int.MaxValue));
            return camera.Problem() is { } problem ? throw new DepthKitDataException(path, problem) : camera;
        }
        catch (JsonException e) { throw new DepthKitDataException(path, $"camera file is not valid JSON ({e.Message})", e); }
        catch (FileNotFoundException) { throw new DepthKitDataException(path, "file not found"); }
    }
}

/// <summary>Coloured point clouds (.ply) back-projected from a depth map: X = (u - cx) Z / fx, Y = (v - cy) Z / fy.</summary>
public static class PointCloud
{
    /// <summary>Points (x, y, z metres, camera frame: x right, y down, z forward) and colours of the valid pixels.</summary>
    public static (float[] Xyz, byte[] Rgb) BackProject(ReadOnlySpan<float> depth, ReadOnlySpan<byte> rgb, int height, int width, PinholeCamera camera)
    {
        if (camera.Problem() is { } problem) throw new ArgumentException($"camera intrinsics: {problem}");
        var cam = camera.Width == width && camera.Height == height ? camera : camera.Scaled(width, height);
        var xyz = new List<float>();
        var colours = new List<byte>();
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
            {
                int i = v * width + u;
                float z = depth[i];
                if (!(float.IsFinite(z) && z > 0)) continue;
                xyz.Add((float)((u - cam.Cx) * z / cam.Fx));
                xyz.Add((float)((v - cam.Cy) * z / cam.Fy));
                xyz.Add(z);
                colours.Add(rgb[3 * i]); colours.Add(rgb[3 * i + 1]); colours.Add(rgb[3 * i + 2]);
            }
        return ([.. xyz], [.. colours]);
    }

    /// <summary>Writes a PLY file (binary little-endian, or ASCII) with float x, y, z and uchar red, green, blue; atomic.</summary>
    public static void WritePly(string path, float[] xyz, byte[] rgb, bool ascii = false)
    {
        int n = xyz.Length / 3;
        var header = new StringBuilder()
            .Append("ply\n").Append(ascii ? "format ascii 1.0\n" : "format binary_little_endian 1.0\n")
            .Append("comment DepthKit point cloud, metres, camera frame (x right, y down, z forward)\n")
            .Append(CultureInfo.InvariantCulture, $"element vertex {n}\n")
            .Append("property float x\nproperty float y\nproperty float z\n")
            .Append("property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n").ToString();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes(header));
            if (ascii)
            {
                using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                for (int i = 0; i < n; i++)
                    w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{xyz[3 * i]:R} {xyz[3 * i + 1]:R} {xyz[3 * i + 2]:R} {rgb[3 * i]} {rgb[3 * i + 1]} {rgb[3 * i + 2]}"));
            }
            else
            {
                using var w = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
                for (int i = 0; i < n; i++)
                {
                    w.Write(xyz[3 * i]); w.Write(xyz[3 * i + 1]); w.Write(xyz[3 * i + 2]);
                    w.Write(rgb[3 * i]); w.Write(rgb[3 * i + 1]); w.Write(rgb[3 * i + 2]);
                }
            }
        });
    }
}
