using DepthKit.Data;
using DepthKit.Training;
using DepthKit.Visualization;

namespace DepthKit.Cli.Commands;

/// <summary><c>depthkit predict</c>: depth maps (16-bit PNG in mm), colourised PNGs and optional point clouds for images.</summary>
public sealed class PredictCommand : ICliCommand
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    public string Name => "predict";
    public string Summary => "Predict depth for an image or a folder: NAME_depth.png (16-bit mm), NAME_depth_color.png, NAME.ply";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("checkpoint", "run folder (uses best.ckpt, else last.ckpt), a .ckpt file, a bundle folder, or 'default'; " +
            "left out: the bundled model 'default' (models/default beside the program, in the source tree or under $DEPTHKIT_MODELS)"),
        new("image", "an image file or a folder of images", Required: true),
        new("out", "output folder", Required: true),
        new("colormap", "plasma, viridis, magma or gray (near = dark end in all of them)", "plasma"),
        new("point-cloud", "also write a coloured .ply point cloud per image", IsFlag: true),
        new("ascii", "write the .ply as ASCII instead of binary", IsFlag: true),
        new("camera", "camera.json with fx, fy, cx, cy, width, height (default: camera.json beside the images, else NYU Kinect intrinsics)"),
        new("flip-tta", "average with the mirrored image's prediction", IsFlag: true),
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var runtime = context.InitTorch(args);
        var colormap = Colormap.Check(args.Get("colormap"));
        var input = args.Get("image");
        var files = Directory.Exists(input)
            ? Directory.EnumerateFiles(input).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !IsOutput(f))
                .Order(StringComparer.Ordinal).ToList()
            : File.Exists(input) ? [input] : throw new DepthKitDataException(input, "no such image file or folder");
        if (files.Count == 0) throw new DepthKitDataException(input, $"folder has no images ({string.Join(", ", ImageExtensions)})");
        var checkpoint = args.GetOrNull("checkpoint")
            ?? BundledModels.Locate(BundledModels.Default, "give --checkpoint RUN_DIR (a trained run) or install a bundle there (export --bundle)");
        var (model, info) = ModelFactory.LoadForInference(checkpoint, runtime.Device);
        var camera = CameraFor(args, input);
        var outDir = args.Get("out");
        Directory.CreateDirectory(outDir);
        var stems = OutputStems(files);
        context.Out.WriteLine($"{info.Model.DisplayName} (epoch {info.Epoch}), input {info.Options.Height}x{info.Options.Width}; colour: {colormap}, near = dark, far = bright; 16-bit PNG in millimetres");
        var failed = new List<string>();
        foreach (var file in files)
        {
            context.Cancel.ThrowIfCancellationRequested();
            int h, w;
            byte[] rgb;
            // one unreadable image must not cost the others their results: it is reported and skipped
            try { (h, w, rgb) = RgbImage.Read(file, applyOrientation: true); }
            catch (DepthKitDataException e)
            {
                failed.Add(e.Message);
                context.Error.WriteLine($"depthkit predict: skipped {e.Message}");
                continue;
            }
            var sample = new DepthSample(h, w, rgb, new float[h * w], file);
            var depth = Predictor.Predict(model, sample, info.Options.Height, info.Options.Width, h, w, runtime.Device, args.Flag("flip-tta"));
            if (!depth.Any(DepthSample.IsValidDepth))
            {
                // a map without one valid pixel is no result: written, it would look like one (and print a made-up range)
                failed.Add($"{file}: the model predicted no valid depth (every pixel is 0, negative, NaN or infinite)");
                context.Error.WriteLine($"depthkit predict: skipped {failed[^1]}");
                continue;
            }
            var stem = Path.Combine(outDir, stems[file]);
            DepthPng.Write16(stem + "_depth.png", h, w, DepthPng.MetresToMillimetres(depth));
            RgbImage.WritePng(stem + "_depth_color.png", h, w, Colormap.Colorize(depth, colormap));
            string cloud = "";
            if (args.Flag("point-cloud"))
            {
                var (xyz, colours) = PointCloud.BackProject(depth, rgb, h, w, camera);
                PointCloud.WritePly(stem + ".ply", xyz, colours, args.Flag("ascii"));
                cloud = $", {xyz.Length / 3} points";
            }
            var (near, far) = Montage.Range(depth);
            context.Out.WriteLine(FormattableString.Invariant($"{Path.GetFileName(file)} -> {stems[file]}_depth.png: {h}x{w}, depth {near:F2}-{far:F2} m{cloud}"));
        }
        if (failed.Count == 0) return 0;
        context.Error.WriteLine($"depthkit predict: {failed.Count} of {files.Count} image(s) could not be read or predicted and have no output (listed above); the other {files.Count - failed.Count} were written to {outDir}");
        return 1;
    }

    /// <summary>Files this command writes (so a second run into the image folder does not predict its own outputs).</summary>
    static bool IsOutput(string f) => f.EndsWith("_depth.png", StringComparison.Ordinal) || f.EndsWith("_depth_color.png", StringComparison.Ordinal);

    /// <summary>
    /// The output name of each input: its name without extension, or with it where two inputs share that name
    /// (scene.png and scene.jpg give scene.png_depth.png and scene.jpg_depth.png), so no result replaces another.
    /// </summary>
    public static Dictionary<string, string> OutputStems(IReadOnlyList<string> files)
    {
        var clash = files.GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return files.ToDictionary(f => f, f => clash.Contains(Path.GetFileNameWithoutExtension(f)) ? Path.GetFileName(f) : Path.GetFileNameWithoutExtension(f));
    }

    static PinholeCamera CameraFor(CliArgs args, string input)
    {
        if (args.GetOrNull("camera") is { } path) return PinholeCamera.FromJsonFile(path);
        var folder = Directory.Exists(input) ? input : Path.GetDirectoryName(Path.GetFullPath(input))!;
        var beside = Path.Combine(folder, "camera.json");
        return File.Exists(beside) ? PinholeCamera.FromJsonFile(beside) : PinholeCamera.NyuKinect;
    }
}
