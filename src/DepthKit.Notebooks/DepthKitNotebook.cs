using System.Runtime.Loader;
using static TorchSharp.torch;

namespace DepthKit.Notebooks;

/// <summary>The first call of every notebook: starts the kit and teaches the kernel to show its objects.</summary>
public static class DepthKitNotebook
{
    /// <summary>
    /// <see cref="Runtime.Initialize"/> (native fix-ups, threads, device: auto, cpu, cuda or cuda:N), then the
    /// display formatters (depth samples and maps as images, DataFrames as tables, Plotly charts).
    /// </summary>
    public static RuntimeInfo Start(string device = "auto")
    {
        InstallFSharpCoreRedirect();
        var info = Runtime.Initialize(device);
        NotebookFormatters.Register();
        return info;
    }

    /// <summary>The device models and tensors go on (the one <see cref="Start"/> chose).</summary>
    public static Device Device => Runtime.Device;

    /// <summary>The profile the notebook runs with (DEPTHKIT_PROFILE).</summary>
    public static NotebookProfile Profile => NotebookProfile.Current;

    static bool _redirectInstalled;

    /// <summary>
    /// Plotly.NET asks for a newer FSharp.Core than a notebook kernel may ship; any FSharp.Core already loaded
    /// serves (the charts use nothing newer). Installed before the first Plotly type loads.
    /// </summary>
    static void InstallFSharpCoreRedirect()
    {
        if (_redirectInstalled) return;
        _redirectInstalled = true;
        AssemblyLoadContext.Default.Resolving += (_, name) =>
            name.Name == "FSharp.Core"
                ? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core")
                : null;
    }
}
