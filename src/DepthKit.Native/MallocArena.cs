using System.Globalization;

namespace DepthKit.Native;

/// <summary>
/// Which glibc malloc arena the calling thread allocates from. Only the main arena (the brk heap) honours the
/// start-up tuning for big blocks: a secondary arena's heaps are at most 64 MiB, so it maps and unmaps every larger
/// block, and libtorch's fallback convolution (used when oneDNN is off) unfolds its whole input into such blocks.
/// Threads other than the process's first one (a notebook kernel's cells among them) get secondary arenas.
/// docs/runtime.md has the measurements and why MALLOC_ARENA_MAX=1 is not the recommended fix.
/// </summary>
public static class MallocArena
{
    public const string ArenaMaxVariable = "MALLOC_ARENA_MAX";

    /// <summary>True when a block malloc'd by this thread lies in the process's [heap] mapping; null where unknown (not Linux/glibc).</summary>
    public static bool? ThisThreadUsesMainArena()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            IntPtr block = LibC.Malloc(64);
            try
            {
                var heap = HeapRange(File.ReadAllText("/proc/self/maps"));
                if (heap is null || block == IntPtr.Zero) return null;
                ulong address = (ulong)block;
                return address >= heap.Value.Start && address < heap.Value.End;
            }
            finally { LibC.Free(block); }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The address range of the <c>[heap]</c> line of a /proc/PID/maps text, or null when there is none.</summary>
    public static (ulong Start, ulong End)? HeapRange(string maps)
    {
        foreach (var line in maps.Split('\n'))
        {
            if (!line.TrimEnd().EndsWith("[heap]", StringComparison.Ordinal)) continue;
            var range = line.Split(' ', 2)[0].Split('-');
            if (range.Length == 2
                && ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
                return (start, end);
        }
        return null;
    }

    /// <summary>
    /// The notice to print when the tuning cannot reach this thread's arena and the unfolding fallback convolution
    /// is in use (null when there is nothing to say).
    /// </summary>
    /// <paramref name="usesMainArena"/> (it reads /proc/self/maps) is asked only when the rest would print.
    public static string? Notice(bool allocatorTuned, string? arenaMax, bool oneDnnEnabled, Func<bool?> usesMainArena) =>
        allocatorTuned && string.IsNullOrWhiteSpace(arenaMax) && !oneDnnEnabled && usesMainArena() == false
            ? "depthkit: this thread allocates from a secondary malloc arena, which maps and unmaps libtorch's buffers over 64 MiB " +
              "in every step: training here can be up to 3x slower than in the depthkit CLI (run long trainings there)."
            : null;
}
