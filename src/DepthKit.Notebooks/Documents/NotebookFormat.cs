using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DepthKit.Notebooks.Documents;

/// <summary>
/// Jupyter notebooks (.ipynb, nbformat 4) with the C# kernel's metadata (Polyglot Notebooks and the .NET kernel under
/// Jupyter), written without outputs in Jupyter's own layout (one-space indent, one string per source line) so a
/// generated notebook diffs cleanly against a saved one.
/// </summary>
public static class NotebookFormat
{
    /// <summary>The markdown and code cells of a notebook (outputs and metadata are dropped).</summary>
    public static IReadOnlyList<Cell> Read(string json, string file)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("cells", out var cells)) throw new FormatException($"{file}: not a Jupyter notebook (no \"cells\")");
        var list = new List<Cell>();
        foreach (var cell in cells.EnumerateArray())
        {
            var type = cell.GetProperty("cell_type").GetString();
            var source = cell.GetProperty("source");
            string text = source.ValueKind == JsonValueKind.Array ? string.Concat(source.EnumerateArray().Select(s => s.GetString())) : source.GetString() ?? "";
            if (type == "markdown") list.Add(Cell.Markdown(text));
            else if (type == "code") list.Add(Cell.Code(text));
            else throw new FormatException($"{file}: cell type '{type}' is not supported (markdown and code only)");
        }
        return list;
    }

    /// <summary>A notebook of <paramref name="cells"/> for the C# kernel, with no outputs.</summary>
    public static string Write(IReadOnlyList<Cell> cells)
    {
        var sb = new StringBuilder("{\n \"cells\": [\n");
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            sb.Append("  {\n");
            if (cell.Kind == CellKind.Markdown)
                sb.Append("   \"cell_type\": \"markdown\",\n   \"metadata\": {},\n");
            else
                sb.Append("   \"cell_type\": \"code\",\n   \"execution_count\": null,\n   \"metadata\": {\n    \"polyglot_notebook\": {\n")
                  .Append("     \"kernelName\": \"csharp\"\n    }\n   },\n   \"outputs\": [],\n");
            sb.Append("   \"source\": [");
            var lines = FileAppFormat.SplitLines(cell.Text);
            var parts = lines.Select((line, l) => l < lines.Count - 1 ? line + "\n" : line).ToList();
            if (parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
            if (parts.Count == 0) sb.Append("]\n");
            else sb.Append('\n').Append(string.Join(",\n", parts.Select(p => "    " + Quote(p)))).Append("\n   ]\n");
            sb.Append(i == cells.Count - 1 ? "  }\n" : "  },\n");
        }
        sb.Append(" ],\n").Append(Metadata).Append(" \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n");
        return sb.ToString();
    }

    const string Metadata = """
         "metadata": {
          "kernelspec": {
           "display_name": ".NET (C#)",
           "language": "C#",
           "name": ".net-csharp"
          },
          "language_info": {
           "name": "polyglot-notebook"
          },
          "polyglot_notebook": {
           "kernelInfo": {
            "defaultKernelName": "csharp",
            "items": [
             {
              "name": "csharp"
             }
            ]
           }
          }
         },

        """;

    /// <summary>A JSON string as Jupyter writes it: only quotes, backslashes and control characters escaped.</summary>
    static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
