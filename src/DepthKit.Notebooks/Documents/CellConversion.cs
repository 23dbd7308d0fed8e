using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DepthKit.Notebooks.Documents;

/// <summary>
/// What changes between a lesson's file-based app and its notebook; every other character of a cell is the same:
/// <list type="bullet">
/// <item>a cell of <c>#:project DIR/NAME.csproj</c> lines is a notebook cell of <c>#r "DIR/bin/Debug/net10.0/NAME.dll"</c>
/// (paths relative to each file's folder); <c>#:package NAME@VERSION</c> is <c>#r "nuget: NAME, VERSION"</c>;
/// <c>#:property</c> and <c>#:sdk</c> lines belong to the app only;</item>
/// <item>a code cell that ends in <c>Show(value);</c> ends in <c>value</c> in the notebook (the kernel displays a
/// cell's last expression; a file-based app needs the call).</item>
/// </list>
/// </summary>
public static partial class CellConversion
{
    /// <summary>The build a notebook loads with <c>#r</c> (the kit's notebooks build in Debug).</summary>
    public const string NotebookBuild = "bin/Debug/net10.0";

    /// <summary>The notebook cells of a file-based app in <paramref name="appFolder"/>, for a notebook in <paramref name="notebookFolder"/>.</summary>
    public static IReadOnlyList<Cell> ToNotebook(IReadOnlyList<Cell> appCells, string appFolder, string notebookFolder, string file)
    {
        var cells = new List<Cell>();
        foreach (var cell in appCells)
        {
            if (cell.Kind == CellKind.Markdown) { cells.Add(Cell.Markdown(cell.Text)); continue; }
            var lines = cell.Text.Split('\n');
            int directives = lines.Count(l => l.StartsWith("#:", StringComparison.Ordinal));
            if (directives == 0) { cells.Add(Cell.Code(TrailingShowToExpression(cell.Text))); continue; }
            if (directives != lines.Count(l => l.Trim().Length > 0))
                throw new FormatException($"{file}:{cell.FirstLine}: a cell with '#:' directives holds nothing else (it becomes the notebook's #r cell)");
            var references = lines.Where(l => l.Length > 0).Select(l => Reference(l, appFolder, notebookFolder, file)).OfType<string>().ToList();
            if (references.Count > 0) cells.Add(Cell.Code(string.Join('\n', references)));
        }
        return cells;
    }

    /// <summary>The file-based app cells of a notebook in <paramref name="notebookFolder"/>, for an app in <paramref name="appFolder"/> (to import a notebook once).</summary>
    public static IReadOnlyList<Cell> ToApp(IReadOnlyList<Cell> notebookCells, string notebookFolder, string appFolder, string file)
    {
        var cells = new List<Cell>();
        foreach (var cell in notebookCells)
        {
            if (cell.Kind == CellKind.Markdown) { cells.Add(cell); continue; }
            var lines = cell.Text.Split('\n').Where(l => l.Trim().Length > 0).ToList();
            if (lines.Count > 0 && lines.All(l => l.StartsWith("#r ", StringComparison.Ordinal)))
            {
                cells.Add(Cell.Code(string.Join('\n', lines.Select(l => Directive(l, notebookFolder, appFolder, file)))));
                continue;
            }
            if (cell.Text.Split('\n').Any(l => l.StartsWith("#r ", StringComparison.Ordinal) || l.StartsWith("#!", StringComparison.Ordinal)))
                throw new FormatException($"{file}: a cell mixes #r or magic commands with code; put the #r lines in a cell of their own");
            cells.Add(Cell.Code(ExpressionToTrailingShow(DisplayCall().Replace(cell.Text, "Show("))));
        }
        return cells;
    }

    static string? Reference(string directive, string appFolder, string notebookFolder, string file)
    {
        var parts = directive[2..].Split(' ', 2, StringSplitOptions.TrimEntries);
        string kind = parts[0], value = parts.Length > 1 ? parts[1] : "";
        switch (kind)
        {
            case "project":
                var project = Path.GetFullPath(Path.Combine(appFolder, value));
                if (project.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) is false)
                    throw new FormatException($"{file}: '#:project {value}': name the .csproj file (the notebook #r's its build)");
                var dll = Path.Combine(Path.GetDirectoryName(project)!, NotebookBuild, Path.GetFileNameWithoutExtension(project) + ".dll");
                return $"#r \"{Relative(notebookFolder, dll)}\"";
            case "package":
                var at = value.Split('@', 2);
                return at.Length == 2 ? $"#r \"nuget: {at[0]}, {at[1]}\"" : $"#r \"nuget: {at[0]}\"";
            case "property" or "sdk":
                return null;
            default:
                throw new FormatException($"{file}: '#:{kind}' has no notebook equivalent");
        }
    }

    static string Directive(string reference, string notebookFolder, string appFolder, string file)
    {
        var target = reference[3..].Trim().Trim('"');
        if (target.StartsWith("nuget:", StringComparison.Ordinal))
        {
            var parts = target[6..].Split(',', 2, StringSplitOptions.TrimEntries);
            return parts.Length == 2 ? $"#:package {parts[0]}@{parts[1]}" : $"#:package {parts[0]}";
        }
        var dll = Path.GetFullPath(Path.Combine(notebookFolder, target));
        var build = Path.GetDirectoryName(dll)!;
        var projectFolder = Path.GetFullPath(Path.Combine(build, "../../.."));
        var project = Path.Combine(projectFolder, Path.GetFileNameWithoutExtension(dll) + ".csproj");
        if (!File.Exists(project)) throw new FormatException($"{file}: '{reference}': no project {project} builds that assembly");
        return $"#:project {Relative(appFolder, project)}";
    }

    static string Relative(string from, string to) => Path.GetRelativePath(from, to).Replace('\\', '/');

    [GeneratedRegex(@"(?<![\w.])display\(")]
    private static partial Regex DisplayCall();

    static readonly CSharpParseOptions Script = new(LanguageVersion.Preview, kind: SourceCodeKind.Script);

    /// <summary>The cell's last statement <c>Show(x);</c> becomes the expression <c>x</c>.</summary>
    public static string TrailingShowToExpression(string code)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, Script).GetRoot();
        if (root.Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement }) return code;
        if (statement.Expression is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "Show" } } call) return code;
        if (call.ArgumentList.Arguments is not [{ NameColon: null, RefKindKeyword.RawKind: 0 } argument]) return code;
        if (statement.SemicolonToken.IsMissing) return code;
        return code[..statement.SpanStart] + code[argument.Expression.Span.Start..argument.Expression.Span.End] + code[statement.Span.End..];
    }

    /// <summary>A cell ending in an expression (no semicolon) ends in <c>Show(expression);</c> instead.</summary>
    public static string ExpressionToTrailingShow(string code)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, Script).GetRoot();
        if (root.Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement } || !statement.SemicolonToken.IsMissing)
            return code;
        var expression = statement.Expression;
        return code[..expression.SpanStart] + "Show(" + code[expression.Span.Start..expression.Span.End] + ");" + code[expression.Span.End..];
    }
}
