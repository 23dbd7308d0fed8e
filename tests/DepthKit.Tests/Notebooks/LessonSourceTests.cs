using DepthKit.Notebooks.Documents;

namespace DepthKit.Tests.Notebooks;

/// <summary>The lessons' file-based apps are the source of the notebooks: same cells, nothing drifts.</summary>
public class LessonSourceTests
{
    static string Lessons => LessonApps.LessonFolder;
    static string Notebooks => NotebookRunner.NotebookFolder;

    [Fact]
    public void EveryNotebookIsGeneratedFromItsLesson()
    {
        var plan = NotebookSync.Plan(Lessons, Notebooks);
        Assert.Equal(NotebookRunner.Notebooks(), plan.Select(g => Path.GetFileName(g.Notebook)));
        var drifted = plan.Where(g => g.Drifted).Select(g => $"notebooks/{Path.GetFileName(g.Notebook)} differs from lessons/{Path.GetFileName(g.App)}").ToList();
        Assert.True(drifted.Count == 0,
            string.Join("\n", drifted) + "\nedit the lesson (.cs), then regenerate the notebooks: dotnet run tools/notebooks.cs -- sync");
        Assert.Empty(NotebookSync.Orphans(Lessons, Notebooks));
    }

    [Fact]
    public void EveryLessonComesBackFromItsNotebookUnchanged()
    {
        foreach (var app in LessonApps.Lessons())
        {
            var name = Path.GetFileName(app);
            var text = File.ReadAllText(app);
            var notebook = NotebookFormat.Read(NotebookFormat.Write(CellConversion.ToNotebook(FileAppFormat.Parse(text, name), Lessons, Notebooks, name)), name);
            Assert.Equal(text, FileAppFormat.Write(CellConversion.ToApp(notebook, Notebooks, Lessons, name)));
        }
    }

    [Fact]
    public void EveryLessonStartsTheKitAndKeepsItsUsingsInTheFirstCodeCell()
    {
        foreach (var app in LessonApps.Lessons())
        {
            var cells = FileAppFormat.Parse(File.ReadAllText(app), Path.GetFileName(app));
            Assert.Equal(CellKind.Markdown, cells[0].Kind);
            Assert.StartsWith("# ", cells[0].Text);
            var code = cells.Where(c => c.Kind == CellKind.Code).ToList();
            Assert.Equal("#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj", code[0].Text);
            Assert.Contains("DepthKitNotebook.Start(", code[1].Text);
            Assert.Contains("using static DepthKit.Notebooks.DepthKitNotebook;", code[1].Text);
            foreach (var c in code.Skip(2))
                Assert.False(c.Text.Split('\n').Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^using (static )?[\w.]+( = [\w.<>]+)?;\s*$")),
                    $"{app}:{c.FirstLine}: a using directive after the first code cell does not compile in a file-based app");
        }
    }

    [Fact]
    public void CellsParseWithTheirLinesAndMarkdownLosesItsCommentMarks()
    {
        var cells = FileAppFormat.Parse("// %% [markdown]\n// # Title\n//\n// text\n\n// %%\n#:project ../x/X.csproj\n\n// %%\nvar a = 1;\n\nShow(a);\n\n", "l.cs");
        Assert.Equal(3, cells.Count);
        Assert.Equal(new Cell(CellKind.Markdown, "# Title\n\ntext", 2, 4), cells[0]);
        Assert.Equal(new Cell(CellKind.Code, "#:project ../x/X.csproj", 7, 7), cells[1]);
        Assert.Equal(new Cell(CellKind.Code, "var a = 1;\n\nShow(a);", 10, 12), cells[2]);
        Assert.Equal("// %% [markdown]\n// # Title\n//\n// text\n\n// %%\n#:project ../x/X.csproj\n\n// %%\nvar a = 1;\n\nShow(a);\n", FileAppFormat.Write(cells));
    }

