using System.IO.Compression;
using DepthKit.Data;
using PureHDF;

namespace DepthKit.Tests.Data;

public class DatasetSourceTests
{
    const int H = 4, W = 6;

    static void AssertRgbExact(int n, DepthSample s) => Assert.Equal(NyuFixtures.Rgb(n, H, W), s.Rgb);

    static void AssertTestDepthExact(int n, DepthSample s)
    {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                Assert.Equal((float)(NyuFixtures.DepthMm(n, y, x) / 1000.0), s.Depth[y * W + x]);
        Assert.False(s.IsValid(0)); // mm 0 at (0, 0) is a missing measurement
        Assert.True(s.IsValid(1));
    }

    [Fact]
    public void DenseDepthFolderTestSplitReads16BitMillimetresAndPngRgbExactly()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test);
        Assert.Equal("densedepth-folder", ds.Format);
        Assert.Equal(2, ds.Count);
        for (int n = 0; n < 2; n++)
        {
            var s = ds.Get(n);
            Assert.Equal((H, W), (s.Height, s.Width));
            AssertRgbExact(n, s);
            AssertTestDepthExact(n, s);
        }
    }

    [Fact]
    public void ACsvFileOrTheDataFolderCanBeGivenDirectly()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        using var csv = Datasets.Open(dir["data/nyu2_test.csv"]);
        AssertTestDepthExact(1, csv.Get(1));
        using var data = Datasets.Open(dir["data"], DatasetSplit.Test);
        AssertRgbExact(0, data.Get(0));
    }

    [Fact]
    public void DenseDepthTrainSplitReads8BitDepthAsV255Times10()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Train);
        var s = ds.Get(1);
        // depth PNG value v = 10y + x + 1 + n; metres = v / 255 * 10
        Assert.Equal((float)(1 / 25.5 * (10 * 2 + 3 + 1 + 1)), s.Depth[2 * W + 3], 6);
        Assert.Equal((float)((10 * 0 + 0 + 1 + 1) / 255.0 * 10), s.Depth[0], 6);
        // JPEG is lossy: the asymmetric pattern survives within a few levels (a transpose would be far off)
        var expected = NyuFixtures.Rgb(1, H, W);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(s.Rgb[i] - expected[i], -12, 12);
    }

    [Fact]
    public void ExplicitDepthScaleOverridesTheBitDepthRule()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test, new DatasetOptions { DepthUnitsPerMetre = 5000 });
        Assert.Equal((float)(NyuFixtures.DepthMm(0, 1, 2) / 5000.0), ds.Get(0).Depth[1 * W + 2]);
    }

    [Theory]
    [InlineData(CompressionLevel.Fastest)]
    [InlineData(CompressionLevel.NoCompression)]
    public void DenseDepthZipIsReadInPlaceWithTheSameValuesAsTheFolder(CompressionLevel level)
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["src"]);
        NyuFixtures.Zip(dir["src"], dir["nyu_data.zip"], level);
        using var zip = Datasets.Open(dir["nyu_data.zip"], DatasetSplit.Test);
        Assert.Equal("densedepth-zip", zip.Format);
        Assert.Equal(2, zip.Count);
        AssertRgbExact(1, zip.Get(1));
        AssertTestDepthExact(1, zip.Get(1));
        using var train = Datasets.Open(dir["nyu_data.zip"], DatasetSplit.Train);
        using var folder = Datasets.Open(dir["src"], DatasetSplit.Train);
        Assert.Equal(folder.Get(0).Depth, train.Get(0).Depth);
        Assert.Equal(folder.Get(0).Rgb, train.Get(0).Rgb);
    }

    [Fact]
    public void ZipReadsFromManyThreadsAtOnceAgree()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["src"], frames: 6);
        NyuFixtures.Zip(dir["src"], dir["nyu_data.zip"]);
        using var ds = Datasets.Open(dir["nyu_data.zip"], DatasetSplit.Test);
        var results = new DepthSample[48];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = ds.Get(i % 6));
        for (int i = 0; i < results.Length; i++) Assert.Equal(NyuFixtures.Rgb(i % 6, H, W), results[i].Rgb);
        // archives are pooled: a loader that starts new threads every epoch does not open new ones each time
        var store = (ZipStore)((DenseDepthDataset)ds).Store;
        int opened = store.OpenArchives;
        Assert.InRange(opened, 1, 5); // at most one per concurrent reader (4) plus the one that listed the entries
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Workers = 2 });
        for (int epoch = 0; epoch < 5; epoch++) foreach (var b in loader.Epoch(epoch)) b.Dispose();
        Assert.True(store.OpenArchives <= Math.Max(opened, 3), $"{store.OpenArchives} archives after 5 epochs");
    }

    [Fact]
    public void SynthIndexCsvWithPathsRelativeToItsFolderIsRead()
    {
        using var dir = new TempDir();
        var rgb = NyuFixtures.Rgb(3, H, W);
        RgbImage.WritePng(dir["rgb/0.png"], H, W, rgb);
        var mm = new ushort[H * W];
        for (int i = 0; i < mm.Length; i++) mm[i] = NyuFixtures.DepthMm(3, i / W, i % W);
        DepthPng.Write16(dir["depth/0.png"], H, W, mm);
        File.WriteAllText(dir["index.csv"], "rgb/0.png,depth/0.png\n");
        File.WriteAllText(dir["camera.json"], "{}");
        using var ds = Datasets.Open(dir.Path);
        Assert.Equal(1, ds.Count);
        Assert.Equal(rgb, ds.Get(0).Rgb);
        Assert.Equal(NyuFixtures.DepthMm(3, 2, 5) / 1000.0, ds.Get(0).Depth[2 * W + 5], 6);
    }

    [Fact]
    public void LabeledMatIsReadWithMatlabOrientationAndTheSplitsFile()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteLabeledMat(dir["nyu_depth_v2_labeled.mat"], frames: 5, H, W, chunkedDeflate: true);
        using (var h5 = PureHDF.H5File.OpenRead(dir["nyu_depth_v2_labeled.mat"]))
            Assert.Equal(PureHDF.H5DataLayoutClass.Chunked, h5.Dataset("images").Layout.Class); // as MATLAB writes big arrays
        // splits.mat as NYU ships it: 1-based, train stored compactly as uint8 in a compressed element, test as doubles
        NyuFixtures.WriteMatV5(dir["splits.mat"], ("trainNdxs", [1, 3, 4], 2, true), ("testNdxs", [2, 5], 9, false));
        using var test = (NyuLabeledMat)Datasets.Open(dir["nyu_depth_v2_labeled.mat"], DatasetSplit.Test);
        Assert.Equal("nyu-labeled-mat", test.Format);
        Assert.Equal((H, W), (test.Height, test.Width));
        Assert.Equal(2, test.Count);
        Assert.Equal(dir["splits.mat"], test.SplitSource);
        // test sample 1 is frame 5 (1-based) = n 4
        var s = test.Get(1);
        Assert.Equal(4, test.FrameOf(1));
        Assert.Equal(NyuFixtures.Rgb(4, H, W), s.Rgb);
        Assert.Equal(NyuFixtures.DepthMetres(4, H, W), s.Depth);
        using var train = Datasets.Open(dir.Path, DatasetSplit.Train);
        Assert.Equal(3, train.Count);
        Assert.Equal(NyuFixtures.Rgb(2, H, W), train.Get(1).Rgb); // frame 3 (1-based)
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LabeledMatWithoutSplitsUsesAllFramesOrAsksForSplits(bool matlabHeader)
    {
        using var dir = new TempDir();
        NyuFixtures.WriteLabeledMat(dir["labeled.mat"], frames: 3, H, W, matlabHeader);
        Assert.Equal(matlabHeader, File.ReadAllText(dir["labeled.mat"]).StartsWith("MATLAB 7.3"));
        using var all = Datasets.Open(dir["labeled.mat"], DatasetSplit.All);
        Assert.Equal(3, all.Count);
        Assert.Equal(NyuFixtures.DepthMetres(2, H, W), all.Get(2).Depth);
        var e = Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir["labeled.mat"], DatasetSplit.Train));
        Assert.Contains("splits.mat", e.Message);
    }

    [Fact]
    public void NyuTestNpyFolderAndZipsReadTheSameFramesAndTheDenseDepthCrop()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir["npy"], frames: 3, H, W);
        NyuFixtures.Zip(dir["npy"], dir["nyu_test.zip"], CompressionLevel.Fastest);
        NyuFixtures.Zip(dir["npy"], dir["stored.zip"], CompressionLevel.NoCompression);
        var options = new DatasetOptions { CacheDirectory = dir["cache"] };
        foreach (var path in new[] { dir["npy"], dir["nyu_test.zip"], dir["stored.zip"] })
        {
            using var ds = (NyuTestNpy)Datasets.Open(path, DatasetSplit.Test, options);
            Assert.Equal("nyu-test-npy", ds.Format);
            Assert.Equal(3, ds.Count);
            Assert.Equal((20, 460, 24, 616), ds.Crop);
            Assert.Equal(NyuFixtures.Rgb(2, H, W), ds.Get(2).Rgb);
            Assert.Equal(NyuFixtures.DepthMetres(1, H, W), ds.Get(1).Depth);
            if (path == dir["nyu_test.zip"]) Assert.Equal(2, ds.CachedFiles.Count); // deflated: extracted once
            if (path == dir["stored.zip"]) Assert.Empty(ds.CachedFiles);            // stored: read in place
        }
        Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir["npy"], DatasetSplit.Train));
    }

    [Fact]
    public void PairFolderMatchesGlobsInSortedOrderWithTumScale()
    {
        using var dir = new TempDir();
        for (int n = 0; n < 3; n++)
        {
            RgbImage.WritePng(dir[$"rgb/{n}.png"], H, W, NyuFixtures.Rgb(n, H, W));
            var v = new ushort[H * W];
            for (int i = 0; i < v.Length; i++) v[i] = (ushort)(5000 + 1000 * n + i);
            v[3] = 0;
            DepthPng.Write16(dir[$"depth/{n}.png"], H, W, v);
        }
        using var ds = Datasets.Open(dir.Path, options: new DatasetOptions { RgbGlob = "rgb/*.png", DepthGlob = "depth/*.png", DepthUnitsPerMetre = 5000 });
        Assert.Equal("pair-folder", ds.Format);
        Assert.Equal(3, ds.Count);
        var s = ds.Get(2);
        Assert.Equal(NyuFixtures.Rgb(2, H, W), s.Rgb);
        Assert.Equal((float)((5000 + 2000 + 5) / 5000.0), s.Depth[5]);
        Assert.False(s.IsValid(3));
    }

    [Fact]
    public void GlobSupportsStarQuestionMarkAndDoubleStar()
    {
        Assert.Matches(PairFolderDataset.Glob("rgb/*.png"), "rgb/1.png");
        Assert.DoesNotMatch(PairFolderDataset.Glob("rgb/*.png"), "rgb/a/1.png");
        Assert.Matches(PairFolderDataset.Glob("**/depth_?.png"), "a/b/depth_1.png");
        Assert.Matches(PairFolderDataset.Glob("**/depth_?.png"), "depth_1.png");
        Assert.DoesNotMatch(PairFolderDataset.Glob("**/depth_?.png"), "a/depth_12.png");
    }

    [Fact]
    public void UnknownFormatsGetAClearError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["notes.txt"], "hello");
        var e = Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir.Path));
        Assert.Contains("cannot tell the dataset format", e.Message);
        Assert.Contains(dir.Path, e.Message);
        var f = Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir["notes.txt"]));
        Assert.Contains("cannot tell", f.Message);
        NyuFixtures.WriteMatV5(dir["splits.mat"], ("trainNdxs", [1], 9, false));
        var g = Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir["splits.mat"]));
        Assert.Contains("not HDF5", g.Message);
    }
}

