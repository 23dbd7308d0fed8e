using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Notebooks;

/// <summary>
/// How big the notebooks' data and trainings are. <c>DEPTHKIT_PROFILE=smoke</c> shrinks every size so the whole
/// series runs headless in CI in a few minutes; unset (or <c>lesson</c>) gives the real lesson size.
/// Notebooks read sizes from here instead of hard-coding them, so one switch changes them all.
/// </summary>
public sealed record NotebookProfile(string Name, bool IsSmoke)
{
    public const string Variable = "DEPTHKIT_PROFILE";

    public static NotebookProfile Lesson { get; } = new("lesson", false);
    public static NotebookProfile Smoke { get; } = new("smoke", true);

    /// <summary>The profile chosen by <c>DEPTHKIT_PROFILE</c> (read on every call, so a test can switch it).</summary>
    public static NotebookProfile Current => Parse(Environment.GetEnvironmentVariable(Variable));

    public static NotebookProfile Parse(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "lesson" or "default" => Lesson,
        "smoke" => Smoke,
        _ => throw new ArgumentException($"{Variable}='{value}': use smoke, or leave it unset for the lesson size"),
    };

    /// <summary>The lesson value, or the smoke value in the smoke profile.</summary>
    public T Pick<T>(T lesson, T smoke) => IsSmoke ? smoke : lesson;

    /// <summary>The <c>depthkit reproduce</c> profile the four-model notebooks run: quick (the README's main job) or smoke.</summary>
    public ReproduceProfile Reproduce => Pick(ReproduceProfile.Quick, ReproduceProfile.Smoke);

    /// <summary>Input size the lessons train at: the reproduce profile's (3:4, multiples of 32 for the ResNet trunk).</summary>
    public int Height => Reproduce.Height;
    public int Width => Reproduce.Width;
    /// <summary>SynthRooms images per split for the single-model lessons.</summary>
    public int TrainCount => Pick(400, 16);
    public int ValCount => Pick(48, 8);
    public int TestCount => Pick(96, 8);
    public int Epochs => Pick(4, 1);
    public int BatchSize => Pick(16, 8);
    public int Seed => 42;

    /// <summary>Where the notebooks' data comes from: SynthRooms, or the path in DEPTHKIT_DATA (e.g. NYU Depth V2).</summary>
    public static string DataSource => Environment.GetEnvironmentVariable("DEPTHKIT_DATA") is { Length: > 0 } path ? path : DataSpec.SynthSource;

    /// <summary>The single-model lessons' data (<see cref="LessonData.Open"/> opens it).</summary>
    public DataSpec Data => DataSpec.Synth(Height, Width, TrainCount, ValCount, TestCount, Seed) with { Source = DataSource };

    /// <summary>The four-model notebooks' data: the reproduce profile's splits.</summary>
    public DataSpec ReproduceData => DataSpec.For(Reproduce, DataSource);

    /// <summary>A folder for a notebook's runs (checkpoints, reports): <c>runs/notebooks/PROFILE/NAME</c> at the repository root.</summary>
    public string RunFolder(string name)
    {
        // the kernel runs in the notebooks folder (VS Code and dotnet repl alike); runs/ is ignored by git
        var root = Directory.GetCurrentDirectory();
        for (var d = new DirectoryInfo(root); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DepthKit.slnx"))) { root = d.FullName; break; }
        return Path.Combine(root, "runs", "notebooks", Name, name);
    }

    public override string ToString() =>
        $"profile {Name}: {Height}x{Width}, {TrainCount} train / {ValCount} val / {TestCount} test images, {Epochs} epoch(s), batch {BatchSize}; four-model runs use reproduce --profile {Reproduce.Name}";
}