    [Fact]
    public void BadCellFilesAreRefusedWithTheFileAndLine()
    {
        var e = Assert.Throws<FormatException>(() => FileAppFormat.Parse("var a = 1;\n// %%\n", "l.cs"));
        Assert.StartsWith("l.cs:1: text before the first cell marker", e.Message);
        e = Assert.Throws<FormatException>(() => FileAppFormat.Parse("// %% [markdown]\n// ok\nnot a comment\n", "l.cs"));
        Assert.StartsWith("l.cs:3: a markdown cell holds only '//' comment lines", e.Message);
        e = Assert.Throws<FormatException>(() => CellConversion.ToNotebook(FileAppFormat.Parse("// %%\n#:project a/A.csproj\nvar x = 1;\n", "l.cs"), "/r/lessons", "/r/notebooks", "l.cs"));
        Assert.StartsWith("l.cs:2: a cell with '#:' directives holds nothing else", e.Message);
        Assert.Throws<FormatException>(() => FileAppFormat.Parse("\n\n", "l.cs"));
    }

    [Fact]
    public void DirectivesBecomeReferencesRelativeToTheNotebook()
    {
        var cells = CellConversion.ToNotebook(
            [Cell.Code("#:project ../../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj\n#:package Foo.Bar@1.2.3\n#:property LangVersion=preview")],
            "/repo/labs/src", "/repo/labs", "l.cs");
        Assert.Equal("#r \"../src/DepthKit.Notebooks/bin/Debug/net10.0/DepthKit.Notebooks.dll\"\n#r \"nuget: Foo.Bar, 1.2.3\"", Assert.Single(cells).Text);
    }

    [Theory]
    [InlineData("var a = 1;\nShow(a);", "var a = 1;\na")]
    [InlineData("Show(PictureRow.Of(\n    x,\n    y));  // the picture", "PictureRow.Of(\n    x,\n    y)  // the picture")]
    [InlineData("foreach (var x in xs)\n    Show(x);", "foreach (var x in xs)\n    Show(x);")]  // not the cell's last statement
    [InlineData("Show(a, b);", "Show(a, b);")]
    [InlineData("Show(a);\nvar b = 2;", "Show(a);\nvar b = 2;")]
    [InlineData("other.Show(a);", "other.Show(a);")]
    public void OnlyATrailingShowBecomesTheNotebooksTrailingExpression(string app, string notebook)
    {
        Assert.Equal(notebook, CellConversion.TrailingShowToExpression(app));
        if (app != notebook) Assert.Equal(app, CellConversion.ExpressionToTrailingShow(notebook));   // and back
    }

    [Fact]
    public void ANotebookImportsOnceAndDisplayBecomesShow()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["notebooks"]);
        Directory.CreateDirectory(dir["src/K"]);
        File.WriteAllText(dir["src/K/K.csproj"], "<Project />");
        var nb = NotebookFormat.Write([Cell.Markdown("# T"), Cell.Code("#r \"../src/K/bin/Debug/net10.0/K.dll\""), Cell.Code("display(1);\nx.display(2);\n1 + 2")]);
        File.WriteAllText(dir["notebooks/a.ipynb"], nb);
        var app = NotebookSync.Import(dir["notebooks/a.ipynb"], dir["lessons"]);
        Assert.Equal("// %% [markdown]\n// # T\n\n// %%\n#:project ../src/K/K.csproj\n\n// %%\nShow(1);\nx.display(2);\nShow(1 + 2);\n", File.ReadAllText(app));
        Assert.Throws<IOException>(() => NotebookSync.Import(dir["notebooks/a.ipynb"], dir["lessons"]));   // never overwrites
        // and the app generates the notebook back, so the folder is in sync
        File.WriteAllText(dir["notebooks/a.ipynb"], NotebookSync.Plan(dir["lessons"], dir["notebooks"])[0].Text);
        Assert.False(NotebookSync.Plan(dir["lessons"], dir["notebooks"])[0].Drifted);
        File.AppendAllText(app, "\n// %%\nvar changed = true;\n");
        var drifted = Assert.Single(NotebookSync.Plan(dir["lessons"], dir["notebooks"]));
        Assert.True(drifted.Drifted);
        Assert.Equal([drifted.Notebook], NotebookSync.Write(dir["lessons"], dir["notebooks"]));
        Assert.Contains("\"var changed = true;\"", File.ReadAllText(dir["notebooks/a.ipynb"]));
        Assert.Empty(NotebookSync.Write(dir["lessons"], dir["notebooks"]));
    }
}
