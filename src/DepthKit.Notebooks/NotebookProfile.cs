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

    /// <summary>Image height the lessons train at (3:4 like NYU's 480x640, a multiple of 32 for the ResNet trunk).</summary>
    public int Height => Pick(96, 64);
    public int Width => Pick(128, 64);
    /// <summary>SynthRooms images per training run.</summary>
    public int TrainCount => Pick(256, 16);
    public int ValCount => Pick(64, 8);
    public int Epochs => Pick(8, 1);
    public int BatchSize => Pick(16, 8);

    public override string ToString() =>
        $"profile {Name}: {Height}x{Width}, {TrainCount} train / {ValCount} val images, {Epochs} epoch(s), batch {BatchSize}";
}
