using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DepthKit.Data;
using DepthKit.Labs.Authoring;

namespace DepthKit.Labs.Grading;

/// <summary>Every knob of <see cref="LabGrader"/>.</summary>
public sealed record GradeOptions
{
    /// <summary>The folder of the lab notebooks (student or solution edition): their metadata declares tasks and points.</summary>
    public required string LabsFolder { get; init; }

    /// <summary>Where grades.csv, feedback/ and executed/ go.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Longest a submission may run before it is stopped and graded on what it reached.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Submissions run at the same time.</summary>
    public int Parallel { get; init; } = 1;

    /// <summary>Grade only this lab (its id or file name); null = every lab someone submitted.</summary>
    public string? Lab { get; init; }

    /// <summary>The DepthKit.Labs.dll the submissions' <c>#r</c> is pointed at (default: the one running the grader).</summary>
    public string KitAssembly { get; init; } = typeof(Lab).Assembly.Location;

    /// <summary>The DepthKit.Labs project a file-based lab (<c>.cs</c>) is pointed at; null = looked up beside the labs folder.</summary>
    public string? KitProject { get; init; }

    /// <summary>Working directory of the runs (where <c>dotnet repl</c> is found as a local tool); null = the repository above the labs folder.</summary>
    public string? ToolFolder { get; init; }

    /// <summary>Progress lines (one per submission).</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>One row of grades.csv.</summary>
public sealed record GradeRow(string Student, string Lab, string Task, double Points, double MaxPoints, string Message);

/// <summary>How one submission ran.</summary>
public sealed record SubmissionRun(string Student, string Lab, string File, string Status, double Seconds, IReadOnlyList<string> CellErrors)
{
    public bool Completed => Status == "completed";
}

/// <summary>The grades of a folder of submissions.</summary>
public sealed record GradeReport(IReadOnlyList<GradeRow> Rows, IReadOnlyList<SubmissionRun> Runs, string CsvPath, string FeedbackFolder)
{
    public double Points(string student, string? lab = null) =>
        Rows.Where(r => r.Student == student && (lab is null || r.Lab == lab)).Sum(r => r.Points);
}

/// <summary>
/// Grades a folder of submissions, one sub-folder per student holding lab notebooks (<c>02-batchnorm.ipynb</c>) or
/// file-based labs (<c>02-batchnorm.cs</c>) named as the lab. Each runs headless in its own process with a timeout;
/// its checks append their results to a file as they run, so a crash or an endless loop keeps what it reached and
/// never stops the other submissions. Writes grades.csv (student, lab, task, points, max_points, message), one
/// feedback page per student and the executed notebooks, each file atomically.
/// </summary>
public static partial class LabGrader
{
    [GeneratedRegex("""^(\s*#r\s+")([^"]*DepthKit\.Labs\.dll)(".*)$""", RegexOptions.Multiline)]
    private static partial Regex KitReference();

    [GeneratedRegex("""^(\s*#:project\s+)(\S*DepthKit\.Labs(\.csproj)?)\s*$""", RegexOptions.Multiline)]
    private static partial Regex KitProjectDirective();

    [GeneratedRegex("""Lab\.Check\(\s*"([^"]+)"\s*,""")]
    private static partial Regex CheckCall();

    /// <summary>The labs of a folder by file stem (notebooks with depthkit.lab metadata).</summary>
    public static IReadOnlyDictionary<string, LabDefinition> Labs(string folder)
    {
        if (!Directory.Exists(folder)) throw new LabFileException(folder, "no such folder (the labs: --labs)");
        var labs = new SortedDictionary<string, LabDefinition>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(folder, "*.ipynb"))
            if (LabNotebook.Load(file).Definition() is { } lab) labs[Path.GetFileNameWithoutExtension(file)] = lab;
        if (labs.Count == 0) throw new LabFileException(folder, "holds no lab notebook (a notebook with depthkit.lab metadata)");
        return labs;
    }

