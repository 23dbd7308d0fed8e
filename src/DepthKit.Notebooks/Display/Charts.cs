using Microsoft.FSharp.Core;
using Plotly.NET;

namespace DepthKit.Notebooks.Display;

/// <summary>The few Plotly.NET calls the C# bindings (Plotly.NET.CSharp 0.14) do not wrap.</summary>
public static class Charts
{
    public static GenericChart WithTitle(GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
}
