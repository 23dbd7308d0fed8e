using System.Runtime.Intrinsics.X86;

namespace DepthKit.Native;

/// <summary>
/// What CPUID says about the data caches. oneDNN sizes its convolution blocking from these leaves; on some
/// virtual machines leaves 4 and 0x8000001D report no caches at all, and oneDNN's backward convolutions then
/// divide by zero (SIGFPE) or return wrong input gradients (docs/runtime.md).
/// </summary>
public sealed record CpuCacheInfo(bool IsX86, string Vendor, IReadOnlyList<(int Level, long Bytes)> Caches)
{
    /// <summary>x86 and neither cache leaf describes a single cache: oneDNN cannot size its blocks.</summary>
    public bool CacheLeavesEmpty => IsX86 && Caches.Count == 0;

    public static CpuCacheInfo Read()
    {
        if (!X86Base.IsSupported) return new CpuCacheInfo(false, "", []);
        var (maxLeaf, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var vendor = string.Concat(Ascii(ebx), Ascii(edx), Ascii(ecx));
        var caches = new List<(int, long)>();
        if (maxLeaf >= 4) caches.AddRange(Enumerate(4));
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if (caches.Count == 0 && (uint)maxExtended >= 0x8000001D) caches.AddRange(Enumerate(unchecked((int)0x8000001D)));
        return new CpuCacheInfo(true, vendor, caches);
    }

    // Leaves 4 and 0x8000001D share one layout: EAX[4:0] type (0 = no more), EAX[7:5] level,
    // size = ways * partitions * line size * sets, each stored minus one in EBX/ECX.
    static IEnumerable<(int, long)> Enumerate(int leaf)
    {
        for (int sub = 0; sub < 16; sub++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, sub);
            if ((eax & 0x1f) == 0) yield break;
            long ways = ((ebx >> 22) & 0x3ff) + 1, partitions = ((ebx >> 12) & 0x3ff) + 1, line = (ebx & 0xfff) + 1;
            long sets = (uint)ecx + 1L;
            long bytes = ways * partitions * line * sets;
            if (bytes > 0) yield return ((eax >> 5) & 0x7, bytes);
        }
    }

    static string Ascii(int register) =>
        new(BitConverter.GetBytes(register).Select(b => (char)b).ToArray());
}