    public static GradeReport Grade(string submissionsFolder, GradeOptions options, CancellationToken cancel = default)
    {
        if (!Directory.Exists(submissionsFolder)) throw new LabFileException(submissionsFolder, "no such folder (the submissions)");
        var labs = Labs(options.LabsFolder);
        if (options.Lab is { } only && !labs.ContainsKey(only) && labs.All(l => l.Value.Id != only))
            throw new LabFileException(options.LabsFolder, $"has no lab '{only}' (labs: {string.Join(", ", labs.Keys)})");
        var students = Directory.GetDirectories(submissionsFolder).Select(d => Path.GetFileName(d)!)
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (students.Count == 0) throw new LabFileException(submissionsFolder, "holds no student folder (one folder per student, holding the lab files)");

        var jobs = new List<(string Student, string LabKey, string? File)>();
        var rows = new ConcurrentBag<GradeRow>();
        var runs = new ConcurrentBag<SubmissionRun>();
        var submitted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var student in students)
            foreach (var file in Directory.GetFiles(Path.Combine(submissionsFolder, student)).Order(StringComparer.Ordinal))
            {
                string ext = Path.GetExtension(file).ToLowerInvariant(), stem = Path.GetFileNameWithoutExtension(file);
                if (ext is not (".ipynb" or ".cs")) continue;
                if (!labs.ContainsKey(stem))
                {
                    rows.Add(new GradeRow(student, stem, "", 0, 0, $"{Path.GetFileName(file)} is not a lab of this course (labs: {string.Join(", ", labs.Keys)})"));
                    continue;
                }
                if (options.Lab is { } l && stem != l && labs[stem].Id != l) continue;
                if (jobs.Any(j => j.Student == student && j.LabKey == stem))
                {
                    rows.Add(new GradeRow(student, stem, "", 0, 0, $"{Path.GetFileName(file)} ignored: the .ipynb of the same lab is graded"));
                    continue;
                }
                jobs.Add((student, stem, file));
                submitted.Add(stem);
            }
        foreach (var student in students)
            foreach (var lab in submitted)
                if (!jobs.Any(j => j.Student == student && j.LabKey == lab)) jobs.Add((student, lab, null));

        string toolFolder = options.ToolFolder ?? FindToolFolder(options.LabsFolder);
        System.Threading.Tasks.Parallel.ForEach(jobs.OrderBy(j => j.Student, StringComparer.Ordinal).ThenBy(j => j.LabKey, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = cancel },
            job =>
            {
                var lab = labs[job.LabKey];
                if (job.File is null)
                {
                    foreach (var t in lab.Tasks) rows.Add(new GradeRow(job.Student, job.LabKey, t.Id, 0, t.Points, "not submitted"));
                    runs.Add(new SubmissionRun(job.Student, job.LabKey, "", "not submitted", 0, []));
                    return;
                }
                var (run, taskRows) = GradeOne(job.Student, job.LabKey, lab, job.File, options, toolFolder, cancel);
                foreach (var r in taskRows) rows.Add(r);
                runs.Add(run);
                options.Log?.WriteLine($"{job.Student}/{Path.GetFileName(job.File)}: {taskRows.Sum(r => r.Points):0.##}/{lab.MaxPoints:0.##} points, {run.Status} ({run.Seconds:0.0} s)");
            });

