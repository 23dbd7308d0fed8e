using System.Globalization;
using DepthKit.Data;

namespace DepthKit.Notebooks.Display;

/// <summary>How a <see cref="DepthSample"/> shows in a notebook: RGB | depth with colour bar | valid mask.</summary>
public static class SampleView
{
    public static PictureRow Of(DepthSample sample)
    {
        var mask = sample.ValidMask();
        int valid = mask.Count(v => v);
        var (lo, hi) = Visualization.Montage.Range(sample.Depth);
        string title = $"{(sample.Source.Length > 0 ? sample.Source + ": " : "")}{sample.Height}x{sample.Width}, " +
                       $"depth {lo.ToString("0.##", CultureInfo.InvariantCulture)}-{Html.Metres(hi)}, {100.0 * valid / Math.Max(1, mask.Length):0.#}% valid";
        return new PictureRow(
        [
            Picture.Rgb(sample.Height, sample.Width, sample.Rgb, "RGB"),
            Picture.Depth(sample.Height, sample.Width, sample.Depth, "depth (near = dark)"),
            Picture.Mask(sample.Height, sample.Width, mask, "valid"),
        ], title);
    }
}
