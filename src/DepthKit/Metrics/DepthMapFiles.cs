using DepthKit.Data;

namespace DepthKit.Metrics;

/// <summary>A depth map read for evaluation: row-major metres (0 where the file holds 0).</summary>
public sealed record DepthMapFile(string Path, int Height, int Width, float[] Metres);

/// <summary>
/// Saved depth maps for offline evaluation (<c>depthkit metrics</c>): 8/16-bit grayscale PNGs holding
/// depth * scale (NYU test ground truth: millimetres, scale 1000), or .npy arrays of shape [H,W] (size-1 axes
/// allowed, e.g. [1,H,W]) holding metres when float and depth * scale when integer. Folders are paired by file
/// name without extension, so predictions saved as a.npy match ground truth a.png.
/// </summary>
public static class DepthMapFiles
{
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".npy"];

    /// <summary>Reads one depth map; integer data is divided by <paramref name="scale"/>.</summary>
    public static DepthMapFile Read(string path, double scale)
    {
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentException($"depth scale {scale} must be a positive number");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".png")
        {
            var png = DepthPng.Read(path);
            var metres = new float[png.Values.Length];
            for (int i = 0; i < metres.Length; i++) metres[i] = (float)(png.Values[i] / scale);
            return new DepthMapFile(path, png.Height, png.Width, metres);
        }
        if (ext == ".npy")
        {
            using var npy = NpyFile.Open(path);
            var dims = npy.Shape.Where(d => d != 1).ToArray();
            if (npy.Shape.Length < 2 || dims.Length > 2 || npy.Shape.Contains(0))
                throw new DepthKitDataException(path, $".npy shape ({string.Join(", ", npy.Shape)}) is not one depth map [H,W] (size-1 axes allowed)");
            int height = (int)npy.Shape[^2], width = (int)npy.Shape[^1];
            if ((long)height * width != npy.Shape.Aggregate(1L, (a, b) => a * b))
                throw new DepthKitDataException(path, $".npy shape ({string.Join(", ", npy.Shape)}): the depth map must be the last two axes [H,W]");
            var values = npy.ReadAllAsFloat();
            if (npy.DType is not ("<f4" or "<f8"))
                for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] / scale);
            return new DepthMapFile(path, height, width, values);
        }
        throw new DepthKitDataException(path, $"not a depth map file: use {string.Join(" or ", Extensions)}");
    }

    /// <summary>
    /// (prediction, ground truth) file pairs: two files, or two folders whose depth maps are matched by file name
    /// without extension. Every name must be in both folders; otherwise the error lists the unmatched files.
    /// </summary>
    public static IReadOnlyList<(string Pred, string Gt)> Pair(string pred, string gt)
    {
        bool predDir = Directory.Exists(pred), gtDir = Directory.Exists(gt);
        if (!predDir && !File.Exists(pred)) throw new FileNotFoundException($"{pred}: no such file or folder (predictions)", pred);
        if (!gtDir && !File.Exists(gt)) throw new FileNotFoundException($"{gt}: no such file or folder (ground truth)", gt);
        if (predDir != gtDir)
            throw new ArgumentException($"give two files or two folders: {pred} is a {(predDir ? "folder" : "file")}, {gt} is a {(gtDir ? "folder" : "file")}");
        if (!predDir) return [(pred, gt)];

        var predByName = ByName(pred);
        var gtByName = ByName(gt);
        if (gtByName.Count == 0) throw new DepthKitDataException(gt, $"no depth maps ({string.Join(", ", Extensions)}) in the ground-truth folder");
        var onlyPred = predByName.Keys.Except(gtByName.Keys).Order(StringComparer.Ordinal).ToList();
        var onlyGt = gtByName.Keys.Except(predByName.Keys).Order(StringComparer.Ordinal).ToList();
        if (onlyPred.Count > 0 || onlyGt.Count > 0)
        {
            var parts = new List<string>();
            if (onlyPred.Count > 0) parts.Add($"{onlyPred.Count} prediction(s) without ground truth ({Sample(onlyPred.Select(n => predByName[n]))})");
            if (onlyGt.Count > 0) parts.Add($"{onlyGt.Count} ground truth(s) without prediction ({Sample(onlyGt.Select(n => gtByName[n]))})");
            throw new DepthKitDataException("", $"file names of {pred} and {gt} do not match: {string.Join("; ", parts)}");
        }
        return gtByName.Keys.Order(StringComparer.Ordinal).Select(n => (predByName[n], gtByName[n])).ToList();
    }

    /// <summary>
    /// Evaluates saved predictions against saved ground truth, one pair at a time (constant memory). A prediction
    /// of another size than its ground truth is an error naming both files, unless <paramref name="resize"/>
    /// (then it is resized bilinearly, as <see cref="DepthErrors"/> does).
    /// </summary>
    public static DepthMetrics Evaluate(string pred, string gt, double predScale, double gtScale, EvalOptions options,
                                        bool resize = false, CancellationToken cancel = default)
    {
        var accumulator = new MetricAccumulator(options);
        foreach (var (p, g) in Pair(pred, gt))
        {
            cancel.ThrowIfCancellationRequested();
            var predMap = Read(p, predScale);
            var gtMap = Read(g, gtScale);
            if (!resize && (predMap.Height != gtMap.Height || predMap.Width != gtMap.Width))
                throw new DepthKitDataException(p, $"prediction is {predMap.Height}x{predMap.Width} but its ground truth {g} is {gtMap.Height}x{gtMap.Width} (pass --resize to resize predictions bilinearly)");
            accumulator.Add(predMap.Metres, predMap.Height, predMap.Width, gtMap.Metres, gtMap.Height, gtMap.Width);
        }
        return accumulator.Result();
    }

    static Dictionary<string, string> ByName(string folder)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (byName.TryGetValue(name, out var other))
                throw new DepthKitDataException(file, $"two depth maps named '{name}' in one folder ({Path.GetFileName(other)} and {Path.GetFileName(file)})");
            byName[name] = file;
        }
        return byName;
    }

    static string Sample(IEnumerable<string> files)
    {
        var list = files.ToList();
        return string.Join(", ", list.Take(5)) + (list.Count > 5 ? $", ... {list.Count - 5} more" : "");
    }
}
