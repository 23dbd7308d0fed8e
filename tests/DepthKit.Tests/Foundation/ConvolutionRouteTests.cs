using System.Diagnostics;
using DepthKit.Models;
using DepthKit.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Foundation;

/// <summary>
/// The gradient harness (shapes of the architectures, float32 against float64), the kit's own convolution backward
/// and the start-up check that decides whether libtorch's oneDNN kernels can be trusted with gradients.
/// </summary>
public class ConvolutionRouteTests
{
    [Theory]
    [InlineData("conv 3x3 s1 p1 64->24 @2x64x32x40")]
    [InlineData("conv 1x1 s2 p0 512->1024 @2x512x16x20")]
    [InlineData("conv 3x2 s1 p0 16->8 @4x16x12x10")]
    [InlineData("deconv 4x4 s2 p1 op1 32->16 @16x32x24x32")]
    [InlineData("conv 3x3 s2x1 p1x0 d2 g4 8->8 @1x8x9x9")]
    public void ConvShapeParseReadsWhatToStringWrites(string text)
    {
        var shape = ConvShape.Parse(text);
        Assert.Equal(text, shape.ToString());
        Assert.Equal(shape, ConvShape.Parse(shape.ToString()));
    }

    [Theory]
    [InlineData("conv 3x3 64->24")]
    [InlineData("conv 3x3 s1 p1 64->24 @2x63x32x40")]
    [InlineData("pool 3x3 s1 p1 64->24 @2x64x32x40")]
    [InlineData("conv 3x3 s0 p1 64->24 @2x64x32x40")]
    [InlineData("conv 3x3 q1 64->24 @2x64x32x40")]
    public void ConvShapeParseRejectsMalformedText(string text) =>
        Assert.Contains("convolution shape", Assert.Throws<FormatException>(() => ConvShape.Parse(text)).Message);

    [Fact]
    public void ShapesOfAModelComeFromItsForwardPass()
    {
        using var model = Architectures.Create("cnn-trans", inputHeight: 32, inputWidth: 48);
        var shapes = ConvolutionShapes.Of(model, [2, 3, 32, 48]);
        var layers = model.named_modules().Where(m => m.Item2 is TorchSharp.Modules.Convolution).Select(m => m.Item1).ToHashSet();
        // every convolution layer ran once and is listed under exactly one shape
        Assert.Equal(layers.Count, shapes.Sum(s => s.Layers.Count));
        Assert.Equal(layers, shapes.SelectMany(s => s.Layers).ToHashSet());
        var first = shapes[0].Shape;
        Assert.Equal([2, 3, 32, 48], first.InputShape);
        Assert.False(first.Transposed);
        Assert.Contains(shapes, s => s.Shape.Transposed && s.Shape.Kernel == (4, 4) && s.Shape.Stride == (2, 2));
        Assert.Equal(shapes.Count, shapes.Select(s => s.Shape).Distinct().Count());
    }

    [Fact]
    public void TheSixArchitecturesAreAllCovered()
    {
        var settings = GradientCheck.Settings();
        Assert.Equal(Architectures.Names.OrderBy(n => n), settings.Select(s => s.Config.Name).OrderBy(n => n));
        Assert.Equal("resnet18-cntk", settings.Single(s => s.Label == "cnn-res").Config.Encoder);
    }

    [Theory]
    [InlineData("conv 3x3 s1 p1 16->16 @4x16x24x32")]
    [InlineData("conv 3x3 s2 p1 16->32 @4x16x24x32")]
    [InlineData("conv 1x1 s2 p0 64->128 @2x64x12x16")]
    [InlineData("conv 1x1 s1 p0 64->16 @2x64x12x16")]
    [InlineData("conv 7x7 s2 p3 3->64 @2x3x48x64")]
    [InlineData("conv 3x3 s1 p0 32->1 @2x32x20x24")]
    [InlineData("conv 5x5 s1 p2 32->16 @2x32x12x16")]
    [InlineData("conv 3x2 s1 p0 16->8 @2x16x13x11")]
    [InlineData("deconv 4x4 s2 p1 32->16 @4x32x12x16")]
    public void TheKitsBackwardMatchesFloat64(string text)
    {
        var errors = GradientCheck.Errors(ConvShape.Parse(text), kitBackward: true);
        Assert.True(errors.Worst <= GradientCheck.Tolerance, $"{text}: input {errors.Input:E2}, weight {errors.Weight:E2}");
    }

