using System.Reflection;
using System.Runtime.InteropServices;
using DepthKit.Models;
using DepthKit.Training;
using TorchSharp;

namespace DepthKit.Native;

/// <summary>
/// The one start-up call for every host of DepthKit (CLI, notebooks, tests, benchmarks): call it before any tensor.
/// It tunes glibc malloc, loads TorchSharp's native bridge (patching a copy on old libstdc++), caps or turns off
/// oneDNN where CPUID would make it compute wrong gradients, sets the thread count, picks the device and installs
/// the forward-only kernel choice as <see cref="Inference.HostRegion"/>. Calling it again returns the first result
/// (the device may change). docs/runtime.md explains each workaround and the measurements behind it.
/// </summary>
public static class Runtime
{
    static readonly object Gate = new();
    static RuntimeInfo? _info;

    /// <summary>The result of the first <see cref="Initialize"/>, or null before it.</summary>
    public static RuntimeInfo? Info => _info;

    /// <summary>Initialises once. <paramref name="device"/>: auto (CUDA when available), cpu, cuda or cuda:N.</summary>
    public static RuntimeInfo Initialize(string device = "auto", TextWriter? notices = null)
    {
        lock (Gate)
        {
            if (_info is not null)
                return _info = _info with { Device = SelectDevice(device, _info.CudaAvailable) };
            notices ??= Console.Error;
            var (tuned, tuneReason) = TuneAllocator();
            var cpu = CpuCacheInfo.Read();
            var oneDnnSetting = OneDnnSetting();
            // oneDNN reads its ISA cap once, when it starts: it has to be in the native environment before libtorch loads
            string? isaCap = (oneDnnSetting == "auto" && cpu.CacheLeavesEmpty) || oneDnnSetting == "avx" ? CapOneDnnIsa() : null;
            var bridge = NativeLoader.LoadTorchSharpBridge();
            var (oneDnn, oneDnnReason) = ConfigureOneDnn(cpu, oneDnnSetting, isaCap);
            if (oneDnnSetting == "auto" && cpu.CacheLeavesEmpty)
                notices.WriteLine(oneDnn
                    ? $"depthkit: oneDNN limited to {isaCap} ({oneDnnReason}); set DEPTHKIT_ONEDNN=off to turn it off."
                    : $"depthkit: oneDNN off ({oneDnnReason}); set DEPTHKIT_ONEDNN=on to override.");
            if (MallocArena.Notice(tuned, Environment.GetEnvironmentVariable(MallocArena.ArenaMaxVariable), oneDnn, MallocArena.ThisThreadUsesMainArena) is { } arenaNotice)
            {
                notices.WriteLine(arenaNotice);
                tuneReason += "; the initialising thread uses a secondary arena, where blocks over 64 MiB are still mapped per use";
            }

            bool cuda = false;
            if (Backend == "cuda")
            {
                // TorchSharp binds the CUDA backend only when asked before first use (notebooks included)
                try { torch.InitializeDeviceType(DeviceType.CUDA); cuda = torch.cuda.is_available(); }
                catch (Exception e) when (e is not OutOfMemoryException) { notices.WriteLine($"depthkit: CUDA backend did not start: {e.Message}"); }
            }
            var selected = SelectDevice(device, cuda);

            int threads = int.TryParse(Environment.GetEnvironmentVariable("DEPTHKIT_THREADS"), out var t) && t > 0 ? t : Environment.ProcessorCount;
            torch.set_num_threads(threads);

            _info = new RuntimeInfo(
                RuntimeInformation.FrameworkDescription,
                typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                    ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
                LibTorchVersion(bridge.LibraryPath),
                Backend,
                selected,
                cuda,
                torch.get_num_threads(),
                bridge, oneDnn, oneDnnReason, tuned, tuneReason, cpu)
            {
                OneDnnIsaCap = oneDnn ? isaCap : null,
                ForwardOnlyOneDnn = oneDnnSetting == "auto" && !oneDnn && OperatingSystem.IsLinux(),
            };
            InstallForwardOnlyHook();
            return _info;
        }
    }

    static int _forwardOnlyDepth;
    static bool _oneDnnForForwardOnly =
        (Environment.GetEnvironmentVariable("DEPTHKIT_ONEDNN_FORWARD") ?? "").Trim().ToLowerInvariant() is not ("off" or "0" or "false");

    /// <summary>
    /// Whether forward-only regions may switch oneDNN on where it is off only for its backward pass (default yes;
    /// DEPTHKIT_ONEDNN_FORWARD=off says no). The switch is process-wide: a host that trains on one thread while it
    /// evaluates on another must say no. Setting it installs or removes the hook in <see cref="Inference.HostRegion"/>.
    /// </summary>
    public static bool OneDnnForForwardOnly
    {
        get => _oneDnnForForwardOnly;
        set { _oneDnnForForwardOnly = value; InstallForwardOnlyHook(); }
    }

