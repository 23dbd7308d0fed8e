using System.Runtime.Loader;
using DepthKit.Notebooks.Display;
using Microsoft.DotNet.Interactive;
using static TorchSharp.torch;

namespace DepthKit.Notebooks;

/// <summary>
/// The first call of every lesson, in a notebook and in its file-based app alike: starts the kit and teaches the
/// frontend to show its objects. <c>using static DepthKit.Notebooks.DepthKitNotebook;</c> brings <see cref="Show"/>.
/// </summary>
public static class DepthKitNotebook
{
    /// <summary>
    /// <see cref="Runtime.Initialize"/> (native fix-ups, threads, device: auto, cpu, cuda or cuda:N), then the
    /// display formatters (depth samples and maps as images, DataFrames as tables, tensors, Plotly charts).
    /// In a notebook it displays plotly.js once (charts then draw offline); in a file-based app
    /// (<c>dotnet run lesson.cs</c>) it starts the lesson's HTML page and runs in the app's folder, as a notebook
    /// runs in its own.
    /// </summary>
    public static RuntimeInfo Start(string device = "auto")
    {
        InstallFSharpCoreRedirect();
        bool inKernel = KernelDisplaySink.InKernel;
        if (!inKernel && AppContext.GetData("EntryPointFilePath") is string app && File.Exists(app))
        {
            Directory.SetCurrentDirectory(Path.GetDirectoryName(Path.GetFullPath(app))!);
            LessonPage.Begin(app);
        }
        var info = Runtime.Initialize(device);
        NotebookFormatters.Register();
        if (inKernel && !_plotlyShown)
        {
            _plotlyShown = true;
            Kernel.display(new HtmlFragment(PlotlyHtml.Script() +
                $"<div style=\"font-size:11px;color:#777\">plotly.js {PlotlyHtml.Version} inlined: charts draw offline</div>"));
        }
        return info;
    }

    static bool _plotlyShown;

    /// <summary>The device models and tensors go on (the one <see cref="Start"/> chose).</summary>
    public static Device Device => Runtime.Device;

    /// <summary>The profile the notebook runs with (DEPTHKIT_PROFILE).</summary>
    public static NotebookProfile Profile => NotebookProfile.Current;

    /// <summary>
    /// Shows <paramref name="value"/> below the running cell: <c>display(value)</c> in a notebook, an output on the
    /// lesson's page in a file-based app. The handle redraws that output in place.
    /// </summary>
    public static IDisplayHandle Show(object value) => DisplaySinks.Default.Show(value);

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
