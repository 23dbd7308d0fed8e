using System.Text.Json;
using DepthKit.Tests.Foundation;
using DepthKit.Tests.Reliability;

namespace DepthKit.Tests.Training;

/// <summary><c>eval --baseline</c>: the median-scaled constant scored on the same images under the same protocol.</summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class EvalBaselineTests
{
    [Fact]
    public void AConstantModelMedianScaledScoresExactlyTheBaseline()
    {
        using var dir = new TempDir();
        Fixtures.SynthFolder(dir["data"], 6, size: 16);
        Fixtures.ConstantModel(dir["run"]);
        string[] common = ["eval", "--checkpoint", dir["run"], "--data", Path.Combine(dir["data"], "index.csv"), "--split", "all", "--device", "cpu"];
        var (code, output, error) = CliRunner.Run([.. common, "--median-scale", "--baseline", "--json"]);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var model = json.RootElement.GetProperty("model");
        var baseline = json.RootElement.GetProperty("median_scaled_constant");
        Assert.Equal(6, baseline.GetProperty("images").GetInt32());
        // a model that predicts one value everywhere, median-scaled, is the baseline
        foreach (var key in new[] { "d1", "abs_rel", "rmse" })
            Assert.Equal(baseline.GetProperty(key).GetDouble(), model.GetProperty(key).GetDouble(), 5);
        // without median scaling the model's 2 m is not the baseline, which stays median-scaled
        (code, output, error) = CliRunner.Run([.. common, "--baseline", "--json"]);
        Assert.True(code == 0, error);
        using var metric = JsonDocument.Parse(output);
        Assert.Equal(baseline.GetProperty("d1").GetDouble(), metric.RootElement.GetProperty("median_scaled_constant").GetProperty("d1").GetDouble(), 12);
        Assert.NotEqual(baseline.GetProperty("abs_rel").GetDouble(), metric.RootElement.GetProperty("model").GetProperty("abs_rel").GetDouble(), 3);
        var (tableCode, table, _) = CliRunner.Run([.. common, "--baseline"]);
        Assert.Equal(0, tableCode);
        Assert.Contains("constant, median-scaled", table);
    }
}
