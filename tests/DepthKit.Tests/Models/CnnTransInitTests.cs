using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Models;
using DepthKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>
/// CNN+trans's transposed convolutions start as bilinear upsampling (<c>trans_init=bilinear</c>): a constant
/// feature map comes out constant and the untrained model's map has no period-2 pattern, unlike independent
/// Kaiming kernels (<c>trans_init=kaiming</c>), whose four output phases each see different weights.
/// </summary>
[Collection(nameof(GlobalTorchSeed))] // weights come from torch's global generator
public class CnnTransInitTests
{
    [Fact]
    public void TheBilinearKernelGivesEveryOutputPhaseWeightsSummingToOne()
    {
        var k = TransposedConvBnRelu.BilinearKernel();
        // with stride 2 and padding 1, output o takes kernel index o + 1 - 2i: the odd indices {1, 3} for even o, {0, 2} for odd o
        foreach (int a in new[] { 0, 1 })
            foreach (int b in new[] { 0, 1 })
            {
                double sum = 0;
                foreach (int i in new[] { a, a + 2 })
                    foreach (int j in new[] { b, b + 2 }) sum += k[i * 4 + j];
                Assert.Equal(1.0, sum, 6);
            }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AConstantInputStaysConstantOnlyWithTheBilinearStart(bool bilinear)
    {
        torch.manual_seed(3);
        using var unit = new TransposedConvBnRelu(32, 16);
        if (bilinear) unit.InitializeBilinear();
        unit.eval();
        using var scope = NewDisposeScope();
        var y = unit.call(ones(1, 32, 8, 8));
        // interior only: the border rows and columns see half of the kernel
        var interior = y[.., .., 1..15, 1..15];
        var perChannelStd = interior.reshape(16, -1).std(1);
        var level = interior.abs().mean().item<float>();
        double worst = perChannelStd.max().item<float>() / Math.Max(level, 1e-12);
        if (bilinear) Assert.InRange(worst, 0, 1e-5);
        else Assert.True(worst > 0.1, $"independent 4x4 kernels should draw a pattern on a constant input (relative std {worst})");
    }

    [Fact]
    public void TheUntrainedModelDrawsNoGridWithTheBilinearStart()
    {
        const int h = 64, w = 96;
        var grey = new DepthSample(h, w, Enumerable.Repeat((byte)128, h * w * 3).ToArray(), Enumerable.Repeat(2f, h * w).ToArray());
        double Amplitude(string init)
        {
            Trainer.Seed(5);
            using var model = Architectures.Create(new ModelConfig("cnn-trans", null, h, w).With("trans_init", init));
            var pred = Predictor.Predict(model, grey, h, w, h, w);
            return GridArtefacts.Measure(pred, h, w).Amplitude;
        }
        double bilinear = Amplitude("bilinear"), kaiming = Amplitude("kaiming");
        Assert.True(bilinear < kaiming / 5, $"grid amplitude: bilinear start {bilinear:G3}, Kaiming start {kaiming:G3}");
    }
}
