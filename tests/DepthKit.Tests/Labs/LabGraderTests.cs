using System.Text.Json.Nodes;
using DepthKit.Labs;
using DepthKit.Labs.Authoring;
using DepthKit.Labs.Grading;
using DepthKit.Tests.Notebooks;

namespace DepthKit.Tests.Labs;

/// <summary>`depthkit lab grade` on a tiny course: good, partial and broken submissions get the expected points.</summary>
public class LabGraderTests
{
    static readonly TimeSpan Generous = TimeSpan.FromMinutes(Environment.GetEnvironmentVariable("DEPTHKIT_NOTEBOOK_TIMEOUT") is { } s ? int.Parse(s) / 60.0 + 1 : 8);

    // ---- a tiny course for the grader: one lab, two tasks (unpool 2 points, rmse 3 points)
    const string Unpool = """
        Tensor Unpool(Tensor x)
        {
            var r = zeros(new long[] { x.shape[0], x.shape[1], 2 * x.shape[2], 2 * x.shape[3] });
            r[.., .., TensorIndex.Slice(OFFSET, null, 2), TensorIndex.Slice(OFFSET, null, 2)] = x;
            return r;
        }
        """;

    const string Rmse = """
        double Rmse(Tensor pred, Tensor gt)
        {
            var v = gt.gt(0);
            return (pred.masked_select(v) - gt.masked_select(v)).to(ScalarType.Float64).square().mean().sqrt().item<double>();
        }
        """;

    const string RmseStub = "double Rmse(Tensor pred, Tensor gt)\n{\n    throw Lab.NotDone();\n}";

    static JsonObject Code(string source) => new()
    {
        ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = source,
    };

    static string Notebook(params string[] cells)
    {
        var all = new JsonArray(Code("#r \"../src/DepthKit.Labs/bin/Debug/net10.0/DepthKit.Labs.dll\""),
                                Code("using DepthKit.Labs;\nusing TorchSharp;\nusing static TorchSharp.torch;\n\nLab.Start();"));
        foreach (var c in cells) all.Add(Code(c));
        return new JsonObject
        {
            ["cells"] = all,
            ["metadata"] = JsonNode.Parse("""
                {"depthkit": {"lab": {"id": "01-tiny", "title": "Tiny", "tasks": [{"id": "unpool", "points": 2}, {"id": "rmse", "points": 3}]}},
                 "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}}
                """),
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
        }.ToJsonString();
    }

    const string CheckUnpool = "Lab.Check(\"unpool\", Unpool);";
    const string CheckRmse = "Lab.Check(\"rmse\", Rmse);";

