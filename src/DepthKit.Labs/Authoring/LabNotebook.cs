using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DepthKit.Labs.Authoring;

/// <summary>A bad lab file: names the file (and cell) and says what is wrong.</summary>
public sealed class LabFileException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
}

/// <summary>One task of a lab and the points it is worth.</summary>
public sealed record LabTask(string Id, double Points);

/// <summary>A lab as its notebook declares it (metadata <c>depthkit.lab</c>): id, title and the tasks with their points.</summary>
public sealed record LabDefinition(string Id, string Title, IReadOnlyList<LabTask> Tasks)
{
    public double MaxPoints => Tasks.Sum(t => t.Points);
}

/// <summary>
/// A Jupyter notebook (.ipynb, nbformat 4) read as JSON: cells with their type and source, outputs, metadata.
/// Written back deterministically (one-space indent, "\n", non-ASCII kept), so a release is byte-for-byte repeatable.
/// </summary>
public sealed class LabNotebook
{
    readonly JsonObject _root;

    LabNotebook(JsonObject root, string path) { _root = root; Path = path; }

    public string Path { get; }

    public JsonArray Cells => _root["cells"] as JsonArray ?? throw new LabFileException(Path, "the notebook has no \"cells\" array");

    public JsonObject Metadata => _root["metadata"] as JsonObject ?? (JsonObject)(_root["metadata"] = new JsonObject());

    public static LabNotebook Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new LabFileException(path, $"cannot read it ({e.Message})"); }
        return Parse(text, path);
    }

    public static LabNotebook Parse(string text, string path)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException e) { throw new LabFileException(path, $"is not a notebook (invalid JSON: {e.Message})"); }
        if (node is not JsonObject root || root["cells"] is not JsonArray)
            throw new LabFileException(path, "is not a notebook (no \"cells\" array)");
        return new LabNotebook(root, path);
    }

    public LabNotebook Clone() => new((JsonObject)_root.DeepClone(), Path);

    public static string CellType(JsonNode? cell) => cell?["cell_type"]?.GetValue<string>() ?? "";

    /// <summary>A cell's source as one string (nbformat allows a string or an array of lines).</summary>
    public static string Source(JsonNode? cell) => cell?["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    /// <summary>Sets a cell's source as an array of lines, each but the last ending in "\n" (as Jupyter writes it).</summary>
    public static void SetSource(JsonObject cell, string source)
    {
        var lines = new JsonArray();
        int start = 0;
        for (int i = 0; i < source.Length; i++)
            if (source[i] == '\n') { lines.Add(source[start..(i + 1)]); start = i + 1; }
        if (start < source.Length) lines.Add(source[start..]);
        cell["source"] = lines;
    }

    /// <summary>The lab metadata, or null when the notebook is not a lab.</summary>
    public LabDefinition? Definition()
    {
        if (Metadata["depthkit"]?["lab"] is not JsonObject lab) return null;
        string id = lab["id"]?.GetValue<string>() ?? throw new LabFileException(Path, "metadata depthkit.lab has no \"id\"");
        string title = lab["title"]?.GetValue<string>() ?? id;
        var tasks = new List<LabTask>();
        foreach (var t in lab["tasks"] as JsonArray ?? throw new LabFileException(Path, "metadata depthkit.lab has no \"tasks\" array"))
        {
            string task = t?["id"]?.GetValue<string>() ?? throw new LabFileException(Path, "a task in depthkit.lab.tasks has no \"id\"");
            double points = t["points"]?.GetValue<double>() ?? throw new LabFileException(Path, $"task '{task}' has no \"points\"");
            if (!(points >= 0)) throw new LabFileException(Path, $"task '{task}' has {points} points: give 0 or more");
            tasks.Add(new LabTask(task, points));
        }
        var duplicate = tasks.GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new LabFileException(Path, $"task '{duplicate.Key}' is declared twice in depthkit.lab.tasks");
        return new LabDefinition(id, title, tasks);
    }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => _root.ToJsonString(Json) + "\n";

    public byte[] ToBytes() => new UTF8Encoding(false).GetBytes(ToJson());
}
