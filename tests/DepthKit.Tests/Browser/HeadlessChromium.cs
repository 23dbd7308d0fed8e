using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DepthKit.Tests.Browser;

/// <summary>What a page looked like in the browser once it had loaded and its scripts had run.</summary>
/// <param name="ChartIds">Elements an inline script draws a Plotly chart into (<c>Plotly.newPlot('id'</c>, <c>Plotly.react("id"</c>).</param>
/// <param name="BlankCharts">Those of them without a plot SVG (<c>svg.main-svg</c>) inside.</param>
/// <param name="BrokenImages">&lt;img&gt; elements that did not decode (the start of their src).</param>
/// <param name="OutsideRequests">Every URL the page asked for other than itself, <c>data:</c>, <c>blob:</c> and <c>about:</c>.</param>
/// <param name="ScriptErrors">Uncaught exceptions and console errors.</param>
public sealed record PageReport(string Url, string Title, int TextLength, IReadOnlyList<string> ChartIds, IReadOnlyList<string> BlankCharts,
                                int Images, IReadOnlyList<string> BrokenImages, IReadOnlyList<string> OutsideRequests,
                                IReadOnlyList<string> ScriptErrors)
{
    public int ChartsDrawn => ChartIds.Count - BlankCharts.Count;

    /// <summary>What is wrong with the page as a self-contained, offline page (empty when nothing is).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (BlankCharts.Count > 0) problems.Add($"{BlankCharts.Count} of {ChartIds.Count} charts did not draw (no plot SVG): {string.Join(", ", BlankCharts.Take(5))}");
        if (BrokenImages.Count > 0) problems.Add($"{BrokenImages.Count} of {Images} images are missing: {string.Join(", ", BrokenImages.Take(5))}");
        if (OutsideRequests.Count > 0) problems.Add($"the page requested {OutsideRequests.Count} resources outside itself: {string.Join(", ", OutsideRequests.Take(8))}");
        return problems;
    }

    public string Describe() =>
        $"{Url}: \"{Title}\", {TextLength} characters of text, {ChartsDrawn}/{ChartIds.Count} charts drawn, " +
        $"{Images - BrokenImages.Count}/{Images} images, {OutsideRequests.Count} outside requests, {ScriptErrors.Count} script errors" +
        string.Concat(Problems().Select(p => "\n  " + p)) +
        string.Concat(ScriptErrors.Take(5).Select(e => "\n  script: " + e));
}

/// <summary>
/// Opens local HTML files in headless Chromium with the network off and reports what drew (the DevTools protocol
/// over a WebSocket: every request the page makes, then the charts and images in the finished DOM).
/// Installs the Debian package <c>chromium</c> with apt-get when it is missing, so a clean CI machine needs
/// nothing but a Debian package registry. Every <see cref="Open"/> starts its own browser with a fresh profile.
/// Use it as an xunit class fixture (<c>IClassFixture&lt;HeadlessChromium&gt;</c>) or through <see cref="Shared"/>.
/// </summary>
public sealed class HeadlessChromium
{
    static readonly Lazy<HeadlessChromium> SharedInstance = new(() => new HeadlessChromium());

    /// <summary>One instance per test process (the install runs once).</summary>
    public static HeadlessChromium Shared => SharedInstance.Value;

    /// <summary>Finds chromium on PATH or installs it (apt-get) the first time; throws with apt's output if it cannot.</summary>
    public HeadlessChromium() => Executable = DebianPackages.Ensure("chromium", "chromium");

    public string Executable { get; }

