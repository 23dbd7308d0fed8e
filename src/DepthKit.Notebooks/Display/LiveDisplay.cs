using System.Diagnostics;
using Microsoft.DotNet.Interactive;

namespace DepthKit.Notebooks.Display;

/// <summary>Where live views draw: the notebook's output area (default), or a recorder in tests.</summary>
public interface IDisplaySink
{
    IDisplayHandle Show(object value);
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

    protected LiveView(IDisplaySink? sink) => _sink = sink ?? KernelDisplaySink.Instance;

    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times the view was drawn (shown once, then updated).</summary>
    public int Draws { get; private set; }

    /// <summary>What the view looks like now (a chart, HTML).</summary>
    public abstract object Render();

    /// <summary>Call after a change: draws now if the last draw is old enough.</summary>
    protected void Changed()
    {
        _dirty = true;
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
