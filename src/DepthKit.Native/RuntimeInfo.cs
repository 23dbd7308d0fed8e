using System.Runtime.InteropServices;
using DepthKit.Models;
using TorchSharp;

namespace DepthKit.Native;

/// <summary>What <see cref="Runtime.Initialize"/> found and decided; <c>depthkit doctor</c> prints it.</summary>
public sealed record RuntimeInfo(
    string DotNetVersion,
    string TorchSharpVersion,
    string LibTorchVersion,
    string Backend,
    torch.Device Device,
    bool CudaAvailable,
    int Threads,
    NativeLoader.Result Bridge,
    bool OneDnnEnabled,
    string OneDnnReason,
    bool AllocatorTuned,
    string AllocatorReason,
    CpuCacheInfo Cpu)
{
    /// <summary>
    /// oneDNN was switched off only because its backward convolutions are wrong on this CPU; its forward is right,
    /// so <see cref="Runtime.ForwardOnly"/> switches it back on for evaluation and prediction.
    /// </summary>
    public bool ForwardOnlyOneDnn { get; init; }

    /// <summary>ONEDNN_MAX_CPU_ISA in force when the kit capped oneDNN (CPUID without cache sizes), else null.</summary>
    public string? OneDnnIsaCap { get; init; }

    public IEnumerable<(string Key, string Value)> Lines()
    {
        yield return (".NET", DotNetVersion);
        yield return ("OS", RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture);
        yield return ("TorchSharp", TorchSharpVersion);
        yield return ("libtorch", LibTorchVersion);
        yield return ("backend", Backend);
        yield return ("device", Device.ToString());
        yield return ("CUDA available", CudaAvailable ? $"yes ({torch.cuda.device_count()} device(s))" : "no");
        yield return ("threads", Threads.ToString());
        yield return ("libstdc++ fix", Bridge.Patched ? $"active: {Bridge.Reason}; loaded {Bridge.LibraryPath}" : $"not needed ({Bridge.LibraryPath})");
        yield return ("oneDNN", (OneDnnEnabled ? "on" : "off") + $" ({OneDnnReason})" +
            (ForwardOnlyOneDnn && Runtime.OneDnnForForwardOnly ? "; on for forward-only work (evaluation, prediction), where it is correct" : ""));
        yield return ("conv backward", ConvolutionRoute.Rule is null ? "libtorch's kernels"
            : "the kit's own (im2col and matrix products, DepthKit.Models.ConvolutionRoute) for every convolution");
        yield return ("CPU caches (CPUID)", !Cpu.IsX86 ? "not x86" : Cpu.Caches.Count == 0
            ? $"{Cpu.Vendor}: none reported"
            : $"{Cpu.Vendor}: " + string.Join(", ", Cpu.Caches.Select(c => $"L{c.Level} {c.Bytes / 1024} KiB")));
        yield return ("allocator tuning", (AllocatorTuned ? "on" : "off") + $" ({AllocatorReason})");
    }

    public override string ToString() => string.Join(Environment.NewLine, Lines().Select(l => $"{l.Key,-20} {l.Value}"));
}
