using DepthKit.Data;

namespace DepthKit.Transforms;

/// <summary>How RGB is resized: bilinear, box (area) averaging, or <see cref="Auto"/> (area when shrinking, bilinear when enlarging: the rule for model input).</summary>
public enum RgbResize { Bilinear, Area, Auto }
public enum DepthResize { Nearest, MaskAware }

/// <summary>Pixel operations shared by the geometric transforms (RGB interleaved HxWx3, depth HxW, 0 = invalid).</summary>
public static class Geometry
{
    public static DepthSample Crop(DepthSample s, int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || height <= 0 || width <= 0 || top + height > s.Height || left + width > s.Width)
            throw new ArgumentException($"crop {height}x{width} at ({top}, {left}) does not fit a {s.Height}x{s.Width} image");
        var rgb = new byte[height * width * 3];
        var depth = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            Array.Copy(s.Rgb, ((top + y) * s.Width + left) * 3, rgb, y * width * 3, width * 3);
            Array.Copy(s.Depth, (top + y) * s.Width + left, depth, y * width, width);
        }
        return s with { Height = height, Width = width, Rgb = rgb, Depth = depth };
    }

    public static DepthSample FlipHorizontal(DepthSample s)
    {
        int h = s.Height, w = s.Width;
        var rgb = new byte[s.Rgb.Length];
        var depth = new float[s.Depth.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int d = y * w + x, src = y * w + (w - 1 - x);
                depth[d] = s.Depth[src];
                rgb[3 * d] = s.Rgb[3 * src]; rgb[3 * d + 1] = s.Rgb[3 * src + 1]; rgb[3 * d + 2] = s.Rgb[3 * src + 2];
            }
        return s with { Rgb = rgb, Depth = depth };
    }

    public static DepthSample Resize(DepthSample s, int height, int width, RgbResize rgbMode, DepthResize depthMode)
    {
        if (height == s.Height && width == s.Width) return s;
        var rgb = rgbMode switch
        {
            RgbResize.Bilinear => Resampling.RgbBilinear(s.Rgb, s.Height, s.Width, height, width),
            RgbResize.Area => Resampling.RgbArea(s.Rgb, s.Height, s.Width, height, width),
            _ => Resampling.Rgb(s.Rgb, s.Height, s.Width, height, width),
        };
        var depth = depthMode == DepthResize.Nearest ? Resampling.DepthNearest(s.Depth, s.Height, s.Width, height, width)
            : Resampling.DepthMaskAware(s.Depth, s.Height, s.Width, height, width);
        return s with { Height = height, Width = width, Rgb = rgb, Depth = depth };
    }

    /// <summary>
    /// Rotates about the image centre by <paramref name="degrees"/> (counter-clockwise on screen). RGB bilinear,
    /// depth nearest (interpolating depth across an edge invents surfaces); outside the source RGB is black and depth invalid.
    /// </summary>
    public static DepthSample Rotate(DepthSample s, double degrees)
    {
        if (degrees == 0) return s;
        int h = s.Height, w = s.Width;
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        var rgb = new byte[s.Rgb.Length];
        var depth = new float[s.Depth.Length];
        var src = s.Rgb;
        for (int y = 0; y < h; y++)
        {
            // inverse map: the source pixel that lands on (x, y); y points down, so this turns the picture counter-clockwise.
            // Along a row the source point moves by (cos, sin) per pixel.
            double dy = y - cy;
            double srcX = -cos * cx - sin * dy + cx, srcY = -sin * cx + cos * dy + cy;
            for (int x = 0; x < w; x++, srcX += cos, srcY += sin)
            {
                int d = y * w + x;
                int nx = (int)Math.Round(srcX), ny = (int)Math.Round(srcY);
                if (nx < 0 || nx >= w || ny < 0 || ny >= h) continue; // outside: depth 0 = invalid, RGB black
                depth[d] = s.Depth[ny * w + nx];
                double fxc = Math.Clamp(srcX, 0, w - 1), fyc = Math.Clamp(srcY, 0, h - 1);
                int x0 = (int)fxc, y0 = (int)fyc, x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
                float fx = (float)(fxc - x0), fy = (float)(fyc - y0);
                int p00 = (y0 * w + x0) * 3, p01 = (y0 * w + x1) * 3, p10 = (y1 * w + x0) * 3, p11 = (y1 * w + x1) * 3;
                for (int c = 0; c < 3; c++)
                {
                    float top = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * fx;
                    float bottom = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * fx;
                    rgb[d * 3 + c] = (byte)Math.Clamp(MathF.Round(top + (bottom - top) * fy, MidpointRounding.AwayFromZero), 0f, 255f);
                }
            }
        }
        return s with { Rgb = rgb, Depth = depth };
    }
}

/// <summary>Resizes RGB (bilinear or area) and depth (nearest or mask-aware) to Height x Width.</summary>
public sealed class Resize(int height, int width, RgbResize rgb = RgbResize.Area, DepthResize depth = DepthResize.Nearest) : IPairedTransform
{
    public DepthSample Apply(DepthSample sample, Random random) => Geometry.Resize(sample, height, width, rgb, depth);
    public override string ToString() => $"Resize({height}x{width}, rgb {rgb}, depth {depth})";
}

public sealed class CenterCrop(int height, int width) : IPairedTransform
{
    public DepthSample Apply(DepthSample s, Random random) => Geometry.Crop(s, (s.Height - height) / 2, (s.Width - width) / 2, height, width);
    public override string ToString() => $"CenterCrop({height}x{width})";
}

public sealed class RandomCrop(int height, int width) : IPairedTransform
{
    public DepthSample Apply(DepthSample s, Random random)
    {
        if (height > s.Height || width > s.Width) throw new ArgumentException($"random crop {height}x{width} is larger than the {s.Height}x{s.Width} image");
        return Geometry.Crop(s, random.Next(s.Height - height + 1), random.Next(s.Width - width + 1), height, width);
    }
    public override string ToString() => $"RandomCrop({height}x{width})";
}

/// <summary>Mirrors left-right with probability <paramref name="probability"/>.</summary>
public sealed class HorizontalFlip(double probability = 0.5) : IPairedTransform
{
    public DepthSample Apply(DepthSample s, Random random) => random.NextDouble() < probability ? Geometry.FlipHorizontal(s) : s;
    public override string ToString() => $"HorizontalFlip(p={probability})";
}

/// <summary>Rotates by an angle uniform in [-maxDegrees, maxDegrees] (BTS uses 2.5 degrees on NYU).</summary>
public sealed class RandomRotation(double maxDegrees) : IPairedTransform
{
    public DepthSample Apply(DepthSample s, Random random) => Geometry.Rotate(s, random.Uniform(-maxDegrees, maxDegrees));
    public override string ToString() => $"RandomRotation(±{maxDegrees}°)";
}
