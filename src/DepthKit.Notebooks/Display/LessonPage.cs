using System.Diagnostics;
using System.Globalization;
using System.Text;
using DepthKit.Notebooks.Documents;
using Markdig;

namespace DepthKit.Notebooks.Display;

/// <summary>
/// What a lesson run as a file-based app shows, as one self-contained HTML page: its markdown, its code cells and
/// under each what the notebook would show there (console text, tables, pictures, charts; live views redrawn in
/// place). Outputs are put under the cell whose line is running (from the call stack); the page is rewritten
/// atomically every couple of seconds while the app runs (open it and it refreshes itself) and a last time at exit.
/// </summary>
public sealed class LessonPage : IDisplaySink
{
    static readonly MarkdownPipeline MarkdownOptions = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().UseAutoIdentifiers().Build();

    readonly object _gate = new();
    readonly string _sourcePath;
    readonly IReadOnlyList<Cell> _cells;
    readonly List<Output>[] _outputs;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Timer _autosave;
    readonly TextWriter _console;
    int _cell;
    bool _dirty, _finished;
    string? _failure;

    sealed class Output(string html, bool isText)
    {
        public string Html = html;
        public readonly bool IsText = isText;
        public readonly StringBuilder Text = new();
    }

    /// <summary>The page of the running app, once <see cref="Begin"/> has started it.</summary>
    public static LessonPage? Current { get; private set; }

    LessonPage(string sourcePath, string outputPath, TextWriter console)
    {
        _sourcePath = sourcePath;
        OutputPath = outputPath;
        _console = console;
        _cells = FileAppFormat.Parse(File.ReadAllText(sourcePath), Path.GetFileName(sourcePath));
        _outputs = _cells.Select(_ => new List<Output>()).ToArray();
        _cell = Math.Max(0, _cells.ToList().FindIndex(c => c.Kind == CellKind.Code && !IsDirectives(c)));
        _autosave = new Timer(_ => Save(final: false), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    /// <summary>Where the page is written: <c>out/NAME.html</c> beside the app.</summary>
    public string OutputPath { get; }

    public string Title => Path.GetFileNameWithoutExtension(_sourcePath);

    /// <summary>
    /// Starts the page of the file-based app <paramref name="sourcePath"/>: console output is copied into it, live
    /// views and <see cref="DepthKitNotebook.Show"/> draw into it, and at exit (or on an unhandled exception, shown
    /// under the failing cell) it is written a last time and its path printed.
    /// </summary>
    public static LessonPage Begin(string sourcePath, string? outputPath = null)
    {
        lock (typeof(LessonPage))
        {
            if (Current is { } running) return running;
            sourcePath = Path.GetFullPath(sourcePath);
            outputPath ??= Path.Combine(Path.GetDirectoryName(sourcePath)!, "out", Path.GetFileNameWithoutExtension(sourcePath) + ".html");
            var console = Console.Out;
            var page = Create(sourcePath, outputPath, console);
            Current = page;
            Console.SetOut(new PageConsole(console, page));
            AppDomain.CurrentDomain.UnhandledException += (_, e) => page.Fail(e.ExceptionObject as Exception);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => page.Finish();
            page.Save(final: false);
            console.WriteLine($"lesson page (updates while it runs): {page.OutputPath}");
            return page;
        }
    }

    /// <summary>A page that nothing draws into by itself (no console copy, no exit hooks): <see cref="Begin"/> and tests.</summary>
    internal static LessonPage Create(string sourcePath, string outputPath, TextWriter console) =>
        new(Path.GetFullPath(sourcePath), Path.GetFullPath(outputPath), console);

    public IDisplayHandle Show(object value)
    {
        var output = new Output(Format(value), isText: false);
        lock (_gate)
        {
            _outputs[CellOfCaller()].Add(output);
            _dirty = true;
        }
        return new Handle(this, output);
    }

    sealed class Handle(LessonPage page, Output output) : IDisplayHandle
    {
        public void Update(object value)
        {
            var html = Format(value);
            lock (page._gate)
            {
                output.Html = html;
                page._dirty = true;
            }
        }
    }

    /// <summary>The HTML a value shows as: strings as text, everything else through the notebook formatters.</summary>
    static string Format(object value) =>
        value is string text ? $"<pre class=\"text\">{Html.Escape(text)}</pre>" : NotebookFormatters.ToHtml(value);

    /// <summary>A line of console output, under the running cell (after its last output when that is text too).</summary>
    internal void WriteLine(string line)
    {
        lock (_gate)
        {
            var outputs = _outputs[CellOfCaller()];
            if (outputs.Count == 0 || !outputs[^1].IsText) outputs.Add(new Output("", isText: true));
            outputs[^1].Text.Append(line).Append('\n');
            _dirty = true;
        }
    }

    void Fail(Exception? error)
    {
        lock (_gate)
        {
            _failure = error?.ToString() ?? "the app failed";
            var message = error is null ? "failed" : $"{error.GetType().Name}: {error.Message}";
            _outputs[CellOfCaller(error is null ? null : new StackTrace(error, true))].Add(
                new Output($"<pre class=\"error\">{Html.Escape(message)}</pre>", isText: false));
            _dirty = true;
        }
        Finish();
    }

    /// <summary>Writes the final page (no self-refresh) and prints where; later calls do nothing.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_finished) return;
            _finished = true;
        }
        _autosave.Dispose();
        Save(final: true);
        _console.WriteLine($"lesson page: {OutputPath}");
        _console.Flush();
    }

