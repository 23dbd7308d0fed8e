using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Native;

/// <summary>An architecture as it trains: the model config and the batch size of its training steps.</summary>
public sealed record TrainingSetting(string Label, ModelConfig Config, int BatchSize);

/// <summary>Relative errors of one convolution shape's float32 gradients against float64.</summary>
public sealed record GradientError(ConvShape Shape, double Input, double Weight)
{
    public double Worst => Math.Max(Input, Weight);
}

/// <summary>
/// Are this machine's float32 convolution gradients right? For a convolution shape, the input and weight
/// gradients of a random upstream gradient are computed in float32 (through the kernels libtorch picks now, or the
/// kit's own backward where <see cref="ConvolutionRoute"/> routes the shape)
/// and in float64 from the same rounded values (float64 never runs oneDNN), and compared by relative error
/// ||g32 - g64|| / ||g64||. On CPUs whose CPUID reports no cache sizes some oneDNN kernels get this wrong
/// (docs/runtime.md has the table), so the shapes checked are those the kit's architectures really run.
/// </summary>
public static class GradientCheck
{
    /// <summary>What <c>depthkit doctor --gradients</c> accepts: float32 rounding over the longest reductions stays below it.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>
    /// The six architectures as the kit trains them: the slides' CNN+FC, CNN and CNN+trans and the quick profile's
    /// CNN+Res at the quick profile's size and batch, the slides' CNN+Res at the paper profile's size, and FCRN at
    /// Laina et al.'s 228x304. The two ResNet-50 models use batch 4, what a CPU training step holds.
    /// </summary>
    public static IReadOnlyList<TrainingSetting> Settings()
    {
        var quick = ReproduceProfile.Quick;
        var paper = ReproduceProfile.Paper;
        return
        [
            new("cnn-fc", Reproduction.ConfigFor(quick, "cnn-fc"), quick.BatchSize),
            new("cnn", Reproduction.ConfigFor(quick, "cnn"), quick.BatchSize),
            new("cnn-trans", Reproduction.ConfigFor(quick, "cnn-trans"), quick.BatchSize),
            new("cnn-res", Reproduction.ConfigFor(quick, "cnn-res"), quick.BatchSize),
            new("cnn-res-slides", new ModelConfig("cnn-res-slides", paper.ResidualEncoder, paper.Height, paper.Width), 4),
            new("fcrn", new ModelConfig("fcrn", null, 228, 304), 4),
        ];
    }

    /// <summary>
    /// The distinct convolution shapes of <paramref name="settings"/> (default <see cref="Settings"/>), each with the
    /// layers that run it ("fcrn encoder.layer1.0.conv2"). Builds each model once; weights do not change shapes.
    /// </summary>
    public static IReadOnlyList<(ConvShape Shape, IReadOnlyList<string> Layers)> Shapes(IEnumerable<TrainingSetting>? settings = null)
    {
        var all = new List<(ConvShape Shape, List<string> Layers)>();
        foreach (var setting in settings ?? Settings())
        {
            using var model = Architectures.Create(setting.Config);
            foreach (var (shape, layers) in ConvolutionShapes.Of(model, [setting.BatchSize, 3, setting.Config.InputHeight, setting.Config.InputWidth]))
            {
                int at = all.FindIndex(f => f.Shape == shape);
                var named = layers.Select(l => $"{setting.Label} {l}");
                if (at < 0) all.Add((shape, [.. named]));
                else all[at].Layers.AddRange(named);
            }
        }
        return [.. all.Select(a => (a.Shape, (IReadOnlyList<string>)a.Layers))];
    }

    /// <summary>
    /// Relative errors of <paramref name="shape"/>'s float32 input and weight gradients against float64, with inputs,
    /// weights (scaled like Kaiming's init) and upstream gradient drawn from <paramref name="seed"/>. NaN or
    /// infinite gradients count as infinitely wrong.
    /// </summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="seed">Seed of the random input, weight and upstream gradient.</param>
    /// <param name="kitBackward">True: float32 through the kit's own backward (<see cref="ConvolutionRoute"/>); false:
    /// libtorch's kernels; null (default): as the kit's models route this shape now.</param>
    public static GradientError Errors(ConvShape shape, long seed = 7, bool? kitBackward = null)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(seed: (ulong)seed);
        long fanIn = shape.WeightShape[1] * shape.Kernel.H * shape.Kernel.W;
        var x = randn(shape.InputShape, dtype: float32, generator: generator);
        var w = randn(shape.WeightShape, dtype: float32, generator: generator) * (float)Math.Sqrt(2.0 / fanIn);
        Tensor upstream;
        using (no_grad()) upstream = randn(Forward(shape, x.to(float64), w.to(float64)).shape, dtype: float32, generator: generator);

        var (gx, gw) = Gradients(shape, x, w, upstream, kitBackward ?? ConvolutionRoute.Routes(shape));
        var (rx, rw) = Gradients(shape, x.to(float64), w.to(float64), upstream.to(float64), kitBackward: false);
        return new GradientError(shape, Relative(gx, rx), Relative(gw, rw));
    }

    static (Tensor Input, Tensor Weight) Gradients(ConvShape shape, Tensor x, Tensor w, Tensor upstream, bool kitBackward)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        var y = Forward(shape, x, w);
        if (kitBackward) y = ConvolutionRoute.Apply(shape, x, w, null, y);
        (y * upstream).sum().backward();
        return (x.grad!.to(float64), w.grad!.to(float64));
    }

    static Tensor Forward(ConvShape s, Tensor x, Tensor w) => s.Transposed
        ? nn.functional.conv_transpose2d(x, w, strides: [s.Stride.H, s.Stride.W], padding: [s.Padding.H, s.Padding.W],
            output_padding: [s.OutputPadding.H, s.OutputPadding.W], groups: s.Groups, dilation: [s.Dilation.H, s.Dilation.W])
        : nn.functional.conv2d(x, w, strides: [s.Stride.H, s.Stride.W], padding: [s.Padding.H, s.Padding.W],
            dilation: [s.Dilation.H, s.Dilation.W], groups: s.Groups);

    static double Relative(Tensor actual, Tensor reference)
    {
        double error = (actual - reference).norm().item<double>() / Math.Max(reference.norm().item<double>(), 1e-300);
        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }
}