    /// <summary>The browser's flags: headless, no sandbox (CI runs as root), nothing that phones home, no network.</summary>
    internal static IReadOnlyList<string> Flags(string userDataDir) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--mute-audio",
        "--disable-dev-shm-usage", $"--user-data-dir={userDataDir}",
        // no name resolves and no proxy is reachable: a request for anything outside the page fails (and is recorded)
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank",
    ];

    /// <summary>
    /// Loads <paramref name="htmlFile"/>, waits for the load event and for its charts to draw (at most
    /// <paramref name="settle"/> after load), and reports. Throws when the browser does not start or the page does
    /// not load within <paramref name="timeout"/>.
    /// </summary>
    public PageReport Open(string htmlFile, TimeSpan? timeout = null, TimeSpan? settle = null)
    {
        var (state, visit) = Drive(htmlFile, page => page.SettleAsync(settle ?? TimeSpan.FromSeconds(10)), timeout);
        return new PageReport(visit.Url, state.GetProperty("title").GetString() ?? "", state.GetProperty("text").GetInt32(),
            Strings(state.GetProperty("charts")), Strings(state.GetProperty("blank")), state.GetProperty("images").GetInt32(),
            Strings(state.GetProperty("broken")), visit.OutsideRequests, visit.ScriptErrors);
    }

    /// <summary>
    /// Loads <paramref name="htmlFile"/> with the network off, waits for the load event and hands the page to
    /// <paramref name="body"/> (scripts, file inputs), as a user would use it; returns what body returned and what the
    /// page asked for outside itself. Throws when it all takes longer than <paramref name="timeout"/>.
    /// </summary>
    public (T Result, PageVisit Visit) Drive<T>(string htmlFile, Func<BrowserPage, Task<T>> body, TimeSpan? timeout = null) =>
        DriveAsync(htmlFile, body, timeout ?? TimeSpan.FromSeconds(90)).GetAwaiter().GetResult();

    async Task<(T, PageVisit)> DriveAsync<T>(string htmlFile, Func<BrowserPage, Task<T>> body, TimeSpan timeout)
    {
        var path = Path.GetFullPath(htmlFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"no page to open: {path}", path);
        var url = new Uri(path).AbsoluteUri;
        using var cts = new CancellationTokenSource(timeout);
        var profile = Directory.CreateTempSubdirectory("depthkit-chromium-").FullName;
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var flag in Flags(profile)) info.ArgumentList.Add(flag);
        var stderr = new StringBuilder();
        using var browser = new Process { StartInfo = info };
        browser.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        browser.OutputDataReceived += (_, _) => { };
        try
        {
            browser.Start();
            browser.BeginErrorReadLine();
            browser.BeginOutputReadLine();
            var endpoint = await DevToolsEndpoint(profile, browser, stderr, cts.Token);
            await using var cdp = await DevTools.ConnectAsync(endpoint, cts.Token);

            var target = await cdp.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, cts.Token);
            var attached = await cdp.SendAsync("Target.attachToTarget",
                new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true }, null, cts.Token);
            var session = attached.GetProperty("sessionId").GetString();

            var requests = new ConcurrentQueue<string>();
            var errors = new ConcurrentQueue<string>();
            var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cdp.Event += (method, args, sid) =>
            {
                if (sid != session) return;
                switch (method)
                {
                    case "Network.requestWillBeSent":
                        requests.Enqueue(args.GetProperty("request").GetProperty("url").GetString() ?? "");
                        break;
                    case "Page.loadEventFired":
                        loaded.TrySetResult();
                        break;
                    case "Runtime.exceptionThrown":
                        var details = args.GetProperty("exceptionDetails");
                        errors.Enqueue(details.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var d)
                            ? d.GetString() ?? "" : details.GetProperty("text").GetString() ?? "");
                        break;
                    case "Runtime.consoleAPICalled" when args.GetProperty("type").GetString() == "error":
                        errors.Enqueue(string.Join(" ", args.GetProperty("args").EnumerateArray()
                            .Select(a => a.TryGetProperty("value", out var v) ? v.ToString() : a.TryGetProperty("description", out var s) ? s.GetString() : "")));
                        break;
                }
            };
            foreach (var domain in new[] { "Network.enable", "Page.enable", "Runtime.enable" })
                await cdp.SendAsync(domain, new JsonObject(), session, cts.Token);
            await cdp.SendAsync("Network.emulateNetworkConditions",
                new JsonObject { ["offline"] = true, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1 }, session, cts.Token);
            await cdp.SendAsync("Page.navigate", new JsonObject { ["url"] = url }, session, cts.Token);
            await loaded.Task.WaitAsync(cts.Token);

            var result = await body(new BrowserPage(cdp, session, cts.Token));
            var outside = requests.Select(u => u.Split('#')[0]).Where(u => !IsInside(u, url)).Distinct().ToList();
            return (result, new PageVisit(url, outside, errors.ToList()));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"chromium did not finish with {url} within {timeout.TotalSeconds:0} s; it said:\n{Tail(stderr)}");
        }
        finally
        {
            try { if (!browser.HasExited) browser.Kill(entireProcessTree: true); browser.WaitForExit(5000); } catch (InvalidOperationException) { }
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The page itself (a file URL, without its fragment), or something the page carries inside it.</summary>
    static bool IsInside(string requested, string page) =>
        requested == page || requested.StartsWith("data:", StringComparison.Ordinal) || requested.StartsWith("blob:", StringComparison.Ordinal)
        || requested.StartsWith("about:", StringComparison.Ordinal);

    /// <summary>
    /// Runs in the page: the ids inline scripts draw charts into (skipping big library scripts such as plotly.js
    /// itself), which of them hold no plot SVG, and which images did not decode.
    /// </summary>
    internal const string InspectScript = """
        (() => {
          const ids = new Set();
          const re = /Plotly\.(?:newPlot|react)\(\s*['"]([^'"]+)['"]/g;
          for (const s of document.scripts) {
            const t = s.text || '';
            if (t.length > 2000000) continue;   // plotly.js itself
            for (const m of t.matchAll(re)) ids.add(m[1]);
          }
          const charts = [...ids];
          const blank = charts.filter(id => { const e = document.getElementById(id); return !e || !e.querySelector('svg.main-svg'); });
          const imgs = [...document.images];
          const broken = imgs.filter(i => i.complete && i.naturalWidth === 0).map(i => (i.getAttribute('src') || '(no src)').slice(0, 80));
          const pendingImages = imgs.filter(i => !i.complete).length;
          return { title: document.title, text: (document.body ? document.body.innerText.length : 0), charts, blank,
                   images: imgs.length, broken, pendingImages };
        })()
        """;

    internal static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? "").ToList();

    /// <summary>The browser writes its DevTools port into the profile folder once it listens.</summary>
    static async Task<Uri> DevToolsEndpoint(string profile, Process browser, StringBuilder stderr, CancellationToken token)
    {
        var file = Path.Combine(profile, "DevToolsActivePort");
        while (true)
        {
            token.ThrowIfCancellationRequested();
            if (browser.HasExited) throw new InvalidOperationException($"chromium exited with {browser.ExitCode} before it listened; it said:\n{Tail(stderr)}");
            if (File.Exists(file))
            {
                var lines = (await File.ReadAllTextAsync(file, token)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (lines.Length >= 2 && int.TryParse(lines[0], out var port)) return new Uri($"ws://127.0.0.1:{port}{lines[1]}");
            }
            await Task.Delay(100, token);
        }
    }

    static string Tail(StringBuilder log)
    {
        lock (log) return log.Length > 3000 ? log.ToString()[^3000..] : log.ToString();
    }
}

