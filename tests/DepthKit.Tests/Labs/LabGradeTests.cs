using System.Text.Json.Nodes;
using DepthKit.Labs;
using DepthKit.Labs.Authoring;
using DepthKit.Labs.Grading;
using DepthKit.Tests.Notebooks;

namespace DepthKit.Tests.Labs;

/// <summary>
/// Runs lab notebooks headless the way `depthkit lab grade` does: the real solutions pass every check, the released
/// stubs are "not done yet" everywhere, and a folder of good, partial and broken submissions gets the expected points.
/// </summary>
public class LabGradeTests
{
    static string LabsFolder => Path.Combine(NotebookRunner.RepoRoot, "labs");

    static readonly TimeSpan Generous = TimeSpan.FromMinutes(Environment.GetEnvironmentVariable("DEPTHKIT_NOTEBOOK_TIMEOUT") is { } s ? int.Parse(s) / 60.0 + 1 : 8);

    /// <summary>All labs of a folder in one notebook (one kernel start instead of seven), graded as one submission.</summary>
    static Dictionary<string, CheckResult> RunAllInOneKernel(string folder)
    {
        NotebookRunner.Prepare();
        var labs = Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).Select(LabNotebook.Load).ToList();
        var combined = labs[0].Clone();
        foreach (var lab in labs.Skip(1))
            foreach (var cell in lab.Cells) combined.Cells.Add(cell!.DeepClone());
        string work = Path.Combine(Path.GetTempPath(), $"depthkit-labs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            // the build a student's notebook loads (dotnet test builds it), with every dependency beside it
            string kit = Path.Combine(NotebookRunner.RepoRoot, "src/DepthKit.Labs/bin/Debug/net10.0/DepthKit.Labs.dll");
            foreach (var cell in combined.Cells)
                if (LabNotebook.CellType(cell) == "code" && LabNotebook.Source(cell).Contains("DepthKit.Labs.dll", StringComparison.Ordinal))
                    LabNotebook.SetSource((JsonObject)cell!, $"#r \"{kit}\"");
            string input = Path.Combine(work, "all.ipynb"), results = Path.Combine(work, "results.jsonl");
            File.WriteAllText(input, combined.ToJson());
            var run = Headless.Run("dotnet", ["repl", "--run", input, "--exit-after-run", "--output-path", Path.Combine(work, "out.ipynb")],
                                   NotebookRunner.RepoRoot, Generous, new Dictionary<string, string> { [Lab.ResultsVariable] = results });
            var errors = File.Exists(Path.Combine(work, "out.ipynb")) ? LabGrader.ExecutedErrors(Path.Combine(work, "out.ipynb")) : [];
            Assert.True(!run.TimedOut && errors.Count == 0, $"the labs of {folder} did not run cleanly (exit {run.ExitCode}, timed out {run.TimedOut}):\n" +
                        string.Join("\n", errors) + (errors.Count == 0 ? "\n" + run.Log[^Math.Min(3000, run.Log.Length)..] : ""));
            return LabGrader.ReadResults(results);
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    static IEnumerable<string> DeclaredTasks(string folder) =>
        Directory.GetFiles(folder, "*.ipynb").SelectMany(f => LabNotebook.Load(f).Definition()!.Tasks.Select(t => t.Id));

    [Fact]
    public void SolutionNotebooksPassEveryCheck()
    {
        var results = RunAllInOneKernel(Path.Combine(LabsFolder, "solutions"));
        foreach (var task in DeclaredTasks(Path.Combine(LabsFolder, "solutions")))
        {
            Assert.True(results.TryGetValue(task, out var r), $"the check of {task} did not run");
            Assert.True(r.Passed, r.Describe());
        }
    }

    [Fact]
    public void StudentNotebooksAreNotDoneEverywhere()
    {
        var results = RunAllInOneKernel(LabsFolder);
        foreach (var task in DeclaredTasks(LabsFolder))
        {
            Assert.True(results.TryGetValue(task, out var r), $"the check of {task} did not run");
            Assert.True(r.Status == CheckStatus.NotDone, r.Describe());
            Assert.Contains("not done yet", r.Describe());
        }
    }
}
