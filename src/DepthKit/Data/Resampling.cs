using static TorchSharp.torch;

namespace DepthKit.Data;

/// <summary>
/// The kit's one set of resizing rules, shared by the transforms (training), evaluation, prediction and the metrics.
/// RGB for a model: area averaging when shrinking (no aliasing), bilinear when enlarging (<see cref="Rgb"/>). Depth:
/// nearest neighbour (interpolating across an edge invents surfaces) or a box average over valid pixels only.
/// Predictions and other float maps: bilinear with half-pixel centres, torch's interpolate with align_corners=false
/// (<see cref="Bilinear(Tensor, int, int)"/> on tensors, the same numbers on arrays).
/// </summary>
public static class Resampling
{
    /// <summary>RGB bytes (H x W x 3) for a model's input: area when shrinking in both directions, else bilinear.</summary>
    public static byte[] Rgb(ReadOnlySpan<byte> rgb, int sourceHeight, int sourceWidth, int height, int width)
    {
        if (sourceHeight == height && sourceWidth == width) return rgb.ToArray();
        return height <= sourceHeight && width <= sourceWidth
            ? RgbArea(rgb, sourceHeight, sourceWidth, height, width)
            : RgbBilinear(rgb, sourceHeight, sourceWidth, height, width);
    }

    /// <summary>Maps [B,C,h,w] resized bilinearly to height x width; returned as they are when they already fit.</summary>
    public static Tensor Bilinear(Tensor maps, int height, int width) =>
        maps.shape[^2] == height && maps.shape[^1] == width ? maps
            : nn.functional.interpolate(maps, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Bilinear, half-pixel centres (align_corners=false): source = (dst + 0.5) * scale - 0.5.</summary>
    public static byte[] RgbBilinear(ReadOnlySpan<byte> rgb, int sourceHeight, int sourceWidth, int height, int width)
    {
        var result = new byte[height * width * 3];
        double sy = (double)sourceHeight / height, sx = (double)sourceWidth / width;
        var x0 = new int[width]; var x1 = new int[width]; var fx = new float[width];
        for (int x = 0; x < width; x++)
        {
            double src = Math.Clamp((x + 0.5) * sx - 0.5, 0, sourceWidth - 1);
            x0[x] = (int)src; x1[x] = Math.Min(x0[x] + 1, sourceWidth - 1); fx[x] = (float)(src - x0[x]);
        }
        for (int y = 0; y < height; y++)
        {
            double srcY = Math.Clamp((y + 0.5) * sy - 0.5, 0, sourceHeight - 1);
            int y0 = (int)srcY, y1 = Math.Min(y0 + 1, sourceHeight - 1);
            float fy = (float)(srcY - y0);
            int r0 = y0 * sourceWidth * 3, r1 = y1 * sourceWidth * 3, o = y * width * 3;
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    float top = rgb[r0 + 3 * x0[x] + c] + (rgb[r0 + 3 * x1[x] + c] - rgb[r0 + 3 * x0[x] + c]) * fx[x];
                    float bottom = rgb[r1 + 3 * x0[x] + c] + (rgb[r1 + 3 * x1[x] + c] - rgb[r1 + 3 * x0[x] + c]) * fx[x];
                    result[o + 3 * x + c] = (byte)Math.Clamp(MathF.Round(top + (bottom - top) * fy, MidpointRounding.AwayFromZero), 0f, 255f);
                }
        }
        return result;
    }

    /// <summary>For each output index along one axis, the source indices and weights (box overlap) that average into it.</summary>
    static (int Index, float Weight)[][] AreaWeights(int source, int target)
    {
        var result = new (int, float)[target][];
        double scale = (double)source / target;
        for (int t = 0; t < target; t++)
        {
            double a = t * scale, b = (t + 1) * scale;
            var list = new List<(int, float)>();
            for (int i = (int)Math.Floor(a); i < Math.Min(source, (int)Math.Ceiling(b)); i++)
            {
                double overlap = Math.Min(b, i + 1) - Math.Max(a, i);
                if (overlap > 1e-9) list.Add((i, (float)(overlap / scale)));
            }
            result[t] = [.. list];
        }
        return result;
    }

