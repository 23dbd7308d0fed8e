using System.Text.Json;
using DepthKit.Data;
using DepthKit.Tests.Foundation;

namespace DepthKit.Tests.Data;

public class DataStatsCommandTests
{
    [Fact]
    public void JsonReportsFormatCountSizeDepthRangeAndInvalidFraction()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["src"], frames: 3, h: 4, w: 6);
        NyuFixtures.Zip(dir["src"], dir["nyu_data.zip"]);
        var (code, output, error) = CliRunner.Run("data", "stats", "--data", dir["nyu_data.zip"], "--split", "test", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        Assert.Equal(["format", "count", "width", "height", "depth_min", "depth_median", "depth_max", "invalid_fraction"],
            r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("densedepth-zip", r.GetProperty("format").GetString());
        Assert.Equal(3, r.GetProperty("count").GetInt32());
        Assert.Equal(6, r.GetProperty("width").GetInt32());
        Assert.Equal(4, r.GetProperty("height").GetInt32());
        // depth mm = 1000 + 100y + 10x + n with (0,0) invalid: min 1.010 (n 0, x 1), max 1.352 (n 2, y 3, x 5)
        Assert.Equal(1.010, r.GetProperty("depth_min").GetDouble(), 6);
        Assert.Equal(1.352, r.GetProperty("depth_max").GetDouble(), 6);
        var all = Enumerable.Range(0, 3).SelectMany(n => Enumerable.Range(1, 23).Select(p => (1000 + 100 * (p / 6) + 10 * (p % 6) + n) / 1000.0)).Order().ToList();
        Assert.Equal(all[(all.Count + 1) / 2 - 1], r.GetProperty("depth_median").GetDouble(), 3); // 1 mm histogram
        Assert.Equal(3.0 / 72, r.GetProperty("invalid_fraction").GetDouble(), 9);
    }

    [Fact]
    public void TextOutputSaysHowManyImagesWereSampled()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir.Path, 5, 4, 6);
        var (code, output, _) = CliRunner.Run("data", "stats", "--data", dir.Path, "--split", "test", "--max-images", "2");
        Assert.Equal(0, code);
        Assert.Contains("nyu-test-npy", output);
        Assert.Contains("2 of 5 images (evenly spaced", output);
        Assert.Contains("6x4 (WxH)", output);
    }

    [Fact]
    public void BadDataIsOneLineExitOneAndSkipBadCounts()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path, frames: 3);
        File.WriteAllBytes(dir["data/nyu2_test/00001_depth.png"], [1, 2, 3]);
        var (code, _, error) = CliRunner.Run("data", "stats", "--data", dir.Path, "--split", "test");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("00001_depth.png", error);
        var (ok, output, _) = CliRunner.Run("data", "stats", "--data", dir.Path, "--split", "test", "--skip-bad");
        Assert.Equal(0, ok);
        Assert.Contains("1 bad sample(s) skipped", output);
        var (unknown, _, why) = CliRunner.Run("data", "stats", "--data", dir["data"], "--split", "all");
        Assert.Equal(1, unknown);
        Assert.Contains("cannot tell the dataset format", why);
    }

    [Fact]
    public void LabeledMatWithASplitsFileGivenOnTheCommandLine()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteLabeledMat(dir["labeled.mat"], frames: 4, 4, 6);
        NyuFixtures.WriteMatV5(dir["my-splits.mat"], ("trainNdxs", [1, 2, 4], 4, true), ("testNdxs", [3], 9, true));
        var (code, output, error) = CliRunner.Run("data", "stats", "--data", dir["labeled.mat"], "--splits", dir["my-splits.mat"], "--split", "test", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("nyu-labeled-mat", json.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(1.012, json.RootElement.GetProperty("depth_min").GetDouble(), 6); // frame 3 (n 2): 1000 + 10 + 2 mm
    }

    [Fact]
    public void StatsMedianIsExactToAMillimetre()
    {
        var ds = new Fixed([0f, 0.5f, 2.0f, 2.0004f, 7.25f]);
        var s = DatasetStats.Compute(ds, 10);
        Assert.Equal(0.5, s.DepthMin, 6);
        Assert.Equal(7.25, s.DepthMax, 6);
        Assert.InRange(s.DepthMedian, 1.9995, 2.0015);
        Assert.Equal(0.2, s.InvalidFraction, 9);
    }

    sealed class Fixed(float[] depth) : IDepthDataset
    {
        public string Name => "fixed";
        public int Count => 1;
        public DepthSample Get(int i) => new(1, depth.Length, new byte[depth.Length * 3], depth);
    }
}
