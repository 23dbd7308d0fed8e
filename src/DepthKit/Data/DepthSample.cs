namespace DepthKit.Data;

/// <summary>
/// One RGB-D pair as every source delivers it: 8-bit RGB (row-major, H x W x 3 interleaved) and depth in metres
/// along the optical axis (H x W). A depth of 0 or a non-finite value marks a pixel without measurement.
/// </summary>
public sealed record DepthSample(int Height, int Width, byte[] Rgb, float[] Depth, string Source = "")
{
    /// <summary>True where the depth is a measurement (finite and positive).</summary>
    public static bool IsValidDepth(float metres) => float.IsFinite(metres) && metres > 0f;

    public bool IsValid(int pixel) => IsValidDepth(Depth[pixel]);

    /// <summary>The valid mask (H x W, row-major).</summary>
    public bool[] ValidMask()
    {
        var mask = new bool[Depth.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = IsValidDepth(Depth[i]);
        return mask;
    }

    /// <summary>Checks the array sizes against H and W; sources call it so a bad file fails where it is read.</summary>
    public DepthSample Validated()
    {
        if (Height <= 0 || Width <= 0) throw new DepthKitDataException(Source, $"image size {Height}x{Width} is empty");
        if (Rgb.Length != Height * Width * 3)
            throw new DepthKitDataException(Source, $"RGB has {Rgb.Length} bytes, expected {Height}x{Width}x3 = {Height * Width * 3}");
        if (Depth.Length != Height * Width)
            throw new DepthKitDataException(Source, $"depth has {Depth.Length} values, expected {Height}x{Width} = {Height * Width}");
        return this;
    }
}

/// <summary>A bad input file: names the file and says what is wrong with it.</summary>
public class DepthKitDataException(string path, string reason, Exception? inner = null)
    : Exception(string.IsNullOrEmpty(path) ? reason : $"{path}: {reason}", inner)
{
    /// <summary>The file (or file!entry inside an archive) that is bad.</summary>
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}
