using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace DepthKit.Notebooks.Display;

/// <summary>The few Plotly.NET calls the C# bindings (Plotly.NET.CSharp 0.14) do not wrap.</summary>
public static class Charts
{
    public static GenericChart WithTitle(GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);

    /// <summary>
    /// An interactive 3D point cloud (Plotly scatter3d) of back-projected points (x right, y down, z forward, metres,
    /// as <see cref="Visualization.PointCloud.BackProject"/> returns them), each in its pixel's colour. Shown with y up
    /// and at most <paramref name="maxPoints"/> points (every k-th) so the page stays light.
    /// </summary>
    public static GenericChart PointCloud(float[] xyz, byte[] rgb, int maxPoints = 20_000, string title = "point cloud")
    {
        int n = xyz.Length / 3, step = Math.Max(1, (n + maxPoints - 1) / maxPoints);
        var idx = Enumerable.Range(0, n).Where(i => i % step == 0).ToList();
        var colors = Color.fromColors(idx.Select(i => Color.fromRGB(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])));
        var marker = new Plotly.NET.TraceObjects.Marker();
        marker.SetProperty("size", 2);   // the F# init takes 34 options; the property is all we need
        marker.SetProperty("color", colors);
        var chart = Plotly.NET.CSharp.Chart.Scatter3D<float, float, float, string>(
            idx.Select(i => xyz[3 * i]), idx.Select(i => xyz[3 * i + 2]), idx.Select(i => -xyz[3 * i + 1]),
            StyleParam.Mode.Markers, Name: "points",
            Marker: marker);
        return WithTitle(chart, title).WithSize(760, 560);
    }
}