    /// <summary>Box averaging: each output pixel is the overlap-weighted mean of the source pixels it covers.</summary>
    public static byte[] RgbArea(ReadOnlySpan<byte> rgb, int sourceHeight, int sourceWidth, int height, int width)
    {
        var wy = AreaWeights(sourceHeight, height);
        var wx = AreaWeights(sourceWidth, width);
        var result = new byte[height * width * 3];
        var row = new float[sourceWidth * 3];
        for (int y = 0; y < height; y++)
        {
            Array.Clear(row);
            foreach (var (sy, w) in wy[y])
                for (int i = 0, o = sy * sourceWidth * 3; i < row.Length; i++) row[i] += rgb[o + i] * w;
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    float v = 0;
                    foreach (var (sx, w) in wx[x]) v += row[3 * sx + c] * w;
                    result[(y * width + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(v, MidpointRounding.AwayFromZero), 0f, 255f);
                }
        }
        return result;
    }

    /// <summary>Nearest neighbour (keeps invalid pixels invalid and invents no depth between surfaces).</summary>
    public static float[] DepthNearest(ReadOnlySpan<float> depth, int sourceHeight, int sourceWidth, int height, int width)
    {
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Min((int)((y + 0.5) * sourceHeight / height), sourceHeight - 1);
            for (int x = 0; x < width; x++)
                result[y * width + x] = depth[sy * sourceWidth + Math.Min((int)((x + 0.5) * sourceWidth / width), sourceWidth - 1)];
        }
        return result;
    }

    /// <summary>Box average over valid source pixels only, so holes never drag depth towards 0; no valid pixel = invalid.</summary>
    public static float[] DepthMaskAware(ReadOnlySpan<float> depth, int sourceHeight, int sourceWidth, int height, int width)
    {
        var wy = AreaWeights(sourceHeight, height);
        var wx = AreaWeights(sourceWidth, width);
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sum = 0, weight = 0;
                foreach (var (sy, a) in wy[y])
                    foreach (var (sx, b) in wx[x])
                    {
                        float d = depth[sy * sourceWidth + sx];
                        if (DepthSample.IsValidDepth(d)) { sum += d * a * b; weight += a * b; }
                    }
                result[y * width + x] = weight > 0 ? (float)(sum / weight) : 0f;
            }
        return result;
    }

    /// <summary>A row-major float map (a prediction) resized bilinearly; the same numbers as <see cref="Bilinear(Tensor, int, int)"/>.</summary>
    public static float[] Bilinear(ReadOnlySpan<float> src, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        var dst = new float[outHeight * outWidth];
        double sy = (double)inHeight / outHeight, sx = (double)inWidth / outWidth;
        for (int y = 0; y < outHeight; y++)
        {
            var (y0, y1, wy) = Source(y, sy, inHeight);
            for (int x = 0; x < outWidth; x++)
            {
                var (x0, x1, wx) = Source(x, sx, inWidth);
                double top = (1 - wx) * src[y0 * inWidth + x0] + wx * src[y0 * inWidth + x1];
                double bottom = (1 - wx) * src[y1 * inWidth + x0] + wx * src[y1 * inWidth + x1];
                dst[y * outWidth + x] = (float)((1 - wy) * top + wy * bottom);
            }
        }
        return dst;
    }

    // Pixel centres: source = (dst + 0.5) * scale - 0.5, clamped at 0 as libtorch does.
    static (int I0, int I1, double W) Source(int dst, double scale, int size)
    {
        double s = Math.Max(0, (dst + 0.5) * scale - 0.5);
        int i0 = Math.Min((int)s, size - 1);
        int i1 = Math.Min(i0 + 1, size - 1);
        return (i0, i1, s - i0);
    }
}
