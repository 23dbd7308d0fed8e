using DepthKit.Cli;
using DepthKit.Tests.Foundation;
using DepthKit.Training;

namespace DepthKit.Tests.Reliability;

/// <summary>Option values that used to be accepted (and trained on NaN or nothing) or blamed a file: one line naming the option, exit 2.</summary>
public class OptionTests
{
    // a folder of its own per call: a refused run must not create it (a shared path could be left by another run)
    static string[] Train(string outDir) => ["train", "--model", "cnn", "--data", "synth", "--out", outDir, "--device", "cpu"];

    static string NeverCreated() => Path.Combine(Path.GetTempPath(), "depthkit-never-created-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("--clip", "nan", "finite")]
    [InlineData("--weight-decay", "nan", "finite")]
    [InlineData("--weight-decay", "-1", "negative")]
    [InlineData("--patience", "-1", "negative")]
    [InlineData("--train-count", "-5", "negative")]
    [InlineData("--val-count", "-1", "negative")]
    [InlineData("--lr", "Infinity", "finite")]
    [InlineData("--lr", "0", "positive")]
    [InlineData("--batch", "0", "at least 1")]
    [InlineData("--epochs", "0", "at least 1")]
    [InlineData("--size", "0x32", "between 1 and 8192")]
    [InlineData("--size", "32x9000", "between 1 and 8192")]
    [InlineData("--size", "99999999999x2", "between 1 and 8192")]
    [InlineData("--seed", "12345678901", "whole number")]
    public void TrainRefusesTheValueNamingTheOption(string option, string value, string why)
    {
        var outDir = NeverCreated();
        var (code, _, error) = CliRunner.Run([.. Train(outDir), option, value]);
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains($"{option} '{value}'", error);
        Assert.Contains(why, error);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void DepthScaleZeroBlamesTheOptionNotTheFirstDepthFile()
    {
        using var dir = new TempDir();
        Fixtures.SynthFolder(dir["data"], 2);
        var (code, _, error) = CliRunner.Run("data", "stats", "--data", dir["data"], "--depth-scale", "0");
        Assert.Equal(2, code);
        Assert.Equal("depthkit data stats: --depth-scale '0' must be positive (depth units per metre)", error.Trim());
    }

    [Theory]
    [InlineData("eval", "--count", "-1")]
    [InlineData("eval", "--max-depth", "nan")]
    [InlineData("metrics", "--min-depth", "-0.5")]
    [InlineData("metrics", "--pred-scale", "0")]
    public void OtherCommandsShareTheRules(string command, string option, string value)
    {
        string[] rest = command == "eval" ? ["--checkpoint", "x", "--data", "synth"] : ["--pred", "a.png", "--gt", "b.png"];
        var (code, _, error) = CliRunner.Run([command, .. rest, option, value]);
        Assert.Equal(2, code);
        Assert.Contains($"{option} '{value}'", error);
    }

    [Fact]
    public void RulesLiveOutsideTheParserAndTheOptionsRecord()
    {
        Assert.Throws<CliUsageException>(() => OptionRules.Check("batch", "0"));
        OptionRules.Check("batch", "3");
        OptionRules.Check("no-rule-for-this", "anything");
        // the library's own record refuses the same values for notebook users
        Assert.Throws<ArgumentException>(() => new TrainOptions { WeightDecay = double.NaN }.Validated());
        Assert.Throws<ArgumentException>(() => new TrainOptions { GradClipNorm = double.PositiveInfinity }.Validated());
        Assert.Throws<ArgumentException>(() => new TrainOptions { EarlyStopPatience = -1 }.Validated());
        Assert.Throws<ArgumentException>(() => DepthKit.Data.Datasets.Open(".", options: new DepthKit.Data.DatasetOptions { DepthUnitsPerMetre = 0 }));
    }
}
