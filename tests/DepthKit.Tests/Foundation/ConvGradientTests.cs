using DepthKit.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Foundation;

/// <summary>
/// The kit must compute correct convolution gradients on whatever machine it runs. On CPUs whose CPUID
/// cache leaves are empty, libtorch's oneDNN returns wrong input gradients or dies with SIGFPE for some shape
/// classes, which the runtime routes to the kit's own backward; these tests compare float32 gradients (through that
/// route) against a float64 reference (float64 never goes through oneDNN).
/// </summary>
public class ConvGradientTests
{
    [Theory]
    [InlineData(3, 1)] [InlineData(3, 3)] [InlineData(3, 8)] [InlineData(3, 16)]
    [InlineData(5, 1)] [InlineData(5, 3)] [InlineData(5, 8)] [InlineData(5, 16)]
    public void Conv2dGradientsMatchFloat64Reference(int kernel, int outChannels) =>
        AssertGradientsMatch(inChannels: 8, outChannels, kernel, stride: 1, padding: kernel / 2, size: 24);

    [Fact]
    public void Strided1x1ConvWith512InputChannelsMatchesReference() =>
        AssertGradientsMatch(inChannels: 512, outChannels: 256, kernel: 1, stride: 2, padding: 0, size: 14);

    [Fact]
    public void TheFaultyShapesAreRoutedExactlyWhenCpuidHasNoCacheSizes()
    {
        var info = Runtime.Info!;
        Assert.Equal(CpuCacheInfo.Read().CacheLeavesEmpty, info.Cpu.CacheLeavesEmpty);
        var forced = Environment.GetEnvironmentVariable("DEPTHKIT_ONEDNN");
        if (forced is "on" or "off" or "avx" or "forward") { Assert.Equal(forced != "off", info.OneDnnEnabled); return; }
        Assert.Null(info.OneDnnIsaCap);
        if (!info.Cpu.CacheLeavesEmpty)
        {
            Assert.True(info.OneDnnEnabled);
            Assert.Null(DepthKit.Models.ConvolutionRoute.Rule);
            return;
        }
        // oneDNN stays on (uncapped) exactly when the start-up check passed through the route, and the route then
        // covers both faulty classes while a plain 3x3 64->64 keeps oneDNN's kernels
        Assert.Equal(info.OneDnnReason.Contains("gradient check passed", StringComparison.Ordinal), info.OneDnnEnabled);
        if (info.OneDnnEnabled)
        {
            Assert.True(DepthKit.Models.ConvolutionRoute.Routes(DepthKit.Models.ConvShape.Parse("conv 3x3 s1 p1 64->24 @2x64x32x40")));
            Assert.True(DepthKit.Models.ConvolutionRoute.Routes(DepthKit.Models.ConvShape.Parse("conv 1x1 s2 p0 512->1024 @1x512x8x8")));
        }
        Assert.True(Runtime.StartupCheck().Worst <= GradientCheck.Tolerance);
    }

    internal static void AssertGradientsMatch(int inChannels, int outChannels, int kernel, int stride, int padding, int size)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(seed: 1234);
        var x64 = randn([2, inChannels, size, size], dtype: float64, generator: generator);
        var w64 = randn([outChannels, inChannels, kernel, kernel], dtype: float64, generator: generator) * 0.1;
        var up64 = randn(nn.functional.conv2d(x64, w64, strides: [stride, stride], padding: [padding, padding]).shape, dtype: float64, generator: generator);

        var (gx, gw) = Gradients(x64.to(float32), w64.to(float32), up64.to(float32), stride, padding);
        var (rx, rw) = Gradients(x64, w64, up64, stride, padding);

        Assert.True(RelativeError(gx, rx) < 1e-4, $"input gradient: relative error {RelativeError(gx, rx):E2} (k={kernel}, out={outChannels}, stride={stride})");
        Assert.True(RelativeError(gw, rw) < 1e-4, $"weight gradient: relative error {RelativeError(gw, rw):E2} (k={kernel}, out={outChannels}, stride={stride})");
    }

    static (Tensor Input, Tensor Weight) Gradients(Tensor x, Tensor w, Tensor upstream, int stride, int padding)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        var y = nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);
        // as the kit's models compute it: through the kit's own backward where the runtime routes this shape
        var shape = new DepthKit.Models.ConvShape(false, x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[0], (w.shape[2], w.shape[3]),
            (stride, stride), (padding, padding), (1, 1), 1, (0, 0));
        if (DepthKit.Models.ConvolutionRoute.Routes(shape)) y = DepthKit.Models.ConvolutionRoute.Apply(shape, x, w, null, y);
        (y * upstream).sum().backward();
        return (x.grad!.to(float64), w.grad!.to(float64));
    }

    static double RelativeError(Tensor actual, Tensor reference) =>
        (actual - reference).norm().item<double>() / Math.Max(reference.norm().item<double>(), 1e-30);
}
