using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

static class Unpooling
{
    /// <summary>2x unpooling with each value at (dy, dx) of its 2x2 cell; (0, 0) is the kit's top-left.</summary>
    public static Tensor At(Tensor x, int dy, int dx)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var z = zeros([b, c, h, 2, w, 2], dtype: x.dtype);
        z[.., .., .., dy, .., dx] = x;
        return z.reshape(b, c, 2 * h, 2 * w);
    }

    public static string Corner(int dy, int dx) => (dy, dx) switch
    {
        (0, 1) => "top-right",
        (1, 0) => "bottom-left",
        _ => "bottom-right",
    };

    public static IEnumerable<Mistake<Tensor>> Mistakes(Tensor x) =>
    [
        .. new[] { (0, 1), (1, 0), (1, 1) }.Select(c => new Mistake<Tensor>(
            $"your values land in the {Corner(c.Item1, c.Item2)} corner of each 2x2 cell; the up-projection puts each value in the " +
            "top-left corner (out[2i, 2j] = x[i, j]) and zeros elsewhere", () => At(x, c.Item1, c.Item2))),
        new("each value fills its whole 2x2 cell: that is nearest-neighbour upsampling. Unpooling keeps one copy and fills the other three with zeros",
            () => x.repeat_interleave(2, dim: 2).repeat_interleave(2, dim: 3)),
        new("that is bilinear interpolation; unpooling keeps each value once and fills the other three positions of its 2x2 cell with zeros",
            () => nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: false)),
    ];
}

/// <summary>2x unpooling, value in the top-left corner.</summary>
public sealed class UnpoolCheck : LabCheck<Func<Tensor, Tensor>>
{
    public override string Id => "unpool";
    public override string Lab => "04-up-projection";
    public override string Title => "2x unpooling: each value in the top-left corner of a 2x2 cell of zeros";
    public override string Signature => "Tensor Unpool(Tensor x)";

    protected override string Evaluate(Func<Tensor, Tensor> student)
    {
        using var noGrad = no_grad();
        manual_seed(31);
        var x = randn(2, 3, 3, 4) + 5;   // away from 0, so a zero in the output is a zero the unpooling put there
        var expected = UpProjection.Unpool(x);
        var got = Call(() => student(x.clone()));
        Compare.Tensors(got, expected, 0, 0, "the unpooled tensor", Unpooling.Mistakes(x));
        return $"matches UpProjection.Unpool exactly on {Compare.Shape(x)} -> {Compare.Shape(expected)}";
    }
}

/// <summary>The Up-projection forward pass from its layers.</summary>
public sealed class UpProjectionCheck : LabCheck<Func<UpProjectionLayers, Tensor, Tensor>>
{
    public override string Id => "up-projection";
    public override string Lab => "04-up-projection";
    public override string Title => "Up-projection forward: unpool, two branches, sum, ReLU";
    public override string Signature => "Tensor UpProjectionForward(UpProjectionLayers l, Tensor x)";

    protected override string Evaluate(Func<UpProjectionLayers, Tensor, Tensor> student)
    {
        using var noGrad = no_grad();
        var block = Blocks.Prepared(41, () => new UpProjection(6, 3));
        var l = UpProjectionLayers.Of(block);
        manual_seed(42);
        var x = randn(2, 6, 4, 5);
        var expected = block.call(x);
        var got = Call(() => student(l, x.clone()), e => e.Message.Contains("must match the size", StringComparison.Ordinal)
            ? "the two branches differ in size: unpool x once and feed the unpooled tensor to both branches" : null);
        Tensor Branch(Tensor u, bool relu = true)
        {
            var y = l.Bn1.call(l.Conv1.call(u));
            if (relu) y = nn.functional.relu(y);
            return l.Bn2.call(l.Conv2.call(y));
        }
        Tensor Shortcut(Tensor u) => l.ProjectionBn.call(l.Projection.call(u));
        var up = UpProjection.Unpool(x);
        Compare.Tensors(got, expected, 1e-4, 1e-4, "the output",
        [
            new("the output keeps the input's size: unpool x first (2x up), then run both branches on the unpooled tensor",
                () => nn.functional.relu(Branch(x) + Shortcut(x))),
            new("the ReLU is applied before the sum: add the two branches first, then apply the ReLU",
                () => nn.functional.relu(Branch(up)) + Shortcut(up)),
            new("the final ReLU is missing: apply it to the sum of the two branches", () => Branch(up) + Shortcut(up)),
            new("the ReLU between the 5x5 and the 3x3 convolution of the main branch is missing", () => nn.functional.relu(Branch(up, relu: false) + Shortcut(up))),
            new("the projection branch is missing: add ProjectionBn(Projection(unpooled)) to the main branch", () => nn.functional.relu(Branch(up))),
            .. new[] { (0, 1), (1, 0), (1, 1) }.Select(c => new Mistake<Tensor>(
                $"your unpooling puts values in the {Unpooling.Corner(c.Item1, c.Item2)} corner of each 2x2 cell; use the top-left one (UpProjection.Unpool)",
                () => { var u = Unpooling.At(x, c.Item1, c.Item2); return nn.functional.relu(Branch(u) + Shortcut(u)); })),
            new("you upsampled with copies (nearest neighbour); the up-projection unpools into zeros",
                () => { var u = x.repeat_interleave(2, 2).repeat_interleave(2, 3); return nn.functional.relu(Branch(u) + Shortcut(u)); }),
        ]);
        return $"matches the kit's UpProjection (6 -> 3 channels, {Compare.Shape(x)} -> {Compare.Shape(expected)}, eval mode, tolerance 1e-4)";
    }
}
