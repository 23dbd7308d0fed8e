using System.Diagnostics;

namespace DepthKit.Tests.Reliability;

/// <summary>
/// A disk that really fills up: a tmpfs of a few kilobytes mounted in a private user and mount namespace
/// (<c>unshare -rm</c>, which needs no privileges), with the depthkit CLI run inside it. Writes past its size fail
/// with ENOSPC from the kernel, as on a full disk. The mount ends with the command, so what the command left on the
/// disk is copied to <c>WORK/disk-copy</c> for the test to look at.
/// </summary>
static class SmallDisk
{
    const int MountFailed = 97;

    /// <summary>Runs <c>depthkit ARGS</c> with "{disk}" in ARGS standing for the small disk's folder.</summary>
    public static (int Code, string Out, string Err) RunCli(string work, int kilobytes, params string[] args)
    {
        string disk = Path.Combine(work, "disk"), copy = Path.Combine(work, "disk-copy");
        Directory.CreateDirectory(disk);
        Directory.CreateDirectory(copy);
        const string script = """
            disk=$1; copy=$2; size=$3; shift 3
            mount -t tmpfs -o "size=$size" depthkit-small-disk "$disk" || exit 97
            "$@"; code=$?
            cp -a "$disk/." "$copy/"
            exit $code
            """;
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-rm", "sh", "-c", script, "sh", disk, copy, $"{kilobytes}k", "dotnet", Path.Combine(AppContext.BaseDirectory, "DepthKit.Cli.dll") })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a.Replace("{disk}", disk, StringComparison.Ordinal));
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start unshare");
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(180_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"depthkit {string.Join(' ', args)} on a small disk did not end"); }
        if (p.ExitCode == MountFailed)
            throw new InvalidOperationException($"this test needs a tmpfs in a user namespace (unshare -rm, util-linux) to make a full disk: {error}");
        return (p.ExitCode, output.Result, error);
    }
}
