namespace DepthKit.Metrics;

/// <summary>A rectangle of rows [Top, Bottom) and columns [Left, Right) of a depth map.</summary>
public readonly record struct CropBox(int Top, int Bottom, int Left, int Right)
{
    public bool Contains(int row, int col) => row >= Top && row < Bottom && col >= Left && col < Right;
    public override string ToString() => $"rows {Top}:{Bottom}, cols {Left}:{Right}";
}

/// <summary>
/// The evaluation crops of the depth literature, as boxes on the ground truth.
/// <list type="bullet">
/// <item><b>Eigen</b> (Eigen et al. 2014, NYU Depth v2): rows 45:471, cols 41:601 of the 480x640 frame: the
/// region where the Kinect depth and the RGB camera overlap after registration (the white border of the
/// official NYU frames is outside it). This is the box of the BTS (Lee et al. 2019) and AdaBins evaluation
/// code (<c>eval_mask[45:471, 41:601]</c>). Some NYU code (DenseDepth-style evaluations, TRI vidar's
/// <c>eigen_nyu</c>) uses a looser 20:459, 24:615 instead; DepthKit uses 45:471, 41:601 and scales it
/// linearly to other ground-truth sizes (rounded to the nearest pixel; exact at 480x640).</item>
/// <item><b>Garg</b> (Garg et al. 2016, the KITTI crop): rows 0.40810811..0.99189189 of the height and
/// cols 0.03594771..0.96405229 of the width, truncated to whole pixels exactly as monodepth2's
/// evaluate_depth.py (Godard et al. 2019) and BTS's <c>--garg_crop</c> do. It was defined for KITTI's
/// 375x1242 frames (the lower part of the image with LiDAR returns); on NYU it keeps only the lower 58% of
/// the frame and is offered for comparison with papers that report it.</item>
/// </list>
/// </summary>
public static class Crops
{
    /// <summary>The Eigen NYU box on the 480x640 reference frame.</summary>
    public static CropBox Eigen { get; } = new(45, 471, 41, 601);

    /// <summary>Reference frame on which <see cref="Eigen"/> is defined.</summary>
    public const int ReferenceHeight = 480, ReferenceWidth = 640;

    public const double GargTop = 0.40810811, GargBottom = 0.99189189, GargLeft = 0.03594771, GargRight = 0.96405229;

    /// <summary>The crop box for a ground truth of the given size.</summary>
    public static CropBox Box(CropKind kind, int height, int width)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"crop of an empty {height}x{width} map");
        return kind switch
        {
            CropKind.None => new CropBox(0, height, 0, width),
            CropKind.Eigen => new CropBox(
                Scale(Eigen.Top, height, ReferenceHeight), Scale(Eigen.Bottom, height, ReferenceHeight),
                Scale(Eigen.Left, width, ReferenceWidth), Scale(Eigen.Right, width, ReferenceWidth)),
            CropKind.Garg => new CropBox(
                (int)(GargTop * height), (int)(GargBottom * height), (int)(GargLeft * width), (int)(GargRight * width)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown crop"),
        };
    }

    /// <summary>Row-major mask (true inside the crop) for a ground truth of the given size.</summary>
    public static bool[] Mask(CropKind kind, int height, int width)
    {
        var box = Box(kind, height, width);
        var mask = new bool[height * width];
        for (int r = box.Top; r < box.Bottom; r++)
            for (int c = box.Left; c < box.Right; c++)
                mask[r * width + c] = true;
        return mask;
    }

    /// <summary>"eigen", "garg" or "none" (case-insensitive).</summary>
    public static CropKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "eigen" => CropKind.Eigen,
        "garg" => CropKind.Garg,
        "none" => CropKind.None,
        _ => throw new ArgumentException($"unknown crop '{name}': use eigen, garg or none"),
    };

    static int Scale(int reference, int size, int referenceSize) =>
        (int)Math.Round((double)reference * size / referenceSize, MidpointRounding.AwayFromZero);
}
