namespace DepthKit.Notebooks.Documents;

/// <summary>One file-based app and the notebook generated from it.</summary>
public sealed record GeneratedNotebook(string App, string Notebook, string Text)
{
    /// <summary>The notebook on disk is missing or differs from what the app generates.</summary>
    public bool Drifted => !File.Exists(Notebook) || File.ReadAllText(Notebook).Replace("\r\n", "\n") != Text;
}

/// <summary>
/// Keeps a folder of notebooks generated from a folder of file-based apps (any pair of folders: the lessons, the
/// labs): every <c>NAME.cs</c> in the cell format gives <c>NAME.ipynb</c>. The apps are the source; the notebooks are
/// regenerated, never edited by hand (a test fails when they differ).
/// </summary>
public static class NotebookSync
{
    /// <summary>The notebooks the apps in <paramref name="appFolder"/> generate into <paramref name="notebookFolder"/>.</summary>
    public static IReadOnlyList<GeneratedNotebook> Plan(string appFolder, string notebookFolder)
    {
        appFolder = Path.GetFullPath(appFolder);
        notebookFolder = Path.GetFullPath(notebookFolder);
        if (!Directory.Exists(appFolder)) throw new DirectoryNotFoundException($"{appFolder}: no such folder");
        var plan = new List<GeneratedNotebook>();
        foreach (var app in Directory.GetFiles(appFolder, "*.cs").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(app);
            if (!FileAppFormat.HasCells(text)) continue;
            var name = Path.GetFileName(app);
            var cells = CellConversion.ToNotebook(FileAppFormat.Parse(text, name), appFolder, notebookFolder, name);
            plan.Add(new GeneratedNotebook(app, Path.Combine(notebookFolder, Path.ChangeExtension(name, ".ipynb")), NotebookFormat.Write(cells)));
        }
        return plan;
    }

    /// <summary>Notebooks in <paramref name="notebookFolder"/> that no app generates (hand-made, or their app was removed).</summary>
    public static IReadOnlyList<string> Orphans(string appFolder, string notebookFolder)
    {
        var generated = Plan(appFolder, notebookFolder).Select(g => g.Notebook).ToHashSet();
        return Directory.GetFiles(Path.GetFullPath(notebookFolder), "*.ipynb").Where(n => !generated.Contains(n)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes every notebook that drifted (atomically); returns the ones written.</summary>
    public static IReadOnlyList<string> Write(string appFolder, string notebookFolder)
    {
        var written = new List<string>();
        foreach (var g in Plan(appFolder, notebookFolder).Where(g => g.Drifted))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(g.Notebook)!);
            var tmp = g.Notebook + ".tmp";
            File.WriteAllText(tmp, g.Text);
            File.Move(tmp, g.Notebook, overwrite: true);
            written.Add(g.Notebook);
        }
        return written;
    }

    /// <summary>
    /// The file-based app of an existing notebook (to move a notebook to this scheme once): <c>#r</c> cells become
    /// <c>#:project</c>/<c>#:package</c>, <c>display(</c> becomes <c>Show(</c>, a trailing expression <c>Show(expression);</c>.
    /// Refuses to overwrite an existing app.
    /// </summary>
    public static string Import(string notebook, string appFolder)
    {
        notebook = Path.GetFullPath(notebook);
        appFolder = Path.GetFullPath(appFolder);
        var app = Path.Combine(appFolder, Path.ChangeExtension(Path.GetFileName(notebook), ".cs"));
        if (File.Exists(app)) throw new IOException($"{app} exists already; delete it first to import {Path.GetFileName(notebook)} again");
        var cells = CellConversion.ToApp(NotebookFormat.Read(File.ReadAllText(notebook), Path.GetFileName(notebook)),
                                         Path.GetDirectoryName(notebook)!, appFolder, Path.GetFileName(notebook));
        Directory.CreateDirectory(appFolder);
        File.WriteAllText(app + ".tmp", FileAppFormat.Write(cells));
        File.Move(app + ".tmp", app);
        return app;
    }
}
