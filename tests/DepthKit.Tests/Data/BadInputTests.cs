using System.IO.Compression;
using DepthKit.Data;

namespace DepthKit.Tests.Data;

/// <summary>One test per bad input: a DepthKitDataException naming the file and the problem, never a crash or hang.</summary>
public class BadInputTests
{
    const int H = 4, W = 6;

    static DepthKitDataException Fails(Action action) => Assert.Throws<DepthKitDataException>(action);

    [Fact]
    public void MissingFileListedInCsv()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        File.Delete(dir["data/nyu2_test/00001_depth.png"]);
        var e = Fails(() => Datasets.Open(dir.Path, DatasetSplit.Test));
        Assert.Contains("00001_depth.png", e.Path);
        Assert.Contains("not found", e.Message);
        Assert.Contains("nyu2_test.csv line 2", e.Message);
    }

    [Fact]
    public void MissingFilesAreSkippedAndCountedWhenAsked()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path, frames: 3);
        File.Delete(dir["data/nyu2_test/00001_colors.png"]);
        File.Delete(dir["data/nyu2_test/00000_colors.png"]); // the first row too: paths are still resolved from later rows
        var options = new DatasetOptions { SkipBadSamples = true };
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test, options);
        Assert.Equal(1, ds.Count);
        Assert.Equal(2, options.BadSamples.Count);
        Assert.Contains("00000_colors.png", options.BadSamples.Summary());
        Assert.Contains(options.BadSamples.Examples, m => m.Contains("00001_colors.png"));
        Assert.Equal(NyuFixtures.Rgb(2, H, W), ds.Get(0).Rgb); // the row after the bad ones keeps its data
    }

    [Fact]
    public void CorruptDepthPng()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        var bytes = File.ReadAllBytes(dir["data/nyu2_test/00000_depth.png"]);
        for (int i = 40; i < bytes.Length - 12; i++) bytes[i] ^= 0x5A; // scramble the compressed data
        File.WriteAllBytes(dir["data/nyu2_test/00000_depth.png"], bytes);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test);
        var e = Fails(() => ds.Get(0));
        Assert.EndsWith("00000_depth.png", e.Path);
        ds.Get(1); // the other sample is fine
    }

    [Fact]
    public void TruncatedJpeg()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path, h: 32, w: 48);
        var path = dir["data/nyu2_train/room_0001_out/0.jpg"];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Train);
        var e = Fails(() => ds.Get(0));
        Assert.EndsWith("0.jpg", e.Path);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void DepthPngOfUnexpectedType()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        RgbImage.WritePng(dir["data/nyu2_test/00000_depth.png"], H, W, NyuFixtures.Rgb(0, H, W)); // colour, not gray
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test);
        var e = Fails(() => ds.Get(0));
        Assert.Contains("single-channel grayscale", e.Message);
        Assert.EndsWith("00000_depth.png", e.Path);
    }

    [Fact]
    public void RgbAndDepthOfDifferentSizes()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        DepthPng.Write16(dir["data/nyu2_test/00001_depth.png"], H + 1, W, new ushort[(H + 1) * W]);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test);
        var e = Fails(() => ds.Get(1));
        Assert.Contains("RGB is 4x6 but depth is 5x6", e.Message);
    }

    [Fact]
    public void NaNDepthFailsUnlessTreatedAsInvalid()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir.Path, 1, H, W);
        var depth = NyuFixtures.DepthMetres(0, H, W);
        depth[7] = float.NaN;
        Npy.WriteFloat32(dir[NyuTestNpy.DepthFile], depth, 1, H, W);
        using (var ds = Datasets.Open(dir.Path, DatasetSplit.Test))
        {
            var e = Fails(() => ds.Get(0));
            Assert.Contains("non-finite depth", e.Message);
            Assert.Contains("row 1, column 1", e.Message);
        }
        using var lenient = Datasets.Open(dir.Path, DatasetSplit.Test, new DatasetOptions { NonFiniteDepthIsInvalid = true });
        var s = lenient.Get(0);
        Assert.False(s.IsValid(7));
        Assert.Equal(0f, s.Depth[7]);
    }

    [Fact]
    public void NegativeDepth()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir.Path, 1, H, W);
        var depth = NyuFixtures.DepthMetres(0, H, W);
        depth[W + 2] = -1.5f;
        Npy.WriteFloat32(dir[NyuTestNpy.DepthFile], depth, 1, H, W);
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test, new DatasetOptions { NonFiniteDepthIsInvalid = true });
        var e = Fails(() => ds.Get(0));
        Assert.Contains("negative depth -1.5 m at row 1, column 2", e.Message);
    }

    [Fact]
    public void EmptyCsv()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path);
        File.WriteAllText(dir["data/nyu2_train.csv"], "\n\n");
        var e = Fails(() => Datasets.Open(dir.Path, DatasetSplit.Train));
        Assert.Contains("CSV is empty", e.Message);
        Assert.EndsWith("nyu2_train.csv", e.Path);
    }

    [Fact]
    public void MatWithoutTheExpectedDatasets()
    {
        using var dir = new TempDir();
        new PureHDF.H5File { ["rawDepths"] = new float[] { 1, 2, 3 } }.Write(dir["nyu_depth_v2_labeled.mat"]);
        var e = Fails(() => Datasets.Open(dir["nyu_depth_v2_labeled.mat"], DatasetSplit.All));
        Assert.Contains("no 'images' dataset", e.Message);
        Assert.Contains("rawDepths", e.Message);
    }

    [Fact]
    public void ZipEntryPathEscapingTheFolder()
    {
        using var dir = new TempDir();
        using (var zip = ZipFile.Open(dir["nyu_data.zip"], ZipArchiveMode.Create))
        {
            var csv = zip.CreateEntry("data/nyu2_test.csv");
            using (var w = new StreamWriter(csv.Open())) w.Write("../../../etc/passwd,data/x.png\n");
            zip.CreateEntry("data/x.png");
        }
        var e = Fails(() => Datasets.Open(dir["nyu_data.zip"], DatasetSplit.Test));
        Assert.Contains("escapes the dataset folder", e.Message);
        Assert.Contains("nyu2_test.csv line 1", e.Message);
    }

    [Fact]
    public void NpyZipEntryEscapingTheFolderIsNotExtracted()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir["npy"], 1, H, W);
        using (var zip = ZipFile.Open(dir["nyu_test.zip"], ZipArchiveMode.Create))
        {
            zip.CreateEntryFromFile(dir["npy/" + NyuTestNpy.RgbFile], "../" + NyuTestNpy.RgbFile);
            zip.CreateEntryFromFile(dir["npy/" + NyuTestNpy.DepthFile], NyuTestNpy.DepthFile);
        }
        var e = Fails(() => Datasets.Open(dir["nyu_test.zip"], DatasetSplit.Test, new DatasetOptions { CacheDirectory = dir["cache"] }));
        Assert.Contains("escapes", e.Message);
        Assert.False(Directory.Exists(dir["cache"]));
    }

    [Fact]
    public void CsvPathEscapingTheFolder()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["nyu"]);
        File.WriteAllText(dir["nyu/data/nyu2_test.csv"], "data/nyu2_test/00000_colors.png,../../outside.png\n");
        File.WriteAllText(dir["outside.png"], "x");
        var e = Fails(() => Datasets.Open(dir["nyu"], DatasetSplit.Test));
        Assert.Contains("escapes the dataset folder", e.Message);
    }
}
