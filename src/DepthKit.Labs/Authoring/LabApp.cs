using System.Text;
using System.Text.RegularExpressions;

namespace DepthKit.Labs.Authoring;

/// <summary>
/// A lab notebook as a C# file-based app (<c>dotnet run labs/02-batchnorm.cs</c>), in the "percent" cell format the
/// lessons use: <c>// %% [markdown]</c> cells of <c>// </c> comment lines and <c>// %%</c> code cells, the notebook's
/// <c>#r</c> of a kit DLL becoming <c>#:project</c> of that kit project. So a lab runs where no notebook extension is
/// installed, and the same checks grade it.
/// </summary>
public static partial class LabApp
{
    [GeneratedRegex("""^\s*#r\s+"(?<dir>.*?)/bin/[^/]+/[^/]+/(?<name>[\w.]+)\.dll"\s*$""")]
    private static partial Regex KitReference();

    /// <summary>The app text of a (student) lab notebook.</summary>
    public static string FromNotebook(LabNotebook notebook)
    {
        var cells = new List<string>();
        foreach (var cell in notebook.Cells)
        {
            string source = LabNotebook.Source(cell).TrimEnd('\n');
            if (LabNotebook.CellType(cell) == "markdown")
                cells.Add("// %% [markdown]\n" + string.Join('\n', source.Split('\n').Select(l => l.Length == 0 ? "//" : "// " + l)));
            else if (LabNotebook.CellType(cell) == "code")
            {
                var lines = source.Split('\n').Select(line =>
                {
                    var m = KitReference().Match(line);
                    if (!m.Success) return line;
                    // warnings stay warnings in a student's app (the repository treats them as errors); a lab is run, never published
                    return $"#:project {m.Groups["dir"].Value}/{m.Groups["name"].Value}.csproj\n#:property TreatWarningsAsErrors=false\n#:property PublishAot=false";
                });
                cells.Add("// %%\n" + string.Join('\n', lines));
            }
        }
        return string.Join("\n\n", cells) + "\n";
    }

    /// <summary>The app's file name beside a notebook: <c>02-batchnorm.ipynb</c> -> <c>02-batchnorm.cs</c>.</summary>
    public static string PathFor(string notebookPath) => System.IO.Path.ChangeExtension(notebookPath, ".cs");

    public static byte[] ToBytes(string text) => new UTF8Encoding(false).GetBytes(text);
}
