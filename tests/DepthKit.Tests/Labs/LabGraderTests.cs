using System.Diagnostics;
using System.Text.Json.Nodes;
using DepthKit.Labs.Authoring;
using DepthKit.Labs.Grading;
using DepthKit.Tests.Notebooks;
using Xunit.Abstractions;

namespace DepthKit.Tests.Labs;

/// <summary>
/// `depthkit lab grade` end to end on one short lab (04-up-projection: unpool 2 points, up-projection 3): the
/// submissions are the committed student edition with the teacher's solution cells pasted in, as a student would
/// hand them in, one of them as the file-based app. A correct, a partial and broken submissions (a wrong answer
/// with a deleted check cell, a crash, an endless loop, an unreadable file, nothing) each get their points, and
/// none stops the others.
/// </summary>
public class LabGraderTests(ITestOutputHelper output)
{
    const string LabId = "04-up-projection";

    static string LabsFolder => Path.Combine(NotebookRunner.RepoRoot, "labs");

    static readonly TimeSpan Generous = TimeSpan.FromMinutes(Environment.GetEnvironmentVariable("DEPTHKIT_NOTEBOOK_TIMEOUT") is { } s ? int.Parse(s) / 60.0 + 1 : 8);

    /// <summary>The student edition with the solution cells of the tasks whose function starts with one of <paramref name="signatures"/>.</summary>
    static LabNotebook Solved(params string[] signatures)
    {
        var student = LabNotebook.Load(Path.Combine(LabsFolder, LabId + ".ipynb"));
        var solution = LabNotebook.Load(Path.Combine(LabsFolder, "solutions", LabId + ".ipynb"));
        Assert.Equal(solution.Cells.Count, student.Cells.Count);   // release keeps the cells in place
        foreach (var signature in signatures)
        {
            int i = Enumerable.Range(0, solution.Cells.Count).Single(k => LabNotebook.Source(solution.Cells[k]).StartsWith(signature, StringComparison.Ordinal));
            Assert.Contains(LabRelease.Stub, LabNotebook.Source(student.Cells[i]));
            LabNotebook.SetSource((JsonObject)student.Cells[i]!, LabNotebook.Source(solution.Cells[i]));
        }
        return student;
    }

    const string UnpoolTask = "Tensor Unpool(", UpProjectionTask = "Tensor UpProjectionForward(";

    static JsonObject CodeCell(string source) => new()
    {
        ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = source,
    };

    /// <summary>Inserts a code cell after the first cell whose source contains <paramref name="after"/>.</summary>
    static LabNotebook Insert(LabNotebook notebook, string after, string source)
    {
        int i = Enumerable.Range(0, notebook.Cells.Count).First(k => LabNotebook.Source(notebook.Cells[k]).Contains(after, StringComparison.Ordinal));
        notebook.Cells.Insert(i + 1, CodeCell(source));
        return notebook;
    }

