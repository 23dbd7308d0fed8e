using DepthKit.Data;

namespace DepthKit.Training;

/// <summary>
/// An inference-only copy of a trained model, small enough to keep in a repository (<c>models/default</c>): a folder
/// with one checkpoint manifest (<see cref="Checkpoint.BundleFile"/>, the format of every checkpoint: model identity
/// and config, training options, epochs and steps, history, the weights' SHA-256) and its weights as float16
/// safetensors under the same state_dict keys. There is no optimiser state, so it loads everywhere a checkpoint
/// loads (<c>eval</c>, <c>predict</c>, <c>export</c>, <see cref="ModelFactory.LoadForInference"/>) but cannot be resumed.
/// </summary>
public static class ModelBundle
{
    /// <summary>What <see cref="Write"/> wrote: the folder, the checkpoint it came from, and its files' sizes.</summary>
    public sealed record Summary(string Dir, string Source, CheckpointInfo Info, long Parameters, string WeightsFile, long WeightsBytes, long TotalBytes);

    /// <summary>
    /// Writes the bundle of <paramref name="checkpoint"/> (a run folder: best.ckpt, else last.ckpt; a .ckpt file; a
    /// bundled model's name) into <paramref name="dir"/>, atomically: the folder is filled beside it and renamed into
    /// place. An existing non-empty folder is replaced only with <paramref name="overwrite"/>; the checkpoint's own
    /// folder (or one holding it) never is, since replacing it would delete the run being exported.
    /// </summary>
    public static Summary Write(string checkpoint, string dir, bool overwrite, string option = "--bundle")
    {
        var source = Path.GetFullPath(Checkpoint.Resolve(BundledModels.Resolve(checkpoint), Checkpoint.BestFile));
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        if (IsSameOrInside(Path.GetDirectoryName(source)!, target))
            throw new DepthKitDataException(dir, $"holds the checkpoint being exported ({source}); give {option} another folder");
        if (!overwrite && Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new DepthKitDataException(dir, $"already exists; {option} replaces it only with --overwrite");

        var (model, info) = ModelFactory.LoadForInference(source, TorchSharp.torch.CPU);
        using var _ = model;
        long parameters = model.parameters().Sum(p => p.numel());
        AtomicFile.ReplaceFolder(target, overwrite, folder => Checkpoint.SaveInference(Path.Combine(folder, Checkpoint.BundleFile), info, model),
            $"already exists; {option} replaces it only with --overwrite");

        var weights = Checkpoint.WeightsPath(Path.Combine(target, Checkpoint.BundleFile));
        long total = Directory.EnumerateFiles(target).Sum(f => new FileInfo(f).Length);
        return new Summary(target, source, info, parameters, Path.GetFileName(weights), new FileInfo(weights).Length, total);
    }

    static bool IsSameOrInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        path = Path.TrimEndingDirectorySeparator(path);
        return path.Equals(folder, comparison) || path.StartsWith(folder + Path.DirectorySeparatorChar, comparison);
    }
}
