// %% [markdown]
// # Lab 03 · The Identity Block and the Convolutional Block
//
// ResNet-50, the trunk of the slides' CNN+Res, is built from bottleneck blocks: a 1x1 convolution that narrows the
// channels, a 3x3 convolution, a 1x1 convolution that widens them four times, each followed by Batch Normalization.
// The **skip connection** adds the block's input to that result before the last ReLU, so the gradient has a short
// path back through a deep network. In an **Identity Block** the shortcut is the input itself; in a **Convolutional
// Block** (where the channels or the size change) it is a projection, a 1x1 convolution with the block's stride + BN.
//
// ```
// x ─► conv1 1x1 ─ bn1 ─ ReLU ─► conv2 3x3 ─ bn2 ─ ReLU ─► conv3 1x1 ─ bn3 ──(+)─ ReLU ─► out
// └──────────────────────────── shortcut: x, or Downsample(x) ─────────────┘
// ```
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `identity-block`: the Identity Block's forward pass | 3 |
// | `conv-block`: the Convolutional Block's forward pass | 3 |
// | `block-params`: a bottleneck's parameter count by formula | 2 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Labs;
using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## Task 1 · `identity-block` (3 points)
//
// The check hands you the layers of one of the kit's `IdentityBlock`s (`l.Conv1`, `l.Bn1`, ..., `l.Bn3`); call a layer with
// `l.Conv1.call(x)` and the ReLU with `nn.functional.relu(t)`. Write how they connect.

// %%
Tensor IdentityForward(BottleneckLayers l, Tensor x)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("identity-block", IdentityForward);

// %% [markdown]
// ## Task 2 · `conv-block` (3 points)
//
// A Convolutional Block from 8 to 16 channels with stride 2 turns [2, 8, 6, 6] into [2, 16, 3, 3]: `x` can no longer be
// added as it is. Its layers include `l.Downsample` (1x1 convolution with stride 2 + BN). Write the forward pass.

// %%
Tensor ConvolutionalForward(BottleneckLayers l, Tensor x)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("conv-block", ConvolutionalForward);

// %% [markdown]
// ## Task 3 · `block-params` (2 points)
//
// How many learned parameters does a bottleneck have? With `inChannels` in, `planes` in the middle and `4 · planes` out:
// count the weights of the three convolutions (a k x k convolution from a to b channels has a · b · k² weights; these
// have no bias, because a BN follows each), the BatchNorm parameters (γ and β per channel; the running statistics are
// buffers, not parameters) and, when `projection` is true, the shortcut's 1x1 convolution and BN. The ResNet-50 trunk
// of the slides, 23,508,032 parameters, is made of such blocks.

// %%
long BottleneckParameters(long inChannels, long planes, bool projection)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("block-params", BottleneckParameters);

// %% [markdown]
// ## Compare with the kit
//
// The kit counts the parameters of its own blocks; your formula should give the same numbers:

// %%
Lab.Try(() =>
{
    foreach (var (inChannels, planes, projection) in new[] { (256L, 64L, false), (256L, 128L, true), (2048L, 512L, false) })
    {
        nn.Module block = projection ? new ConvolutionalBlock(inChannels, planes, 2) : new IdentityBlock(planes);
        long kit = block.parameters().Sum(p => p.numel());
        Console.WriteLine($"{(projection ? "ConvolutionalBlock" : "IdentityBlock"),-18} {inChannels,4} -> {4 * planes,4}: kit {kit,9:N0}, yours {BottleneckParameters(inChannels, planes, projection),9:N0}");
    }
});
