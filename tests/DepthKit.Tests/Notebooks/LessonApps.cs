using DepthKit.Tests.Browser;

namespace DepthKit.Tests.Notebooks;

/// <summary>The outcome of one <c>dotnet run lesson.cs</c>.</summary>
public sealed record LessonAppRun(string App, int ExitCode, bool TimedOut, TimeSpan Elapsed, string Page, string Log)
{
    public bool Passed => ExitCode == 0 && !TimedOut && File.Exists(Page) && Log.Contains($"lesson page: {Page}", StringComparison.Ordinal);

    public string Describe() => Passed
        ? $"{Path.GetFileName(App)}: passed in {Elapsed.TotalSeconds:0.0} s, page {Page}"
        : $"{App} failed ({(TimedOut ? "timed out" : $"exit code {ExitCode}")}, {Elapsed.TotalSeconds:0.0} s); it said:\n" + (Log.Length > 3000 ? Log[^3000..] : Log);
}

/// <summary>Runs lessons (or labs) as file-based apps, as a student without the notebook extension would, and converts notebooks to HTML.</summary>
public static class LessonApps
{
    public static string LessonFolder => Path.Combine(NotebookRunner.RepoRoot, "lessons");

    /// <summary>The lessons in order (file paths).</summary>
    public static IReadOnlyList<string> Lessons() => Directory.GetFiles(LessonFolder, "*.cs").Order(StringComparer.Ordinal).ToList();

    /// <summary><c>dotnet run APP</c> from the repository root with DEPTHKIT_PROFILE=<paramref name="profile"/>; the page is <c>out/NAME.html</c> beside it.</summary>
    public static LessonAppRun Run(string app, string profile, TimeSpan timeout)
    {
        var page = Path.Combine(Path.GetDirectoryName(app)!, "out", Path.GetFileNameWithoutExtension(app) + ".html");
        if (File.Exists(page)) File.Delete(page); // a clean clone has no out/ folder yet
        var (code, log, elapsed) = NotebookRunner.Run("dotnet", ["run", app], NotebookRunner.RepoRoot, timeout,
                                                     new() { ["DEPTHKIT_PROFILE"] = profile });
        return new LessonAppRun(app, code, code == int.MinValue, elapsed, page, log);
    }

    /// <summary>
    /// An executed notebook as one HTML page (Debian's nbconvert, installed when missing); require.js and MathJax,
    /// which nbconvert's template loads from a CDN, are pointed at empty data URLs so only the notebook's own outputs count.
    /// </summary>
    public static string ToHtml(string executedNotebook, string outputFolder)
    {
        DebianPackages.Ensure("jupyter-nbconvert", "jupyter-nbconvert"); // the command's package; it pulls in python3-nbconvert
        Directory.CreateDirectory(outputFolder);
        var (code, log, _) = NotebookRunner.Run("/usr/bin/python3",
            ["-m", "nbconvert", "--to", "html", "--HTMLExporter.require_js_url=data:,", "--HTMLExporter.mathjax_url=data:,",
             "--output-dir", outputFolder, executedNotebook], outputFolder, TimeSpan.FromMinutes(3), new());
        var html = Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(executedNotebook) + ".html");
        if (code != 0 || !File.Exists(html)) throw new InvalidOperationException($"nbconvert failed on {executedNotebook} ({code}):\n{log}");
        return html;
    }
}