    /// <summary>
    /// The index of the cell whose code is running: the innermost frame in the app's own file (lambdas included).
    /// Library threads without such a frame keep the last cell found.
    /// </summary>
    int CellOfCaller(StackTrace? trace = null)
    {
        foreach (var frame in (trace ?? new StackTrace(1, true)).GetFrames())
        {
            if (frame.GetFileName() is not { } file || !SameFile(file)) continue;
            int line = frame.GetFileLineNumber();
            int index = -1;
            for (int i = 0; i < _cells.Count; i++)
                if (_cells[i].Kind == CellKind.Code && !IsDirectives(_cells[i]) && _cells[i].FirstLine <= line) index = i;
            if (index >= 0) return _cell = index;
        }
        return _cell;
    }

    /// <summary>The app's <c>#:project</c> cell: nothing runs there and the page does not show it.</summary>
    static bool IsDirectives(Cell cell) => cell.Text.Split('\n').All(l => l.Length == 0 || l.StartsWith("#:", StringComparison.Ordinal));

    bool SameFile(string file) => string.Equals(Path.GetFullPath(file), _sourcePath, StringComparison.Ordinal);

    readonly object _saveGate = new();

    void Save(bool final)
    {
        // one writer at a time: the autosave timer can fire while the last save still runs, or while Finish saves
        lock (_saveGate)
        {
            string html;
            lock (_gate)
            {
                if (!_dirty && !final && File.Exists(OutputPath)) return;
                if (_finished && !final) return;
                html = Render(final);
                _dirty = false;
            }
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(OutputPath)!);
                var tmp = OutputPath + ".tmp";
                File.WriteAllText(tmp, html);
                File.Move(tmp, OutputPath, overwrite: true);
            }
            catch (IOException e) when (!final)
            {
                // a running page that cannot be written now is written at the next tick or at exit; the lesson goes on
                _console.WriteLine($"lesson page: not written this time ({e.Message})");
                lock (_gate) _dirty = true;
            }
        }
    }

    /// <summary>The page as it is now; <paramref name="final"/> leaves out the self-refresh of a running page.</summary>
    public string Render(bool final)
    {
        lock (_gate)
        {
            var body = new StringBuilder();
            for (int i = 0; i < _cells.Count; i++)
            {
                var cell = _cells[i];
                if (cell.Kind == CellKind.Markdown)
                {
                    body.Append("<section class=\"markdown\">").Append(Markdig.Markdown.ToHtml(cell.Text, MarkdownOptions)).Append("</section>\n");
                    continue;
                }
                if (IsDirectives(cell)) continue;
                body.Append("<section class=\"cell\"><pre class=\"code\">").Append(Html.Escape(cell.Text)).Append("</pre>");
                foreach (var output in _outputs[i])
                    body.Append("<div class=\"output\">")
                        .Append(output.IsText ? $"<pre class=\"text\">{Html.Escape(output.Text.ToString().TrimEnd('\n'))}</pre>" : output.Html)
                        .Append("</div>");
                body.Append("</section>\n");
            }
            var content = body.ToString();
            string status = _failure is not null ? "failed" : final ? $"finished in {_clock.Elapsed.TotalSeconds:0} s" : $"running ({_clock.Elapsed.TotalSeconds:0} s)";
            var page = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
            if (!final) page.Append("<meta http-equiv=\"refresh\" content=\"3\">");
            page.Append($"<title>{Html.Escape(Title)}</title><style>{Style}</style>");
            if (content.Contains("depthkit-chart", StringComparison.Ordinal)) page.Append(PlotlyHtml.Script());
            page.Append("</head><body>\n")
                .Append($"<header>{Html.Escape(Title)} · <code>dotnet run {Html.Escape(Path.GetFileName(_sourcePath))}</code> · ")
                .Append($"{DateTime.Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} · {Html.Escape(DepthKitNotebook.Profile.Name)} profile · {status}</header>\n")
                .Append(content);
            if (_failure is not null) page.Append($"<details><summary>stack trace</summary><pre class=\"error\">{Html.Escape(_failure)}</pre></details>");
            return page.Append("</body></html>\n").ToString();
        }
    }

    const string Style =
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;line-height:1.45}" +
        "header{font-size:13px;color:#555;border-bottom:1px solid #ddd;padding-bottom:4px}" +
        "pre.code{background:#f5f5f7;border-left:3px solid #8aa;padding:6px 10px;overflow-x:auto;font-size:12.5px}" +
        "pre.text{margin:2px 0;font-size:12.5px;white-space:pre-wrap}pre.error{color:#b00;white-space:pre-wrap}" +
        "div.output{margin:4px 0 4px 12px}section.cell{margin:10px 0}table{border-collapse:collapse}" +
        "th,td{border-bottom:1px solid #e4e4e4}code{background:#f0f0f0;padding:0 3px}";

    /// <summary>Console.Out while a page runs: the console still gets everything; the page gets whole lines.</summary>
    sealed class PageConsole(TextWriter inner, LessonPage page) : TextWriter
    {
        readonly StringBuilder _line = new();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            lock (_line)
            {
                if (value == '\n') { page.WriteLine(_line.ToString().TrimEnd('\r')); _line.Clear(); }
                else _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            inner.Write(value);
            lock (_line)
            {
                foreach (var c in value)
                {
                    if (c == '\n') { page.WriteLine(_line.ToString().TrimEnd('\r')); _line.Clear(); }
                    else _line.Append(c);
                }
            }
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Flush()
        {
            inner.Flush();
        }
    }
}
