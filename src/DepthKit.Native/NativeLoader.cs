using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace DepthKit.Native;

/// <summary>
/// Loads TorchSharp's native bridge before TorchSharp does, so it works on hosts whose libstdc++ is older than the
/// one libLibTorchSharp.so was linked against (docs/runtime.md names the versions). When the plain load fails for
/// that reason, a copy with the missing GLIBCXX requirements marked weak is written to DepthKit's own cache folder
/// and loaded instead; the NuGet cache and the build output are never modified. glibc then answers TorchSharp's own
/// by-name load of "libLibTorchSharp.so" with the copy already in the process (same soname).
/// </summary>
public static class NativeLoader
{
    /// <summary>How the bridge was loaded: the original path, or the patched copy and why.</summary>
    public sealed record Result(string LibraryPath, bool Patched, string? Reason);

    public static Result LoadTorchSharpBridge()
    {
        if (!OperatingSystem.IsLinux()) return new Result("(platform default)", false, null);
        var bridge = FindBridge();
        PreloadLibTorch(Path.GetDirectoryName(bridge)!);
        try
        {
            NativeLibrary.Load(bridge);
            return new Result(bridge, false, null);
        }
        catch (DllNotFoundException e) when (e.Message.Contains("GLIBCXX_", StringComparison.Ordinal))
        {
            int newest = NewestGlibcxxMinor();
            var bytes = File.ReadAllBytes(bridge);
            int changed = ElfVersionNeeds.MarkWeak(bytes, v => ElfVersionNeeds.IsGlibcxxNewerThan(v, newest));
            if (changed == 0) throw;
            var copy = WriteCachedCopy(bytes);
            NativeLibrary.Load(copy);
            return new Result(copy, true, $"host libstdc++ provides up to GLIBCXX_3.4.{newest}; marked {changed} newer requirement(s) weak");
        }
    }

    /// <summary>The TorchSharp bridge next to TorchSharp.dll: flat app output (one RID) or NuGet layout.</summary>
    static string FindBridge()
    {
        var torchSharpDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!;
        string[] candidates =
        [
            Path.Combine(torchSharpDir, "libLibTorchSharp.so"),
            Path.Combine(torchSharpDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "runtimes", "linux-x64", "native", "libLibTorchSharp.so")),
        ];
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new FileNotFoundException(
                   $"libLibTorchSharp.so was not found next to {torchSharpDir}; rebuild DepthKit (dotnet build) so the native libraries are copied.");
    }

    /// <summary>Loads libtorch by full path so the bridge's DT_NEEDED entries resolve by soname from any folder.</summary>
    static void PreloadLibTorch(string bridgeDir)
    {
        string? dir = File.Exists(Path.Combine(bridgeDir, "libtorch_cpu.so")) ? bridgeDir : FindLibTorchInNuGetCache(bridgeDir);
        if (dir is null) return; // let the loader search; its error will name what is missing
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
    }

    // <cache>/torchsharp/<v>/runtimes/linux-x64/native -> <cache>/libtorch-cpu-linux-x64/<v>/runtimes/linux-x64/native
    static string? FindLibTorchInNuGetCache(string bridgeDir)
    {
        var packages = Path.GetFullPath(Path.Combine(bridgeDir, "..", "..", "..", "..", ".."));
        var libtorch = Path.Combine(packages, "libtorch-cpu-linux-x64");
        if (!Directory.Exists(libtorch)) return null;
        return Directory.GetDirectories(libtorch).OrderDescending()
            .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
    }

    /// <summary>The highest GLIBCXX_3.4.N the host's libstdc++ defines (its version definitions are strings in the file).</summary>
    internal static int NewestGlibcxxMinor()
    {
        string[] places = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/libstdc++.so.6"];
        var lib = places.FirstOrDefault(File.Exists);
        if (lib is null) return 30;
        var text = System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(lib));
        int best = 0;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"GLIBCXX_3\.4\.(\d+)"))
            best = Math.Max(best, int.Parse(m.Groups[1].Value));
        return best;
    }

    static string WriteCachedCopy(byte[] bytes)
    {
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var dir = Path.Combine(CacheRoot(), "native", hash);
        var path = Path.Combine(dir, "libLibTorchSharp.so");
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length) return path;
        Directory.CreateDirectory(dir);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true); // atomic: a concurrent process sees the old file or the new one
        return path;
    }

    /// <summary>DEPTHKIT_CACHE, else $XDG_CACHE_HOME/depthkit, else ~/.cache/depthkit.</summary>
    public static string CacheRoot()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("DEPTHKIT_CACHE");
        if (!string.IsNullOrEmpty(explicitRoot)) return explicitRoot;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "depthkit");
    }
}
