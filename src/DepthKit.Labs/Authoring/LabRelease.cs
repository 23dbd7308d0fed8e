using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DepthKit.Data;

namespace DepthKit.Labs.Authoring;

/// <summary>What <see cref="LabRelease.ReleaseFolder"/> did with one notebook.</summary>
public sealed record ReleasedLab(string Source, string Target, LabDefinition Lab, string Action);

/// <summary>
/// Turns a teacher's solution notebook into the student edition: code between <c>// BEGIN SOLUTION</c> and
/// <c>// END SOLUTION</c> becomes <c>throw Lab.NotDone();</c> (at the marker's indent), markdown between
/// <c>&lt;!-- BEGIN SOLUTION --&gt;</c> and <c>&lt;!-- END SOLUTION --&gt;</c> becomes "*Your answer here.*", outputs
/// and execution counts are cleared, and relative <c>#r</c> paths are re-based to the output folder.
/// </summary>
public static partial class LabRelease
{
    public const string Stub = "throw Lab.NotDone();";
    public const string AnswerStub = "*Your answer here.*";

    [GeneratedRegex("""Lab\.Check\(\s*"([^"]+)"\s*,""")]
    private static partial Regex CheckCall();

    [GeneratedRegex("""^(\s*#r\s+")([^"]+)(".*)$""")]
    private static partial Regex Reference();

    /// <summary>The task ids named by the <c>Lab.Check("id", ...)</c> calls of a notebook, with the cell each is in.</summary>
    public static IReadOnlyList<(string Task, int Cell)> CheckCells(LabNotebook notebook)
    {
        var found = new List<(string, int)>();
        for (int i = 0; i < notebook.Cells.Count; i++)
            if (LabNotebook.CellType(notebook.Cells[i]) == "code")
                foreach (Match m in CheckCall().Matches(LabNotebook.Source(notebook.Cells[i]))) found.Add((m.Groups[1].Value, i));
        return found;
    }

