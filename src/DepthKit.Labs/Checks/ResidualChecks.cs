using DepthKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

/// <summary>Seeded kit blocks in evaluation mode with non-trivial BatchNorm statistics, so every layer matters.</summary>
static class Blocks
{
    public static T Prepared<T>(int seed, Func<T> build) where T : nn.Module
    {
        manual_seed(seed);
        var block = build();
        using var noGrad = no_grad();
        foreach (var (_, module) in block.named_modules())
            if (module is BatchNorm bn) // the kit's BatchNorm2d
            {
                bn.weight!.uniform_(0.5, 1.5);
                bn.bias!.uniform_(-0.5, 0.5);
                bn.running_mean!.uniform_(-0.2, 0.2);
                bn.running_var!.uniform_(0.5, 2);
            }
        block.eval();
        return block;
    }

    static Tensor Relu(Tensor x) => nn.functional.relu(x);

    public static Tensor Main(BottleneckLayers l, Tensor x, bool innerRelu = true)
    {
        var y = l.Bn1.call(l.Conv1.call(x));
        if (innerRelu) y = Relu(y);
        y = l.Bn2.call(l.Conv2.call(y));
        if (innerRelu) y = Relu(y);
        return l.Bn3.call(l.Conv3.call(y));
    }

    /// <summary>The usual ways to wire a bottleneck wrongly, given the shortcut to add.</summary>
    public static IEnumerable<Mistake<Tensor>> Mistakes(BottleneckLayers l, Tensor x, Tensor shortcut) =>
    [
        new("the skip connection is added after the final ReLU: add the shortcut to bn3's output first, then apply the ReLU " +
            "(a block's output is never negative)", () => Relu(Main(l, x)) + shortcut),
        new("no skip connection: the output does not contain the block's input; add the shortcut before the final ReLU", () => Relu(Main(l, x))),
        new("the final ReLU is missing: apply it after adding the shortcut", () => Main(l, x) + shortcut),
        new("the ReLUs after bn1 and bn2 are missing", () => Relu(Main(l, x, innerRelu: false) + shortcut)),
        new("the shortcut is added before bn3: add it to bn3's output", () => Relu(l.Bn3.call(l.Conv3.call(Relu(l.Bn2.call(l.Conv2.call(Relu(l.Bn1.call(l.Conv1.call(x))))))) + shortcut))),
    ];

    public static string? ExplainShapes(Exception e) => e.Message.Contains("must match the size", StringComparison.Ordinal)
        ? "the branch and the shortcut differ in shape: a Convolutional Block changes channels (and size with a stride), " +
          "so its shortcut is Downsample(x), not x"
        : null;
}

/// <summary>The Identity Block's forward pass from its layers.</summary>
public sealed class IdentityBlockCheck : LabCheck<Func<BottleneckLayers, Tensor, Tensor>>
{
    public override string Id => "identity-block";
    public override string Lab => "03-residual-blocks";
    public override string Title => "Identity Block forward: main branch + identity shortcut";
    public override string Signature => "Tensor IdentityForward(BottleneckLayers l, Tensor x)";

    protected override string Evaluate(Func<BottleneckLayers, Tensor, Tensor> student)
    {
        using var noGrad = no_grad();
        var block = Blocks.Prepared(11, () => new IdentityBlock(planes: 4));
        var layers = BottleneckLayers.Of(block);
        manual_seed(12);
        var x = randn(2, 16, 6, 6);
        var expected = block.call(x);
        var got = Call(() => student(layers, x.clone()), Blocks.ExplainShapes);
        Compare.Tensors(got, expected, 1e-4, 1e-4, "the output", Blocks.Mistakes(layers, x, x));
        return $"matches the kit's IdentityBlock (planes 4, input {Compare.Shape(x)} -> {Compare.Shape(expected)}, eval mode, tolerance 1e-4)";
    }
}

