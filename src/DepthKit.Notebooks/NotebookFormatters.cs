using DepthKit.Data;
using DepthKit.Notebooks.Display;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using static TorchSharp.torch;

namespace DepthKit.Notebooks;

/// <summary>Registers how the kit's objects look in a notebook (text/html). Safe to call more than once.</summary>
public static class NotebookFormatters
{
    static readonly object Gate = new();
    static bool _registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Formatter.Register<IHtmlView>((view, writer) => writer.Write(view.ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<DepthSample>((sample, writer) => writer.Write(SampleView.Of(sample).ToHtml()), HtmlFormatter.MimeType);
            Formatter.Register<DataFrame>((frame, writer) => writer.Write(TableHtml.Of(frame)), HtmlFormatter.MimeType);
            Formatter.Register<RuntimeInfo>((info, writer) => writer.Write(TableHtml.Of(info)), HtmlFormatter.MimeType);
            Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorView.ToHtml(tensor)), HtmlFormatter.MimeType);
            Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorView.ToText(tensor)), PlainTextFormatter.MimeType);
            // offline charts: plotly.js comes from DepthKitNotebook.Start (notebooks) or the lesson page, never a CDN
            Formatter.Register<GenericChart>((chart, writer) => writer.Write(PlotlyHtml.Chart(chart)), HtmlFormatter.MimeType);
            _registered = true;
        }
    }

    /// <summary>What the notebook would show for <paramref name="value"/> as HTML (tests and exports use it).</summary>
    public static string ToHtml(object value)
    {
        Register();
        return value.ToDisplayString(HtmlFormatter.MimeType);
    }
}
