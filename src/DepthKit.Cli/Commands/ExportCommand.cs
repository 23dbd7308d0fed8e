using System.Globalization;
using DepthKit.Data;
using DepthKit.Onnx;
using DepthKit.Training;
using DepthKit.Visualization;
using Google.Protobuf;

namespace DepthKit.Cli.Commands;

/// <summary>
/// <c>depthkit export</c>: a trained model as an ONNX file (RGB in [0, 1] in, depth in metres out, the normalisation
/// inside the graph), as a depth page for the browser and/or as an inference-only bundle (<see cref="ModelBundle"/>:
/// float16 weights and the checkpoint manifest, what <c>models/default</c> holds). Nothing existing is replaced without --overwrite.
/// </summary>
public sealed class ExportCommand : ICliCommand
{
    public const string PageFile = "index.html", PageModelFile = "model.onnx";

    public string Name => "export";
    public string Summary => "Export a trained model: --onnx FILE (ONNX graph, depth in metres), --web DIR (a depth page that runs offline in a browser) and/or --bundle DIR (float16 weights + manifest, as models/default ships)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("checkpoint", "run folder (uses best.ckpt, else last.ckpt), a .ckpt file, a bundle folder, or 'default' (the bundled model)", Required: true),
        new("onnx", "write the ONNX model to this file"),
        new("web", $"write the depth page into this folder ({PageFile}, with {PageModelFile} beside it)"),
        new("bundle", $"write an inference-only bundle into this folder: {Checkpoint.BundleFile} (the checkpoint manifest: model, config, " +
            "training options and history, the weights' SHA-256) and model-<sha>.safetensors (parameters in float16, about half a run's weights), " +
            "no optimizer state; --checkpoint, eval and predict load it, train --resume refuses it. To ship a model: --bundle models/default"),
        new("size", "input size HxW of the exported graph (default: the size the model was trained at); with --dynamic, the size of the export's self-check"),
        new("dynamic", "any input size: batch, height and width are symbolic; every architecture the kit exports supports it (CNN+FC's adaptive pooling is computed from the input's shape); without it H and W are fixed to --size", IsFlag: true),
        new("overwrite", "replace an existing --onnx file, --web folder or --bundle folder", IsFlag: true),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var onnxPath = args.GetOrNull("onnx");
        var webDir = args.GetOrNull("web");
        var bundleDir = args.GetOrNull("bundle");
        if (onnxPath is null && webDir is null && bundleDir is null)
            throw new CliUsageException("give --onnx FILE, --web DIR, --bundle DIR or several (see depthkit export --help)");
        bool overwrite = args.Flag("overwrite");
        if (bundleDir is not null) RefuseExisting(bundleDir, "--bundle", overwrite);
        if (onnxPath is not null) RefuseExisting(onnxPath, "--onnx", overwrite);
        if (webDir is not null)
        {
            RefuseExisting(webDir, "--web", overwrite);
            if (!DepthPage.Available) throw new DepthKitDataException(webDir, "this DepthKit was built without onnxruntime-web (-p:DepthKitWebPage=false), so it cannot write the depth page");
        }

        // export walks the model on the CPU: the graph is the same whatever device trained it
        Runtime.Initialize("cpu", context.Error);
        var checkpoint = args.Get("checkpoint");
        if (bundleDir is not null)
        {
            var bundle = ModelBundle.Write(checkpoint, bundleDir, overwrite);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {bundleDir}: {bundle.Info.Model.DisplayName} (epoch {bundle.Info.Epoch}, step {bundle.Info.Step}) from {bundle.Source}; " +
                $"{Checkpoint.BundleFile} + {bundle.WeightsFile} ({bundle.Parameters / 1e6:F2} M parameters in float16, {bundle.WeightsBytes / 1e6:F1} MB), " +
                $"{bundle.TotalBytes / 1e6:F1} MB in all, no optimizer state"));
            if (onnxPath is null && webDir is null) return 0;
        }
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
            AtomicFile.ReplaceFolder(webDir, overwrite, dir =>
            {
                File.WriteAllText(Path.Combine(dir, PageFile), html);
                File.WriteAllBytes(Path.Combine(dir, PageModelFile), bytes);
            }, "already exists; --web replaces it only with --overwrite");
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
}