/// <summary>What a visit asked for outside the page and which script errors it met.</summary>
public sealed record PageVisit(string Url, IReadOnlyList<string> OutsideRequests, IReadOnlyList<string> ScriptErrors);

/// <summary>A loaded page in <see cref="HeadlessChromium.Drive"/>: run scripts in it and use its file inputs.</summary>
public sealed class BrowserPage
{
    readonly DevTools _cdp;
    readonly string? _session;
    readonly CancellationToken _token;

    internal BrowserPage(DevTools cdp, string? session, CancellationToken token) { _cdp = cdp; _session = session; _token = token; }

    /// <summary>The value of a script expression (a promise is awaited); a script error throws.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await _cdp.SendAsync("Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, _session, _token);
        if (result.TryGetProperty("exceptionDetails", out var error)) throw new InvalidOperationException($"page script failed: {error}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value : default;
    }

    /// <summary>Polls <paramref name="condition"/> (a script expression) until it is true; throws with <paramref name="describe"/>'s value after <paramref name="limit"/>.</summary>
    public async Task WaitForAsync(string condition, TimeSpan limit, string describe = "document.body && document.body.innerText.slice(0, 300)")
    {
        var clock = Stopwatch.StartNew();
        while ((await EvaluateAsync(condition)).ValueKind != JsonValueKind.True)
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"the page did not reach '{condition}' within {limit.TotalSeconds:0} s: {await EvaluateAsync(describe)}");
            await Task.Delay(200, _token);
        }
    }

    /// <summary>Chooses <paramref name="file"/> in the page's file input <paramref name="selector"/>, as a user picking a file (fires change).</summary>
    public async Task SetFileAsync(string selector, string file)
    {
        var document = await _cdp.SendAsync("DOM.getDocument", new JsonObject(), _session, _token);
        var node = await _cdp.SendAsync("DOM.querySelector",
            new JsonObject { ["nodeId"] = document.GetProperty("root").GetProperty("nodeId").GetInt32(), ["selector"] = selector }, _session, _token);
        await _cdp.SendAsync("DOM.setFileInputFiles",
            new JsonObject { ["files"] = new JsonArray(Path.GetFullPath(file)), ["nodeId"] = node.GetProperty("nodeId").GetInt32() }, _session, _token);
    }

    /// <summary>Saves what the page shows as a PNG (the viewport, or the whole page with <paramref name="fullPage"/>).</summary>
    public async Task ScreenshotAsync(string pngFile, bool fullPage = true)
    {
        var shot = await _cdp.SendAsync("Page.captureScreenshot",
            new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = fullPage }, _session, _token);
        await File.WriteAllBytesAsync(pngFile, Convert.FromBase64String(shot.GetProperty("data").GetString()!), _token);
    }

    /// <summary>Waits until the page's charts have drawn and its images loaded (at most <paramref name="settle"/>), then inspects it.</summary>
    internal async Task<JsonElement> SettleAsync(TimeSpan settle)
    {
        // charts draw from inline scripts, mostly before the load event; give stragglers a moment
        JsonElement state;
        var clock = Stopwatch.StartNew();
        do
        {
            state = await EvaluateAsync(HeadlessChromium.InspectScript);
            if (state.GetProperty("blank").GetArrayLength() == 0 && state.GetProperty("pendingImages").GetInt32() == 0) break;
            await Task.Delay(250, _token);
        } while (clock.Elapsed < settle);
        return state;
    }
}

