using System.Globalization;

namespace DepthKit.Cli;

/// <summary>
/// The ranges of the numeric options, by option name, for every command: the one place a value such as
/// <c>--batch 0</c>, <c>--size 100000x100000</c> or <c>--clip nan</c> is refused, before any work starts. The
/// parser calls <see cref="Check"/> for each value it was given; it knows nothing of the rules.
/// </summary>
public static class OptionRules
{
    /// <summary>Largest side of an input size: 8192 (a 64-megapixel model input; a 16k x 16k one cannot be allocated here).</summary>
    public const int MaxSide = 8192;

    enum Kind { PositiveInt, NonNegativeInt, Int, PositiveFinite, NonNegativeFinite, Size }

    sealed record Rule(Kind Kind, string Meaning, long Max = int.MaxValue);

    static readonly Dictionary<string, Rule> Rules = new()
    {
        ["batch"] = new(Kind.PositiveInt, "a batch size", 65536),
        ["epochs"] = new(Kind.PositiveInt, "a number of epochs", 1_000_000),
        ["rounds"] = new(Kind.PositiveInt, "a number of rounds", 10_000),
        ["memory-epochs"] = new(Kind.PositiveInt, "a number of epochs", 10_000),
        ["max-images"] = new(Kind.PositiveInt, "an image count"),
        ["count"] = new(Kind.NonNegativeInt, "an image count"),
        ["train-count"] = new(Kind.NonNegativeInt, "an image count"),
        ["val-count"] = new(Kind.NonNegativeInt, "an image count"),
        ["patience"] = new(Kind.NonNegativeInt, "a number of epochs (0 = off)"),
        ["seed"] = new(Kind.Int, "a seed"),
        ["size"] = new(Kind.Size, "a size HxW such as 240x320"),
        ["lr"] = new(Kind.PositiveFinite, "a learning rate"),
        ["encoder-lr-scale"] = new(Kind.PositiveFinite, "a learning-rate factor"),
        ["weight-decay"] = new(Kind.NonNegativeFinite, "a weight decay"),
        ["clip"] = new(Kind.NonNegativeFinite, "a gradient norm (0 = off)"),
        ["depth-scale"] = new(Kind.PositiveFinite, "depth units per metre"),
        ["pred-scale"] = new(Kind.PositiveFinite, "units per metre"),
        ["gt-scale"] = new(Kind.PositiveFinite, "units per metre"),
        ["min-depth"] = new(Kind.NonNegativeFinite, "a depth in metres"),
        ["max-depth"] = new(Kind.PositiveFinite, "a depth in metres"),
        ["scalars"] = new(Kind.PositiveFinite, "a number of seconds", 3600),
    };

    /// <summary>True when <paramref name="option"/> (without --) has a range rule.</summary>
    public static bool Has(string option) => Rules.ContainsKey(option);

    /// <summary>Throws a <see cref="CliUsageException"/> naming the option when <paramref name="value"/> is outside its range.</summary>
    public static void Check(string option, string value)
    {
        if (!Rules.TryGetValue(option, out var rule)) return;
        string bad = $"--{option} '{value}'";
        switch (rule.Kind)
        {
            case Kind.Size:
                var parts = value.ToLowerInvariant().Split('x');
                if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                    || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var w))
                    throw new CliUsageException($"{bad} is not {rule.Meaning}");
                if (h < 1 || w < 1 || h > MaxSide || w > MaxSide)
                    throw new CliUsageException($"{bad}: each side must be between 1 and {MaxSide} pixels");
                return;
            case Kind.PositiveInt or Kind.NonNegativeInt or Kind.Int:
                if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < int.MinValue || n > int.MaxValue)
                    throw new CliUsageException($"{bad} is not a whole number ({rule.Meaning})");
                if (rule.Kind == Kind.PositiveInt && n < 1) throw new CliUsageException($"{bad} must be at least 1 ({rule.Meaning})");
                if (rule.Kind == Kind.NonNegativeInt && n < 0) throw new CliUsageException($"{bad} must not be negative ({rule.Meaning})");
                if (n > rule.Max) throw new CliUsageException($"{bad} is too large (at most {rule.Max})");
                return;
            default:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                    throw new CliUsageException($"{bad} is not a number ({rule.Meaning})");
                if (!double.IsFinite(x)) throw new CliUsageException($"{bad} must be a finite number ({rule.Meaning})");
                if (rule.Kind == Kind.PositiveFinite && !(x > 0)) throw new CliUsageException($"{bad} must be positive ({rule.Meaning})");
                if (rule.Kind == Kind.NonNegativeFinite && x < 0) throw new CliUsageException($"{bad} must not be negative ({rule.Meaning})");
                return;
        }
    }
}
