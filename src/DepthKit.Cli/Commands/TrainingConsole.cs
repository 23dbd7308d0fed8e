using System.Globalization;
using DepthKit.Training;
using Spectre.Console;

namespace DepthKit.Cli.Commands;

/// <summary>
/// How training shows up in a terminal: a Spectre.Console progress bar per model (loss, images/s, ETA) that
/// updates in place; when the output is redirected (CI logs, tests) only one line per epoch and phase.
/// </summary>
sealed class TrainingConsole
{
    readonly CliContext _context;
    readonly ProgressContext? _bars;
    readonly Dictionary<string, ProgressTask> _tasks = [];

    TrainingConsole(CliContext context, ProgressContext? bars) { _context = context; _bars = bars; }

    /// <summary>True when writing to a real terminal (not redirected, not a test's StringWriter).</summary>
    public static bool Interactive(CliContext context) =>
        ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with progress display; returns its result.</summary>
    public static T Run<T>(CliContext context, Func<TrainingConsole, T> work)
    {
        if (!Interactive(context)) return work(new TrainingConsole(context, null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => { result = work(new TrainingConsole(context, ctx)); });
        return result;
    }

    /// <summary>A progress sink for one model's training.</summary>
    public IProgress<TrainProgress> For(string name) => new SyncProgress<TrainProgress>(p => Update(name, p));

    /// <summary>A line above the bars (or on its own when redirected).</summary>
    public void Log(string line)
    {
        if (_bars is null) _context.Out.WriteLine(line);
        else AnsiConsole.MarkupLine(Markup.Escape(line));
    }

    void Update(string name, TrainProgress p)
    {
        if (p.Message is not null) Log($"{name}: {p.Message}");
        if (_bars is null) return;
        if (!_tasks.TryGetValue(name, out var task))
            _tasks[name] = task = _bars.AddTask(Markup.Escape(name), maxValue: 1.0);
        task.Value = p.Fraction;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{name,-10} epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {p.ImagesPerSecond:F0} img/s ETA {p.Eta:mm\\:ss}"));
        if (p.Fraction >= 1 && p.Phase != "train") task.StopTask();
    }
}
