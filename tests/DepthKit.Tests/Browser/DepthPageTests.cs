using System.Text.Json;
using DepthKit.Data;
using DepthKit.Tests.Foundation;
using DepthKit.Tests.Onnx;
using DepthKit.Training;
using DepthKit.Visualization;
using Xunit.Abstractions;

namespace DepthKit.Tests.Browser;

/// <summary>
/// The page of <c>depthkit export --web</c> in headless Chromium with the network off, used as a person would: open a
/// photo with its file button, wait, read what it drew. Its depth must be the kit's prediction for the same photo
/// (<see cref="Predictor.Predict"/>), its depth map the kit's colours, and its point cloud drawn.
/// </summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class DepthPageTests(ITestOutputHelper log)
{
    /// <summary>ONNX Runtime's WebAssembly kernels against libtorch's, float32 on both sides.</summary>
    const double RelativeTolerance = 1e-4, AbsoluteFloor = 1e-6;

    [Theory]
    [InlineData(480, 640)] // a photo of the Kinect's size, larger than the model's input: shrunk by area averaging, as the kit does
    [InlineData(40, 50)]   // smaller: bilinear
    public void PageDrawsTheKitsDepthForAPhotoOffline(int photoHeight, int photoWidth)
    {
        var dir = Directory.CreateTempSubdirectory("depthkit-page-").FullName;
        try
        {
            var run = ExportCommandTests.SaveRandomRun(Path.Combine(dir, "run"), "cnn-res", "resnet18", "decoder_width=16", 48, 64);
            var web = Path.Combine(dir, "page");
            var (code, output, error) = CliRunner.Run("export", "--checkpoint", run, "--web", web);
            Assert.True(code == 0, $"exit {code}: {error}");
            log.WriteLine(output);
            var page = Path.Combine(web, "index.html");
            Assert.True(File.Exists(Path.Combine(web, "model.onnx")));

            SynthRooms.WriteDataset(Path.Combine(dir, "photos"), 1, photoHeight, photoWidth, seed: 21);
            var photo = Path.Combine(dir, "photos", "00000_colors.png");
            var (h, w, rgb) = RgbImage.Read(photo);
            var (model, _) = ModelFactory.LoadForInference(run);
            var expected = Predictor.Predict(model, new DepthSample(h, w, rgb, new float[h * w], photo), 48, 64, h, w);

            var (drawn, visit) = HeadlessChromium.Shared.Drive(page, async p =>
            {
                await p.WaitForAsync("document.body.dataset.state !== 'loading'", TimeSpan.FromSeconds(150), "document.getElementById('status').textContent");
                Assert.Equal("ready", (await p.EvaluateAsync("document.body.dataset.state")).GetString());
                await p.SetFileAsync("#photo", photo);
                await p.WaitForAsync("['done', 'error'].includes(document.body.dataset.state)", TimeSpan.FromSeconds(60), "document.getElementById('status').textContent");
                // DEPTHKIT_TEST_SCREENSHOTS=DIR keeps a picture of the page, to look at it as a person would
                if (Environment.GetEnvironmentVariable("DEPTHKIT_TEST_SCREENSHOTS") is { Length: > 0 } shots)
                    await p.ScreenshotAsync(Path.Combine(Directory.CreateDirectory(shots).FullName, $"depth-page-{photoHeight}x{photoWidth}.png"));
                return await p.EvaluateAsync(ReadScript);
            }, TimeSpan.FromSeconds(240));

            log.WriteLine(drawn.GetProperty("status").GetString());
            Assert.Empty(visit.OutsideRequests);
            Assert.Empty(visit.ScriptErrors);
            Assert.Equal("done", drawn.GetProperty("state").GetString());
            Assert.Equal(w, drawn.GetProperty("width").GetInt32());
            Assert.Equal(h, drawn.GetProperty("height").GetInt32());

            // the depth the page computed, per pixel
            var depth = Floats(drawn.GetProperty("depth").GetString()!);
            Assert.Equal(expected.Length, depth.Length);
            double worst = 0;
            for (int i = 0; i < depth.Length; i++)
            {
                double excess = Math.Abs(depth[i] - expected[i]) - (RelativeTolerance * Math.Abs(expected[i]) + AbsoluteFloor);
                Assert.True(excess <= 0, $"pixel {i}: page {depth[i]:G7} m, kit {expected[i]:G7} m");
                worst = Math.Max(worst, Math.Abs(depth[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), AbsoluteFloor));
            }
            log.WriteLine($"largest relative difference page vs kit: {worst:E2}");
            Assert.True(expected.Max() - expected.Min() > 1e-3, "the model should give a depth map that varies");

            // the depth map it drew: the kit's colours for the kit's depth (a pixel may fall into the next table entry)
            var colours = Convert.FromBase64String(drawn.GetProperty("map").GetString()!);
            var kitColours = Colormap.Colorize(expected, "plasma");
            int exact = 0, maxDifference = 0;
            for (int i = 0; i < h * w; i++)
            {
                int d = Enumerable.Range(0, 3).Max(k => Math.Abs(colours[4 * i + k] - kitColours[3 * i + k]));
                maxDifference = Math.Max(maxDifference, d);
                if (d == 0) exact++;
            }
            Assert.True(maxDifference <= 3, $"depth map colours differ from the kit's by up to {maxDifference} levels");
            Assert.True(exact >= 0.99 * h * w, $"only {exact} of {h * w} depth map pixels have the kit's colour");

            // colour bar labels name the range, and the point cloud shows points
            var (near, far) = Montage.Range(expected);
            Assert.Contains($"{near:F2}-{far:F2} m", drawn.GetProperty("caption").GetString());
            // every valid pixel becomes a point, every step-th in each direction on photos over 200,000 pixels
            int step = (int)Math.Max(1, Math.Ceiling(Math.Sqrt(h * w / 200000.0)));
            Assert.Equal(((h + step - 1) / step) * ((w + step - 1) / step), drawn.GetProperty("points").GetInt32());
            Assert.True(drawn.GetProperty("cloudPixels").GetInt32() > 200, $"the point cloud canvas shows {drawn.GetProperty("cloudPixels")} lit pixels");
            Assert.True(drawn.GetProperty("colorbarPixels").GetInt32() > 1000, "the colour bar is drawn");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Reads what the page shows: its depth (float32, base64), the depth canvas, the point cloud and the colour bar.</summary>
    const string ReadScript = """
        (() => {
          const last = window.depthkit.last, b64 = bytes => { let s = ''; for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192)); return btoa(s); };
          const pixels = id => { const c = document.getElementById(id); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data; };
          const cloud = pixels('cloud'); let lit = 0;
          for (let i = 0; i < cloud.length; i += 4) if (cloud[i] !== 17 || cloud[i + 1] !== 17 || cloud[i + 2] !== 17) lit++;
          const bar = pixels('colorbar'); let barLit = 0;
          for (let i = 0; i < bar.length; i += 4) if (bar[i + 3] > 0) barLit++;
          return { state: document.body.dataset.state, status: document.getElementById('status').textContent,
                   caption: document.getElementById('depth-caption').textContent,
                   width: last ? last.width : 0, height: last ? last.height : 0,
                   depth: last ? b64(new Uint8Array(last.depth.buffer, last.depth.byteOffset, last.depth.byteLength)) : '',
                   map: b64(pixels('depth')), points: window.depthkit.points, cloudPixels: lit, colorbarPixels: barLit };
        })()
        """;

    static float[] Floats(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        return floats;
    }
}
