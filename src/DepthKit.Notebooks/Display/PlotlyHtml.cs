using Plotly.NET;

namespace DepthKit.Notebooks.Display;

/// <summary>
/// Plotly charts as HTML that needs no network: plotly.js comes from the copy inside the Plotly.NET package, put into
/// the page once (<see cref="Script"/>), and every chart is a div with a script that draws into it once plotly.js is
/// there. Plotly.NET's own notebook output loads plotly.js and require.js from a CDN, so it is blank offline.
/// </summary>
public static class PlotlyHtml
{
    static readonly Lazy<string> Library = new(LoadLibrary);
    static readonly Lazy<string> ScriptTag = new(() =>
        // hide AMD/CommonJS loaders (Jupyter's require.js) so the bundle sets window.Plotly instead of registering a module
        "<script>(function (define, module, exports) {\n" + Library.Value.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) + "\n}).call(window);</script>");

    /// <summary>The plotly.js version inlined (from the embedded file's name).</summary>
    public static string Version { get; } = LibraryName().Replace("Plotly.NET.plotly-", "").Replace(".min.js", "");

    /// <summary>plotly.min.js itself.</summary>
    public static string LibraryText => Library.Value;

    /// <summary>A script element that defines <c>window.Plotly</c> (about 3.6 MB); once per page or notebook.</summary>
    public static string Script() => ScriptTag.Value;

    /// <summary>
    /// The chart as a div and a script drawing it with <c>Plotly.newPlot</c> once <c>window.Plotly</c> exists (it
    /// waits a few seconds for the script of <see cref="Script"/>, then says what is missing instead of staying blank).
    /// </summary>
    public static string Chart(GenericChart chart)
    {
        var id = "depthkit-plot-" + Guid.NewGuid().ToString("N")[..12];
        var figure = EscapeScript(GenericChart.toFigureJson(chart));
        return $"<div id=\"{id}\" class=\"depthkit-chart\"></div>\n<script>(function () {{\n" +
               $"  var figure = {figure};\n" +
               "  var draw = function (tries) {\n" +
               $"    if (window.Plotly) {{ Plotly.newPlot('{id}', figure.data, figure.layout, {{displaylogo: false}}); return; }}\n" +
               $"    if (tries > 100) {{ document.getElementById('{id}').textContent = 'chart not drawn: plotly.js is not loaded (run the cell with DepthKitNotebook.Start first)'; return; }}\n" +
               "    setTimeout(function () { draw(tries + 1); }, 50);\n" +
               "  };\n  draw(0);\n})();</script>";
    }

    /// <summary>JSON that can sit inside a script element (no early &lt;/script&gt;).</summary>
    static string EscapeScript(string js) => js.Replace("</", "<\\/", StringComparison.Ordinal);

    static string LibraryName() =>
        typeof(GenericChart).Assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
        ?? throw new InvalidOperationException("plotly.js is not embedded in this Plotly.NET build; charts cannot be drawn offline");

    static string LoadLibrary()
    {
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(LibraryName())!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
