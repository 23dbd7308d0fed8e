using DepthKit.Native;

namespace DepthKit.Tests.Foundation;

public class MallocArenaTests
{
    const string Maps = """
        55d4c5a00000-55d4c5a02000 r--p 00000000 fd:01 1311 /usr/bin/dotnet
        55d4c6e1d000-55d4c7a3e000 rw-p 00000000 00:00 0                          [heap]
        7f2a10000000-7f2a14000000 rw-p 00000000 00:00 0
        7ffd6b8e4000-7ffd6b905000 rw-p 00000000 00:00 0                          [stack]
        """;

    [Fact]
    public void HeapRangeIsTheHeapLineOfProcMaps()
    {
        Assert.Equal((0x55d4c6e1d000UL, 0x55d4c7a3e000UL), MallocArena.HeapRange(Maps));
        Assert.Null(MallocArena.HeapRange("7ffd6b8e4000-7ffd6b905000 rw-p 00000000 00:00 0 [stack]\n"));
    }

    [Fact]
    public void TheNoticeAppearsOnlyWhenTheTuningCannotReachThisThread()
    {
        Assert.Contains("secondary malloc arena", MallocArena.Notice(allocatorTuned: true, arenaMax: null, oneDnnEnabled: false, usesMainArena: () => false));
        Assert.Null(MallocArena.Notice(true, null, false, () => true));     // main arena: the tuning applies
        Assert.Null(MallocArena.Notice(true, "1", false, () => false));     // the user already chose the arena count
        Assert.Null(MallocArena.Notice(false, null, false, () => false));   // nothing tuned, nothing lost
        Assert.Null(MallocArena.Notice(true, null, false, () => null));     // unknown (not glibc)
        Assert.Null(MallocArena.Notice(true, null, true, () => false));     // oneDNN does not unfold whole batches
        // the arena is not looked up when nothing else calls for the notice
        Assert.Null(MallocArena.Notice(true, null, true, () => throw new InvalidOperationException("asked")));
    }

    [Fact]
    public void ThisProcessHasAHeapAndAThreadCanTellItsArena()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.NotNull(MallocArena.HeapRange(File.ReadAllText("/proc/self/maps")));
        Assert.NotNull(MallocArena.ThisThreadUsesMainArena());
    }
}
