using System.Reflection;
using System.Runtime.InteropServices;
using DepthKit.Data;
using DepthKit.Training;

namespace DepthKit.Cli;

/// <summary>What the user sees when a command fails: one line, an exit code, and for a bug the log file with the details.</summary>
public sealed record CliFailure(int ExitCode, string Line, string? LogPath = null);

/// <summary>
/// The one place that turns any exception into one line and an exit code, independent of how the command line is
/// parsed. Bad input (a file, an option) names the file or option and exits 1 (2 for usage); an interrupt exits
/// 128 + signal; anything else is a bug in DepthKit: its details go to a log file, which the line names (exit 70).
/// Exceptions that arrive wrapped (Parallel.For and PLINQ's AggregateException, reflection, type initialisers) are
/// unwrapped first, so the innermost cause decides.
/// </summary>
public static class CliErrors
{
    public const int Failed = 1, Usage = 2, InternalError = 70, Interrupted = 130;

    /// <summary>Writes the line (and, with DEPTHKIT_DEBUG=1, the stack trace) to <paramref name="error"/>; returns the exit code.</summary>
    public static int Report(Exception e, string command, IReadOnlyList<string> args, TextWriter error, string? signal = null)
    {
        var failure = Describe(e, command, args, signal);
        error.WriteLine(failure.Line);
        if (Environment.GetEnvironmentVariable("DEPTHKIT_DEBUG") == "1") error.WriteLine(e);
        return failure.ExitCode;
    }

    /// <summary>The line and exit code for <paramref name="e"/>; writes a crash log only for an unexpected error.</summary>
    /// <remarks>signal: SIGTERM, SIGHUP or SIGINT when the run was interrupted by one (sets the exit code 128 + n)</remarks>
    public static CliFailure Describe(Exception e, string command, IReadOnlyList<string> args, string? signal = null)
    {
        var cause = Unwrap(e);
        string prefix = $"depthkit {command}: ";
        switch (cause)
        {
            case CliUsageException:
                return new(Usage, prefix + cause.Message);
            case OperationCanceledException:
                return new(SignalExitCode(signal), prefix + (signal is null ? "cancelled" : $"stopped by {signal}") +
                    (command is "train" or "reproduce" ? " (the last checkpoint was saved)" : ""));
            case OutOfMemoryException or InsufficientMemoryException:
                return new(Failed, prefix + "error: out of memory; try a smaller --size, --batch or --count");
            case ExternalException when IsTorchOutOfMemory(cause.Message):
                return new(Failed, prefix + $"error: out of memory in libtorch ({FirstLine(cause.Message)}); try a smaller --size or --batch");
            case DepthKitDataException or DepthKitCheckpointException or DepthKitTrainingException:
                return new(Failed, prefix + "error: " + FirstLine(cause.Message));
            case IOException or UnauthorizedAccessException:
                // the runtime's messages name the path ("No space left on device : '/runs/x/last.ckpt.tmp'")
                return new(Failed, prefix + "error: " + FirstLine(cause.Message));
        }
        if (cause.GetType().Name.StartsWith("DepthKit", StringComparison.Ordinal))
            return new(Failed, prefix + "error: " + FirstLine(cause.Message));
        // DepthKit's own checks throw the framework's argument/state exceptions with a message written for the user;
        // the same types thrown inside the framework ("(Parameter 'count')") are bugs: they get a log
        if (cause is ArgumentException or InvalidOperationException or FormatException or NotSupportedException or InvalidDataException
            && ThrownByDepthKit(cause) && !HasParameterSuffix(cause))
            return new(Failed, prefix + "error: " + FirstLine(cause.Message));
        var log = WriteCrashLog(e, command, args);
        // a run stopped by a signal can meet a secondary error on its way out (a loader thread torn down mid-batch);
        // the checkpoints written before it stand, so the user is told about the stop, and the error is kept in the log
        if (signal is not null && command is "train" or "reproduce")
            return new(SignalExitCode(signal), prefix + $"stopped by {signal} (the last checkpoint was saved); an error while stopping ("
                + $"{cause.GetType().Name}) was logged to {log ?? "nowhere: no log could be written"}", log);
        return new(InternalError, prefix + $"internal error ({cause.GetType().Name}: {FirstLine(cause.Message)}); " +
            (log is null ? "no log could be written" : $"details in {log}") + ". This is a bug in DepthKit: please report it with that file.", log);
    }

    /// <summary>The innermost meaningful exception: single-cause wrappers are peeled; of several, a DepthKit or I/O one wins.</summary>
    public static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException a:
                    var inner = a.Flatten().InnerExceptions;
                    if (inner.Count == 0) return e;
                    e = inner.FirstOrDefault(x => x is not OperationCanceledException && IsExpected(Unwrap(x))) ??
                        inner.FirstOrDefault(x => x is not OperationCanceledException) ?? inner[0];
                    continue;
                case TargetInvocationException { InnerException: { } ti }:
                    e = ti; continue;
                case TypeInitializationException { InnerException: { } tie }:
                    e = tie; continue;
                default:
                    return e;
            }
        }
    }

    static bool IsExpected(Exception e) => e is DepthKitDataException or DepthKitCheckpointException or DepthKitTrainingException
        or CliUsageException or IOException or UnauthorizedAccessException or OutOfMemoryException;

    static bool ThrownByDepthKit(Exception e) =>
        e.TargetSite?.DeclaringType?.Namespace is { } ns && ns.StartsWith("DepthKit", StringComparison.Ordinal);

    // "(Parameter 'x')" is the framework naming one of its own arguments: nothing a user can act on
    static bool HasParameterSuffix(Exception e) => e is ArgumentException { ParamName: not null } a && a.Message.EndsWith($"(Parameter '{a.ParamName}')", StringComparison.Ordinal);

    static bool IsTorchOutOfMemory(string message) =>
        message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase) || message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    static int SignalExitCode(string? signal) => signal switch { "SIGTERM" => 143, "SIGHUP" => 129, _ => Interrupted };

    static string FirstLine(string message)
    {
        var line = message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return line.Length > 600 ? line[..600] + "..." : line;
    }

    /// <summary>Folder of crash logs: $DEPTHKIT_CACHE/logs, else ~/.cache/depthkit/logs, else the temp folder.</summary>
    public static string LogFolder =>
        Environment.GetEnvironmentVariable("DEPTHKIT_CACHE") is { Length: > 0 } cache ? Path.Combine(cache, "logs")
        : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cache", "depthkit", "logs")
        : Path.Combine(Path.GetTempPath(), "depthkit-logs");

    static string? WriteCrashLog(Exception e, string command, IReadOnlyList<string> args)
    {
        var text = string.Join(Environment.NewLine,
            $"depthkit {Cli.Version} {command}: unexpected error at {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC",
            $"command line: depthkit {string.Join(' ', args)}",
            $"runtime: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})",
            $"working folder: {Environment.CurrentDirectory}",
            "",
            e.ToString(),
            "");
        foreach (var folder in new[] { LogFolder, Path.Combine(Path.GetTempPath(), "depthkit-logs") })
        {
            try
            {
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, $"crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}.log");
                AtomicFile.WriteAllText(path, text);
                return path;
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }
}
