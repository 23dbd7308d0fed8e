using System.Globalization;
using DepthKit.Labs;
using DepthKit.Labs.Authoring;
using DepthKit.Labs.Grading;

namespace DepthKit.Cli.Commands;

/// <summary>Finds the course's lab folders: --labs, else ./labs, else labs/ of the repository the current folder is in.</summary>
static class LabFolders
{
    public static string Labs(CliArgs args) => args.GetOrNull("labs") ?? Default("labs");

    public static string Default(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, relative)) && File.Exists(Path.Combine(dir.FullName, "DepthKit.slnx")))
                return Path.Combine(dir.FullName, relative);
        return relative;
    }

    /// <summary>A lab file problem as a usage error (one line, exit 2).</summary>
    public static T Run<T>(Func<T> action)
    {
        try { return action(); }
        catch (LabFileException e) { throw new CliUsageException(e.Message); }
    }
}

/// <summary><c>depthkit lab release</c>: the student notebooks from the teacher's solution notebooks.</summary>
public sealed class LabReleaseCommand : ICliCommand
{
    public string Name => "lab release";
    public string Summary => "Make the student labs from the solution notebooks (solutions become stubs, outputs cleared)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("source", "folder of the solution notebooks (default: labs/solutions of the repository)"),
        new("out", "folder for the student notebooks (default: labs of the repository)"),
        new("force", "replace student notebooks that were changed since their release", IsFlag: true),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        string source = args.GetOrNull("source") ?? LabFolders.Default(Path.Combine("labs", "solutions"));
        string target = args.GetOrNull("out") ?? LabFolders.Default("labs");
        var released = LabFolders.Run(() => LabRelease.ReleaseFolder(source, target, args.Flag("force")));
        foreach (var r in released)
            context.Out.WriteLine($"{r.Action,-9} {r.Target}  ({r.Lab.Tasks.Count} tasks, {r.Lab.MaxPoints:0.##} points)");
        return 0;
    }
}

/// <summary><c>depthkit lab grade SUBMISSIONS_DIR</c>: runs every submission headless and writes grades and feedback.</summary>
public sealed class LabGradeCommand : ICliCommand
{
    public string Name => "lab grade";
    public string Summary => "Grade a folder of submissions (one folder per student): grades.csv and a feedback page each";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("submissions", "folder with one sub-folder per student, holding NN-name.ipynb (or .cs) lab files", Required: true, Positional: true),
        new("labs", "folder of the lab notebooks that declare tasks and points (default: labs of the repository)"),
        new("out", "folder for grades.csv, feedback/ and executed/", "grades"),
        new("timeout", "seconds one submission may run before it is stopped", "300"),
        new("parallel", "submissions run at the same time", "1"),
        new("lab", "grade only this lab (e.g. 02-batchnorm)"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        int timeout = args.GetInt("timeout"), parallel = args.GetInt("parallel");
        if (timeout <= 0) throw new CliUsageException($"--timeout {timeout}: give a positive number of seconds");
        if (parallel <= 0) throw new CliUsageException($"--parallel {parallel}: give 1 or more");
        var options = new GradeOptions
        {
            LabsFolder = LabFolders.Labs(args), OutputFolder = args.Get("out"), Timeout = TimeSpan.FromSeconds(timeout),
            Parallel = parallel, Lab = args.GetOrNull("lab"), Log = context.Out,
        };
        var report = LabFolders.Run(() => LabGrader.Grade(args.Get("submissions"), options, context.Cancel));
        context.Out.WriteLine();
        foreach (var student in report.Rows.Select(r => r.Student).Distinct())
        {
            double points = report.Points(student), max = report.Rows.Where(r => r.Student == student).Sum(r => r.MaxPoints);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{student,-20} {points,6:0.##} / {max:0.##}"));
        }
        context.Out.WriteLine($"wrote {report.CsvPath} and {report.FeedbackFolder}{Path.DirectorySeparatorChar}<student>.html");
        return 0;
    }
}

/// <summary><c>depthkit lab list</c>: the labs, their tasks and points.</summary>
public sealed class LabListCommand : ICliCommand
{
    public string Name => "lab list";
    public string Summary => "List the labs with their tasks, points and what each check compares";
    public IReadOnlyList<CliOption> Options { get; } = [new("labs", "folder of the lab notebooks (default: labs of the repository)")];

    public int Run(CliArgs args, CliContext context)
    {
        var labs = LabFolders.Run(() => LabGrader.Labs(LabFolders.Labs(args)));
        foreach (var (file, lab) in labs)
        {
            context.Out.WriteLine($"{file}: {lab.Title} ({lab.MaxPoints:0.##} points)");
            foreach (var t in lab.Tasks)
                context.Out.WriteLine($"  {t.Id,-16} {t.Points,4:0.##}  {(Lab.Checks.TryGetValue(t.Id, out var c) ? c.Title : "(no such check in this kit)")}");
        }
        return 0;
    }
}
