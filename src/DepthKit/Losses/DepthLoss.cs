using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Losses;

/// <summary>
/// A training loss between a predicted and a ground-truth depth batch, both [B,1,H,W] in metres. Every loss is
/// masked by validity (gt &gt; 0 and finite, narrowed further by an optional <c>valid</c> mask), differentiable,
/// and a mean over the batch; invalid pixels get exactly zero gradient. Sizes must match: resize the
/// prediction first (torch.nn.functional.interpolate) if the network outputs a smaller map.
/// Pick one by name with <see cref="Create"/>; <see cref="Registry"/> lists them all.
/// </summary>
public abstract class DepthLoss
{
    /// <summary>The name <see cref="Create"/> knows it by.</summary>
    public abstract string Name { get; }

    /// <summary>One line for help texts: what it measures and where it comes from.</summary>
    public abstract string Summary { get; }

    /// <summary>The loss, a scalar tensor connected to <paramref name="pred"/>'s graph.</summary>
    /// <param name="pred">predicted depth [B,1,H,W]</param>
    /// <param name="gt">ground-truth depth [B,1,H,W]; 0, negative, NaN or inf mark missing pixels</param>
    /// <param name="valid">optional boolean mask [B,1,H,W] of pixels to use (combined with gt &gt; 0 and finite)</param>
    public Tensor Compute(Tensor pred, Tensor gt, Tensor? valid = null)
    {
        CheckShapes(pred, gt, valid);
        using var scope = NewDisposeScope();
        var mask = ValidMask(gt);
        if (valid is not null) mask = mask.logical_and(valid.to(ScalarType.Bool));
        return Masked(pred, gt, mask).MoveToOuterDisposeScope();
    }

    /// <summary>The loss given the final boolean validity mask (same shape as pred).</summary>
    protected abstract Tensor Masked(Tensor pred, Tensor gt, Tensor valid);

    public override string ToString() => Name;

    /// <summary>gt &gt; 0 and finite.</summary>
    public static Tensor ValidMask(Tensor gt) => gt.gt(Scalars.Zero).logical_and(gt.isfinite());

    // help texts list the simple losses first; a loss not named here follows alphabetically (declared before Registry:
    // static initialisers run in order)
    static readonly string[] Order = ["l1", "l2", "berhu", "silog", "silog-bts", "silog-grad", "ssi", "gradient", "ssim", "densedepth"];

    /// <summary>
    /// Every loss of this library, one instance each with its default settings: the subclasses of DepthLoss found by
    /// reflection, in the order of <see cref="Order"/> (then by name), so adding a loss is one new file.
    /// </summary>
    public static IReadOnlyList<DepthLoss> Registry { get; } = typeof(DepthLoss).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(DepthLoss)) && !t.IsAbstract)
        .Select(Instantiate)
        .OrderBy(l => Array.IndexOf(Order, l.Name) is var i && i >= 0 ? i : Order.Length).ThenBy(l => l.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>The names <see cref="Create"/> accepts, from <see cref="Registry"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Registry.Select(l => l.Name)];

    /// <summary>"name: summary" lines of every loss, for help texts.</summary>
    public static string Help() => string.Join("\n", Registry.Select(l => $"{l.Name}: {l.Summary}"));

    /// <summary>A loss by name (case-insensitive), with its default settings.</summary>
    public static DepthLoss Create(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        var prototype = Registry.FirstOrDefault(l => l.Name == key)
            ?? throw new ArgumentException($"unknown loss '{name}': use one of {string.Join(", ", Names)}");
        return Instantiate(prototype.GetType());
    }

    // a loss's constructor parameters all have defaults (its settings): call it with them
    static DepthLoss Instantiate(Type type)
    {
        var constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        if (parameters.Any(p => !p.HasDefaultValue))
            throw new InvalidOperationException($"{type.Name}: every constructor parameter of a DepthLoss needs a default to be in the registry");
        return (DepthLoss)constructor.Invoke([.. parameters.Select(p => p.DefaultValue)]);
    }

    /// <summary>A zero connected to pred's graph (a batch with no valid pixel gives zero loss and zero gradient).</summary>
    protected static Tensor Zero(Tensor pred) => pred.mul(Scalars.Zero).sum(); // (pred * 0).sum()

    /// <summary>Mean of x over the true entries of mask; zero (and zero gradient) when the mask is empty.</summary>
    protected static Tensor MaskedMean(Tensor x, Tensor mask)
    {
        long count = mask.sum().item<long>();
        if (count == 0) return Zero(x);
        using Scalar n = count;
        return x.masked_select(mask).sum().div(n);
    }

    static void CheckShapes(Tensor pred, Tensor gt, Tensor? valid)
    {
        if (pred.dim() != 4 || pred.shape[1] != 1)
            throw new ArgumentException($"prediction has shape {Shape(pred)}: a depth loss expects [B,1,H,W]");
        if (!pred.shape.SequenceEqual(gt.shape))
            throw new ArgumentException($"prediction {Shape(pred)} and ground truth {Shape(gt)} differ in size: resize the prediction to the ground truth (interpolate) before the loss");
        if (valid is not null && !valid.shape.SequenceEqual(gt.shape))
            throw new ArgumentException($"valid mask {Shape(valid)} does not match the ground truth {Shape(gt)}");
    }

    static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";
}