        var orderedRows = rows.OrderBy(r => r.Student, StringComparer.Ordinal).ThenBy(r => r.Lab, StringComparer.Ordinal)
            .ThenBy(r => TaskOrder(labs, r)).ToList();
        var orderedRuns = runs.OrderBy(r => r.Student, StringComparer.Ordinal).ThenBy(r => r.Lab, StringComparer.Ordinal).ToList();
        string csv = Path.Combine(options.OutputFolder, "grades.csv");
        AtomicFile.WriteAllText(csv, GradeFiles.Csv(orderedRows));
        string feedback = Path.Combine(options.OutputFolder, "feedback");
        foreach (var student in students)
            AtomicFile.WriteAllText(Path.Combine(feedback, $"{student}.html"),
                GradeFiles.FeedbackPage(student, orderedRows.Where(r => r.Student == student).ToList(), orderedRuns.Where(r => r.Student == student).ToList(), labs));
        return new GradeReport(orderedRows, orderedRuns, csv, feedback);
    }

    static int TaskOrder(IReadOnlyDictionary<string, LabDefinition> labs, GradeRow row) =>
        labs.TryGetValue(row.Lab, out var lab) ? lab.Tasks.ToList().FindIndex(t => t.Id == row.Task) is var i and >= 0 ? i : int.MaxValue : int.MaxValue;

    static (SubmissionRun Run, List<GradeRow> Rows) GradeOne(string student, string labKey, LabDefinition lab, string file, GradeOptions options,
                                                             string toolFolder, CancellationToken cancel)
    {
        bool notebook = file.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase);
        string text = File.ReadAllText(file);
        var rows = new List<GradeRow>();
        string? unreadable = null;
        if (notebook)
        {
            try { LabNotebook.Parse(text, file); }
            catch (LabFileException e) { unreadable = $"the submission is not a readable notebook ({e.Message[(file.Length + 2)..]})"; }
        }
        if (unreadable is not null)
        {
            rows.AddRange(lab.Tasks.Select(t => new GradeRow(student, labKey, t.Id, 0, t.Points, unreadable)));
            return (new SubmissionRun(student, labKey, file, unreadable, 0, []), rows);
        }

        string work = Path.Combine(Path.GetTempPath(), $"depthkit-grade-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string results = Path.Combine(work, "results.jsonl");
            string input = Path.Combine(work, Path.GetFileName(file));
            string executed = Path.Combine(work, "executed.ipynb");
            var env = new Dictionary<string, string> { [Lab.ResultsVariable] = results };
            HeadlessRun run;
            if (notebook)
            {
                string kit = Path.GetFullPath(options.KitAssembly).Replace('\\', '/');
                var nb = LabNotebook.Parse(text, file);
                foreach (var cell in nb.Cells)
                    if (LabNotebook.CellType(cell) == "code")
                        LabNotebook.SetSource((JsonObject)cell!, KitReference().Replace(LabNotebook.Source(cell), m => m.Groups[1].Value + kit + m.Groups[3].Value));
                File.WriteAllText(input, nb.ToJson());
                run = Headless.Run("dotnet", ["repl", "--run", input, "--exit-after-run", "--output-path", executed], toolFolder, options.Timeout, env, cancel);
            }
            else
            {
                string project = Path.GetFullPath(options.KitProject ?? Path.Combine(toolFolder, "src", "DepthKit.Labs", "DepthKit.Labs.csproj")).Replace('\\', '/');
                File.WriteAllText(input, KitProjectDirective().Replace(text, m => m.Groups[1].Value + project));
                run = Headless.Run("dotnet", ["run", input], work, options.Timeout, env, cancel);
            }

            var recorded = ReadResults(results);
            var cellErrors = notebook && File.Exists(executed) ? ExecutedErrors(executed) : [];
            if (!notebook && !run.TimedOut && run.ExitCode != 0) cellErrors = BuildErrors(run.Log);
            string status = run.TimedOut ? $"stopped after {options.Timeout.TotalSeconds:0} s (an endless loop, or a very slow cell?)"
                : notebook && !File.Exists(executed) ? $"the kernel stopped (exit code {run.ExitCode}) before the notebook finished"
                : !notebook && run.ExitCode != 0 && recorded.Count == 0 && cellErrors.Count > 0 ? "the program did not compile"
                : !notebook && run.ExitCode != 0 ? $"the program stopped with exit code {run.ExitCode}"
                : cellErrors.Count > 0 ? $"completed with {cellErrors.Count} cell error{(cellErrors.Count == 1 ? "" : "s")}"
                : "completed";
            // a notebook's cells are JSON strings (quotes escaped): look for the check calls in the code it runs
            string code = notebook
                ? string.Join("\n", LabNotebook.Parse(text, file).Cells.Where(c => LabNotebook.CellType(c) == "code").Select(LabNotebook.Source))
                : text;
            var present = CheckCall().Matches(code).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var task in lab.Tasks)
            {
                if (recorded.TryGetValue(task.Id, out var r))
                    rows.Add(new GradeRow(student, labKey, task.Id, r.Passed ? task.Points : 0, task.Points, r.Describe()));
                else
                {
                    string why = !present.Contains(task.Id) ? $"the check cell was deleted (no Lab.Check(\"{task.Id}\", ...) in the submission)"
                        : run.TimedOut ? $"not reached: the run was {status}"
                        : status.StartsWith("the kernel", StringComparison.Ordinal) || status.StartsWith("the program", StringComparison.Ordinal) ? $"not reached: {status}"
                        : cellErrors.FirstOrDefault(e => e.Contains($"Lab.Check(\"{task.Id}\"", StringComparison.Ordinal)) is { } err ? $"the check cell failed: {err}"
                        : cellErrors.Count > 0 ? $"the check did not run ({cellErrors[0]})"
                        : "the check did not run";
                    rows.Add(new GradeRow(student, labKey, task.Id, 0, task.Points, why));
                }
            }
            if (notebook && File.Exists(executed))
                AtomicFile.WriteAllBytes(Path.Combine(options.OutputFolder, "executed", student, Path.GetFileName(file)), File.ReadAllBytes(executed));
            return (new SubmissionRun(student, labKey, file, status, Math.Round(run.Elapsed.TotalSeconds, 1), cellErrors), rows);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The last result of each task in a results file (a student may run a check twice).</summary>
    public static Dictionary<string, CheckResult> ReadResults(string path)
    {
        var results = new Dictionary<string, CheckResult>();
        if (!File.Exists(path)) return results;
        foreach (var line in File.ReadAllLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<CheckResult>(line) is { } r && Lab.Checks.ContainsKey(r.Task)) results[r.Task] = r;
            }
            catch (JsonException) { }   // a line cut short by a kill
        }
        return results;
    }

    /// <summary>"cell N `first line`: error" for every error output of an executed notebook.</summary>
    public static List<string> ExecutedErrors(string executedNotebook)
    {
        var errors = new List<string>();
        LabNotebook nb;
        try { nb = LabNotebook.Load(executedNotebook); } catch (LabFileException) { return errors; }
        for (int i = 0; i < nb.Cells.Count; i++)
            foreach (var o in nb.Cells[i]?["outputs"] as JsonArray ?? [])
                if (o?["output_type"]?.GetValue<string>() == "error")
                {
                    string message = o["evalue"]?.GetValue<string>() ?? "";
                    int cut = message.IndexOf("\n--- End of stack trace", StringComparison.Ordinal);
                    if (cut >= 0) message = message[..cut];
                    string src = LabNotebook.Source(nb.Cells[i]);
                    string first = src.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)) ?? "";
                    string check = CheckCall().Match(src) is { Success: true } m ? $" Lab.Check(\"{m.Groups[1].Value}\"" : "";
                    errors.Add($"cell {i} `{Trim(first, 60)}`{check}: {Trim(message.Trim().Split('\n')[0], 200)}");
                }
        return errors;
    }

    static List<string> BuildErrors(string log) =>
        log.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Select(l => Trim(l.Trim(), 240)).Distinct().Take(10).ToList();

    static string Trim(string s, int n) => s.Length > n ? s[..n] + "..." : s;

    /// <summary>The repository above the labs folder (where .config/dotnet-tools.json names dotnet-repl), else the current folder.</summary>
    public static string FindToolFolder(string labsFolder)
    {
        foreach (var start in new[] { Path.GetFullPath(labsFolder), Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, ".config", "dotnet-tools.json"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