    /// <summary>The student edition of a solution notebook, to be written into <paramref name="targetFolder"/>.</summary>
    public static LabNotebook Release(LabNotebook solution, string targetFolder)
    {
        var lab = solution.Definition() ?? throw new LabFileException(solution.Path, "has no lab metadata (depthkit.lab with id, title and tasks)");
        Validate(solution, lab);
        var student = solution.Clone();
        string sourceFolder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(solution.Path))!;
        for (int i = 0; i < student.Cells.Count; i++)
        {
            var cell = (JsonObject)student.Cells[i]!;
            string type = LabNotebook.CellType(cell);
            string source = LabNotebook.Source(cell);
            string where = $"cell {i}";
            if (type == "code")
            {
                source = Rebase(ReplaceSolutions(source, "// BEGIN SOLUTION", "// END SOLUTION", indent => indent + Stub, solution.Path, where),
                                sourceFolder, System.IO.Path.GetFullPath(targetFolder));
                cell["outputs"] = new JsonArray();
                cell["execution_count"] = null;
            }
            else
            {
                source = ReplaceSolutions(source, "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->", indent => indent + AnswerStub, solution.Path, where);
            }
            LabNotebook.SetSource(cell, source);
        }
        var labMeta = (JsonObject)student.Metadata["depthkit"]!["lab"]!;
        labMeta["edition"] = "student";
        labMeta["release"] = Fingerprint(student);
        return student;
    }

    /// <summary>
    /// Releases every lab notebook of <paramref name="sourceFolder"/> into <paramref name="targetFolder"/>. A target that a
    /// student may have changed (it no longer matches the fingerprint its release recorded) is left alone unless
    /// <paramref name="force"/>. Files are written atomically.
    /// </summary>
    public static IReadOnlyList<ReleasedLab> ReleaseFolder(string sourceFolder, string targetFolder, bool force = false)
    {
        if (!Directory.Exists(sourceFolder)) throw new LabFileException(sourceFolder, "no such folder");
        var sources = Directory.GetFiles(sourceFolder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        if (sources.Count == 0) throw new LabFileException(sourceFolder, "holds no .ipynb notebook");
        // validate everything before writing anything
        var plans = sources.Select(s =>
        {
            var solution = LabNotebook.Load(s);
            var target = System.IO.Path.Combine(targetFolder, System.IO.Path.GetFileName(s));
            var student = Release(solution, targetFolder);
            return (Source: s, Target: target, Lab: solution.Definition()!, Bytes: student.ToBytes(), App: LabApp.ToBytes(LabApp.FromNotebook(student)));
        }).ToList();
        foreach (var (_, target, _, bytes, app) in plans)
        {
            if (!force && File.Exists(target) && !File.ReadAllBytes(target).AsSpan().SequenceEqual(bytes) && !IsUntouchedRelease(target))
                throw new LabFileException(target, "was changed since it was released (a student's work?): move it away or pass --force to replace it");
            string appPath = LabApp.PathFor(target);
            if (!force && File.Exists(appPath) && !File.ReadAllBytes(appPath).AsSpan().SequenceEqual(app) && !IsUntouchedApp(appPath))
                throw new LabFileException(appPath, "was changed since it was released (a student's work?): move it away or pass --force to replace it");
        }
        var results = new List<ReleasedLab>();
        foreach (var (source, target, lab, bytes, app) in plans)
        {
            string action = Write(target, bytes);
            string appAction = Write(LabApp.PathFor(target), app);
            results.Add(new ReleasedLab(source, target, lab, action == appAction ? action : $"{action} (.ipynb), {appAction} (.cs)"));
        }
        return results;
    }

    static string Write(string path, byte[] bytes)
    {
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return "unchanged";
        string action = File.Exists(path) ? "updated" : "created";
        AtomicFile.WriteAllBytes(path, bytes);
        return action;
    }

    /// <summary>
    /// True when a lab app still holds a release's stubs untouched: it is what the notebook beside it releases to
    /// (a student who edits the app changes it; the notebook's own fingerprint guards the notebook).
    /// </summary>
    static bool IsUntouchedApp(string appPath)
    {
        string notebook = System.IO.Path.ChangeExtension(appPath, ".ipynb");
        try
        {
            return File.Exists(notebook) && IsUntouchedRelease(notebook)
                && File.ReadAllText(appPath) == LabApp.FromNotebook(LabNotebook.Load(notebook));
        }
        catch (LabFileException) { return false; }
    }

    /// <summary>True when the notebook still holds exactly what its release wrote (its fingerprint matches its cells).</summary>
    public static bool IsUntouchedRelease(string path)
    {
        try
        {
            var nb = LabNotebook.Load(path);
            return nb.Metadata["depthkit"]?["lab"]?["release"]?.GetValue<string>() is { } recorded && recorded == Fingerprint(nb);
        }
        catch (LabFileException) { return false; }
    }

    /// <summary>A short hash of the cells (sources, outputs) that a release records and an edit changes.</summary>
    public static string Fingerprint(LabNotebook notebook)
    {
        var sb = new StringBuilder();
        foreach (var cell in notebook.Cells)
            sb.Append(LabNotebook.CellType(cell)).Append('\0').Append(LabNotebook.Source(cell)).Append('\0')
              .Append(cell?["outputs"]?.ToJsonString() ?? "").Append('\u0001');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    static void Validate(LabNotebook solution, LabDefinition lab)
    {
        foreach (var task in lab.Tasks)
            if (!Lab.Checks.ContainsKey(task.Id))
                throw new LabFileException(solution.Path, $"task '{task.Id}' has no check in the kit (known: {string.Join(", ", Lab.Checks.Keys)})");
        var checks = CheckCells(solution);
        foreach (var task in lab.Tasks)
        {
            int n = checks.Count(c => c.Task == task.Id);
            if (n != 1) throw new LabFileException(solution.Path, $"task '{task.Id}' needs exactly one Lab.Check(\"{task.Id}\", ...) cell, found {n}");
        }
        foreach (var (task, cell) in checks)
            if (lab.Tasks.All(t => t.Id != task))
                throw new LabFileException(solution.Path, $"cell {cell} checks '{task}', which depthkit.lab.tasks does not declare (no points)");
    }

    static string ReplaceSolutions(string source, string begin, string end, Func<string, string> stub, string path, string where)
    {
        var lines = source.Split('\n');
        var output = new List<string>();
        int? open = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].Trim();
            if (trimmed.StartsWith(begin, StringComparison.Ordinal))
            {
                if (open is not null) throw new LabFileException(path, $"{where}, line {i + 1}: {begin} inside another solution block (opened on line {open + 1})");
                open = i;
                string indent = lines[i][..(lines[i].Length - lines[i].TrimStart().Length)];
                output.Add(stub(indent));
            }
            else if (trimmed.StartsWith(end, StringComparison.Ordinal))
            {
                if (open is null) throw new LabFileException(path, $"{where}, line {i + 1}: {end} without a {begin}");
                open = null;
            }
            else if (open is null) output.Add(lines[i]);
        }
        if (open is not null) throw new LabFileException(path, $"{where}, line {open + 1}: {begin} is never closed by {end}");
        return string.Join('\n', output);
    }

    static string Rebase(string source, string sourceFolder, string targetFolder) => string.Join('\n', source.Split('\n').Select(line =>
    {
        var m = Reference().Match(line);
        if (!m.Success || System.IO.Path.IsPathRooted(m.Groups[2].Value) || !m.Groups[2].Value.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return line;
        var absolute = System.IO.Path.GetFullPath(System.IO.Path.Combine(sourceFolder, m.Groups[2].Value));
        var relative = System.IO.Path.GetRelativePath(targetFolder, absolute).Replace('\\', '/');
        return m.Groups[1].Value + relative + m.Groups[3].Value;
    }));
}
