using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>Tests that seed torch's global generator run alone: a test running in parallel would draw from it.</summary>
[CollectionDefinition(nameof(GlobalTorchSeed), DisableParallelization = true)]
public sealed class GlobalTorchSeed;

[Collection(nameof(GlobalTorchSeed))]
public class DeterminismTests
{
    [Theory]
    [InlineData("cnn-fc")]
    [InlineData("cnn-res")]
    public void SameSeedGivesTheSameWeightsAndOutputs(string name)
    {
        using var scope = NewDisposeScope();
        Tensor Run(long seed)
        {
            random.manual_seed(seed);
            using var model = Architectures.Create(name);
            model.eval();
            using var noGrad = no_grad();
            return model.call(full(1, 3, 32, 32, 0.5f)).MoveToOuterDisposeScope();
        }
        var a = Run(42);
        Assert.True(a.eq(Run(42)).all().item<bool>());
        Assert.False(a.eq(Run(43)).all().item<bool>());
    }

}
