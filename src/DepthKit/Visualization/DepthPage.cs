using System.Text;
using System.Text.Json;
using DepthKit.Onnx;

namespace DepthKit.Visualization;

/// <summary>
/// The depth page of <c>depthkit export --web</c>: one HTML file that holds an exported ONNX model, onnxruntime-web
/// (its JavaScript module and WebAssembly runtime, taken from its npm package at build time) and the kit's colour
/// maps, so a photo opened in it gets its depth map, a colour bar and a point cloud computed in the browser with
/// nothing fetched. Everything is inside the one file because a page opened from disk (file://) may not fetch
/// files beside it. The page resizes the photo to the model's input as the kit does (area when shrinking,
/// bilinear otherwise), runs the graph, resizes the depth back (bilinear) and colours it with the kit's tables.
/// </summary>
public static class DepthPage
{
    public const string OrtWebVersion = "1.30.0";
    const string ResourcePrefix = "DepthKit.Visualization.";

    /// <summary>False when the library was built without onnxruntime-web (<c>-p:DepthKitWebPage=false</c>).</summary>
    public static bool Available => typeof(DepthPage).Assembly.GetManifestResourceInfo(ResourcePrefix + "ort-wasm-simd-threaded.wasm") is not null;

    /// <summary>The page for <paramref name="onnxModel"/> (an exported graph with <see cref="OnnxExporter"/>'s input and output names).</summary>
    public static string Html(byte[] onnxModel, OnnxExportInfo info, string title, PinholeCamera? camera = null)
    {
        if (!Available)
            throw new InvalidOperationException("this DepthKit was built without onnxruntime-web (-p:DepthKitWebPage=false), so it cannot write the depth page");
        camera ??= PinholeCamera.NyuKinect;
        var config = new
        {
            inputName = OnnxExporter.InputName,
            outputName = OnnxExporter.OutputName,
            inputHeight = info.InputHeight,
            inputWidth = info.InputWidth,
            architecture = info.Architecture,
            camera = new { fx = camera.Fx, fy = camera.Fy, cx = camera.Cx, cy = camera.Cy, width = camera.Width, height = camera.Height },
            colormaps = Colormap.Names.ToDictionary(n => n, ColourTable),
        };
        var template = Text("DepthPage.html");
                return new StringBuilder(template)
            .Replace("__TITLE__", System.Net.WebUtility.HtmlEncode(title))
            .Replace("__ARCH__", System.Net.WebUtility.HtmlEncode(Models.Architectures.Get(info.Architecture).DisplayName))
            .Replace("__IN_H__", info.InputHeight.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("__IN_W__", info.InputWidth.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("__ORT_VERSION__", OrtWebVersion)
            .Replace("__ORT_LICENSE__", Text("onnxruntime-web.LICENSE").Replace("*/", "* /", StringComparison.Ordinal))
            // JSON inside a script element: "</" must not close it
            .Replace("__CONFIG__", JsonSerializer.Serialize(config).Replace("</", "<\\/", StringComparison.Ordinal))
            .Replace("__MODEL__", Convert.ToBase64String(onnxModel))
            .Replace("__ORT_WASM__", Convert.ToBase64String(Bytes("ort-wasm-simd-threaded.wasm")))
            .Replace("__ORT_MODULE__", Convert.ToBase64String(Bytes("ort.wasm.bundle.min.mjs")))
            .ToString();
    }

    /// <summary>The colour map as 1024 RGB entries (the table <see cref="Colormap.Colorize"/> draws with).</summary>
    static int[] ColourTable(string name)
    {
        var table = new int[Colormap.TableSize * 3];
        for (int i = 0; i < Colormap.TableSize; i++)
        {
            var (r, g, b) = Colormap.Map(name, i / (double)(Colormap.TableSize - 1));
            (table[3 * i], table[3 * i + 1], table[3 * i + 2]) = (r, g, b);
        }
        return table;
    }

    static byte[] Bytes(string name)
    {
        using var stream = typeof(DepthPage).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"DepthKit.dll has no resource {ResourcePrefix}{name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    static string Text(string name) => Encoding.UTF8.GetString(Bytes(name));
}
