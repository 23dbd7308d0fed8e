using System.Runtime.InteropServices;

namespace DepthKit.Native;

/// <summary>glibc calls used at start-up (Linux only).</summary>
static partial class LibC
{
    public const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_MAX = -4;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    public static partial int Mallopt(int param, int value);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "malloc")]
    public static partial IntPtr Malloc(nuint size);

    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void Free(IntPtr block);

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    public static partial IntPtr GnuGetLibcVersion();
}

/// <summary>at::Context switches exported by libtorch_cpu (C++ mangled names, stable across 2.x).</summary>
static partial class LibTorchContext
{
    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    public static partial IntPtr GlobalContext();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    public static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    public static partial bool UserEnabledMkldnn(IntPtr context);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    public static partial void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
}
