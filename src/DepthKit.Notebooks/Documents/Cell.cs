namespace DepthKit.Notebooks.Documents;

public enum CellKind { Markdown, Code }

/// <summary>
/// One cell of a lesson: markdown or C#. <see cref="FirstLine"/> and <see cref="LastLine"/> are the 1-based lines
/// of its text in the file-based app it was read from (0 when it came from a notebook).
/// </summary>
public sealed record Cell(CellKind Kind, string Text, int FirstLine = 0, int LastLine = 0)
{
    public static Cell Markdown(string text) => new(CellKind.Markdown, text);
    public static Cell Code(string text) => new(CellKind.Code, text);

    public bool Contains(int line) => line >= FirstLine && line <= LastLine;
}
