using DepthKit.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>A model with an encoder (the part that can be pretrained, frozen or given its own learning rate).</summary>
public interface IHasEncoder
{
    nn.Module Encoder { get; }
}

/// <summary>
/// Base of every DepthKit architecture: RGB batch [B, 3, H, W] with values in [0, 1] in, depth [B, 1, h, w] in
/// metres out. The first step is <see cref="InputNormalization"/>, so every model takes the same input and a
/// pretrained encoder still sees the input convention it was trained with.
/// </summary>
public abstract class DepthNet : nn.Module<Tensor, Tensor>, IHasEncoder
{
    protected DepthNet(string name, ModelConfig config) : base(name)
    {
        Config = config;
        input_norm = InputNormalization.ImageNet();
        // RegisterComponents in the subclass does not see a base class's private fields
        register_module(nameof(input_norm), input_norm);
    }

    /// <summary>The configuration that rebuilds this model (saved beside checkpoints).</summary>
    public ModelConfig Config { get; }

    /// <summary>Maps the [0, 1] RGB input to what the encoder expects (ImageNet mean/std by default).</summary>
    public InputNormalization InputNorm => input_norm;
#pragma warning disable IDE1006 // field names become state_dict keys
    readonly InputNormalization input_norm;
#pragma warning restore IDE1006

    public abstract nn.Module Encoder { get; }

    /// <summary>True after <see cref="FreezeEncoder"/>.</summary>
    public bool EncoderFrozen { get; private set; }

    /// <summary>
    /// Stops training the encoder: its parameters get no gradients, and its BatchNorm layers stay in eval mode
    /// (running statistics unchanged) even when <c>train()</c> is called on the model.
    /// </summary>
    public void FreezeEncoder()
    {
        foreach (var p in Encoder.parameters()) p.requires_grad = false;
        EncoderFrozen = true;
        Encoder.eval();
    }

    /// <summary>Makes the encoder trainable again (and follows the model's train/eval mode).</summary>
    public void UnfreezeEncoder()
    {
        foreach (var p in Encoder.parameters()) p.requires_grad = true;
        EncoderFrozen = false;
        Encoder.train(training);
    }

    public override void train(bool on = true)
    {
        base.train(on);
        if (EncoderFrozen) Encoder.eval();
    }

    /// <summary>Encoder parameters (for a separate learning rate).</summary>
    public IEnumerable<Parameter> EncoderParameters() => Encoder.parameters();

    /// <summary>Every parameter that is not in the encoder.</summary>
    public IEnumerable<Parameter> DecoderParameters()
    {
        var encoder = new HashSet<IntPtr>(Encoder.parameters().Select(p => p.Handle));
        return parameters().Where(p => !encoder.Contains(p.Handle));
    }

    public sealed override Tensor forward(Tensor rgb)
    {
        if (rgb.dim() != 4 || rgb.shape[1] != 3)
            throw new ArgumentException($"{GetName()} expects an RGB batch [B, 3, H, W], got [{string.Join(", ", rgb.shape)}]");
        if (ConvolutionRoute.Rule is not null) ConvolutionRoute.Attach(this);
        return Predict(input_norm.call(rgb));
    }

    /// <summary>The network proper, on the normalised input.</summary>
    protected abstract Tensor Predict(Tensor x);
}

/// <summary>
/// Per-channel affine map of the input, with an optional channel reorder: <c>out[c] = x[order[c]] * scale[c] + shift[c]</c>.
/// Stored as buffers so a checkpoint restores it. <see cref="ImageNet"/> is torchvision's
/// <c>(x - mean) / std</c>; <see cref="CntkBgr"/> is the BGR 0-255 minus mean convention of the CNTK ResNet-18.
/// </summary>
public sealed class InputNormalization : nn.Module<Tensor, Tensor>
{
    readonly Tensor channel_order;
    readonly Tensor scale;
    readonly Tensor shift;

    public InputNormalization(long[] order, float[] scale, float[] shift) : base(nameof(InputNormalization))
    {
        channel_order = tensor(order, dtype: int64);
        this.scale = tensor(scale).reshape(1, 3, 1, 1);
        this.shift = tensor(shift).reshape(1, 3, 1, 1);
        register_buffer(nameof(channel_order), channel_order);
        register_buffer(nameof(this.scale), this.scale);
        register_buffer(nameof(this.shift), this.shift);
    }

    /// <summary>torchvision: <c>(x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]</c>, RGB order.</summary>
    public static InputNormalization ImageNet() => From(Normalization.ImageNet);

    /// <summary>The CNTK ResNet-18 of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>: BGR, 0-255, minus mean (B 103.06, G 115.90, R 123.15), no std.</summary>
    public static InputNormalization CntkBgr() => From(Normalization.CntkResNet18Bgr);

    /// <summary>
    /// The model-side form of a data-side <see cref="Normalization"/> (the constants live there, once): the model gets
    /// RGB in [0, 1], so pixel = 255 x and out[c] = x[source] * 255 * Scale / Std[c] - Mean[c] / Std[c].
    /// </summary>
    public static InputNormalization From(Normalization n) => new(
        n.Bgr ? [2, 1, 0] : [0, 1, 2],
        [.. n.Std.Select(std => 255f * n.Scale / std)],
        [.. n.Mean.Zip(n.Std, (mean, std) => -mean / std)]);

    /// <summary>Replaces this normalisation's values by another's (keeps the registered buffers).</summary>
    public void CopyFrom(InputNormalization other)
    {
        using var noGrad = no_grad();
        channel_order.copy_(other.channel_order);
        scale.copy_(other.scale);
        shift.copy_(other.shift);
    }

    // an explicit, rooted alpha: `a + b` makes a Scalar(1) that TorchSharp leaves to the finalizer, which can free it
    // while the native add still reads it (docs/runtime.md)

    public override Tensor forward(Tensor x) => (x.index_select(1, channel_order) * scale).add(shift, Scalars.One);
}

/// <summary>How the last layer turns features into metres.</summary>
public enum DepthActivation
{
    /// <summary>max(0, x), as on the slides and in FCRN.</summary>
    ReLU,
    /// <summary>log(1 + e^x): positive with a gradient everywhere (CPU models: no dead output at the start).</summary>
    Softplus,
}
