using DepthKit.Data;

namespace DepthKit.Tests.Data;

public class MatV5Tests
{
    [Fact]
    public void ReadsDoubleUint8AndUint16StorageCompressedOrNot()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteMatV5(dir["s.mat"],
            ("a", [1, 2, 3, 4, 5], 9, false), ("b", [7, 300, 65535], 4, true), ("c", [0, 255], 2, false), ("d", [1.5, -2.25], 9, true));
        var m = MatV5.Read(dir["s.mat"]);
        Assert.Equal([1.0, 2, 3, 4, 5], m["a"].Values);
        Assert.Equal([5, 1], m["a"].Dimensions);
        Assert.Equal([7.0, 300, 65535], m["b"].Values);
        Assert.Equal([0.0, 255], m["c"].Values);
        Assert.Equal([1.5, -2.25], m["d"].Values);
    }

    [Fact]
    public void NyuSplitsAreCheckedAndFullSizeSplitsRoundTrip()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteMatV5(dir["splits.mat"],
            ("trainNdxs", NyuEigenSplit.TrainIndices.Select(i => (double)i).ToArray(), 4, true),
            ("testNdxs", NyuEigenSplit.TestIndices.Select(i => (double)i).ToArray(), 9, true));
        var (train, test) = MatV5.ReadNyuSplits(dir["splits.mat"], 1449);
        Assert.Equal(NyuEigenSplit.TrainIndices, train);
        Assert.Equal(NyuEigenSplit.TestIndices, test);

        NyuFixtures.WriteMatV5(dir["overlap.mat"], ("trainNdxs", [1, 2], 9, false), ("testNdxs", [2, 3], 9, false));
        Assert.Contains("frame 2 is in both", Assert.Throws<DepthKitDataException>(() => MatV5.ReadNyuSplits(dir["overlap.mat"], 5)).Message);
        NyuFixtures.WriteMatV5(dir["zero.mat"], ("trainNdxs", [0, 2], 9, false), ("testNdxs", [3], 9, false));
        Assert.Contains("1-based", Assert.Throws<DepthKitDataException>(() => MatV5.ReadNyuSplits(dir["zero.mat"], 5)).Message);
        NyuFixtures.WriteMatV5(dir["none.mat"], ("foo", [1], 9, false));
        Assert.Contains("no 'trainNdxs'", Assert.Throws<DepthKitDataException>(() => MatV5.ReadNyuSplits(dir["none.mat"], 5)).Message);
    }

    [Fact]
    public void TruncatedFileIsAClearError()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteMatV5(dir["s.mat"], ("a", Enumerable.Range(1, 50).Select(i => (double)i).ToArray(), 9, false));
        var bytes = File.ReadAllBytes(dir["s.mat"]);
        File.WriteAllBytes(dir["t.mat"], bytes[..200]);
        var e = Assert.Throws<DepthKitDataException>(() => MatV5.Read(dir["t.mat"]));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void BuiltInEigenSplitIs795TrainAnd654TestDisjointCovering1To1449()
    {
        Assert.Equal(795, NyuEigenSplit.TrainIndices.Length);
        Assert.Equal(654, NyuEigenSplit.TestIndices.Length);
        Assert.Empty(NyuEigenSplit.TrainIndices.Intersect(NyuEigenSplit.TestIndices));
        Assert.Equal(Enumerable.Range(1, 1449), NyuEigenSplit.TrainIndices.Concat(NyuEigenSplit.TestIndices).Order());
        Assert.Equal([1, 2, 9, 14, 15], NyuEigenSplit.TestIndices[..5]); // the first test frames of the official split
        Assert.Equal(1449, NyuEigenSplit.TestIndices[^1]);
    }
}
