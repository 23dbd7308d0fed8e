namespace DepthKit.Training;

/// <summary>
/// Models that ship with the kit, named instead of given as a path: <c>--checkpoint default</c>. A bundled model is
/// a run folder (or a checkpoint manifest) under <c>models/NAME</c>, found beside the program (an installed tool
/// carries its <c>models/</c> folder) or in the source tree the program was built from; <c>DEPTHKIT_MODELS</c>
/// names another folder that holds <c>NAME/</c>. A file or folder of that name in the current folder wins, so a run
/// the user called <c>default</c> still loads as before.
/// </summary>
public static class BundledModels
{
    public const string Default = "default";
    public static IReadOnlyList<string> Names { get; } = [Default];

    /// <summary>The path to load for <paramref name="checkpoint"/>: itself, or the bundled model it names.</summary>
    public static string Resolve(string checkpoint)
    {
        if (File.Exists(checkpoint) || Directory.Exists(checkpoint) || !Names.Contains(checkpoint)) return checkpoint;
        return Find(checkpoint, searched =>
            $"is the name of a bundled model, and this installation has none (looked in {searched}); give a run folder or a .ckpt file");
    }

    /// <summary>
    /// The folder of the bundled model <paramref name="name"/>, for a command given no checkpoint at all: only the
    /// bundled places count (a folder called <c>default</c> in the current folder is not what the user asked for).
    /// </summary>
    public static string Locate(string name, string missingHint) =>
        Find(name, searched => $"no bundled model of this name is installed (looked in {searched}); {missingHint}");

    /// <summary>The first of <see cref="Folders"/> holding <paramref name="name"/>/, else a checkpoint error whose text
    /// <paramref name="missing"/> makes from the folders searched.</summary>
    static string Find(string name, Func<string, string> missing)
    {
        var searched = Folders().Select(f => Path.Combine(f, name)).ToList();
        return searched.FirstOrDefault(Directory.Exists)
            ?? throw new DepthKitCheckpointException(name, missing(string.Join(", ", searched)));
    }

    /// <summary>Where bundled models are looked for, in order.</summary>
    public static IEnumerable<string> Folders()
    {
        if (Environment.GetEnvironmentVariable("DEPTHKIT_MODELS") is { Length: > 0 } explicitFolder) yield return Path.GetFullPath(explicitFolder);
        yield return Path.Combine(AppContext.BaseDirectory, "models");
        // a build inside the repository: bin/ lies somewhere below the folder that holds models/ and DepthKit.slnx
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory).Parent; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DepthKit.slnx")))
            {
                yield return Path.Combine(dir.FullName, "models");
                yield break;
            }
    }
}
