using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// ResNet encoder (He et al. 2016) without its classifier: stem (7x7 conv stride 2, BN, ReLU, 3x3 max-pool
/// stride 2) and four stages. <see cref="forward"/> returns the last feature map (stride 32);
/// <see cref="Features"/> returns the map after the stem and after every stage for skip connections.
/// Parameter names are torchvision's state_dict keys (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, ...,
/// <c>layer2.0.downsample.0</c>), so torchvision checkpoints load by key.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly ReLU relu = nn.ReLU();
    readonly MaxPool2d maxpool;
    readonly Sequential layer1;
    readonly Sequential layer2;
    readonly Sequential layer3;
    readonly Sequential layer4;

    /// <summary>18, 34 or 50.</summary>
    public int Depth { get; }

    /// <summary>Blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18.</summary>
    public IReadOnlyList<int> BlocksPerStage { get; }

    /// <summary>Channels of the stem output and of the four stage outputs (e.g. 64, 64, 128, 256, 512).</summary>
    public IReadOnlyList<long> FeatureChannels { get; }

    /// <summary>Channels of the last feature map (512 for ResNet-18/34, 2048 for ResNet-50).</summary>
    public long OutChannels => FeatureChannels[^1];

    /// <param name="depth">18, 34 or 50.</param>
    /// <param name="blocksPerStage">Override the stage lengths, e.g. [2, 2, 2, 3] for the ImageNet ResNet-18 of
    /// the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package (a CNTK model whose stage 4 has 3 blocks).</param>
    public ResNet(int depth = 18, IReadOnlyList<int>? blocksPerStage = null) : base($"ResNet{depth}")
    {
        Depth = depth;
        BlocksPerStage = blocksPerStage ?? depth switch
        {
            18 => [2, 2, 2, 2],
            34 or 50 => [3, 4, 6, 3],
            _ => throw new ArgumentException($"ResNet depth {depth} is not supported: use 18, 34 or 50", nameof(depth)),
        };
        if (BlocksPerStage.Count != 4 || BlocksPerStage.Any(n => n < 1))
            throw new ArgumentException("blocksPerStage needs four positive counts", nameof(blocksPerStage));
        bool bottleneck = depth == 50;
        long expansion = bottleneck ? IdentityBlock.Expansion : BasicBlock.Expansion;

        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = new BatchNorm2d(64);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);

        long inChannels = 64;
        var stages = new Sequential[4];
        long[] planes = [64, 128, 256, 512];
        for (int s = 0; s < 4; s++)
        {
            long stride = s == 0 ? 1 : 2;
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (int b = 0; b < BlocksPerStage[s]; b++)
            {
                long blockStride = b == 0 ? stride : 1;
                if (bottleneck)
                    blocks.Add(b == 0 ? new ConvolutionalBlock(inChannels, planes[s], blockStride) : new IdentityBlock(planes[s]));
                else
                    blocks.Add(new BasicBlock(inChannels, planes[s], blockStride));
                inChannels = planes[s] * expansion;
            }
            stages[s] = nn.Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        FeatureChannels = [64, .. planes.Select(p => p * expansion)];
        RegisterComponents();
        Layers.InitializeWeights(this);
    }

    public override Tensor forward(Tensor x) => Features(x)[^1];

    /// <summary>
    /// Feature maps at strides 2 (stem, before max-pool), 4, 8, 16 and 32 (<c>layer1</c> .. <c>layer4</c>).
    /// </summary>
    public Tensor[] Features(Tensor x)
    {
        var stem = relu.call(bn1.call(conv1.call(x)));
        var f1 = layer1.call(maxpool.call(stem));
        var f2 = layer2.call(f1);
        var f3 = layer3.call(f2);
        var f4 = layer4.call(f3);
        return [stem, f1, f2, f3, f4];
    }

    /// <summary>The residual blocks in forward order (layer1.0, layer1.1, ..., layer4.N).</summary>
    public IEnumerable<nn.Module> Blocks() =>
        new[] { layer1, layer2, layer3, layer4 }.SelectMany(stage => stage.children());
}