    /// <summary>
    /// The region evaluation and prediction run in (<see cref="Inference.Region"/>): no_grad, and oneDNN on inside it
    /// where it was turned off automatically because of its backward pass. Its forward is right there (a test
    /// compares every architecture's output with and without it) and faster than libtorch's fallback.
    /// </summary>
    public static IDisposable ForwardOnly()
    {
        if (_info is null) Initialize();
        return Inference.Region();
    }

    static void InstallForwardOnlyHook()
    {
        lock (Gate)
            Inference.HostRegion = _info is { ForwardOnlyOneDnn: true } && _oneDnnForForwardOnly ? OneDnnRegion : null;
    }

    static IDisposable? OneDnnRegion()
    {
        lock (Gate)
            if (_forwardOnlyDepth++ == 0) LibTorchContext.SetUserEnabledMkldnn(LibTorchContext.GlobalContext(), true);
        return new ForwardOnlyRegion();
    }

    /// <summary>Whether libtorch will use oneDNN for convolutions right now (it follows <see cref="ForwardOnly"/>).</summary>
    public static bool OneDnnActive => OperatingSystem.IsLinux() && LibTorchContext.UserEnabledMkldnn(LibTorchContext.GlobalContext());

    sealed class ForwardOnlyRegion : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (Gate)
                if (--_forwardOnlyDepth == 0) LibTorchContext.SetUserEnabledMkldnn(LibTorchContext.GlobalContext(), false);
        }
    }

    /// <summary>The device to put models and tensors on; initialises with "auto" if nobody did.</summary>
    public static torch.Device Device => (_info ?? Initialize()).Device;

    /// <summary>Which TorchSharp package this build references (MSBuild property TorchBackend).</summary>
    public static string Backend =>
        typeof(Runtime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>auto, cpu, cuda or cuda:N; asking for CUDA where there is none is an error, not a silent CPU run.</summary>
    internal static torch.Device SelectDevice(string device, bool cudaAvailable)
    {
        var d = device.Trim().ToLowerInvariant();
        if (d == "auto") return cudaAvailable ? torch.CUDA : torch.CPU;
        if (d == "cpu") return torch.CPU;
        if (d == "cuda" || (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out _)))
            return cudaAvailable
                ? new torch.Device(d)
                : throw new InvalidOperationException(
                    $"device '{device}': CUDA is not available (this build uses the TorchSharp-{Backend} backend; build with -p:TorchBackend=cuda on a machine with an NVIDIA driver)");
        throw new ArgumentException($"unknown device '{device}': use auto, cpu, cuda or cuda:N");
    }

    public const string OneDnnIsaVariable = "ONEDNN_MAX_CPU_ISA";

    static string OneDnnSetting()
    {
        var setting = (Environment.GetEnvironmentVariable("DEPTHKIT_ONEDNN") ?? "auto").Trim().ToLowerInvariant();
        return setting switch
        {
            "on" or "1" or "true" => "on",
            "off" or "0" or "false" => "off",
            "auto" or "" => "auto",
            "avx" => "avx",
            "forward" => "forward",
            _ => throw new ArgumentException($"DEPTHKIT_ONEDNN='{setting}': use auto, on, off, avx (capped at AVX) or forward (oneDNN forward, the kit's backward)"),
        };
    }

    /// <summary>
    /// Caps oneDNN at AVX through ONEDNN_MAX_CPU_ISA in the native environment (.NET's own environment copy is not
    /// what libtorch reads); returns the cap in force: ours, or the one the user already set.
    /// </summary>
    static string? CapOneDnnIsa()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var existing = Environment.GetEnvironmentVariable(OneDnnIsaVariable);
        if (!string.IsNullOrWhiteSpace(existing)) return existing.Trim();
        try { return LibC.SetEnv(OneDnnIsaVariable, "AVX", 1) == 0 ? "AVX" : null; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
    }

    /// <summary>
    /// oneDNN computes wrong or crashing convolution backward passes with its AVX2/AVX-512 kernels when CPUID reports
    /// no cache sizes; capped at AVX its results are right and it stays faster than libtorch's fallback.
    /// Auto (the default) caps it where CPUID is empty and runs <see cref="StartupCheck"/> before trusting it;
    /// DEPTHKIT_ONEDNN=on|off|avx|forward forces a route (forward: full oneDNN for forward passes, the kit's own
    /// backward for every convolution, <see cref="ConvolutionRoute"/>).
    /// </summary>
    static (bool Enabled, string Reason) ConfigureOneDnn(CpuCacheInfo cpu, string setting, string? isaCap)
    {
        bool enable;
        string reason;
        if (setting == "on") (enable, reason) = (true, "DEPTHKIT_ONEDNN=on");
        else if (setting == "off") (enable, reason) = (false, "DEPTHKIT_ONEDNN=off");
        else if (setting == "forward")
        {
            ConvolutionRoute.Rule = RouteEveryConvolution;
            (enable, reason) = (true, "DEPTHKIT_ONEDNN=forward: oneDNN for forward passes, the kit's own backward for every convolution");
        }
        else if (setting == "avx") (enable, reason) = isaCap is null ? (false, "DEPTHKIT_ONEDNN=avx, but the cap could not be set") : (true, $"DEPTHKIT_ONEDNN=avx: {OneDnnIsaVariable}={isaCap}");
        else if (!cpu.CacheLeavesEmpty) (enable, reason) = (true, "auto: CPUID reports cache sizes");
        else if (isaCap is null) (enable, reason) = (false, "auto: CPUID leaves 4/0x8000001D report no cache sizes, its backward convolutions would be wrong");
        else
        {
            var worst = StartupCheck();
            (enable, reason) = worst.Worst <= GradientCheck.Tolerance
                ? (true, FormattableString.Invariant($"auto: CPUID leaves 4/0x8000001D report no cache sizes; {OneDnnIsaVariable}={isaCap}, start-up gradient check passed ({StartupShapes.Length} shapes, worst relative error {worst.Worst:E1})"))
                : (false, FormattableString.Invariant($"auto: CPUID leaves 4/0x8000001D report no cache sizes and even with {OneDnnIsaVariable}={isaCap} the gradients of {worst.Shape} were off by {worst.Worst:E1}"));
        }
        // !enable implies "off" or an empty CPUID, so the block is entered exactly when NNPACK has to go
        if (OperatingSystem.IsLinux() && (!enable || cpu.CacheLeavesEmpty))
        {
            var context = LibTorchContext.GlobalContext();
            // NNPACK cannot start on such CPUs either, and warns on every convolution that falls to it
            LibTorchContext.SetUserEnabledNNPACK(context, false);
            if (!enable)
            {
                LibTorchContext.SetUserEnabledMkldnn(context, false);
                enable = LibTorchContext.UserEnabledMkldnn(context);
            }
        }
        return (enable, reason);
    }

    /// <summary>The kit's backward for every convolution it can compute (groups 1: all of the kit's architectures).</summary>
    internal static bool RouteEveryConvolution(ConvShape shape) => shape.Groups == 1;

    /// <summary>
    /// The shapes whose gradients oneDNN got wrong or crashed on when CPUID reported no cache sizes: 3x3 from 64 to 24
    /// channels (input gradient 20% off with AVX-512 kernels), 3x3 from 8 to 3 (30-60% off with AVX2 kernels), and
    /// the 1x1 stride-2 convolution from 512 to 1024 channels that died with SIGFPE. docs/runtime.md has the table.
    /// </summary>
    internal static readonly string[] StartupShapes =
    [
        "conv 3x3 s1 p1 64->24 @2x64x32x40",
        "conv 3x3 s1 p1 8->3 @2x8x24x24",
        "conv 1x1 s2 p0 512->1024 @2x512x16x20",
    ];

    /// <summary>
    /// The start-up check: input and weight gradients of <see cref="StartupShapes"/> through the route in force, against
    /// float64; returns the worst. It runs in this process, so a route that would run the crashing shape on the
    /// kernels that crash must not be checked here (auto checks only the AVX-capped or the kit's own backward).
    /// </summary>
    internal static GradientError StartupCheck() =>
        StartupShapes.Select(s => GradientCheck.Errors(ConvShape.Parse(s))).MaxBy(e => e.Worst)!;

    /// <summary>
    /// libtorch's large per-step buffers are otherwise mmapped and trimmed every step; keeping them in the heap makes
    /// training steps faster at the same peak RSS. DEPTHKIT_MALLOC_TUNING=off leaves glibc's defaults.
    /// </summary>
    static (bool, string) TuneAllocator()
    {
        if (!OperatingSystem.IsLinux()) return (false, "not Linux");
        if (Environment.GetEnvironmentVariable("DEPTHKIT_MALLOC_TUNING") is "off" or "0") return (false, "DEPTHKIT_MALLOC_TUNING=off");
        try
        {
            bool ok = LibC.Mallopt(LibC.M_MMAP_MAX, 0) == 1
                      & LibC.Mallopt(LibC.M_TRIM_THRESHOLD, int.MaxValue) == 1
                      & LibC.Mallopt(LibC.M_TOP_PAD, 512 << 20) == 1;
            return ok ? (true, "glibc: mmap_max 0, trim_threshold max, top_pad 512 MiB") : (false, "mallopt refused a setting");
        }
        catch (EntryPointNotFoundException) { return (false, "not glibc (no mallopt)"); }
        catch (DllNotFoundException) { return (false, "not glibc (no libc)"); }
    }

    static string LibTorchVersion(string bridgePath)
    {
        // The libtorch-cpu package writes its version into the package folder name; the build output has no record.
        var nuget = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                                 ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                                 "libtorch-" + Backend + (OperatingSystem.IsLinux() ? "-linux-x64" : ""));
        var version = typeof(Runtime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value;
        return version ?? (Directory.Exists(nuget) ? string.Join(", ", Directory.GetDirectories(nuget).Select(Path.GetFileName)) : "unknown");
    }
}
