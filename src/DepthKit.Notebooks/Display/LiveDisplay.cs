using System.Diagnostics;
using Microsoft.DotNet.Interactive;

namespace DepthKit.Notebooks.Display;

/// <summary>Where live views draw: the notebook's output area (default), or a recorder in tests.</summary>
public interface IDisplaySink
{
    IDisplayHandle Show(object value);

    /// <summary>Live views draw only their final state (a frontend that keeps every update as a new output).</summary>
    bool FinalOnly => false;
}

/// <summary>Where live views and <see cref="DepthKitNotebook.Show"/> draw when no sink is given.</summary>
public static class DisplaySinks
{
    /// <summary>The notebook kernel inside a notebook, the lesson's HTML page in a file-based app, else nowhere.</summary>
    public static IDisplaySink Default =>
        KernelDisplaySink.InKernel ? KernelDisplaySink.Instance : LessonPage.Current ?? (IDisplaySink)NullDisplaySink.Instance;
}

/// <summary>Draws nowhere (library code running outside a notebook and a lesson page).</summary>
public sealed class NullDisplaySink : IDisplaySink, IDisplayHandle
{
    public static NullDisplaySink Instance { get; } = new();
    public IDisplayHandle Show(object value) => this;
    public void Update(object value) { }
}

/// <summary>One output in the notebook that can be redrawn in place.</summary>
public interface IDisplayHandle
{
    void Update(object value);
}

/// <summary>display(x) and its handle's Update: the output updates in place instead of printing a new one.</summary>
public sealed class KernelDisplaySink : IDisplaySink
{
    public static KernelDisplaySink Instance { get; } = new();

    /// <summary>Whether this code runs in a notebook cell (a .NET Interactive kernel is executing it).</summary>
    public static bool InKernel => KernelInvocationContext.Current is not null;

    /// <summary>
    /// VS Code and Jupyter redraw an updated output in place, but a batch run of dotnet-repl
    /// (<c>--exit-after-run</c>) saves every update as one more output; there live views draw once, at the end.
    /// <c>DEPTHKIT_LIVE=final</c> or <c>live</c> overrides.
    /// </summary>
    public static bool BatchRun { get; } = Environment.GetEnvironmentVariable("DEPTHKIT_LIVE")?.Trim().ToLowerInvariant() switch
    {
        "final" => true,
        "live" => false,
        _ => Environment.GetCommandLineArgs().Contains("--exit-after-run"),
    };

    public bool FinalOnly => BatchRun;

    public IDisplayHandle Show(object value) => new Handle(Kernel.display(value));

    sealed class Handle(Microsoft.DotNet.Interactive.Formatting.DisplayedValue displayed) : IDisplayHandle
    {
        public void Update(object value) => displayed.Update(value);
    }
}

/// <summary>
/// Redraws at most every <see cref="MinInterval"/> (a notebook cannot take hundreds of updates a second),
/// always drawing the last state on <see cref="Flush"/>.
/// </summary>
public abstract class LiveView : IDisposable
{
    readonly IDisplaySink _sink;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    IDisplayHandle? _handle;
    TimeSpan _lastDraw = TimeSpan.MinValue;
    bool _dirty;

    protected LiveView(IDisplaySink? sink) => _sink = sink ?? DisplaySinks.Default;

    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times the view was drawn (shown once, then updated).</summary>
    public int Draws { get; private set; }

    /// <summary>What the view looks like now (a chart, HTML).</summary>
    public abstract object Render();

    /// <summary>Call after a change: draws now if the last draw is old enough.</summary>
    protected void Changed()
    {
        _dirty = true;
        if (_sink.FinalOnly) return;
        if (_handle is null || _clock.Elapsed - _lastDraw >= MinInterval) Draw();
    }

    /// <summary>Draws the latest state if it was not drawn yet.</summary>
    public void Flush()
    {
        if (_dirty || _handle is null) Draw();
    }

    void Draw()
    {
        var view = Render();
        if (_handle is null) _handle = _sink.Show(view);
        else _handle.Update(view);
        _lastDraw = _clock.Elapsed;
        _dirty = false;
        Draws++;
    }

    public void Dispose()
    {
        Flush();
        GC.SuppressFinalize(this);
    }
}
