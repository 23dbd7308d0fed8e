using System.Globalization;
using DepthKit.Native;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace DepthKit.Diagnostics;

/// <summary>What a benchmark ran on: CPU, cores, load, runtime versions and oneDNN state.</summary>
public sealed record MachineInfo(
    string CpuModel, int LogicalCores, int TorchThreads, string Os,
    [property: JsonPropertyName("dotnet")] string DotNet,
    [property: JsonPropertyName("torchsharp")] string TorchSharp,
    [property: JsonPropertyName("libtorch")] string LibTorch,
    [property: JsonPropertyName("onednn")] bool OneDnn,
    [property: JsonPropertyName("onednn_reason")] string OneDnnReason, bool AllocatorTuned,
    [property: JsonPropertyName("depthkit_version")] string DepthKitVersion, double[] LoadAverage, string Configuration)
{
    /// <summary>ONEDNN_MAX_CPU_ISA in force when the kit capped oneDNN, else null.</summary>
    [JsonPropertyName("onednn_isa_cap")] public string? OneDnnIsaCap { get; init; }

    /// <summary>Who computes convolution gradients: <c>libtorch</c> (its kernels), <c>kit</c> (ConvolutionRoute, every convolution) or the kit only for the faulty classes.</summary>
    [JsonPropertyName("convolution_backward")] public string ConvolutionBackward { get; init; } = "libtorch";

    /// <summary><see cref="ConvolutionBackward"/> where auto routes only the classes oneDNN gets wrong on this CPU.</summary>
    public const string PartialKitBackward = "kit for the shapes oneDNN gets wrong here, libtorch for the rest";

    /// <summary>Whether CPUID leaves 4/0x8000001D describe the caches (when not, oneDNN's blocking can go wrong).</summary>
    [JsonPropertyName("cpuid_cache_sizes")] public bool CpuidCacheSizes { get; init; }

    /// <summary>One line: the route the convolutions took and why.</summary>
    public string Route => $"oneDNN {(OneDnn ? "on" : "off")}{(OneDnnIsaCap is null ? "" : $" capped at {OneDnnIsaCap}")}, " +
        $"convolution backward by {ConvolutionBackward} ({OneDnnReason})";

    /// <summary>Reads /proc/cpuinfo and /proc/loadavg (empty values off Linux) and the runtime state (initialises torch if nobody did).</summary>
    public static MachineInfo Read()
    {
        var info = Runtime.Info ?? Runtime.Initialize();
        return new MachineInfo(ReadCpuModel(), Environment.ProcessorCount, info.Threads,
            RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture, info.DotNetVersion, info.TorchSharpVersion,
            info.LibTorchVersion, info.OneDnnEnabled, info.OneDnnReason, info.AllocatorTuned,
            typeof(DepthKit.Training.Trainer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "?",
            ReadLoadAverage(),
#if DEBUG
            "Debug"
#else
            "Release"
#endif
            )
        {
            OneDnnIsaCap = info.OneDnnIsaCap,
            ConvolutionBackward = DepthKit.Models.ConvolutionRoute.Rule switch
            {
                null => "libtorch",
                var rule when rule.Equals((Func<DepthKit.Models.ConvShape, bool>)Runtime.FaultyOneDnnShapes) => PartialKitBackward,
                _ => "kit",
            },
            CpuidCacheSizes = !info.Cpu.CacheLeavesEmpty,
        };
    }

    /// <summary>The first "model name" of /proc/cpuinfo.</summary>
    public static string ReadCpuModel() => File.Exists("/proc/cpuinfo") ? ParseCpuModel(File.ReadAllText("/proc/cpuinfo")) : "unknown";

    public static string ParseCpuModel(string cpuinfo)
    {
        foreach (var line in cpuinfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == "model name") return line[(colon + 1)..].Trim();
        }
        return "unknown";
    }

    /// <summary>1, 5 and 15 minute load averages (runnable threads; above the core count the machine is oversubscribed).</summary>
    public static double[] ReadLoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return [];
        var parts = File.ReadAllText("/proc/loadavg").Split(' ');
        return [.. parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture))];
    }
}