    [Fact]
    public void GradesGoodPartialAndBrokenSubmissions()
    {
        NotebookRunner.Prepare();
        string root = Path.Combine(Path.GetTempPath(), $"depthkit-grade-test-{Guid.NewGuid():N}");
        string labs = Path.Combine(root, "labs"), subs = Path.Combine(root, "submissions"), slow = Path.Combine(root, "slow");
        try
        {
            string right = Unpool.Replace("OFFSET", "0"), corner = Unpool.Replace("OFFSET", "1");
            Write(labs, "01-tiny.ipynb", Notebook(right, CheckUnpool, RmseStub, CheckRmse));
            Write(Path.Combine(subs, "alice"), "01-tiny.ipynb", Notebook(right, CheckUnpool, Rmse, CheckRmse));
            Write(Path.Combine(subs, "bob"), "01-tiny.ipynb", Notebook(right, CheckUnpool, RmseStub, CheckRmse));
            Write(Path.Combine(subs, "carol"), "01-tiny.ipynb", Notebook(corner, CheckUnpool, Rmse));   // wrong corner, rmse check deleted
            Write(Path.Combine(subs, "dave"), "01-tiny.ipynb", Notebook(right, CheckUnpool, "Environment.Exit(3);", Rmse, CheckRmse));
            Write(Path.Combine(subs, "frank"), "01-tiny.ipynb", "{ this is not json");
            Write(Path.Combine(subs, "gina"), "01-tiny.cs", LabApp.FromNotebook(LabNotebook.Parse(Notebook(right, CheckUnpool, Rmse, CheckRmse), "gina.ipynb")));
            Directory.CreateDirectory(Path.Combine(subs, "hugo"));   // submitted nothing
            Write(Path.Combine(slow, "erin"), "01-tiny.ipynb", Notebook("while (true) { }", right, CheckUnpool, Rmse, CheckRmse));

            var options = new GradeOptions
            {
                LabsFolder = labs, OutputFolder = Path.Combine(root, "grades"), Timeout = Generous, Parallel = 3,
                ToolFolder = NotebookRunner.RepoRoot, KitProject = Path.Combine(NotebookRunner.RepoRoot, "src/DepthKit.Labs/DepthKit.Labs.csproj"),
            };
            var loop = Task.Run(() => LabGrader.Grade(slow, options with { OutputFolder = Path.Combine(root, "grades-slow"), Timeout = TimeSpan.FromSeconds(40) }));
            var report = LabGrader.Grade(subs, options);

            string Message(GradeReport r, string student, string task) => r.Rows.Single(x => x.Student == student && x.Task == task).Message;
            string all = string.Join("\n", report.Rows.Select(r => $"{r.Student} {r.Task} {r.Points}: {r.Message}"));
            Assert.True(report.Points("alice") == 5, all);
            Assert.True(report.Points("gina") == 5, all);     // the file-based app form
            Assert.True(report.Points("bob") == 2, all);
            Assert.Contains("not done yet", Message(report, "bob", "rmse"));
            Assert.True(report.Points("carol") == 0, all);
            Assert.Contains("top-left corner", Message(report, "carol", "unpool"));
            Assert.Contains("the check cell was deleted", Message(report, "carol", "rmse"));
            Assert.True(report.Points("dave") == 2, all);     // the result reached before the crash is kept
            Assert.Contains("not reached: the kernel stopped (exit code 3)", Message(report, "dave", "rmse"));
            Assert.True(report.Points("frank") == 0, all);
            Assert.Contains("not a readable notebook", Message(report, "frank", "unpool"));
            Assert.Equal("not submitted", Message(report, "hugo", "unpool"));

            var slowReport = loop.Result;
            Assert.Equal(0, slowReport.Points("erin"));
            Assert.Contains("not reached: the run was stopped after 40 s", Message(slowReport, "erin", "unpool"));

            // grades.csv: one row per student and task, points out of the lab's points
            var csv = File.ReadAllLines(report.CsvPath);
            Assert.Equal("student,lab,task,points,max_points,message", csv[0]);
            Assert.Equal(2 * 7 + 1, csv.Length);
            Assert.StartsWith("alice,01-tiny,unpool,2,2,PASS unpool:", csv[1]);
            Assert.StartsWith("alice,01-tiny,rmse,3,3,PASS rmse:", csv[2]);
            // a feedback page per student, with the run's fate
            string dave = File.ReadAllText(Path.Combine(report.FeedbackFolder, "dave.html"));
            Assert.Contains("Total: 2 / 5 points", dave);
            Assert.Contains("the kernel stopped (exit code 3)", dave);
            Assert.True(File.Exists(Path.Combine(report.FeedbackFolder, "hugo.html")));
            Assert.Contains("stopped after 40 s", File.ReadAllText(Path.Combine(root, "grades-slow", "feedback", "erin.html")));
            Assert.True(File.Exists(Path.Combine(root, "grades", "executed", "alice", "01-tiny.ipynb")));
            Assert.Empty(Directory.GetFiles(Path.Combine(root, "grades"), "*.tmp", SearchOption.AllDirectories));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    static void Write(string folder, string name, string text)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), text);
    }
}
