using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// The region that evaluation and prediction run their forward passes in: <c>no_grad()</c>, plus whatever the host
/// adds through <see cref="HostRegion"/> (the CLI and notebooks let DepthKit.Native pick faster forward-only kernels
/// there). The library itself never changes process-wide settings.
/// </summary>
public static class Inference
{
    /// <summary>
    /// Called on entering a region; the returned object is disposed on leaving it. Null (the default) adds nothing.
    /// Only a host sets it, once, at start-up.
    /// </summary>
    public static Func<IDisposable?>? HostRegion { get; set; }

    /// <summary>A no-grad region for forward-only work; dispose it to leave.</summary>
    public static IDisposable Region()
    {
        var noGrad = no_grad();
        IDisposable? host;
        try { host = HostRegion?.Invoke(); }
        catch { noGrad.Dispose(); throw; }
        return new Scope(noGrad, host);
    }

    sealed class Scope(IDisposable noGrad, IDisposable? host) : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            try { host?.Dispose(); }
            finally { noGrad.Dispose(); }
        }
    }
}
