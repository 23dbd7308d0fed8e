using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace DepthKit.Tests.Notebooks;

/// <summary>One notebook cell that ended in an error when run headless.</summary>
public sealed record CellError(int Cell, string FirstLine, string Error);

/// <summary>The outcome of running one notebook headless.</summary>
public sealed record NotebookRun(string Notebook, int ExitCode, bool TimedOut, TimeSpan Elapsed, IReadOnlyList<CellError> Errors, string Log)
{
    public bool Passed => ExitCode == 0 && !TimedOut && Errors.Count == 0;

    public string Describe()
    {
        if (Passed) return $"{Notebook}: passed in {Elapsed.TotalSeconds:0.0} s";
        var sb = new StringBuilder($"notebooks/{Notebook} failed");
        if (TimedOut) sb.Append($": timed out after {Elapsed.TotalSeconds:0} s");
        else sb.Append($" (dotnet repl exit code {ExitCode}, {Elapsed.TotalSeconds:0.0} s)");
        foreach (var e in Errors) sb.Append($"\n  cell {e.Cell} `{e.FirstLine}`: {e.Error}");
        if (Errors.Count == 0 && Log.Length > 0) sb.Append("\n  dotnet repl said: ").Append(Log.Length > 3000 ? Log[^3000..] : Log);
        return sb.ToString();
    }
}

