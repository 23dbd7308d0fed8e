using System.IO.Compression;
using System.Text.Json;
using DepthKit.Data;
using DepthKit.Tests.Data;
using DepthKit.Tests.Foundation;
using DepthKit.Training;

namespace DepthKit.Tests.Reliability;

/// <summary>Checks that were missing or messages a user could not act on.</summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class UnclearTests
{
    [Fact]
    public void EvalReadsTheTestOnlyNyuTestZip()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteNyuTestNpy(dir["npy"], 3, 8, 12);
        NyuFixtures.Zip(dir["npy"], dir["nyu_test.zip"]);
        Fixtures.ConstantModel(dir["run"]);
        var (code, output, error) = CliRunner.Run("eval", "--checkpoint", dir["run"], "--data", dir["nyu_test.zip"], "--json", "--device", "cpu");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(3, json.RootElement.GetProperty("images").GetInt32());
        var (train, _, error2) = CliRunner.Run("eval", "--checkpoint", dir["run"], "--data", dir["nyu_test.zip"], "--split", "train", "--device", "cpu");
        Assert.Equal(1, train);
        Assert.Contains("use split test", error2);
    }

    [Fact]
    public void MixedImageSizesTrainAtTheGivenSize()
    {
        using var dir = new TempDir();
        Fixtures.SynthFolder(dir["small"], 10, size: 16);
        Fixtures.SynthFolder(dir["large"], 10, size: 24, seed: 4);
        // one folder, index.csv listing both sizes: the first image already has the --size, later ones do not
        Directory.CreateDirectory(dir["mixed"]);
        var rows = new List<string>();
        foreach (var (folder, tag) in new[] { ("small", "s"), ("large", "l") })
            for (int i = 0; i < 10; i++)
            {
                foreach (var kind in new[] { "colors", "depth" }) File.Copy(dir[$"{folder}/{i:D5}_{kind}.png"], dir[$"mixed/{tag}{i:D5}_{kind}.png"]);
                rows.Add($"{tag}{i:D5}_colors.png,{tag}{i:D5}_depth.png");
            }
        File.WriteAllLines(dir["mixed/index.csv"], rows.Take(1).Concat(rows.Skip(10).Take(5)).Concat(rows.Skip(1).Take(9)).Concat(rows.Skip(15)));
        var (code, _, error) = CliRunner.Run("train", "--model", "cnn", "--data", dir["mixed"], "--size", "16x16", "--epochs", "1", "--batch", "4",
            "--out", dir["run"], "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Equal(1, Checkpoint.ReadInfo(dir["run/last.ckpt"]).Epoch);
    }

    [Fact]
    public void SymlinkLeavingTheDatasetFolderIsRefused()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["nyu"]);
        File.Copy(dir["nyu/data/nyu2_test/00000_colors.png"], dir["secret.png"]);
        File.Delete(dir["nyu/data/nyu2_test/00000_colors.png"]);
        File.CreateSymbolicLink(dir["nyu/data/nyu2_test/00000_colors.png"], dir["secret.png"]);
        // a link that stays inside the folder is an ordinary file
        File.Move(dir["nyu/data/nyu2_test/00001_colors.png"], dir["nyu/data/real.png"]);
        File.CreateSymbolicLink(dir["nyu/data/nyu2_test/00001_colors.png"], "../real.png");
        using var ds = Datasets.Open(dir["nyu"], DatasetSplit.Test);
        var e = Assert.Throws<DepthKitDataException>(() => ds.Get(0));
        Assert.EndsWith("00000_colors.png", e.Path);
        Assert.Contains("outside the dataset folder", e.Message);
        Assert.Equal(NyuFixtures.Rgb(1, 4, 6), ds.Get(1).Rgb);
        // a linked folder on the way counts too
        Directory.CreateDirectory(dir["elsewhere"]);
        File.Move(dir["nyu/data/nyu2_test/00001_depth.png"], dir["elsewhere/00001_depth.png"]);
        Directory.Delete(dir["nyu/data/nyu2_test"], recursive: true);
        Directory.CreateSymbolicLink(dir["nyu/data/nyu2_test"], dir["elsewhere"]);
        File.Copy(dir["secret.png"], dir["elsewhere/00001_colors.png"]);
        using var ds2 = Datasets.Open(dir["nyu"], DatasetSplit.Test, new DatasetOptions { SkipBadSamples = true });
        Assert.Contains("outside the dataset folder", Assert.Throws<DepthKitDataException>(() => ds2.Get(0)).Message);
    }

    [Fact]
    public void OneBadImageInAPredictBatchSkipsOnlyThatImage()
    {
        using var dir = new TempDir();
        Fixtures.ConstantModel(dir["run"]);
        Directory.CreateDirectory(dir["images"]);
        RgbImage.WritePng(dir["images/a.png"], 3, 4, new byte[36]);
        Fixtures.Corrupt(dir["images/b.png"]);
        RgbImage.WritePng(dir["images/c.png"], 3, 4, new byte[36]);
        var (code, output, error) = CliRunner.Run("predict", "--checkpoint", dir["run"], "--image", dir["images"], "--out", dir["pred"], "--device", "cpu");
        Assert.Equal(1, code);
        Assert.True(File.Exists(dir["pred/a_depth.png"]) && File.Exists(dir["pred/c_depth.png"]));
        Assert.False(File.Exists(dir["pred/b_depth.png"]));
        var lines = error.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("b.png", lines[0]);
        Assert.Contains("1 of 3 image(s) could not be read", lines[1]);
        Assert.Contains("the other 2 were written", lines[1]);
        Assert.Contains("c.png", output);
    }
}
