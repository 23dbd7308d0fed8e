using System.Diagnostics;

namespace DepthKit.Notebooks.Display;

/// <summary>A progress bar that updates in place: <c>using var bar = new LiveProgress("render", n); bar.Report(i + 1);</c></summary>
public sealed class LiveProgress : LiveView
{
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public LiveProgress(string title, long total, IDisplaySink? sink = null) : base(sink)
    {
        Title = title;
        Total = Math.Max(0, total);
        Changed();
    }

    public string Title { get; }
    public long Total { get; }
    public long Done { get; private set; }
    public string Message { get; private set; } = "";

    public void Report(long done, string? message = null)
    {
        Done = Math.Clamp(done, 0, Total);
        if (message is not null) Message = message;
        Changed();
    }

    /// <summary>Progress as a fraction of the whole (for callers that count in their own units).</summary>
    public void Update(double fraction, string? message = null) => Report((long)Math.Round(Math.Clamp(fraction, 0, 1) * Total), message);

    public override object Render()
    {
        double fraction = Total == 0 ? 1 : (double)Done / Total;
        var elapsed = _clock.Elapsed;
        string eta = Done > 0 && Done < Total ? $", ~{TimeSpan.FromSeconds(elapsed.TotalSeconds * (Total - Done) / Done):m\\:ss} left" : "";
        return new HtmlFragment(
            $"<div style=\"font-family:monospace\">{Html.Escape(Title)} " +
            $"<progress value=\"{Done}\" max=\"{Math.Max(Total, 1)}\" style=\"width:240px\"></progress> " +
            $"{Done}/{Total} ({fraction:P0}, {elapsed:m\\:ss}{eta}) {Html.Escape(Message)}</div>");
    }
}