    static void Write(string folder, string name, string text)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), text);
    }

    [Fact]
    public async Task GradesCorrectPartialAndBrokenSubmissionsWithoutOneStoppingTheOthers()
    {
        NotebookRunner.Prepare();
        using var dir = new TempDir();
        string subs = dir["submissions"], slow = dir["slow"];

        string both = Solved(UnpoolTask, UpProjectionTask).ToJson();
        Write(Path.Combine(subs, "alice"), LabId + ".ipynb", both);
        Write(Path.Combine(subs, "bob"), LabId + ".ipynb", Solved(UnpoolTask).ToJson());
        // unpooling into the wrong corner, and the up-projection's check cell deleted
        var carol = Solved(UnpoolTask, UpProjectionTask);
        var unpoolCell = (JsonObject)carol.Cells.First(c => LabNotebook.Source(c).StartsWith(UnpoolTask, StringComparison.Ordinal))!;
        LabNotebook.SetSource(unpoolCell, LabNotebook.Source(unpoolCell).Replace("Slice(0, null, 2)", "Slice(1, null, 2)", StringComparison.Ordinal));
        carol.Cells.Remove(carol.Cells.Single(c => LabNotebook.Source(c).Contains("Lab.Check(\"up-projection\"", StringComparison.Ordinal)));
        Write(Path.Combine(subs, "carol"), LabId + ".ipynb", carol.ToJson());
        // the kernel dies after the first check
        Write(Path.Combine(subs, "dave"), LabId + ".ipynb", Insert(Solved(UnpoolTask, UpProjectionTask), "Lab.Check(\"unpool\"", "Environment.Exit(3);").ToJson());
        Write(Path.Combine(subs, "frank"), LabId + ".ipynb", "{ this is not json");
        // the file-based app form, for a student without the notebook extension
        Write(Path.Combine(subs, "gina"), LabId + ".cs", LabApp.FromNotebook(LabNotebook.Parse(both, "gina.ipynb")));
        Directory.CreateDirectory(Path.Combine(subs, "hugo"));
        // a cell that never ends (sleeping, so the test spends no CPU on it), graded with a short timeout of its own
        Write(Path.Combine(slow, "erin"), LabId + ".ipynb", Insert(Solved(UnpoolTask, UpProjectionTask), "Lab.Start();", "while (true) System.Threading.Thread.Sleep(100);").ToJson());

        var options = new GradeOptions
        {
            LabsFolder = LabsFolder, OutputFolder = dir["grades"], Lab = LabId, Timeout = Generous, Parallel = 2,
            ToolFolder = NotebookRunner.RepoRoot, KitProject = Path.Combine(NotebookRunner.RepoRoot, "src/DepthKit.Labs/DepthKit.Labs.csproj"),
        };
        var clock = Stopwatch.StartNew();
        var loop = Task.Run(() => LabGrader.Grade(slow, options with { OutputFolder = dir["grades-slow"], Timeout = TimeSpan.FromSeconds(20) }));
        var main = Task.Run(() => LabGrader.Grade(subs, options));
        await Task.WhenAll(loop, main);
        var (report, slowReport) = (await main, await loop);
        foreach (var run in report.Runs.Concat(slowReport.Runs)) output.WriteLine($"{run.Student}: {run.Status}, {run.Seconds:0.0} s");
        output.WriteLine($"graded 8 submissions in {clock.Elapsed.TotalSeconds:0.0} s");

        string Message(GradeReport r, string student, string task) => r.Rows.Single(x => x.Student == student && x.Task == task).Message;
        string all = string.Join("\n", report.Rows.Concat(slowReport.Rows).Select(r => $"{r.Student} {r.Task} {r.Points}: {r.Message}"));
        Assert.True(report.Points("alice") == 5, all);
        Assert.StartsWith("PASS unpool:", Message(report, "alice", "unpool"));
        Assert.True(report.Points("gina") == 5, all);
        Assert.True(report.Points("bob") == 2, all);
        Assert.Contains("not done yet", Message(report, "bob", "up-projection"));
        Assert.True(report.Points("carol") == 0, all);
        Assert.Contains("bottom-right corner", Message(report, "carol", "unpool"));
        Assert.Contains("the check cell was deleted", Message(report, "carol", "up-projection"));
        Assert.True(report.Points("dave") == 2, all);   // what ran before the crash counts
        Assert.Contains("not reached: the kernel stopped (exit code 3)", Message(report, "dave", "up-projection"));
        Assert.True(report.Points("frank") == 0, all);
        Assert.Contains("not a readable notebook", Message(report, "frank", "unpool"));
        Assert.Equal("not submitted", Message(report, "hugo", "unpool"));
        Assert.Equal(0, slowReport.Points("erin"));
        Assert.Contains("not reached: the run was stopped after 20 s", Message(slowReport, "erin", "unpool"));

        // grades.csv: one row per student and task, in the lab's task order
        var csv = File.ReadAllLines(report.CsvPath);
        Assert.Equal("student,lab,task,points,max_points,message", csv[0]);
        Assert.Equal(1 + 7 * 2, csv.Length);
        string Unquoted(int row) => csv[row].Replace("\"", "");   // a message holding a comma is quoted
        Assert.StartsWith($"alice,{LabId},unpool,2,2,PASS unpool:", Unquoted(1));
        Assert.StartsWith($"alice,{LabId},up-projection,3,3,PASS up-projection:", Unquoted(2));
        Assert.StartsWith($"bob,{LabId},up-projection,0,3,TODO up-projection: not done yet", Unquoted(4));
        // a feedback page per student that says how the run ended
        string dave = File.ReadAllText(Path.Combine(report.FeedbackFolder, "dave.html"));
        Assert.Contains("Total: 2 / 5 points", dave);
        Assert.Contains("the kernel stopped (exit code 3)", dave);
        Assert.Contains("Total: 0 / 5 points", File.ReadAllText(Path.Combine(report.FeedbackFolder, "hugo.html")));
        Assert.Contains("stopped after 20 s", File.ReadAllText(Path.Combine(dir["grades-slow"], "feedback", "erin.html")));
        Assert.True(File.Exists(Path.Combine(dir["grades"], "executed", "alice", LabId + ".ipynb")));
        Assert.Empty(Directory.GetFiles(dir["grades"], "*.tmp", SearchOption.AllDirectories));
    }
}
