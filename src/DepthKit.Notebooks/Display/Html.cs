using System.Globalization;
using System.Net;

namespace DepthKit.Notebooks.Display;

/// <summary>Something a notebook shows as HTML (pictures, sample grids, tables); one formatter serves them all.</summary>
public interface IHtmlView
{
    string ToHtml();
}

/// <summary>
/// Ready-made HTML. Not AspNetCore's HtmlString: the kernel formatted that one as an object with a Value property
/// (a tree view of escaped markup), so live views showed their source instead of a progress bar.
/// </summary>
public sealed record HtmlFragment(string Html) : IHtmlView
{
    public string ToHtml() => Html;
    public override string ToString() => Html;
}

static class Html
{
    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    public static string PngDataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    /// <summary>Metres for captions and colour bars: centimetres are enough.</summary>
    public static string Metres(double value) => value.ToString("0.##", CultureInfo.InvariantCulture) + " m";

    /// <summary>A number short enough for a table cell or an axis label.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : value != 0 && (Math.Abs(value) >= 1e5 || Math.Abs(value) < 1e-3) ? value.ToString("0.###e0", CultureInfo.InvariantCulture)
        : value.ToString("0.####", CultureInfo.InvariantCulture);
}
