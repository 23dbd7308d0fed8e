using System.Runtime.CompilerServices;

namespace DepthKit.Tests;

static class TestSetup
{
    /// <summary>Every test assembly run starts the kit the way the CLI and notebooks do.</summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        Runtime.Initialize("cpu", TextWriter.Null);
        // xUnit trains on one thread while it evaluates on another; the switch is process-wide, so only
        // ForwardOnlyTests (which run alone) turn it on
        Runtime.OneDnnForForwardOnly = false;
    }
}

/// <summary>A fresh temporary folder deleted at the end of the test.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("depthkit-test-").FullName;
    public string this[string relative] => System.IO.Path.Combine(Path, relative);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
