using System.Globalization;
using System.Text.Json;
using DepthKit.Models;
using DepthKit.Tests.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>The torchsummary-style table, checked against the slide's printout.</summary>
public class SummaryTests
{
    [Fact]
    public void SlidesModelSummaryMatchesTheSlideRowForRow()
    {
        using var model = Architectures.Create("cnn-res-slides");
        // The slide's "Input size (MB): 0.79" is 3 x 228 x 304 floats: the slide's input was 228x304 (8x10 after ResNet-50, as 256x320)
        var s = ModelSummary.Create(model, [1, 3, 228, 304]);
        Assert.Equal(new long[] { 1, 1, 62, 78 }, s.OutputShape);
        Assert.Equal((52_964_289, 29_456_257, 23_508_032), (s.TotalParameters, s.TrainableParameters, s.FrozenParameters));
        string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        Assert.Equal(("0.79", "441.37", "202.04"), (F(s.InputSizeMB), F(s.ForwardBackwardSizeMB), F(s.ParamsSizeMB)));
        // rows printed on the slide, with the slide's numbering
        var byLayer = s.Rows.ToDictionary(r => r.Layer);
        Assert.Equal(2_098_176, byLayer["Conv2d-173"].Parameters);
        Assert.Equal(new long[] { -1, 1024, 8, 10 }, byLayer["BatchNorm2d-174"].OutputShape);
        Assert.Equal(13_107_712, byLayer["Conv2d-175"].Parameters);
        Assert.Equal(new long[] { -1, 512, 16, 20 }, byLayer["SlideUpBlock-179"].OutputShape);
        Assert.Equal(409_664, byLayer["Conv2d-188"].Parameters);
        Assert.Equal(new long[] { -1, 1, 62, 78 }, byLayer["ReLU-191"].OutputShape);
        Assert.Equal(191, s.Rows.Count);
        // every parameter is in exactly one row
        Assert.Equal(s.TotalParameters, s.Rows.Sum(r => r.Parameters));

        var text = s.ToText();
        Assert.Contains("Total params: 52,964,289", text);
        Assert.Contains("Non-trainable params: 23,508,032", text);
        Assert.Contains("Estimated Total Size (MB): 644.20", text);
        var frame = s.ToDataFrame();
        Assert.Equal(191, frame.Rows.Count);
        Assert.Equal("Conv2d-1", frame.Columns["Layer"][0]);
        Assert.Equal(9_408L, frame.Columns["Param #"][0]);
    }

    [Fact]
    public void SummaryRestoresTrainModeAndCountsEveryParameterOfACpuModel()
    {
        using var model = Architectures.Create("cnn-res");
        model.train();
        var s = ModelSummary.Create(model, [1, 3, 64, 96]);
        Assert.True(model.training);
        Assert.Equal(new long[] { 1, 1, 64, 96 }, s.OutputShape);
        Assert.Equal(s.TotalParameters, s.Rows.Sum(r => r.Parameters));
        Assert.Equal(0, s.FrozenParameters);
    }

    [Fact]
    public void CliSummaryPrintsTheSlidesTotalsAsJson()
    {
        var (code, output, error) = CliRunner.Run("summary", "--model", "cnn-res-slides", "--size", "256x320", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(52_964_289, root.GetProperty("total_params").GetInt64());
        Assert.Equal(29_456_257, root.GetProperty("trainable_params").GetInt64());
        Assert.Equal(23_508_032, root.GetProperty("frozen_params").GetInt64());
        Assert.Equal(62, root.GetProperty("output_height").GetInt32());
        Assert.Equal(78, root.GetProperty("output_width").GetInt32());
    }

    [Fact]
    public void CliSummaryTableAndModelsList()
    {
        var (code, output, error) = CliRunner.Run("summary", "--model", "cnn", "--size", "32x48", "--freeze-encoder");
        Assert.True(code == 0, error);
        Assert.Contains("CNN (cnn), input [-1, 3, 32, 48] -> output [-1, 1, 32, 48]", output);
        Assert.Contains("Trainable params:", output);
        using var model = Architectures.Create("cnn");
        Assert.Contains($"Non-trainable params: {model.EncoderParameters().Sum(p => p.numel()).ToString("N0", CultureInfo.InvariantCulture)}", output);

        var (listCode, list, _) = CliRunner.Run("models");
        Assert.Equal(0, listCode);
        foreach (var a in Architectures.All) Assert.Contains(a.Name, list);
        Assert.Contains("CNN+trans", list);

        var (bad, _, badError) = CliRunner.Run("summary", "--model", "unet");
        Assert.Equal(2, bad);
        Assert.Contains("cnn-res-slides", badError);
        var (badSize, _, _) = CliRunner.Run("summary", "--model", "cnn", "--size", "big");
        Assert.Equal(2, badSize);
    }
}
