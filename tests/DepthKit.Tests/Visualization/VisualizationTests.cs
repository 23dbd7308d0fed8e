using System.Globalization;
using DepthKit.Metrics;
using DepthKit.Training;
using DepthKit.Visualization;

namespace DepthKit.Tests.Visualization;

public class VisualizationTests
{
    [Theory]
    // matplotlib's first and last table entries, times 255, rounded
    [InlineData("plasma", 0.0, 13, 8, 135)]
    [InlineData("plasma", 1.0, 240, 249, 33)]
    [InlineData("viridis", 0.0, 68, 1, 84)]
    [InlineData("viridis", 1.0, 253, 231, 37)]
    [InlineData("magma", 0.0, 0, 0, 4)]
    [InlineData("magma", 1.0, 252, 253, 191)]
    [InlineData("gray", 0.0, 0, 0, 0)]
    [InlineData("gray", 1.0, 255, 255, 255)]
    [InlineData("gray", 0.5, 128, 128, 128)]
    // entry 128 of viridis (0.127568, 0.566949, 0.550556) sits between knots 8 (=entry 128) exactly
    [InlineData("viridis", 128 / 255.0, 33, 145, 140)]
    public void ColormapEndpointsAreMatplotlibs(string name, double t, int r, int g, int b)
    {
        Assert.Equal(((byte)r, (byte)g, (byte)b), Colormap.Map(name, t));
    }

    [Fact]
    public void ColorizeMapsNearToTheDarkEndAndInvalidToBlack()
    {
        var rgb = Colormap.Colorize([1f, 3f, 2f, 0f, float.NaN], "gray");
        Assert.Equal(new byte[] { 0, 0, 0, 255, 255, 255, 128, 128, 128, 0, 0, 0, 0, 0, 0 }, rgb);
        var plasma = Colormap.Colorize([1f, 5f], "plasma", near: 1, far: 5);
        Assert.Equal(new byte[] { 13, 8, 135, 240, 249, 33 }, plasma);
        Assert.Throws<ArgumentException>(() => Colormap.Colorize([1f], "jet"));
    }

    [Fact]
    public void BackProjectionUsesThePinholeModelAndSkipsInvalidPixels()
    {
        var camera = new PinholeCamera(Fx: 2, Fy: 4, Cx: 0.5, Cy: 0.5, Width: 2, Height: 2);
        float[] depth = [2f, 4f, 0f, 1f];
        byte[] rgb = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var (xyz, colours) = PointCloud.BackProject(depth, rgb, 2, 2, camera);
        // (u, v) = (0,0), z 2: x = -0.5*2/2, y = -0.5*2/4; (1,0), z 4: x = 0.5*4/2, y = -0.5*4/4; (1,1), z 1
        Assert.Equal(new[] { -0.5f, -0.25f, 2f, 1f, -0.5f, 4f, 0.25f, 0.125f, 1f }, xyz);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 10, 11, 12 }, colours);
        // the NYU Kinect camera scaled to half size halves every intrinsic
        var half = PinholeCamera.NyuKinect.Scaled(320, 240);
        Assert.Equal((259.43, 259.735, 162.79, 126.87), (half.Fx, half.Fy, half.Cx, half.Cy));
    }

    [Fact]
    public void PlyFilesHaveTheDeclaredVertexCountInBothFormats()
    {
        using var dir = new TempDir();
        float[] xyz = [0.5f, -1f, 2f, 1f, 2f, 3f];
        byte[] rgb = [10, 20, 30, 40, 50, 60];
        PointCloud.WritePly(dir["a.ply"], xyz, rgb, ascii: true);
        var lines = File.ReadAllLines(dir["a.ply"]);
        Assert.Contains("element vertex 2", lines);
        Assert.Equal(["0.5 -1 2 10 20 30", "1 2 3 40 50 60"], lines[^2..]);
        PointCloud.WritePly(dir["b.ply"], xyz, rgb);
        var bytes = File.ReadAllBytes(dir["b.ply"]);
        var header = System.Text.Encoding.ASCII.GetString(bytes).Split("end_header\n")[0] + "end_header\n";
        Assert.Contains("format binary_little_endian 1.0", header);
        Assert.Equal(header.Length + 2 * 15, bytes.Length); // 3 floats + 3 bytes per vertex
        Assert.Equal(-1f, BitConverter.ToSingle(bytes, header.Length + 4));
        Assert.Equal(60, bytes[^1]);
    }

    [Fact]
    public void MontageHasOneTilePerColumnAndRow()
    {
        var rows = Enumerable.Range(0, 2).Select(_ => new MontageRow(new byte[8 * 8 * 3], Enumerable.Repeat(2f, 64).ToArray(),
            [Enumerable.Repeat(1f, 64).ToArray(), Enumerable.Repeat(3f, 64).ToArray()])).ToList();
        var png = Montage.Png(["A", "B"], rows, 8, 8, "gray");
        var (h, w, _) = DepthKit.Data.RgbImage.Decode(png, "montage");
        // tiles are at least 96 px wide: 4 columns of 96 + 5 gaps of 4; header 22 + 2 rows of 96 + gaps
        Assert.Equal((22 + 2 * (96 + 4) + 4, 4 * 96 + 5 * 4), (h, w));
        Assert.Throws<ArgumentException>(() => Montage.Png(["A"], rows, 8, 8));
    }

    [Fact]
    public void ReportIsSelfContained()
    {
        var history = new TrainingHistory();
        history.StepLoss.AddRange([1.0, 0.5]);
        history.Epochs.Add(new EpochRecord(1, 2, 0.75, 0.8, null, 1e-3, 1.0));
        var m = new DepthMetrics(0.5, 0.7, 0.9, 0.2, 0.1, 0.6, 0.3, 0.1, 20, 2, 0, 100);
        var html = HtmlReport.Build("title <1>", "sub", [("CNN", history)], [("CNN", m)], [1, 2, 3]);
        Assert.Contains("title &lt;1&gt;", html);
        Assert.DoesNotContain("<script src", html);
        Assert.Contains("Plotly.newPlot('epochs'", html);
        Assert.Contains("data:image/png;base64,AQID", html);
        Assert.True(html.Length > 1_000_000, "plotly.js (about 3.5 MB) is inlined");
        Assert.Contains("<td>0.5000</td>", html);
    }
}
