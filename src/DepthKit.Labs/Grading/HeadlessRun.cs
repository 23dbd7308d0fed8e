using System.Diagnostics;
using System.Text;

namespace DepthKit.Labs.Grading;

/// <summary>The outcome of one headless run: exit code, whether it was stopped for taking too long, its output.</summary>
public sealed record HeadlessRun(int ExitCode, bool TimedOut, TimeSpan Elapsed, string Log);

/// <summary>Runs a child process with a timeout, killing its whole tree when the time is up.</summary>
public static class Headless
{
    public static HeadlessRun Run(string file, IReadOnlyList<string> args, string workingDirectory, TimeSpan timeout,
                                  IReadOnlyDictionary<string, string> environment, CancellationToken cancel = default)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        // a test host's MSBuild variables would point a child dotnet at the wrong MSBuild
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var log = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        void Append(string? line) { if (line is not null) lock (log) { if (log.Length < 200_000) log.AppendLine(line); } }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();   // a submission that reads the console gets end-of-input, not a hang
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool finished;
        using (cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            finished = process.WaitForExit(timeout);
        if (!finished)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
        }
        else process.WaitForExit();   // drains the output readers
        cancel.ThrowIfCancellationRequested();
        lock (log) return new HeadlessRun(finished ? process.ExitCode : -1, !finished, clock.Elapsed, log.ToString());
    }
}
