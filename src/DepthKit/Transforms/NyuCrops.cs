using DepthKit.Data;

namespace DepthKit.Transforms;

/// <summary>A rectangle of rows [Top, Bottom) and columns [Left, Right), Python-slice style.</summary>
public readonly record struct CropBox(int Top, int Bottom, int Left, int Right)
{
    public int Height => Bottom - Top;
    public int Width => Right - Left;

    /// <summary>
    /// The same region on an image of another size (e.g. the Eigen crop at 240x320 = rows 23:235, columns 21:300),
    /// keeping only pixels wholly inside it: starts round up, ends round down.
    /// </summary>
    public CropBox ScaledTo(int height, int width, int fromHeight = 480, int fromWidth = 640) =>
        new((int)Math.Ceiling((double)Top * height / fromHeight), (int)Math.Floor((double)Bottom * height / fromHeight),
            (int)Math.Ceiling((double)Left * width / fromWidth), (int)Math.Floor((double)Right * width / fromWidth));

    /// <summary>Cuts the box out of a sample (RGB and depth alike).</summary>
    public DepthSample Apply(DepthSample s) => Geometry.Crop(s, Top, Left, Height, Width);
}

/// <summary>
/// Named crops for cutting NYU data. These crop the data (e.g. to drop the white border of NYU frames before
/// training); the evaluation masks of the metrics are defined separately in Metrics/.
/// </summary>
public static class NyuCrops
{
    /// <summary>Eigen et al. 2014 crop of a 480x640 NYU frame: rows 45:471, columns 41:601 (426x560).</summary>
    public static readonly CropBox Eigen = new(45, 471, 41, 601);

    /// <summary>
    /// DenseDepth's <c>eigen_test_crop.npy</c> = [20, 460, 24, 616]: rows 20:460, columns 24:616 (440x592). It is
    /// NOT the Eigen crop; DenseDepth evaluates its nyu_test.zip predictions inside it. Use it only to reproduce
    /// DenseDepth's numbers; use <see cref="Eigen"/> everywhere else.
    /// </summary>
    public static readonly CropBox DenseDepthTest = new(20, 460, 24, 616);

    /// <summary>
    /// Garg et al. 2016 crop, defined for KITTI as fractions of the image: rows 0.40810811H..0.99189189H,
    /// columns 0.03594771W..0.96405229W. Provided for completeness; NYU work uses <see cref="Eigen"/>.
    /// </summary>
    public static CropBox Garg(int height, int width) =>
        new((int)(0.40810811 * height), (int)(0.99189189 * height), (int)(0.03594771 * width), (int)(0.96405229 * width));
}

/// <summary>A fixed crop as a pipeline step (e.g. <c>new FixedCrop(NyuCrops.Eigen)</c>).</summary>
public sealed class FixedCrop(CropBox box) : IPairedTransform
{
    public DepthSample Apply(DepthSample sample, Random random) => box.Apply(sample);
    public override string ToString() => $"FixedCrop({box.Top}:{box.Bottom}, {box.Left}:{box.Right})";
}
