using System.Globalization;
using DepthKit.Data;
using DepthKit.Onnx;
using DepthKit.Training;
using DepthKit.Visualization;
using Google.Protobuf;

namespace DepthKit.Cli.Commands;

/// <summary>
/// <c>depthkit export</c>: a trained model as an ONNX file (RGB in [0, 1] in, depth in metres out, the normalisation
/// inside the graph) and/or as a depth page for the browser. Nothing existing is replaced without --overwrite.
/// </summary>
public sealed class ExportCommand : ICliCommand
{
    public const string PageFile = "index.html", PageModelFile = "model.onnx";

    public string Name => "export";
    public string Summary => "Export a trained model: --onnx FILE (ONNX graph, depth in metres) and/or --web DIR (a depth page that runs offline in a browser)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("checkpoint", "run folder (uses best.ckpt, else last.ckpt), a .ckpt file, or 'default' (the bundled model)", Required: true),
        new("onnx", "write the ONNX model to this file"),
        new("web", $"write the depth page into this folder ({PageFile}, with {PageModelFile} beside it)"),
        new("size", "input size HxW of the exported graph (default: the size the model was trained at); with --dynamic, the size of the export's self-check"),
        new("dynamic", "any input size: batch, height and width are symbolic; every architecture the kit exports supports it (CNN+FC's adaptive pooling is computed from the input's shape); without it H and W are fixed to --size", IsFlag: true),
        new("overwrite", "replace an existing --onnx file or --web folder", IsFlag: true),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var onnxPath = args.GetOrNull("onnx");
        var webDir = args.GetOrNull("web");
        if (onnxPath is null && webDir is null) throw new CliUsageException("give --onnx FILE, --web DIR or both (see depthkit export --help)");
        bool overwrite = args.Flag("overwrite");
        if (onnxPath is not null) RefuseExisting(onnxPath, "--onnx", overwrite);
        if (webDir is not null)
        {
            RefuseExisting(webDir, "--web", overwrite);
            if (!DepthPage.Available) throw new DepthKitDataException(webDir, "this DepthKit was built without onnxruntime-web (-p:DepthKitWebPage=false), so it cannot write the depth page");
        }

        // export walks the model on the CPU: the graph is the same whatever device trained it
        Runtime.Initialize("cpu", context.Error);
        var checkpoint = args.Get("checkpoint");
        var (model, info) = ModelFactory.LoadForInference(checkpoint, TorchSharp.torch.CPU);
        using var _ = model;
        var (height, width) = args.IsGiven("size") ? args.GetSize("size") : (info.Options.Height, info.Options.Width);
        bool dynamic = args.Flag("dynamic");
        var (proto, export) = OnnxExporter.Build(model, height, width, dynamic);
        var bytes = proto.ToByteArray();
        var shapes = dynamic
            ? $"RGB [batch, 3, height, width] in [0, 1] -> depth {export.OutputDims} in metres (checked at {height}x{width}: depth {export.OutputHeight}x{export.OutputWidth})"
            : $"RGB [batch, 3, {height}, {width}] in [0, 1] -> depth {export.OutputDims} in metres";
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{info.Model.DisplayName} (epoch {info.Epoch}): {shapes}; " +
            $"opset {OnnxExporter.Opset}, {export.Nodes} nodes, {export.Parameters / 1e6:F2} M parameters, {bytes.Length / 1e6:F1} MB; {(dynamic ? "batch and size dynamic" : "batch dynamic, size fixed")}"));

        if (onnxPath is not null)
        {
            AtomicFile.WriteAllBytes(onnxPath, bytes);
            context.Out.WriteLine($"wrote {onnxPath}");
        }
        if (webDir is not null)
        {
            var title = $"{info.Model.DisplayName} from {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpoint)))}";
            var html = DepthPage.Html(bytes, export, title);
            WriteFolder(webDir, overwrite, dir =>
            {
                File.WriteAllText(Path.Combine(dir, PageFile), html);
                File.WriteAllBytes(Path.Combine(dir, PageModelFile), bytes);
            });
            context.Out.WriteLine($"wrote {Path.Combine(webDir, PageFile)} ({html.Length / 1e6:F1} MB, opens offline from disk) and {PageModelFile}");
        }
        return 0;
    }

    static void RefuseExisting(string path, string option, bool overwrite)
    {
        if (overwrite) return;
        if (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()))
            throw new DepthKitDataException(path, $"already exists; {option} replaces it only with --overwrite");
    }

    /// <summary>
    /// Fills a new folder beside <paramref name="dir"/> and renames it into place, so a failure leaves no half page and
    /// the old folder (replaced only with --overwrite) stays until the new one is complete.
    /// </summary>
    static void WriteFolder(string dir, bool overwrite, Action<string> fill)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        var old = $"{full}.{Environment.ProcessId}.old";
        try
        {
            Directory.CreateDirectory(temp);
            fill(temp);
            if (Directory.Exists(full))
            {
                if (!overwrite && Directory.EnumerateFileSystemEntries(full).Any())
                    throw new DepthKitDataException(dir, "already exists; --web replaces it only with --overwrite");
                Directory.Move(full, old);
            }
            Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            if (Directory.Exists(old) && Directory.Exists(full)) Directory.Delete(old, recursive: true);
            else if (Directory.Exists(old)) Directory.Move(old, full);
        }
    }
}