/// <summary>The Convolutional Block's forward pass: the shortcut is a projection.</summary>
public sealed class ConvolutionalBlockCheck : LabCheck<Func<BottleneckLayers, Tensor, Tensor>>
{
    public override string Id => "conv-block";
    public override string Lab => "03-residual-blocks";
    public override string Title => "Convolutional Block forward: main branch + projection shortcut";
    public override string Signature => "Tensor ConvolutionalForward(BottleneckLayers l, Tensor x)";

    protected override string Evaluate(Func<BottleneckLayers, Tensor, Tensor> student)
    {
        using var noGrad = no_grad();
        var block = Blocks.Prepared(21, () => new ConvolutionalBlock(inChannels: 8, planes: 4, stride: 2));
        var layers = BottleneckLayers.Of(block);
        manual_seed(22);
        var x = randn(2, 8, 6, 6);
        var expected = block.call(x);
        var got = Call(() => student(layers, x.clone()), Blocks.ExplainShapes);
        var shortcut = layers.Downsample!.call(x);
        Compare.Tensors(got, expected, 1e-4, 1e-4, "the output",
        [
            .. Blocks.Mistakes(layers, x, shortcut),
            new("Downsample is applied to the main branch's output; it is the shortcut: Downsample(x)", () => nn.functional.relu(Blocks.Main(layers, x) + layers.Downsample.call(x))),
        ]);
        return $"matches the kit's ConvolutionalBlock (8 -> 16 channels, stride 2: {Compare.Shape(x)} -> {Compare.Shape(expected)}, tolerance 1e-4)";
    }
}

/// <summary>The parameter count of a bottleneck, by formula, against the kit's blocks.</summary>
public sealed class BlockParametersCheck : LabCheck<Func<long, long, bool, long>>
{
    public override string Id => "block-params";
    public override string Lab => "03-residual-blocks";
    public override string Title => "Parameters of an Identity Block and a Convolutional Block";
    public override string Signature => "long BottleneckParameters(long inChannels, long planes, bool projection)";

    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    protected override string Evaluate(Func<long, long, bool, long> student)
    {
        (long In, long Planes, bool Projection)[] cases = [(256, 64, false), (64, 64, true), (256, 128, true), (1024, 256, false), (16, 4, true)];
        foreach (var (inC, p, projection) in cases)
        {
            long expected;
            using (var scope = NewDisposeScope())
                expected = projection ? Count(new ConvolutionalBlock(inC, p, 2)) : Count(new IdentityBlock(p));
            long got = Call(() => student(inC, p, projection));
            long outC = 4 * p;
            long convs = inC * p + 9 * p * p + p * outC + (projection ? inC * outC : 0);
            long bnChannels = p + p + outC + (projection ? outC : 0);
            long convChannels = bnChannels;   // one output channel per BN channel: the would-be biases
            string what = projection ? $"a Convolutional Block {inC} -> {outC} (planes {p})" : $"an Identity Block of {inC} channels (planes {p})";
            Compare.Scalars(got, expected, 0, $"your count for {what}",
            [
                new("the BatchNorm layers are missing: each has two learned parameters per channel (gamma and beta)", () => convs),
                new("running mean and variance are buffers, not parameters: a BatchNorm has 2 parameters per channel", () => convs + 4 * bnChannels),
                new("the convolutions of a bottleneck have no bias (a BatchNorm follows each)", () => convs + 2 * bnChannels + convChannels),
                new("the middle convolution is 3x3: it has 9 weights per pair of channels", () => convs - 8 * p * p + 2 * bnChannels),
                new("the projection shortcut (1x1 conv + BN) of a Convolutional Block has parameters too",
                    () => inC * p + 9 * p * p + p * outC + 2 * (p + p + outC)),
                new("the last 1x1 convolution expands to 4 x planes channels", () => inC * p + 9 * p * p + p * p + (projection ? inC * p : 0) + 2 * (3 * p + (projection ? p : 0))),
            ]);
        }
        return $"matches the kit's blocks in all {cases.Length} cases (e.g. an Identity Block of 256 channels has 70,400 parameters)";
    }
}
