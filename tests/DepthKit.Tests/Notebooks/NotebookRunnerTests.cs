using System.Text.Json.Nodes;

namespace DepthKit.Tests.Notebooks;

public class NotebookRunnerTests
{
    [Fact]
    public void ReadErrorsNamesTheFailingCellAndItsFirstCodeLine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["nb.ipynb"], """
            {"cells":[
              {"cell_type":"markdown","metadata":{},"source":["# title"]},
              {"cell_type":"code","metadata":{},"execution_count":1,"outputs":[{"output_type":"stream","name":"stdout","text":["ok"]}],"source":["var a = 1;"]},
              {"cell_type":"code","metadata":{},"execution_count":2,"outputs":[{"output_type":"error","ename":"Error","evalue":"(1,1): error CS0103: The name 'b' does not exist","traceback":[]}],
               "source":["// a comment first\n","var c = b;\n"]},
              {"cell_type":"code","metadata":{},"execution_count":3,"outputs":[{"output_type":"error","ename":"System.IO.IOException","evalue":"disk","traceback":[]}],"source":"File.Read();"}
            ],"metadata":{},"nbformat":4,"nbformat_minor":5}
            """);
        var errors = NotebookRunner.ReadErrors(dir["nb.ipynb"]);
        Assert.Equal(2, errors.Count);
        Assert.Equal(new CellError(2, "var c = b;", "(1,1): error CS0103: The name 'b' does not exist"), errors[0]);
        Assert.Equal(new CellError(3, "File.Read();", "System.IO.IOException: disk"), errors[1]);
        var run = new NotebookRun("nb.ipynb", 2, false, TimeSpan.FromSeconds(3), errors, "");
        Assert.False(run.Passed);
        Assert.Contains("notebooks/nb.ipynb failed", run.Describe());
        Assert.Contains("cell 2 `var c = b;`: (1,1): error CS0103", run.Describe());
    }

    [Fact]
    public void EscapedMarkupInAnOutputIsReportedWithItsCell()
    {
        using var dir = new TempDir();
        // what the kernel printed for an HtmlString it did not recognise (notebook 05's progress bar), next to drawn HTML
        File.WriteAllText(dir["nb.ipynb"], """
            {"cells":[
              {"cell_type":"code","metadata":{},"execution_count":1,"outputs":[{"output_type":"display_data","metadata":{},"data":{"text/html":["<div><img src=\"data:image/png;base64,AA==\"></div>"]}}],"source":["display(picture);"]},
              {"cell_type":"code","metadata":{},"execution_count":2,"outputs":[{"output_type":"display_data","metadata":{},"data":{"text/html":["<details class=\"dni-treeview\"><summary><code>&lt;div style=&quot;font-family:monospace&quot;&gt;training &lt;progress value=&quot;0&quot;&gt;</code></summary></details>"]}}],"source":["trainer.Fit();"]}
            ],"metadata":{},"nbformat":4,"nbformat_minor":5}
            """);
        var problems = NotebookRunner.ReadEscapedMarkup(dir["nb.ipynb"]);
        var problem = Assert.Single(problems);
        Assert.Equal(1, problem.Cell);
        Assert.Equal("trainer.Fit();", problem.FirstLine);
        Assert.Contains("&lt;div", problem.Error);
        Assert.Empty(NotebookRunner.ReadErrors(dir["nb.ipynb"]));
    }

    /// <summary>A saved notebook of one training cell with these HTML outputs.</summary>
    static string TrainingCell(params string[] html)
    {
        var outputs = new JsonArray();
        foreach (var h in html)
            outputs.Add(new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["text/html"] = h } });
        var cell = new JsonObject
        {
            ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = 1, ["outputs"] = outputs,
            ["source"] = new JsonArray("var live = new LiveTraining(\"Train Loss\");\n", "trainer.Fit();"),
        };
        return new JsonObject { ["cells"] = new JsonArray(cell), ["metadata"] = new JsonObject(), ["nbformat"] = 4, ["nbformat_minor"] = 5 }.ToJsonString();
    }

    const string Chart = "<div class=\"depthkit-chart\" id=\"c1\"></div><script>Plotly.newPlot('c1', [], {\"title\":{\"text\":\"Train Loss\"}})</script>";

    static string Bar(int done, int total) =>
        $"<div style=\"font-family:monospace\">training <progress value=\"{done}\" max=\"{total}\" style=\"width:240px\"></progress> {done}/{total}</div>";

    [Fact]
    public void ATrainingCellWithOneFinalChartAndProgressLineIsFine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["nb.ipynb"], TrainingCell(Chart, Bar(1000, 1000)));
        Assert.Empty(NotebookRunner.ReadStackedOutputs(dir["nb.ipynb"]));
        Assert.Empty(NotebookRunner.ReadUnfinishedLiveViews(dir["nb.ipynb"]));
    }

    [Fact]
    public void ATrainingCellThatSavedAStackOfUpdatesIsReported()
    {
        // what a frontend that appends every update saves: the chart and the progress line once per redraw
        using var dir = new TempDir();
        File.WriteAllText(dir["nb.ipynb"], TrainingCell(Chart, Bar(10, 1000), Chart, Bar(1000, 1000)));
        var stacked = Assert.Single(NotebookRunner.ReadStackedOutputs(dir["nb.ipynb"]));
        Assert.Equal(0, stacked.Cell);
        Assert.Contains("a live view left a stack of outputs", stacked.Error);
        Assert.Contains("2 charts and 2 progress lines", Assert.Single(NotebookRunner.ReadUnfinishedLiveViews(dir["nb.ipynb"])).Error);
    }

    [Fact]
    public void ATrainingCellWithoutItsLiveViewsIsReported()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["nb.ipynb"], TrainingCell());
        Assert.Contains("0 charts and 0 progress lines", Assert.Single(NotebookRunner.ReadUnfinishedLiveViews(dir["nb.ipynb"])).Error);
    }

    [Fact]
    public void ATrainingCellThatSavedAnIntermediateStateIsReported()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["nb.ipynb"], TrainingCell(Chart, Bar(10, 1000)));
        Assert.Contains("not its final state (<progress value=\"10\" max=\"1000\"", Assert.Single(NotebookRunner.ReadUnfinishedLiveViews(dir["nb.ipynb"])).Error);
    }
}
