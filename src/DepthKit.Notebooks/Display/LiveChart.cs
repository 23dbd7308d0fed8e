using Plotly.NET;
using Chart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace DepthKit.Notebooks.Display;

/// <summary>
/// A line chart that grows while a cell runs (d2l's ProgressBoard): <c>chart.Add("train", step, loss)</c> redraws
/// the same output. Series keep the order they were first added in.
/// </summary>
public sealed class LiveChart : LiveView
{
    readonly List<(string Name, List<double> X, List<double> Y)> _series = [];

    public LiveChart(string title, string xTitle, string yTitle, IDisplaySink? sink = null, bool logY = false) : base(sink)
    {
        Title = title; XTitle = xTitle; YTitle = yTitle; LogY = logY;
    }

    public string Title { get; }
    public string XTitle { get; }
    public string YTitle { get; }
    public bool LogY { get; }

    public IReadOnlyList<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> Series =>
        _series.Select(s => (s.Name, (IReadOnlyList<double>)s.X, (IReadOnlyList<double>)s.Y)).ToList();

    public void Add(string series, double x, double y)
    {
        var s = _series.FirstOrDefault(s => s.Name == series);
        if (s.Name is null) { s = (series, [], []); _series.Add(s); }
        s.X.Add(x);
        s.Y.Add(y);
        Changed();
    }

    public override object Render() => ToChart();

    public GenericChart ToChart() => Lines(_series.Select(s => (s.Name, (IReadOnlyList<double>)s.X, (IReadOnlyList<double>)s.Y)), Title, XTitle, YTitle, LogY);

    /// <summary>Several named curves on one pair of axes.</summary>
    public static GenericChart Lines(IEnumerable<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> series,
                                     string title, string xTitle, string yTitle, bool logY = false)
    {
        var lines = series.Select(s => Chart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowMarkers: s.X.Count < 30)).ToList();
        var chart = lines.Count == 0 ? Chart.Line<double, double, string>(Array.Empty<double>(), Array.Empty<double>()) : Chart.Combine(lines);
        return Charts.WithTitle(chart, title)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithSize(720, 400);
    }
}
