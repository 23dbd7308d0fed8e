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
            // auto keeps the full ISA where CPUID is empty too: the shapes its kernels get wrong are routed instead
            string? isaCap = oneDnnSetting == "avx" ? CapOneDnnIsa() : null;
            var bridge = NativeLoader.LoadTorchSharpBridge();
            var (oneDnn, oneDnnReason) = ConfigureOneDnn(cpu, oneDnnSetting, isaCap);
            if (oneDnnSetting == "auto" && cpu.CacheLeavesEmpty)
                notices.WriteLine(oneDnn
                    ? $"depthkit: oneDNN on, the kit's own backward for the convolution shapes it gets wrong ({oneDnnReason}); set DEPTHKIT_ONEDNN=off to turn it off."
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
    /// oneDNN computes wrong or crashing convolution backward passes for some shape classes when CPUID reports no
    /// cache sizes (<see cref="FaultyOneDnnShapes"/>). Auto (the default) keeps full oneDNN there, gives those classes
    /// the kit's own backward (<see cref="ConvolutionRoute"/>) and runs <see cref="StartupCheck"/> before trusting the
    /// mix; if it fails, every convolution is routed, and if that fails too, oneDNN is turned off.
    /// DEPTHKIT_ONEDNN=on|off|avx|forward forces a route (forward: full oneDNN for forward passes, the kit's own
    /// backward for every convolution; avx: oneDNN capped at AVX, nothing routed).
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
        else (enable, reason) = RouteAroundTheFault();
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
    /// The convolutions whose backward libtorch 2.10's oneDNN gets wrong where CPUID reports no cache sizes, under its
    /// AVX-512 and AVX2 kernels alike (docs/runtime.md has the table): kernels larger than 1x1 whose output channels
    /// are not a multiple of 16 (input gradient 18% to infinitely off: 3x3 64->24, 16->12, 16->1, 5x5 64->1) and
    /// strided 1x1 convolutions (SIGFPE for 512->1024, 1024->512, 1024->2048). Both classes are rare and cheap in the
    /// kit's architectures (prediction heads, shortcut projections); every other shape keeps oneDNN's kernels.
    /// </summary>
    public static bool FaultyOneDnnShapes(ConvShape shape) =>
        shape.Groups == 1 && !shape.Transposed
        && (shape.Kernel == (1, 1) ? shape.Stride != (1, 1) : shape.OutChannels % 16 != 0);

    static (bool, string) RouteAroundTheFault()
    {
        const string cpuid = "auto: CPUID leaves 4/0x8000001D report no cache sizes";
        ConvolutionRoute.Rule = FaultyOneDnnShapes;
        var worst = StartupCheck();
        if (worst.Worst <= GradientCheck.Tolerance)
            return (true, FormattableString.Invariant($"{cpuid}; full oneDNN, the kit's own backward for kernels over 1x1 with output channels not a multiple of 16 and for strided 1x1 convolutions; start-up gradient check passed ({StartupShapes.Length} shapes, worst relative error {worst.Worst:E1})"));
        var routedOnly = worst;
        ConvolutionRoute.Rule = RouteEveryConvolution;
        worst = StartupCheck();
        if (worst.Worst <= GradientCheck.Tolerance)
            return (true, FormattableString.Invariant($"{cpuid}; the gradients of {routedOnly.Shape} were off by {routedOnly.Worst:E1} with only the known faulty shapes routed, so the kit computes every convolution's backward; start-up gradient check passed (worst {worst.Worst:E1})"));
        ConvolutionRoute.Rule = null;
        return (false, FormattableString.Invariant($"{cpuid}; even the kit's own backward got {worst.Shape} off by {worst.Worst:E1}"));
    }

    /// <summary>
    /// One shape of each class the kit's architectures train with. Through plain oneDNN on a CPU with empty CPUID the
    /// first four fail (wrong input gradients under AVX-512 or AVX2) and the fifth dies with SIGFPE; the rest are
    /// classes oneDNN gets right. Small sizes: the check runs at every start on such CPUs.
    /// </summary>
    internal static readonly string[] StartupShapes =
    [
        "conv 3x3 s1 p1 64->24 @2x64x32x40",
        "conv 3x3 s1 p1 16->12 @2x16x32x40",
        "conv 3x3 s1 p1 8->3 @2x8x24x24",
        "conv 3x3 s1 p1 16->1 @2x16x24x32",
        "conv 1x1 s2 p0 512->1024 @1x512x8x8",
        "conv 3x3 s1 p1 64->64 @2x64x16x20",
        "conv 3x3 s2 p1 64->128 @2x64x16x20",
        "conv 1x1 s1 p0 64->256 @2x64x16x20",
        "conv 1x1 s2 p0 256->512 @2x256x16x20",
        "conv 5x5 s1 p2 64->32 @2x64x8x10",
        "conv 7x7 s2 p3 3->64 @2x3x32x40",
        "deconv 4x4 s2 p1 64->32 @2x64x8x10",
    ];

    /// <summary>How many of <see cref="StartupShapes"/> (from the front) crash plain oneDNN rather than returning wrong numbers.</summary>
    internal const int StartupShapesThatFailQuietly = 4;

    /// <summary>
    /// The start-up check: input and weight gradients of <see cref="StartupShapes"/> through the route in force, against
    /// float64; returns the worst. It runs in this process, so it must only run where the crashing class is routed
    /// (auto routes it before checking); <c>depthkit doctor --gradients --shape</c> runs the same shapes in a child.
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