/// <summary>A minimal Chrome DevTools protocol client: commands with ids, events to one handler (flat sessions).</summary>
sealed class DevTools : IAsyncDisposable
{
    readonly ClientWebSocket _socket = new();
    readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    readonly CancellationTokenSource _stop = new();
    readonly SemaphoreSlim _sendGate = new(1, 1);
    Task _receiving = Task.CompletedTask;
    int _nextId;

    /// <summary>Every event: method, params, session id (null for the browser).</summary>
    public event Action<string, JsonElement, string?>? Event;

    public static async Task<DevTools> ConnectAsync(Uri endpoint, CancellationToken token)
    {
        var client = new DevTools();
        client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await client._socket.ConnectAsync(endpoint, token);
        client._receiving = Task.Run(client.ReceiveLoop);
        return client;
    }

    public async Task<JsonElement> SendAsync(string method, JsonObject parameters, string? session, CancellationToken token)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null) message["sessionId"] = session;
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sendGate.WaitAsync(token);
        try { await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, token); }
        finally { _sendGate.Release(); }
        return await reply.Task.WaitAsync(token);
    }

    async Task ReceiveLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                Dispatch(message.ToArray());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        foreach (var waiting in _pending.Values) waiting.TrySetException(new InvalidOperationException("the DevTools connection closed"));
    }

    void Dispatch(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement.Clone();
        string? session = root.TryGetProperty("sessionId", out var s) ? s.GetString() : null;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (!_pending.TryRemove(idElement.GetInt32(), out var reply)) return;
            if (root.TryGetProperty("error", out var error)) reply.TrySetException(new InvalidOperationException($"DevTools: {error}"));
            else reply.TrySetResult(root.GetProperty("result"));
        }
        else if (root.TryGetProperty("method", out var method))
            Event?.Invoke(method.GetString() ?? "", root.TryGetProperty("params", out var p) ? p : default, session);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", new CancellationTokenSource(1000).Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        try { await _receiving; } catch (OperationCanceledException) { }
        _socket.Dispose();
        _stop.Dispose();
    }
}

/// <summary>
/// Debian packages a test needs (chromium, python3-nbconvert): installed with apt-get the first time they are
/// missing. Runs as root (CI) or through passwordless sudo; otherwise says what to install.
/// </summary>
public static class DebianPackages
{
    static readonly object Gate = new();

    /// <summary>The full path of <paramref name="command"/>, installing <paramref name="package"/> first when it is not on PATH.</summary>
    public static string Ensure(string command, string package)
    {
        lock (Gate)
        {
            if (Which(command) is { } found) return found;
            if (!File.Exists("/usr/bin/apt-get"))
                throw new InvalidOperationException($"'{command}' is missing and this is not a Debian system: install {package} yourself");
            bool root = Environment.UserName == "root" || (Run("id", ["-u"], TimeSpan.FromSeconds(10)).Log.Trim() == "0");
            string[] sudo = root ? [] : ["sudo", "-n"];
            string[] install = [.. sudo, "apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", package];
            var (code, log) = Run(install[0], install[1..], TimeSpan.FromMinutes(15));
            if (code != 0)
            {
                // a fresh machine has no package lists yet
                string[] update = [.. sudo, "apt-get", "-o", "DPkg::Lock::Timeout=600", "update"];
                var (updateCode, updateLog) = Run(update[0], update[1..], TimeSpan.FromMinutes(10));
                (code, log) = updateCode == 0 ? Run(install[0], install[1..], TimeSpan.FromMinutes(15)) : (updateCode, updateLog);
            }
            if (code != 0 || Which(command) is not { } installed)
                throw new InvalidOperationException($"could not install the Debian package {package} (for '{command}'); apt-get said:\n{(log.Length > 3000 ? log[^3000..] : log)}");
            return installed;
        }
    }

    /// <summary>Where <paramref name="command"/> is: the system's directories first (a pyenv shim must not shadow Debian's tools).</summary>
    public static string? Which(string command)
    {
        var dirs = new[] { "/usr/bin", "/bin", "/usr/local/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'));
        return dirs.Where(d => d.Length > 0).Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);
    }

    static (int Code, string Log) Run(string file, string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        var log = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e) { return (-1, $"{file}: {e.Message}"); }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} {string.Join(' ', args)} timed out after {timeout.TotalMinutes:0} min\n{log}");
        }
        process.WaitForExit();
        return (process.ExitCode, log.ToString());
    }
}
