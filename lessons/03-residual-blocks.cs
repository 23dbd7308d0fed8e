// %% [markdown]
// # 03 · Residual blocks: Identity Block, Convolutional Block, Up-projection
//
// The slides' CNN+Res model is a ResNet-50 trunk followed by up-sampling blocks. This notebook builds its parts one
// at a time, checks their shapes, and measures *why* the skip connection matters.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using System.Diagnostics;
using DepthKit;
using DepthKit.Models;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;
using TorchSharp;
using static TorchSharp.torch;

DepthKitNotebook.Start("auto");
var device = DepthKitNotebook.Device;
manual_seed(0);
static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

// %% [markdown]
// ## Identity Block
//
// A ResNet-50 *bottleneck* whose shortcut is the input itself. Three convolutions squeeze the channels
// (1x1, C→P), work at the small width (3x3, P→P), and expand again (1x1, P→4P); their result is **added** to the input:
//
// ```
// x ──► conv1x1(C→P) ─ BN ─ ReLU ─► conv3x3(P→P) ─ BN ─ ReLU ─► conv1x1(P→4P) ─ BN ──(+)─ ReLU ─► out
// └───────────────────────────────── identity ─────────────────────────────────────┘
// ```
//
// The addition needs the same shape on both sides, so input and output are alike: C = 4P channels, same H and W.

// %%
var identity = new IdentityBlock(planes: 64).to(device);
var x = randn(new long[] { 1, 256, 16, 20 }, device: device);
Console.WriteLine($"IdentityBlock(64): {Shape(x)} -> {Shape(identity.call(x))}");
Show(ModelSummary.Create(identity, [1, 256, 16, 20]).ToDataFrame());

// %% [markdown]
// ## Convolutional Block
//
// Where a ResNet stage starts, the size changes: the 3x3 convolution has stride 2 (half H and W) and the channels grow.
// The shortcut then cannot be the input itself; it becomes a *projection*, a 1x1 convolution with the same stride
// (plus BN), so the two branches can still be added:
//
// ```
// x ──► conv1x1(C→P) ─ BN ─ ReLU ─► conv3x3(P→P, stride s) ─ BN ─ ReLU ─► conv1x1(P→4P) ─ BN ──(+)─ ReLU ─► out
// └──────────────────────── conv1x1(C→4P, stride s) ─ BN (downsample) ────────────────────┘
// ```

// %%
var convolutional = new ConvolutionalBlock(inChannels: 256, planes: 128, stride: 2).to(device);
Console.WriteLine($"ConvolutionalBlock(256 -> 4x128, stride 2): {Shape(x)} -> {Shape(convolutional.call(x))}");
Show(ModelSummary.Create(convolutional, [1, 256, 16, 20]).ToDataFrame());

// %% [markdown]
// A ResNet-50 is a stem (7x7 conv, max-pool) and four stages of [Convolutional Block, then Identity Blocks]:
// 3, 4, 6 and 3 blocks. Its trunk (everything but the classifier) has exactly the 23,508,032 parameters that the
// slide lists as *non-trainable*: the slides froze a pretrained trunk.

// %%
var resnet50 = new ResNet(50);
var (total, _, _) = Architectures.CountParameters(resnet50);
Console.WriteLine($"ResNet-50 trunk: {total:N0} parameters, {resnet50.OutChannels} output channels");

// %% [markdown]
// ## Why skip connections help: gradients measured
//
// A deep network learns through the gradient of the loss with respect to each layer's weights. In a *plain* stack,
// that gradient is a product of one factor per layer above it; if the factors are below one, the first layers receive
// almost nothing and stop learning (**vanishing gradients**). A residual block computes `x + F(x)`: the gradient
// reaches `x` through the `+` unchanged, however small the path through `F` is.
//
// `ConvStack` is a deep stack of 3x3 convolutions (no BN here, to isolate the effect), built twice with the same
// layers: plain, and with a skip connection around every pair of layers. `LayerStatistics.GradientNorms` runs one batch
// forward and backward and reports the gradient norm of every convolution's weights, input side first.

// %%
int layers = DepthKitNotebook.Profile.Pick(lesson: 30, smoke: 16);
var rgb = rand(new long[] { 4, 3, 32, 32 }, device: device);
var target = rand(new long[] { 4, 1, 32, 32 }, device: device) * 5 + 1;   // some depths in metres

manual_seed(1);
var plain = new ConvStack(layers, channels: 16).to(device);
manual_seed(1);
var residual = new ConvStack(layers, channels: 16, residual: true).to(device);

var plainGrads = LayerStatistics.GradientNorms(plain, rgb, target);
var residualGrads = LayerStatistics.GradientNorms(residual, rgb, target);
Show(LiveChart.Lines(
    [("plain", plainGrads.Select(g => (double)g.Index).ToList(), plainGrads.Select(g => g.GradientNorm).ToList()),
     ("residual", residualGrads.Select(g => (double)g.Index).ToList(), residualGrads.Select(g => g.GradientNorm).ToList())],
    $"Gradient norm per layer, {layers}-layer stack", "layer (0 = input side)", "||dL/dW||", logY: true));

