using SkiaSharp;

namespace DepthKit.Data;

/// <summary>8-bit RGB images (PNG, JPEG, BMP, WebP) decoded and encoded with SkiaSharp.</summary>
public static class RgbImage
{
    /// <summary>
    /// Largest image decoded: 2^27 pixels (134 megapixels, beyond any phone or DSLR photo). A header claiming more is
    /// a corrupt or hostile file, refused before the pixel buffer (4 bytes a pixel) is allocated.
    /// </summary>
    public const long MaxPixels = 1L << 27;

    /// <summary>Decodes to row-major RGB bytes (H x W x 3).</summary>
    /// <remarks>applyOrientation: turn the pixels as the file's EXIF orientation says (a phone's portrait photo comes out
    /// upright, as viewers show it). Off for datasets, whose depth maps are aligned with the stored pixels.</remarks>
    public static (int Height, int Width, byte[] Rgb) Read(string path, bool applyOrientation = false)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new DepthKitDataException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new DepthKitDataException(path, "file not found (no such folder)"); }
        return Decode(bytes, path, applyOrientation);
    }

    public static (int Height, int Width, byte[] Rgb) Decode(byte[] encoded, string name) => Decode(encoded, name, false);

    public static (int Height, int Width, byte[] Rgb) Decode(byte[] encoded, string name, bool applyOrientation)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new DepthKitDataException(name, "not a readable image (corrupt or unknown format)");
        if (codec.Info.Width <= 0 || codec.Info.Height <= 0 || (long)codec.Info.Width * codec.Info.Height > MaxPixels)
            throw new DepthKitDataException(name, $"implausible image size {codec.Info.Width}x{codec.Info.Height} (WxH; at most {MaxPixels / 1_000_000} megapixels are read)");
        var (h0, w0, rgb0) = DecodePixels(codec, name);
        return applyOrientation ? Orient(h0, w0, rgb0, codec.EncodedOrigin) : (h0, w0, rgb0);
    }

    /// <summary>RGB turned from the stored orientation to the one EXIF says is upright.</summary>
    public static (int Height, int Width, byte[] Rgb) Orient(int h, int w, byte[] rgb, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or 0) return (h, w, rgb);
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int oh = swap ? w : h, ow = swap ? h : w;
        var result = new byte[rgb.Length];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                // (x, y) in the upright image comes from stored pixel (sx, sy)
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                    _ => (x, y),
                };
                Array.Copy(rgb, (sy * w + sx) * 3, result, (y * ow + x) * 3, 3);
            }
        return (oh, ow, result);
    }

    static (int Height, int Width, byte[] Rgb) DecodePixels(SKCodec codec, string name)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var source = new SKBitmap(info);
        var status = codec.GetPixels(info, source.GetPixels());
        if (status == SKCodecResult.IncompleteInput) throw new DepthKitDataException(name, "image is truncated");
        if (status != SKCodecResult.Success) throw new DepthKitDataException(name, $"image could not be decoded ({status})");
        int w = source.Width, h = source.Height;
        var pixels = source.GetPixelSpan();
        var rgb = new byte[h * w * 3];
        int rowBytes = source.RowBytes;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int s = y * rowBytes + x * 4, d = (y * w + x) * 3;
                rgb[d] = pixels[s]; rgb[d + 1] = pixels[s + 1]; rgb[d + 2] = pixels[s + 2];
            }
        return (h, w, rgb);
    }

    /// <summary>Encodes RGB bytes as PNG.</summary>
    public static byte[] EncodePng(int height, int width, ReadOnlySpan<byte> rgb) => Encode(height, width, rgb, SKEncodedImageFormat.Png, 100);

    public static byte[] EncodeJpeg(int height, int width, ReadOnlySpan<byte> rgb, int quality = 95) => Encode(height, width, rgb, SKEncodedImageFormat.Jpeg, quality);

    /// <summary>Writes a PNG atomically.</summary>
    public static void WritePng(string path, int height, int width, ReadOnlySpan<byte> rgb)
    {
        var png = EncodePng(height, width, rgb);
        AtomicFile.WriteAllBytes(path, png);
    }

    static byte[] Encode(int height, int width, ReadOnlySpan<byte> rgb, SKEncodedImageFormat format, int quality)
    {
        if (rgb.Length != height * width * 3) throw new ArgumentException($"{rgb.Length} bytes for a {height}x{width} RGB image");
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int d = y * rowBytes + x * 4, s = (y * width + x) * 3;
                pixels[d] = rgb[s]; pixels[d + 1] = rgb[s + 1]; pixels[d + 2] = rgb[s + 2]; pixels[d + 3] = 255;
            }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
