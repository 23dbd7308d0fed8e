namespace DepthKit.Tests.Foundation;

public class RuntimeTests
{
    [Fact]
    public void InitializeTwiceIsHarmlessAndKeepsTheFirstDecisions()
    {
        var first = Runtime.Info!;
        var again = Runtime.Initialize("cpu", TextWriter.Null);
        Assert.Equal(first.Bridge, again.Bridge);
        Assert.Equal(first.OneDnnEnabled, again.OneDnnEnabled);
        Assert.Equal(first.Threads, again.Threads);
        Assert.Equal("cpu", again.Device.ToString());
    }

    [LinuxFact]
    public void AllocatorTuningIsOnUnlessSwitchedOff()
    {
        bool off = Environment.GetEnvironmentVariable("DEPTHKIT_MALLOC_TUNING") is "off" or "0";
        Assert.Equal(!off, Runtime.Info!.AllocatorTuned);
    }

    [Fact]
    public void TorchUsesTheConfiguredThreadCount()
    {
        int expected = int.TryParse(Environment.GetEnvironmentVariable("DEPTHKIT_THREADS"), out var t) && t > 0 ? t : Environment.ProcessorCount;
        Assert.Equal(expected, TorchSharp.torch.get_num_threads());
    }
}