// %% [markdown]
// The y axis is logarithmic. In the plain stack the gradient shrinks by orders of magnitude from the output back to
// the input: its first layers would barely move. With skip connections it stays within a small factor.

// %%
Console.WriteLine($"plain:    first layer {plainGrads[0].GradientNorm:E2}, last layer {plainGrads[^1].GradientNorm:E2}, ratio {plainGrads[0].GradientNorm / plainGrads[^1].GradientNorm:E1}");
Console.WriteLine($"residual: first layer {residualGrads[0].GradientNorm:E2}, last layer {residualGrads[^1].GradientNorm:E2}, ratio {residualGrads[0].GradientNorm / residualGrads[^1].GradientNorm:E1}");

// %% [markdown]
// ## Up-projection
//
// The encoder shrinks a 256x320 image to 8x10; the decoder must grow it back. Laina et al.'s **up-projection**
// (the slides: "doubles the image size and halves the number of channels") is a residual block for up-sampling:
// unpool 2x (each value in the top-left corner of a 2x2 cell of zeros), then two branches added together:
//
// ```
// x ─► unpool 2x ─┬─► conv5x5(C_in→C_out) ─ BN ─ ReLU ─► conv3x3(C_out→C_out) ─ BN ──(+)─ ReLU ─► out
//                 └─► conv5x5(C_in→C_out) ─ BN (projection) ───────────────────────┘
// ```

// %%
var up = new UpProjection(inChannels: 256, outChannels: 128).to(device);
var small = randn(new long[] { 1, 256, 8, 10 }, device: device);
Console.WriteLine($"UpProjection(256 -> 128): {Shape(small)} -> {Shape(up.call(small))}");
Console.WriteLine("unpooling a 2x2 map:");
Console.WriteLine(UpProjection.Unpool(arange(1, 5, dtype: float32).reshape(1, 1, 2, 2)).squeeze().ToString(TorchSharp.TensorStringStyle.Numpy));

// %% [markdown]
// ### Fast up-projection
//
// Three quarters of the unpooled map are zeros, so most of the 5x5 convolution's multiply-adds are wasted.
// The *fast* up-convolution splits the 5x5 kernel into four small kernels (3x3, 3x2, 2x3, 2x2), one per output
// pixel parity, runs them on the small map and interleaves the results. Same 25 weights, same result, about a quarter of
// the multiply-adds. We check the result with one kernel:

// %%
var kernel = randn(new long[] { 16, 32, 5, 5 }, device: device);
var input = randn(new long[] { 1, 32, 12, 16 }, device: device);
var slow = nn.functional.conv2d(UpProjection.Unpool(input), kernel, padding: new long[] { 2, 2 });
var fastConv = new FastUpConvolution(32, 16).to(device);
fastConv.LoadFrom5x5(kernel);
var fast = fastConv.call(input);
Console.WriteLine($"unpool + 5x5 conv: {Shape(slow)}; fast up-convolution: {Shape(fast)}; max difference {(slow - fast).abs().max().item<float>():E1}");

// %%
int channels = DepthKitNotebook.Profile.Pick(lesson: 256, smoke: 32);
var upProjection = new UpProjection(channels, channels / 2).to(device);
var fastUpProjection = new FastUpProjection(channels, channels / 2).to(device);
var features = randn(new long[] { 1, channels, 16, 20 }, device: device);
double Milliseconds(nn.Module<Tensor, Tensor> block)
{
    using var noGrad = no_grad();
    block.call(features);                       // warm-up
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < 3; i++) using (var scope = NewDisposeScope()) block.call(features);
    return clock.Elapsed.TotalMilliseconds / 3;
}
Console.WriteLine($"parameters: UpProjection {Architectures.CountParameters(upProjection).Total:N0}, FastUpProjection {Architectures.CountParameters(fastUpProjection).Total:N0}");
Console.WriteLine($"forward time on {device}: UpProjection {Milliseconds(upProjection):F0} ms, FastUpProjection {Milliseconds(fastUpProjection):F0} ms");

// %% [markdown]
// Fewer multiply-adds do not always mean less time: four small convolutions plus the interleaving have their own
// overhead, and how much the saving shows depends on the backend (GPU kernels, oneDNN on CPU). Measure on your
// machine; the outputs are the same either way.

// %% [markdown]
// ### The slides' up block
//
// The slides' model summary shows a slightly different block (`upmodel`): nearest up-sampling, a 5x5 conv + ReLU +
// 3x3 conv branch and a 5x5 conv branch, **concatenated** instead of added, no BN, biases everywhere. DepthKit has it
// as `SlideUpBlock` so that the slide's parameter counts can be checked: for 1024 channels its convolutions have
// 13,107,712, 1,179,904 and 6,553,856 parameters.

// %%
var slideUp = new SlideUpBlock(1024);
var summary = ModelSummary.Create(slideUp, [1, 1024, 8, 10]);
Console.WriteLine($"SlideUpBlock(1024): [1, 1024, 8, 10] -> [{string.Join(", ", summary.OutputShape)}]");
Show(summary.ToDataFrame());

// %% [markdown]
// Next: `04-models` assembles these blocks into the four architectures of the slides.
