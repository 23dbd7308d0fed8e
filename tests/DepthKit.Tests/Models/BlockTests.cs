using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>The slides' blocks: shapes, the unpooling layout, and the fast up-projection identity.</summary>
public class BlockTests
{
    [Fact]
    public void IdentityBlockKeepsTheShapeAndConvolutionalBlockProjects()
    {
        using var scope = NewDisposeScope();
        using var identity = new IdentityBlock(planes: 8);
        Assert.Equal(new long[] { 2, 32, 6, 7 }, identity.call(randn(2, 32, 6, 7)).shape);
        using var projecting = new ConvolutionalBlock(inChannels: 16, planes: 8, stride: 2);
        Assert.Equal(new long[] { 2, 32, 3, 4 }, projecting.call(randn(2, 16, 6, 7)).shape);
        Assert.Contains("downsample.0.weight", projecting.state_dict().Keys);
        Assert.DoesNotContain(identity.state_dict().Keys, k => k.StartsWith("downsample"));
    }

    [Fact]
    public void BasicBlockProjectsOnlyWhenShapeChanges()
    {
        using var scope = NewDisposeScope();
        using var same = new BasicBlock(16, 16);
        Assert.False(same.HasProjection);
        Assert.Equal(new long[] { 1, 16, 5, 5 }, same.call(randn(1, 16, 5, 5)).shape);
        using var down = new BasicBlock(16, 32, stride: 2);
        Assert.True(down.HasProjection);
        Assert.Equal(new long[] { 1, 32, 3, 3 }, down.call(randn(1, 16, 5, 5)).shape);
    }

    [Fact]
    public void UnpoolPutsEachValueTopLeftOfItsCell()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(1, 1, 2, 3);
        var u = UpProjection.Unpool(x);
        var expected = tensor(new float[]
        {
            1, 0, 2, 0, 3, 0,
            0, 0, 0, 0, 0, 0,
            4, 0, 5, 0, 6, 0,
            0, 0, 0, 0, 0, 0,
        }).reshape(1, 1, 4, 6);
        Assert.True(u.eq(expected).all().item<bool>());
    }

    [Fact]
    public void UpProjectionDoublesSizeAndChangesChannels()
    {
        using var scope = NewDisposeScope();
        using var up = new UpProjection(8, 4);
        Assert.Equal(new long[] { 2, 4, 10, 12 }, up.call(randn(2, 8, 5, 6)).shape);
        using var fast = new FastUpProjection(8, 4);
        Assert.Equal(new long[] { 2, 4, 10, 12 }, fast.call(randn(2, 8, 5, 6)).shape);
        Assert.Equal(up.parameters().Sum(p => p.numel()), fast.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void FastUpConvolutionEqualsUnpoolThen5x5Conv()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(7);
        var x = randn([2, 3, 4, 5], generator: g);
        var k = randn([6, 3, 5, 5], generator: g);
        var reference = nn.functional.conv2d(UpProjection.Unpool(x), k, padding: [2, 2]);
        using var fast = new FastUpConvolution(3, 6);
        fast.LoadFrom5x5(k);
        var y = fast.call(x);
        Assert.Equal(reference.shape, y.shape);
        Assert.True((y - reference).abs().max().item<float>() < 1e-4f, $"max diff {(y - reference).abs().max().item<float>()}");
    }

    [Fact]
    public void SlideUpBlockDoublesSizeAndHalvesChannels()
    {
        using var scope = NewDisposeScope();
        using var block = new SlideUpBlock(16);
        Assert.Equal(new long[] { 1, 8, 6, 8 }, block.call(randn(1, 16, 3, 4)).shape);
        Assert.Throws<ArgumentException>(() => new SlideUpBlock(10));
    }
}
