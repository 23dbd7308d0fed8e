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
        // Initialize first: it installs the FSharp.Core redirect that Plotly.NET needs in a notebook kernel.
        var info = Runtime.Initialize(device);
        NotebookFormatters.Register();
        return info;
    }

    /// <summary>The profile the notebook runs with (DEPTHKIT_PROFILE).</summary>
    public static NotebookProfile Profile => NotebookProfile.Current;
}