/// <summary>
/// Runs notebooks the way CI does: <c>dotnet tool restore</c>, then <c>dotnet repl --run NB --exit-after-run</c>
/// from the notebooks folder with a timeout, and reads the executed copy for error outputs.
/// </summary>
public static class NotebookRunner
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string NotebookFolder => Path.Combine(RepoRoot, "notebooks");
    public static string OutputFolder => Path.Combine(NotebookFolder, "out");

    /// <summary>The series, in order (file names).</summary>
    public static IReadOnlyList<string> Notebooks() =>
        Directory.GetFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DepthKit.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no DepthKit.slnx above {AppContext.BaseDirectory}");
    }

    static readonly object RestoreGate = new();
    static bool _restored;

    /// <summary>Restores the local tools (dotnet-repl) and makes sure the build the notebooks #r is there and current.</summary>
    public static void Prepare()
    {
        lock (RestoreGate)
        {
            if (_restored) return;
            var (code, log, _) = Run("dotnet", ["tool", "restore"], RepoRoot, TimeSpan.FromMinutes(5), new());
            if (code != 0) throw new InvalidOperationException($"dotnet tool restore failed ({code}):\n{log}");
            // Notebooks load bin/Debug; a Release test run (or a stale Debug build) would run them on other code.
            var notebookDll = Path.Combine(RepoRoot, "src/DepthKit.Notebooks/bin/Debug/net10.0/DepthKit.Notebooks.dll");
            var loaded = typeof(DepthKit.Notebooks.DepthKitNotebook).Assembly.Location;
            if (!File.Exists(notebookDll) || File.GetLastWriteTimeUtc(notebookDll) < File.GetLastWriteTimeUtc(loaded))
            {
                (code, log, _) = Run("dotnet", ["build", Path.Combine(RepoRoot, "src/DepthKit.Notebooks/DepthKit.Notebooks.csproj"), "-c", "Debug"],
                                     RepoRoot, TimeSpan.FromMinutes(8), new());
                if (code != 0) throw new InvalidOperationException($"dotnet build of DepthKit.Notebooks (Debug) failed ({code}):\n{log}");
            }
            Directory.CreateDirectory(OutputFolder);
            _restored = true;
        }
    }

    /// <summary>Runs one notebook headless; <paramref name="profile"/> goes to DEPTHKIT_PROFILE.</summary>
    public static NotebookRun Execute(string notebook, string profile, TimeSpan timeout)
    {
        Prepare();
        var output = Path.Combine(OutputFolder, notebook);
        File.Delete(output);
        var env = new Dictionary<string, string> { ["DEPTHKIT_PROFILE"] = profile };
        var (code, log, elapsed) = Run("dotnet", ["repl", "--run", notebook, "--exit-after-run", "--output-path", Path.Combine("out", notebook)],
                                       NotebookFolder, timeout, env);
        bool timedOut = code == int.MinValue;
        var errors = File.Exists(output) ? [.. ReadErrors(output), .. ReadEscapedMarkup(output)] : new List<CellError>();
        return new NotebookRun(notebook, code, timedOut, elapsed, errors, log);
    }

    /// <summary>Error outputs of an executed notebook, with the cell index (0-based, markdown cells counted) and its first line.</summary>
    public static IReadOnlyList<CellError> ReadErrors(string executedNotebook) => ScanOutputs(executedNotebook, o =>
    {
        if (!o.TryGetProperty("output_type", out var type) || type.GetString() != "error") return null;
        string message = o.TryGetProperty("evalue", out var v) ? v.GetString() ?? "" : "";
        if (message.IndexOf("\n--- End of stack trace", StringComparison.Ordinal) is var cut and >= 0) message = message[..cut];
        if (o.TryGetProperty("ename", out var n) && n.GetString() is { Length: > 0 } name && name != "Error") message = $"{name}: {message}";
        return message.Trim();
    }, allPerCell: true);

    /// <summary>
    /// Outputs that show the kit's markup as text (a tree view of an escaped &lt;div&gt;, &lt;progress&gt; or &lt;img&gt;)
    /// instead of drawing it: the kernel did not recognise the object as HTML. Reported like cell errors, once per cell.
    /// </summary>
    public static IReadOnlyList<CellError> ReadEscapedMarkup(string executedNotebook) => ScanOutputs(executedNotebook, o =>
    {
        if (!o.TryGetProperty("data", out var data) || !data.TryGetProperty("text/html", out var html)) return null;
        string text = html.ValueKind == JsonValueKind.Array ? string.Concat(html.EnumerateArray().Select(s => s.GetString())) : html.GetString() ?? "";
        return EscapedTags.FirstOrDefault(t => text.Contains(t, StringComparison.Ordinal)) is { } tag
            ? $"an output shows escaped markup ({tag}...) instead of rendering it"
            : null;
    }, allPerCell: false);

    /// <summary>
    /// Live views saved as a stack of their intermediate states (two outputs of one cell showing the same progress bar
    /// or the same chart title) instead of one final output.
    /// </summary>
    public static IReadOnlyList<CellError> ReadStackedOutputs(string executedNotebook)
    {
        var seen = new HashSet<(int, string)>();
        var stacked = new List<CellError>();
        int index = 0;
        using var doc = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (cell.TryGetProperty("outputs", out var outputs))
                foreach (var o in outputs.EnumerateArray())
                {
                    if (!o.TryGetProperty("data", out var data) || !data.TryGetProperty("text/html", out var h)) continue;
                    string text = h.ValueKind == JsonValueKind.Array ? string.Concat(h.EnumerateArray().Select(s => s.GetString())) : h.GetString() ?? "";
                    string? key = text.IndexOf("<progress", StringComparison.Ordinal) is var p and > 0 ? "progress:" + text[..p]
                        : text.Contains("depthkit-chart", StringComparison.Ordinal)
                            ? "chart:" + string.Join("|", System.Text.RegularExpressions.Regex.Matches(text, "\"title\":\\{\"text\":\"([^\"]*)\"").Select(m => m.Groups[1].Value))
                            : null;
                    if (key is not null && !seen.Add((index, key)))
                    {
                        stacked.Add(new CellError(index, FirstLine(cell), $"a live view left a stack of outputs ({key[..Math.Min(key.Length, 60)]}...), not one final output"));
                        break;
                    }
                }
            index++;
        }
        return stacked;
    }

    /// <summary>
    /// Training cells (a <c>new LiveTraining(</c> in the source) whose saved outputs are not one Train Loss chart and
    /// one progress line at its end: the live views must leave their final state, once, in the saved notebook.
    /// </summary>
    public static IReadOnlyList<CellError> ReadUnfinishedLiveViews(string executedNotebook)
    {
        var problems = new List<CellError>();
        int index = 0;
        using var doc = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            string source = cell.TryGetProperty("source", out var s)
                ? s.ValueKind == JsonValueKind.Array ? string.Concat(s.EnumerateArray().Select(l => l.GetString())) : s.GetString() ?? ""
                : "";
            if (source.Contains("new LiveTraining(", StringComparison.Ordinal))
            {
                var html = cell.TryGetProperty("outputs", out var outputs)
                    ? outputs.EnumerateArray().Where(o => o.TryGetProperty("data", out var d) && d.TryGetProperty("text/html", out _))
                        .Select(o => o.GetProperty("data").GetProperty("text/html"))
                        .Select(h => h.ValueKind == JsonValueKind.Array ? string.Concat(h.EnumerateArray().Select(l => l.GetString())) : h.GetString() ?? "")
                        .ToList()
                    : [];
                int charts = html.Count(h => h.Contains("depthkit-chart", StringComparison.Ordinal));
                var bars = html.Where(h => h.Contains("<progress", StringComparison.Ordinal)).ToList();
                var bar = System.Text.RegularExpressions.Regex.Match(bars.Count == 1 ? bars[0] : "", "<progress value=\"(\\d+)\" max=\"(\\d+)\"");
                if (charts != 1 || bars.Count != 1)
                    problems.Add(new CellError(index, FirstLine(cell), $"the training cell saved {charts} charts and {bars.Count} progress lines, not one of each"));
                else if (!bar.Success || bar.Groups[1].Value != bar.Groups[2].Value)
                    problems.Add(new CellError(index, FirstLine(cell), $"the training cell's saved progress line is not its final state ({bar.Value})"));
            }
            index++;
        }
        return problems;
    }

    /// <summary>How many outputs of an executed notebook contain <paramref name="marker"/>.</summary>
    public static int CountOutputs(string executedNotebook, string marker)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        return doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.TryGetProperty("outputs", out _))
            .SelectMany(c => c.GetProperty("outputs").EnumerateArray())
            .Count(o => o.TryGetProperty("data", out var d) && d.TryGetProperty("text/html", out var h) &&
                        (h.ValueKind == JsonValueKind.Array ? string.Concat(h.EnumerateArray().Select(s => s.GetString())) : h.GetString() ?? "")
                            .Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>Every output <paramref name="problem"/> describes (non-null), with its cell's index and first line.</summary>
    static List<CellError> ScanOutputs(string executedNotebook, Func<JsonElement, string?> problem, bool allPerCell)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        var found = new List<CellError>();
        int index = 0;
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (cell.TryGetProperty("outputs", out var outputs))
                foreach (var o in outputs.EnumerateArray())
                    if (problem(o) is { } message)
                    {
                        found.Add(new CellError(index, FirstLine(cell), message));
                        if (!allPerCell) break;
                    }
            index++;
        }
        return found;
    }

    static readonly string[] EscapedTags = ["&lt;div", "&lt;progress", "&lt;img", "&lt;table"];

    static string FirstLine(JsonElement cell)
    {
        if (!cell.TryGetProperty("source", out var source)) return "";
        string text = source.ValueKind == JsonValueKind.Array
            ? string.Concat(source.EnumerateArray().Select(s => s.GetString()))
            : source.GetString() ?? "";
        return text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)) ?? "";
    }

    /// <summary>Runs a process with a timeout (exit code int.MinValue when it was killed); output and error interleaved.</summary>
    /// <remarks>unset: further environment variables the child must not inherit</remarks>
    internal static (int Code, string Log, TimeSpan Elapsed) Run(string file, string[] args, string workingDirectory, TimeSpan timeout,
        Dictionary<string, string> env, IReadOnlyList<string>? unset = null)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        // dotnet test's MSBuild variables would point a child dotnet at the test run's MSBuild instead of its own
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        foreach (var key in unset ?? []) info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env) info.Environment[k] = v;
        var log = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (int.MinValue, log.ToString(), clock.Elapsed);
        }
        process.WaitForExit(); // drains the output readers
        return (process.ExitCode, log.ToString(), clock.Elapsed);
    }
}
