using System.Text.Json.Nodes;
using DepthKit.Labs.Authoring;
using DepthKit.Tests.Notebooks;

namespace DepthKit.Tests.Labs;

/// <summary>The student edition is what `depthkit lab release` makes from the solutions, and release does what it says.</summary>
public class LabReleaseTests
{
    static string LabsFolder => Path.Combine(NotebookRunner.RepoRoot, "labs");
    static string SolutionsFolder => Path.Combine(LabsFolder, "solutions");

    [Fact]
    public void CommittedStudentLabsMatchTheRelease()
    {
        var solutions = Directory.GetFiles(SolutionsFolder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        Assert.True(solutions.Count >= 6, $"only {solutions.Count} labs in {SolutionsFolder}");
        var drifted = new List<string>();
        foreach (var solution in solutions)
        {
            var student = LabRelease.Release(LabNotebook.Load(solution), LabsFolder);
            string target = Path.Combine(LabsFolder, Path.GetFileName(solution));
            if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(student.ToBytes())) drifted.Add(Path.GetFileName(target));
            string app = LabApp.PathFor(target);
            if (!File.Exists(app) || File.ReadAllText(app) != LabApp.FromNotebook(student)) drifted.Add(Path.GetFileName(app));
        }
        Assert.True(drifted.Count == 0,
            $"labs/ differs from what the solutions release to: {string.Join(", ", drifted)}. Run `depthkit lab release` and commit labs/.");
        Assert.Empty(Directory.GetFiles(LabsFolder, "*.ipynb").Select(Path.GetFileName)
            .Except(solutions.Select(Path.GetFileName)));   // no student lab without a solution
    }

    [Fact]
    public void EveryLabDeclaresKnownTasksWithPoints()
    {
        foreach (var solution in Directory.GetFiles(SolutionsFolder, "*.ipynb"))
        {
            var lab = LabNotebook.Load(solution).Definition()!;
            Assert.Equal(Path.GetFileNameWithoutExtension(solution), lab.Id);
            Assert.NotEmpty(lab.Tasks);
            Assert.All(lab.Tasks, t => Assert.True(DepthKit.Labs.Lab.Checks.ContainsKey(t.Id) && t.Points > 0, $"{lab.Id}: {t}"));
        }
    }