public class SynthInteropTests
{
    [Fact]
    public void FolderWrittenByDepthkitSynthOpensAsDenseDepthLayoutWithItsValues()
    {
        using var dir = new TempDir();
        SynthRooms.WriteDataset(dir.Path, count: 2, height: 24, width: 32, seed: 5);
        using var ds = Datasets.Open(dir.Path);
        Assert.Equal("densedepth-folder", ds.Format);
        Assert.Equal(2, ds.Count);
        var read = ds.Get(1);
        var rendered = SynthRooms.Render(5, SynthRooms.SceneIndex(SynthSplit.Train, 1), 24, 32, false, true);
        Assert.Equal(rendered.Rgb, read.Rgb); // PNG is lossless
        for (int p = 0; p < read.Depth.Length; p++)
            Assert.Equal(DepthPng.MetresToMillimetres([rendered.Depth[p]])[0] / 1000.0, read.Depth[p], 6); // 16-bit millimetres
    }

    [Fact]
    public void TheFormatRegistryFindsEveryFormatAndNamesThemWhenNoneFits()
    {
        var classes = typeof(Datasets).Assembly.GetTypes().Where(t => typeof(IDatasetFormat).IsAssignableFrom(t) && !t.IsInterface).ToList();
        Assert.Equal(classes.Count, Datasets.Formats.Count);
        Assert.Equal(Datasets.Formats.Count, Datasets.Formats.Select(f => f.Name).Distinct().Count());
        Assert.Equal(Datasets.Formats.OrderBy(f => f.Order), Datasets.Formats);
        string dir = Path.Combine(Path.GetTempPath(), $"depthkit-formats-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a dataset");
            var e = Assert.Throws<DepthKitDataException>(() => Datasets.Open(dir));
            Assert.Contains("cannot tell the dataset format of this folder", e.Message);
            Assert.All(Datasets.Formats, f => Assert.Contains(f.Summary, e.Message));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
