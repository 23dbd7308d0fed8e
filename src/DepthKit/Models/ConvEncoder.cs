using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// The plain convolutional encoder shared by CNN, CNN+trans and CNN+FC: each stage halves H and W with
/// <c>conv3x3 stride 2 - BN - ReLU</c>, then refines with <c>conv3x3 - BN - ReLU</c>.
/// Output stride is 2^stages.
/// </summary>
public sealed class ConvEncoder : nn.Module<Tensor, Tensor>
{
    readonly Sequential stages;

    /// <summary>Output channels of each stage.</summary>
    public IReadOnlyList<long> Widths { get; }

    public long OutChannels => Widths[^1];

    public ConvEncoder(IReadOnlyList<long> widths) : base(nameof(ConvEncoder))
    {
        Widths = widths;
        var list = new List<nn.Module<Tensor, Tensor>>();
        long inChannels = 3;
        foreach (var w in widths)
        {
            list.Add(new ConvBnRelu(inChannels, w, 3, stride: 2));
            list.Add(new ConvBnRelu(w, w, 3));
            inChannels = w;
        }
        stages = nn.Sequential(list);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => stages.call(x);
}

/// <summary><c>conv(k x k) - BatchNorm - ReLU</c>, the unit of the plain CNNs.</summary>
public sealed class ConvBnRelu : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;
    readonly ReLU relu = nn.ReLU();

    public ConvBnRelu(long inChannels, long outChannels, long kernel, long stride = 1) : base(nameof(ConvBnRelu))
    {
        conv = Layers.Conv(inChannels, outChannels, kernel, stride);
        bn = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => relu.call(bn.call(conv.call(x)));
}
