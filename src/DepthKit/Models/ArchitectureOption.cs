namespace DepthKit.Models;

/// <summary>What values an <see cref="ArchitectureOption"/> takes.</summary>
public enum OptionKind { PositiveInt, Number, Flag, Size, Choice }

/// <summary>
/// One option of an architecture (<c>width=16</c>, <c>upsampling=bilinear</c>): its name, kind, default and help. A model
/// declares its options as static fields, lists them in its <see cref="ArchitectureInfo"/> and reads them with
/// <see cref="ModelConfig.GetInt(ArchitectureOption)"/> and its siblings, so the registry, the checks of a config and
/// <c>depthkit models</c> all read one declaration.
/// </summary>
/// <remarks>Choices: the allowed words of a <see cref="OptionKind.Choice"/> option</remarks>
public sealed record ArchitectureOption(string Name, OptionKind Kind, string Default, string Help, params string[] Choices)
{
    public static ArchitectureOption Int(string name, int value, string help) => new(name, OptionKind.PositiveInt, Invariant(value), help);
    public static ArchitectureOption Number(string name, double value, string help) => new(name, OptionKind.Number, Invariant(value), help);
    public static ArchitectureOption Flag(string name, bool value, string help) => new(name, OptionKind.Flag, value ? "true" : "false", help);
    public static ArchitectureOption Size(string name, int height, int width, string help) => new(name, OptionKind.Size, $"{height}x{width}", help);
    public static ArchitectureOption Choice(string name, string help, params string[] choices) => new(name, OptionKind.Choice, choices[0], help, choices);

    /// <summary>Throws an ArgumentException naming the option when <paramref name="value"/> is not one of its values.</summary>
    public void Check(string value)
    {
        var config = new ModelConfig { Options = new() { [Name] = value } };
        _ = Kind switch
        {
            OptionKind.PositiveInt => config.GetInt(this),
            OptionKind.Number => config.GetDouble(this),
            OptionKind.Flag => config.GetBool(this) ? 1 : 0,
            OptionKind.Size => config.GetSize(this).Height,
            _ => config.GetChoice(this).Length,
        };
    }

    /// <summary><c>name=default</c>, or <c>name=a|b|c</c> for a choice (the first is the default).</summary>
    public override string ToString() => Kind == OptionKind.Choice ? $"{Name}={string.Join("|", Choices)}" : $"{Name}={Default}";

    static string Invariant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
