using System.Globalization;
using System.Text;
using System.Text.Json;
using DepthKit.Labs.Checks;
using DepthKit.Native;

namespace DepthKit.Labs;

/// <summary>
/// What a lab notebook calls: <see cref="Start"/> once, <see cref="NotDone"/> in a task's stub, and
/// <see cref="Check"/> after each task. Checks print one line and, when the grader runs the notebook
/// (<c>DEPTHKIT_LAB_RESULTS</c> set), append their result to that file as one JSON line.
/// </summary>
public static class Lab
{
    /// <summary>The environment variable naming the results file the grader reads.</summary>
    public const string ResultsVariable = "DEPTHKIT_LAB_RESULTS";

    /// <summary>Every check the kit knows, by task id.</summary>
    public static IReadOnlyDictionary<string, LabCheck> Checks { get; } = CheckCatalog.All.ToDictionary(c => c.Id);

    /// <summary>Initialises torch on the CPU (checks are deterministic there) and says which checks exist.</summary>
    public static void Start()
    {
        var info = Runtime.Initialize("cpu", TextWriter.Null);
        Console.WriteLine($"DepthKit labs ready: TorchSharp {info.TorchSharpVersion} on the CPU. Run each task's check cell after the task.");
    }

    /// <summary>The stub of a task: <c>throw Lab.NotDone();</c>.</summary>
    public static Exception NotDone() => new NotDoneException();

    /// <summary>Runs the check of <paramref name="task"/> on the student's function, prints the outcome and records it.</summary>
    public static void Check(string task, Delegate student)
    {
        var result = Run(task, student);
        Console.WriteLine(result.Describe());
        Record(result);
    }

    /// <summary>The check's outcome without printing or recording it (tests use this).</summary>
    public static CheckResult Run(string task, Delegate? student) =>
        Checks.TryGetValue(task, out var check) ? check.Run(student)
        : new CheckResult(task, CheckStatus.Failed, $"there is no check '{task}' (known: {string.Join(", ", Checks.Keys.Order(StringComparer.Ordinal))})");

    /// <summary>
    /// Runs a cell's demonstration that needs a finished task: prints a short note instead of failing while the
    /// task still throws <see cref="NotDone"/>.
    /// </summary>
    public static void Try(Action demo)
    {
        try { demo(); }
        catch (NotImplementedException) { Console.WriteLine("(finish the task above to see this)"); }
    }

    static readonly object RecordGate = new();

    static void Record(CheckResult result)
    {
        var path = Environment.GetEnvironmentVariable(ResultsVariable);
        if (string.IsNullOrEmpty(path)) return;
        // one line per check, flushed at once: a run that is killed later keeps the results it reached
        var line = JsonSerializer.Serialize(result) + "\n";
        lock (RecordGate) File.AppendAllText(path, line, new UTF8Encoding(false));
    }

    /// <summary>
    /// A loss curve as text (one row per epoch, a bar proportional to the loss), so it shows in a notebook and in
    /// a terminal alike.
    /// </summary>
    public static string LossCurve(IReadOnlyList<double> losses, string title = "Train Loss", int width = 50)
    {
        var sb = new StringBuilder(title).Append('\n');
        if (losses.Count == 0) return sb.Append("(no epochs)").ToString();
        double max = losses.Where(double.IsFinite).DefaultIfEmpty(1).Max();
        for (int i = 0; i < losses.Count; i++)
        {
            double v = losses[i];
            int bar = double.IsFinite(v) && max > 0 ? (int)Math.Round(width * Math.Max(0, v) / max) : 0;
            sb.Append(CultureInfo.InvariantCulture, $"epoch {i + 1,3} {v,10:F4} ").Append('#', bar).Append('\n');
        }
        return sb.ToString().TrimEnd('\n');
    }
}