    [Fact]
    public void ARoutedModelGetsTheSameGradientsThroughTheKitsBackward()
    {
        // a shape no other test uses; every other shape keeps the host's rule, so parallel tests keep their route
        static bool Odd(ConvShape s) => s.InChannels == 5 && s.OutChannels == 7;
        using var model = nn.Sequential(nn.Conv2d(5, 7, 3, padding: 1, bias: true), nn.ReLU(), nn.Conv2d(7, 2, 1));
        var x = randn([3, 5, 13, 11], generator: new Generator(seed: 3));

        (Tensor[] Grads, int Asked) Run(bool route)
        {
            int asked = 0;
            var before = ConvolutionRoute.Rule;
            try
            {
                ConvolutionRoute.Rule = route ? s => Odd(s) ? ++asked > 0 : before?.Invoke(s) == true : before;
                ConvolutionRoute.Attach(model);
                model.zero_grad();
                model.call(x).square().sum().backward();
                return ([.. model.parameters().Select(p => p.grad!.clone())], asked);
            }
            finally { ConvolutionRoute.Rule = before; }
        }

        var (plain, _) = Run(route: false);
        var (routed, asked) = Run(route: true);
        Assert.Equal(1, asked);
        for (int i = 0; i < plain.Length; i++)
        {
            double error = (routed[i] - plain[i]).norm().item<float>() / plain[i].norm().item<float>();
            Assert.True(error < 1e-5, $"parameter {i}: relative difference {error:E2}");
        }
    }

    /// <summary>
    /// The start-up shapes through plain libtorch (DEPTHKIT_ONEDNN=on: full oneDNN, nothing routed) must fail exactly
    /// where CPUID reports no cache sizes, both ways the fault shows (each run is a child process): the quiet shapes
    /// with wrong gradients (exit 1, lines marked WRONG), the crashing one with a signal. Through the kit's choice
    /// (auto) and the kit's own backward (forward) every start-up shape passes everywhere.
    /// </summary>
    [Theory]
    [InlineData("on")]
    [InlineData("auto")]
    [InlineData("forward")]
    public void TheStartupCheckFailsExactlyWhereTheFaultIsPresent(string setting)
    {
        bool faulty = setting == "on" && CpuCacheInfo.Read().CacheLeavesEmpty;
        string cpuid = $"DEPTHKIT_ONEDNN={setting}, CPUID without cache sizes: {CpuCacheInfo.Read().CacheLeavesEmpty}";
        var quiet = Runtime.StartupShapes.Take(Runtime.StartupShapesThatFailQuietly).Concat(Runtime.StartupShapes.Skip(Runtime.StartupShapesThatFailQuietly + 1));
        var (code, output, error) = Doctor(setting, "--gradients", "--shape", string.Join(";", quiet));
        Assert.True(faulty ? code == 1 : code == 0, $"{cpuid}, exit {code}\n{output}\n{error}");
        Assert.Matches(@"worst relative gradient error: (\d\.\dE[-+]\d\d|inf)$", output.TrimEnd().Split('\n')[^1]);
        if (faulty) Assert.Contains(output.Split('\n'), line => line.EndsWith("WRONG", StringComparison.Ordinal));

        var crashing = Runtime.StartupShapes[Runtime.StartupShapesThatFailQuietly];
        (code, output, error) = Doctor(setting, "--gradients", "--shape", crashing);
        // SIGFPE kills the child (the dotnet host reports 128 + 8), or the gradients come out wrong
        Assert.True(faulty ? code != 0 : code == 0, $"{cpuid}, {crashing}: exit {code}\n{output}\n{error}");
    }

    [Fact]
    public void DoctorGradientsRejectsABadShapeWithOneLine()
    {
        var (code, _, error) = Doctor("auto", "--gradients", "--shape", "conv 3x3 64->24");
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", error);
        Assert.Single(error.Trim().Split('\n'), line => line.Contains("--shape: convolution shape 'conv 3x3 64->24'"));
    }

    static (int Code, string Output, string Error) Doctor(string oneDnn, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DepthKit.Cli.dll"));
        psi.ArgumentList.Add("doctor");
        psi.ArgumentList.Add("--device");
        psi.ArgumentList.Add("cpu");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEPTHKIT_ONEDNN"] = oneDnn;
        psi.Environment.Remove(Runtime.OneDnnIsaVariable);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
