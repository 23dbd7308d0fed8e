using System.Text.Json;
using DepthKit.Data;
using DepthKit.Tests.Foundation;

namespace DepthKit.Tests.Synth;

/// <summary>The on-disk nyu2 layout: index.csv, 8-bit RGB PNG, 16-bit millimetre depth PNG, camera.json, and the CLI.</summary>
public class SynthWriterTests
{
    [Fact]
    public void WrittenDatasetHasTheNyu2LayoutAndRoundTrips()
    {
        using var dir = new TempDir();
        var result = SynthRooms.WriteDataset(dir.Path, 3, 24, 32, seed: 4, sensorNoise: true);
        Assert.Equal(3, result.Count);
        Assert.Equal("00000_colors.png,00000_depth.png\n00001_colors.png,00001_depth.png\n00002_colors.png,00002_depth.png\n",
            File.ReadAllText(dir["index.csv"]));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

        var expected = SynthRooms.Render(4, 1, 24, 32, sensorNoise: true);
        var depth = DepthPng.Read(dir["00001_depth.png"]);
        Assert.Equal((24, 32, 16), (depth.Height, depth.Width, depth.BitDepth));
        Assert.Equal(DepthPng.MetresToMillimetres(expected.Depth), depth.Values);
        Assert.Contains(depth.Values, v => v == 0);                                          // holes stay 0
        for (int i = 0; i < expected.Depth.Length; i++)
            if (expected.Depth[i] > 0) Assert.Equal(expected.Depth[i], depth.Values[i] / 1000f, 0.0005);
        var (h, w, rgb) = RgbImage.Read(dir["00001_colors.png"]);
        Assert.Equal((24, 32), (h, w));
        Assert.Equal(expected.Rgb, rgb);

        using var json = JsonDocument.Parse(File.ReadAllText(dir["camera.json"]));
        var root = json.RootElement;
        Assert.Equal(518.8579 / 20, root.GetProperty("fx").GetDouble(), 5);
        Assert.Equal(519.4696 / 20, root.GetProperty("fy").GetDouble(), 5);
        Assert.Equal(325.5824 / 20, root.GetProperty("cx").GetDouble(), 5);
        Assert.Equal(253.7362 / 20, root.GetProperty("cy").GetDouble(), 5);
        Assert.Equal(32, root.GetProperty("width").GetInt32());
        Assert.Equal(24, root.GetProperty("height").GetInt32());
        Assert.Equal(1000, root.GetProperty("depth_scale").GetInt32());
    }

    [Fact]
    public void CliSynthWritesTheFolderAndReportsCountAndSpeed()
    {
        using var dir = new TempDir();
        var outDir = dir["set"];
        var (code, output, error) = CliRunner.Run("synth", "--out", outDir, "--count", "2", "--size", "24x32", "--seed", "9", "--split", "val",
            "--contact-sheet", dir["sheet.png"]);
        Assert.True(code == 0, error);
        Assert.Contains("wrote 2 images", output);
        Assert.Contains("images/s", output);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(outDir, "index.csv")).Length);
        Assert.True(File.Exists(Path.Combine(outDir, "00001_depth.png")));
        Assert.True(File.Exists(dir["sheet.png"]));
        // val split: scene 1e9 + 1
        var expected = SynthRooms.Render(9, SynthRooms.ValOffset + 1, 24, 32);
        Assert.Equal(DepthPng.MetresToMillimetres(expected.Depth), DepthPng.Read(Path.Combine(outDir, "00001_depth.png")).Values);

        var (bad, _, badError) = CliRunner.Run("synth", "--out", outDir, "--size", "24by32");
        Assert.Equal(2, bad);
        Assert.Contains("--size", badError);
    }
}