    static LabNotebook Solution(string codeCell, string markdownCell = "Intro", string tasks = """[{"id": "unpool", "points": 2}]""")
    {
        var json = new JsonObject
        {
            ["cells"] = new JsonArray(
                new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = markdownCell },
                new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = 3, ["source"] = "#r \"../../kit/bin/Debug/net10.0/DepthKit.Labs.dll\"",
                                 ["outputs"] = new JsonArray(new JsonObject { ["output_type"] = "stream", ["text"] = "loaded" }) },
                new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = 4, ["source"] = codeCell, ["outputs"] = new JsonArray() },
                new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = 5, ["source"] = "Lab.Check(\"unpool\", Unpool);", ["outputs"] = new JsonArray() }),
            ["metadata"] = JsonNode.Parse("""{"depthkit": {"lab": {"id": "tiny", "title": "Tiny", "tasks": """ + tasks + "}}}"),
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
        };
        var dir = Path.Combine(Path.GetTempPath(), "depthkit-release-test", "course", "solutions");
        return LabNotebook.Parse(json.ToJsonString(), Path.Combine(dir, "tiny.ipynb"));
    }

    const string UnpoolSolution = """
        Tensor Unpool(Tensor x)
        {
            // BEGIN SOLUTION
            var r = zeros(1);
            return r;
            // END SOLUTION
        }
        """;

    [Fact]
    public void ReleaseReplacesSolutionsWithStubsAndClearsOutputs()
    {
        var target = Path.Combine(Path.GetTempPath(), "depthkit-release-test", "course");
        var student = LabRelease.Release(Solution(UnpoolSolution, "Q?\n<!-- BEGIN SOLUTION -->\nBecause the mask.\n<!-- END SOLUTION -->"), target);
        var cells = student.Cells;
        Assert.Equal("Tensor Unpool(Tensor x)\n{\n    throw Lab.NotDone();\n}", LabNotebook.Source(cells[2]));
        Assert.Equal("Q?\n*Your answer here.*", LabNotebook.Source(cells[0]));
        Assert.DoesNotContain("var r", student.ToJson());
        Assert.DoesNotContain("Because the mask", student.ToJson());
        Assert.All(cells.Where(c => LabNotebook.CellType(c) == "code"), c =>
        {
            Assert.Empty(c!["outputs"]!.AsArray());
            Assert.Null(c["execution_count"]);
        });
        // the #r path is re-based from course/solutions to course
        Assert.Equal("#r \"../kit/bin/Debug/net10.0/DepthKit.Labs.dll\"", LabNotebook.Source(cells[1]));
        Assert.Equal("student", student.Metadata["depthkit"]!["lab"]!["edition"]!.GetValue<string>());
        // the app form: #r becomes #:project, markdown becomes comments
        var app = LabApp.FromNotebook(student);
        Assert.Contains("#:project ../kit/DepthKit.Labs.csproj", app);
        Assert.Contains("// %% [markdown]\n// Q?\n// *Your answer here.*", app);
        Assert.Contains("// %%\nTensor Unpool(Tensor x)\n{\n    throw Lab.NotDone();\n}", app);
    }

    [Theory]
    [InlineData("// BEGIN SOLUTION\nvar a = 1;", "is never closed")]
    [InlineData("var a = 1;\n// END SOLUTION", "without a // BEGIN SOLUTION")]
    [InlineData("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION", "inside another solution block")]
    public void UnbalancedMarkersAreNamed(string code, string message)
    {
        var e = Assert.Throws<LabFileException>(() => LabRelease.Release(Solution(code), Path.GetTempPath()));
        Assert.Contains(message, e.Message);
        Assert.Contains("tiny.ipynb: cell 2", e.Message);
    }

    [Theory]
    [InlineData("""[{"id": "rmse", "points": 1}]""", "task 'rmse' needs exactly one Lab.Check(\"rmse\", ...) cell, found 0")]
    [InlineData("""[{"id": "unpool", "points": 1}, {"id": "no-such", "points": 1}]""", "task 'no-such' has no check in the kit")]
    [InlineData("""[]""", "cell 3 checks 'unpool', which depthkit.lab.tasks does not declare")]
    public void TasksAndCheckCellsMustAgree(string tasks, string message)
    {
        var e = Assert.Throws<LabFileException>(() => LabRelease.Release(Solution(UnpoolSolution, tasks: tasks), Path.GetTempPath()));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ReleaseLeavesAStudentsChangedNotebookAloneUnlessForced()
    {
        var root = Path.Combine(Path.GetTempPath(), $"depthkit-release-{Guid.NewGuid():N}");
        var source = Path.Combine(root, "solutions");
        Directory.CreateDirectory(source);
        try
        {
            File.WriteAllText(Path.Combine(source, "tiny.ipynb"), Solution(UnpoolSolution).ToJson());
            var first = LabRelease.ReleaseFolder(source, root);
            Assert.Equal("created", first.Single().Action);
            Assert.True(File.Exists(Path.Combine(root, "tiny.cs")));
            Assert.Equal("unchanged", LabRelease.ReleaseFolder(source, root).Single().Action);

            // a teacher's change to the solution updates an untouched release
            File.WriteAllText(Path.Combine(source, "tiny.ipynb"), Solution(UnpoolSolution.Replace("zeros(1)", "zeros(2)"), "New intro").ToJson());
            Assert.Equal("updated", LabRelease.ReleaseFolder(source, root).Single().Action);

            // a student's work is not overwritten without --force
            string target = Path.Combine(root, "tiny.ipynb");
            File.WriteAllText(target, File.ReadAllText(target).Replace("throw Lab.NotDone();", "return x;"));
            string before = File.ReadAllText(target);
            File.WriteAllText(Path.Combine(source, "tiny.ipynb"), Solution(UnpoolSolution, "Third intro").ToJson());
            var e = Assert.Throws<LabFileException>(() => LabRelease.ReleaseFolder(source, root));
            Assert.Contains("was changed since it was released", e.Message);
            Assert.Equal(before, File.ReadAllText(target));
            Assert.Equal("updated", LabRelease.ReleaseFolder(source, root, force: true).Single().Action);
            Assert.Contains("throw Lab.NotDone();", File.ReadAllText(target));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
