using System.Text;

namespace DepthKit.Notebooks.Documents;

/// <summary>
/// A notebook written as a C# file-based app (<c>dotnet run lesson.cs</c>), in the "percent" cell format:
/// <code>
/// // %% [markdown]
/// // # A heading
/// // Markdown, one comment line per line.
///
/// // %%
/// var x = 1;
/// Show(x);
/// </code>
/// Everything after a <c>// %%</c> line up to the next marker is one code cell; after <c>// %% [markdown]</c> every
/// line is a <c>//</c> comment holding one markdown line. Blank lines around a cell are not part of it.
/// </summary>
public static class FileAppFormat
{
    public const string CodeMarker = "// %%";
    public const string MarkdownMarker = "// %% [markdown]";

    /// <summary>Whether <paramref name="text"/> is a file-based app in the cell format (it has a cell marker line).</summary>
    public static bool HasCells(string text) => SplitLines(text).Any(l => IsMarker(l.TrimEnd()));

    static bool IsMarker(string line) => line == CodeMarker || line == MarkdownMarker;

    /// <summary>The cells of <paramref name="text"/>; <paramref name="file"/> names it in errors (file:line: what is wrong).</summary>
    public static IReadOnlyList<Cell> Parse(string text, string file)
    {
        var lines = SplitLines(text);
        var cells = new List<Cell>();
        int start = -1;
        CellKind kind = CellKind.Code;
        for (int i = 0; i <= lines.Count; i++)
        {
            string? line = i < lines.Count ? lines[i].TrimEnd() : null;
            if (line is not null && !IsMarker(line))
            {
                if (start < 0 && line.Length > 0)
                    throw new FormatException($"{file}:{i + 1}: text before the first cell marker ('{CodeMarker}' or '{MarkdownMarker}')");
                continue;
            }
            if (start >= 0) cells.Add(MakeCell(kind, lines, start, i, file));
            if (line is null) break;
            kind = line == MarkdownMarker ? CellKind.Markdown : CellKind.Code;
            start = i + 1;
        }
        if (cells.Count == 0) throw new FormatException($"{file}: no cells (a line '{CodeMarker}' starts a code cell, '{MarkdownMarker}' a markdown cell)");
        return cells;
    }

    static Cell MakeCell(CellKind kind, List<string> lines, int from, int to, string file)
    {
        while (from < to && lines[from].Trim().Length == 0) from++;
        while (to > from && lines[to - 1].Trim().Length == 0) to--;
        var body = lines.GetRange(from, to - from).Select(l => l.TrimEnd()).ToList();
        if (kind == CellKind.Markdown)
        {
            for (int i = 0; i < body.Count; i++)
            {
                if (!body[i].StartsWith("//", StringComparison.Ordinal))
                    throw new FormatException($"{file}:{from + i + 1}: a markdown cell holds only '//' comment lines; start a code cell with '{CodeMarker}' first");
                body[i] = body[i].Length > 2 && body[i][2] == ' ' ? body[i][3..] : body[i][2..];
            }
        }
        return new Cell(kind, string.Join('\n', body), from + 1, to);
    }

    /// <summary>The file-based app text of <paramref name="cells"/> (what <see cref="Parse"/> reads back).</summary>
    public static string Write(IReadOnlyList<Cell> cells)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            var cell = cells[i];
            if (cell.Kind == CellKind.Markdown)
            {
                sb.Append(MarkdownMarker).Append('\n');
                foreach (var line in SplitLines(cell.Text)) sb.Append(line.Length == 0 ? "//" : "// " + line.TrimEnd()).Append('\n');
            }
            else
            {
                sb.Append(CodeMarker).Append('\n');
                foreach (var line in SplitLines(cell.Text)) sb.Append(line.TrimEnd()).Append('\n');
            }
        }
        return sb.ToString();
    }

    internal static List<string> SplitLines(string text) => text.Replace("\r\n", "\n").Split('\n').ToList();
}
