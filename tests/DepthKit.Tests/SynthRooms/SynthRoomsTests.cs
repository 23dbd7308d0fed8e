using DepthKit.Data;
using DepthKit.Data.Synth;

namespace DepthKit.Tests.Synth;

/// <summary>Determinism, splits and the dataset object. Tiny images (48x64) keep these fast.</summary>
public class SynthRoomsTests
{
    const int H = 48, W = 64;

    [Fact]
    public void SameSeedAndIndexGiveTheSameBytes()
    {
        foreach (bool noise in new[] { false, true })
        {
            var a = SynthRooms.Render(7, 3, H, W, noise);
            var b = SynthRooms.Render(7, 3, H, W, noise);
            Assert.Equal(a.Rgb, b.Rgb);
            Assert.Equal(a.Depth, b.Depth);
        }
    }

    [Fact]
    public void DifferentSeedsOrIndicesGiveDifferentScenes()
    {
        var a = SynthRooms.Render(7, 3, H, W);
        Assert.NotEqual(a.Rgb, SynthRooms.Render(8, 3, H, W).Rgb);
        Assert.NotEqual(a.Depth, SynthRooms.Render(8, 3, H, W).Depth);
        Assert.NotEqual(a.Depth, SynthRooms.Render(7, 4, H, W).Depth);
    }

    [Fact]
    public void GetDoesNotDependOnCallOrderOrThreads()
    {
        var options = new SynthRoomsOptions { Seed = 11, Height = H, Width = W, TrainCount = 4, ValCount = 1, TestCount = 1 };
        var forward = SynthRooms.Open(options).Train;
        var first = Enumerable.Range(0, 4).Select(forward.Get).ToArray();
        var reverse = SynthRooms.Open(options).Train;
        var backward = Enumerable.Range(0, 4).Reverse().Select(reverse.Get).Reverse().ToArray();
        var parallel = SynthRooms.Open(options with { Cache = true }).Train.RenderAll();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(first[i].Rgb, backward[i].Rgb);
            Assert.Equal(first[i].Depth, backward[i].Depth);
            Assert.Equal(first[i].Rgb, parallel[i].Rgb);
            Assert.Equal(first[i].Depth, parallel[i].Depth);
        }
    }

    [Fact]
    public void SplitsUseDisjointScenesAndIndependentOfSplitSizes()
    {
        var small = SynthRooms.Open(new SynthRoomsOptions { Seed = 1, Height = H, Width = W, TrainCount = 3, ValCount = 2, TestCount = 2 });
        var large = SynthRooms.Open(new SynthRoomsOptions { Seed = 1, Height = H, Width = W, TrainCount = 500, ValCount = 50, TestCount = 70 });
        var train = Enumerable.Range(0, small.Train.Count).Select(small.Train.SceneIndex).ToHashSet();
        var val = Enumerable.Range(0, small.Val.Count).Select(small.Val.SceneIndex).ToHashSet();
        var test = Enumerable.Range(0, small.Test.Count).Select(small.Test.SceneIndex).ToHashSet();
        Assert.Empty(train.Intersect(val));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(val.Intersect(test));
        Assert.Equal(large.Test.SceneIndex(1), small.Test.SceneIndex(1));
        Assert.Equal(small.Test.Get(1).Depth, large.Test.Get(1).Depth); // growing the training set changes no test image
        Assert.NotEqual(small.Train.Get(0).Depth, small.Test.Get(0).Depth);
        Assert.Equal("SynthRooms/test", small.Test.Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => small.Val.Get(2));
    }

    [Fact]
    public void CachedSamplesAreCopiesSoCallersCannotCorruptTheCache()
    {
        var data = SynthRooms.Open(new SynthRoomsOptions { Seed = 2, Height = H, Width = W, TrainCount = 1, Cache = true }).Train;
        var a = data.Get(0);
        var original = (float[])a.Depth.Clone();
        Array.Fill(a.Depth, 123f);
        Assert.Equal(original, data.Get(0).Depth);
    }

    [Fact]
    public void SensorNoiseChangesDepthOnlyNotTheImage()
    {
        var clean = SynthRooms.Render(5, 0, H, W, sensorNoise: false);
        var noisy = SynthRooms.Render(5, 0, H, W, sensorNoise: true);
        Assert.Equal(clean.Rgb, noisy.Rgb);
        Assert.NotEqual(clean.Depth, noisy.Depth);
    }

    [Fact]
    public void SamplesLookLikeRoomsInRangeWithMostlyValidDepth()
    {
        for (int i = 0; i < 3; i++)
        {
            var s = SynthRooms.Render(3, i, H, W).Validated();
            var valid = s.Depth.Where(DepthSample.IsValidDepth).ToArray();
            Assert.True(valid.Length > H * W / 2, $"scene {i}: only {valid.Length} valid pixels");
            Assert.All(valid, d => Assert.InRange(d, 0.5f, 10f));
            Assert.True(valid.Max() - valid.Min() > 0.3f, $"scene {i}: depth is nearly constant");
            Assert.True(s.Rgb.Select(b => (int)b).Distinct().Count() > 20, $"scene {i}: image is nearly flat");
            Assert.All(s.Depth, d => Assert.True(d == 0 || (d >= 0.5f && d <= 10f)));
        }
    }
}
