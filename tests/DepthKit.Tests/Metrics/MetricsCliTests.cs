using System.Text.Json;
using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Tests.Foundation;

namespace DepthKit.Tests.Metrics;

public class MetricsCliTests
{
    // 2x2 maps: gt 1, 2, 4, 8 m; prediction 1, 3, 4, 4 m (the hand example of MetricsTests: AbsRel 0.25)
    static readonly float[] Gt = [1, 2, 4, 8];
    static readonly float[] Pred = [1, 3, 4, 4];

    static ushort[] Millimetres(float[] metres) => DepthPng.MetresToMillimetres(metres);

    [Fact]
    public void FoldersArePairedByNameAcrossPngAndNpyAndJsonHasTheExactKeys()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["pred"]);
        Directory.CreateDirectory(dir["gt"]);
        DepthPng.Write16(dir["gt/a.png"], 2, 2, Millimetres(Gt));
        Npy.WriteFloat32(dir["pred/a.npy"], Pred, 2, 2);                    // float .npy: metres, no scale
        DepthPng.Write16(dir["gt/b.png"], 2, 2, Millimetres([2, 2, 0, 0])); // two missing pixels
        DepthPng.Write16(dir["pred/b.png"], 2, 2, Millimetres([2, 2, 9, 9]));
        DepthPng.Write16(dir["gt/c.png"], 2, 2, new ushort[4]);             // no valid pixel: skipped
        DepthPng.Write16(dir["pred/c.png"], 2, 2, Millimetres([1, 1, 1, 1]));

        var (code, output, error) = CliRunner.Run("metrics", "--pred", dir["pred"], "--gt", dir["gt"], "--crop", "none", "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(["d1", "d2", "d3", "abs_rel", "sq_rel", "rmse", "rmse_log", "log10", "silog", "images", "skipped_images", "pixels"],
                     doc.RootElement.EnumerateObject().Select(p => p.Name));
        var r = doc.RootElement;
        Assert.Equal(2, r.GetProperty("images").GetInt32());
        Assert.Equal(1, r.GetProperty("skipped_images").GetInt32());
        Assert.Equal(6, r.GetProperty("pixels").GetInt64());
        Assert.Equal((0.25 + 0) / 2, r.GetProperty("abs_rel").GetDouble(), 6);   // per-image average
        Assert.Equal((0.5 + 1) / 2, r.GetProperty("d1").GetDouble(), 6);

        var (pooledCode, pooled, _) = CliRunner.Run("metrics", "--pred", dir["pred"], "--gt", dir["gt"], "--crop", "none", "--averaging", "pixel-pooled");
        Assert.Equal(0, pooledCode);
        Assert.Contains("pixel-pooled", pooled);
        Assert.Contains(DepthMetrics.Header, pooled);
        Assert.Contains("2 image(s) evaluated, 1 skipped", pooled);
    }

    [Fact]
    public void TwoSingleFilesWithScalesAndMedianScaling()
    {
        using var dir = new TempDir();
        DepthPng.Write16(dir["gt.png"], 2, 2, Millimetres(Gt));
        // prediction stored in units of 1/256 m at twice the true depth
        DepthPng.Write16(dir["pred.png"], 2, 2, Gt.Select(m => (ushort)(m * 2 * 256)).ToArray());
        var (code, output, error) = CliRunner.Run("metrics", "--pred", dir["pred.png"], "--gt", dir["gt.png"], "--pred-scale", "256",
                                                  "--crop", "none", "--json");
        Assert.True(code == 0, error);
        Assert.Equal((1 + 1 + 1 + 0.25) / 4, DepthMetrics.FromJson(output).AbsRel, 6);   // |2g - g| / g, but 16 m clamps to 10 m
        (code, output, _) = CliRunner.Run("metrics", "--pred", dir["pred.png"], "--gt", dir["gt.png"], "--pred-scale", "256",
                                          "--crop", "none", "--median-scale", "--json");
        Assert.Equal(0, code);
        Assert.Equal(0, DepthMetrics.FromJson(output).AbsRel, 6);
        Assert.Equal(1, DepthMetrics.FromJson(output).D1);
    }

    [Fact]
    public void MismatchedNamesAndSizesAreErrorsNamingTheFiles()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["pred"]);
        Directory.CreateDirectory(dir["gt"]);
        DepthPng.Write16(dir["gt/a.png"], 2, 2, Millimetres(Gt));
        DepthPng.Write16(dir["pred/a.png"], 2, 2, Millimetres(Pred));
        DepthPng.Write16(dir["gt/b.png"], 2, 2, Millimetres(Gt));
        DepthPng.Write16(dir["pred/x.png"], 2, 2, Millimetres(Pred));
        var (code, _, error) = CliRunner.Run("metrics", "--pred", dir["pred"], "--gt", dir["gt"]);
        Assert.Equal(1, code);
        Assert.Contains("x.png", error);
        Assert.Contains("b.png", error);
        Assert.Single(error.Trim().Split('\n'));

        File.Delete(dir["pred/x.png"]);
        DepthPng.Write16(dir["pred/b.png"], 4, 4, new ushort[16]);
        (code, _, error) = CliRunner.Run("metrics", "--pred", dir["pred"], "--gt", dir["gt"]);
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(dir["pred"], "b.png"), error);
        Assert.Contains(Path.Combine(dir["gt"], "b.png"), error);
        Assert.Contains("4x4", error);
        Assert.Contains("2x2", error);
        // with --resize the 4x4 prediction is resized instead (its zeros clamp to 1e-3)
        (code, _, error) = CliRunner.Run("metrics", "--pred", dir["pred"], "--gt", dir["gt"], "--crop", "none", "--resize");
        Assert.True(code == 0, error);

        (code, _, error) = CliRunner.Run("metrics", "--pred", dir["pred/a.png"], "--gt", dir["gt"]);
        Assert.Equal(1, code);
        Assert.Contains("two files or two folders", error);
        (code, _, error) = CliRunner.Run("metrics", "--pred", dir["nope"], "--gt", dir["gt"]);
        Assert.Equal(1, code);
        Assert.Contains("nope", error);
        (code, _, error) = CliRunner.Run("metrics", "--pred", dir["pred"], "--gt", dir["gt"], "--crop", "kitti");
        Assert.Equal(2, code);
        Assert.Contains("eigen, garg, none", error);
    }

    [Fact]
    public void NpyShapesWithSizeOneAxesAreReadAndOtherShapesRejected()
    {
        using var dir = new TempDir();
        Npy.WriteFloat32(dir["a.npy"], Pred, 1, 2, 2);
        var map = DepthMapFiles.Read(dir["a.npy"], 1000);
        Assert.Equal((2, 2), (map.Height, map.Width));
        Assert.Equal(Pred, map.Metres);
        Npy.WriteFloat32(dir["b.npy"], new float[8], 2, 2, 2);
        var e = Assert.Throws<DepthKitDataException>(() => DepthMapFiles.Read(dir["b.npy"], 1000));
        Assert.Contains("b.npy", e.Message);
        File.WriteAllText(dir["c.txt"], "x");
        Assert.Throws<DepthKitDataException>(() => DepthMapFiles.Read(dir["c.txt"], 1000));
    }
}
