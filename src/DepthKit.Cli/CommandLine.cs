using System.Globalization;
using System.Reflection;

namespace DepthKit.Cli;

/// <summary>
/// One option of a command. Flags take no value; others take exactly one. A <paramref name="Positional"/> option may also
/// be given as a bare argument (<c>depthkit lab grade DIR</c> = <c>--submissions DIR</c>), in declaration order.
/// </summary>
public sealed record CliOption(string Name, string Help, string? Default = null, bool IsFlag = false, bool Required = false, bool Positional = false);

/// <summary>
/// A <c>depthkit</c> sub-command. Each lives in its own file under Commands/ and is found by reflection,
/// so adding a command touches no shared file. <see cref="Name"/> may have two words ("data stats").
/// </summary>
public interface ICliCommand
{
    string Name { get; }
    string Summary { get; }
    IReadOnlyList<CliOption> Options { get; }
    int Run(CliArgs args, CliContext context);
}

/// <summary>A usage mistake: printed as one line, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>Where a command writes; tests pass StringWriters.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
    /// <summary>Cancelled on Ctrl+C so long jobs can save and stop.</summary>
    public CancellationToken Cancel { get; init; } = CancellationToken.None;

    /// <summary>Initialises torch for the command's <c>--device</c> (auto when the command has none).</summary>
    public RuntimeInfo InitTorch(CliArgs args) =>
        Runtime.Initialize(args.Has("device") ? args.Get("device") : "auto", Error);
}

/// <summary>Parsed <c>--name value</c> pairs and flags, with typed getters that name the option on error.</summary>
public sealed class CliArgs
{
    readonly Dictionary<string, string?> _values;
    readonly IReadOnlyList<CliOption> _options;

    CliArgs(Dictionary<string, string?> values, IReadOnlyList<CliOption> options) { _values = values; _options = options; }

    public static CliArgs Parse(string commandName, IReadOnlyList<CliOption> options, IReadOnlyList<string> tokens)
    {
        var byName = options.ToDictionary(o => o.Name);
        var values = new Dictionary<string, string?>();
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal))
            {
                var slot = options.FirstOrDefault(o => o.Positional && !values.ContainsKey(o.Name))
                    ?? throw new CliUsageException($"unexpected argument '{token}' (options start with --; see depthkit {commandName} --help)");
                values[slot.Name] = token;
                continue;
            }
            var name = token[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (!byName.TryGetValue(name, out var option))
                throw new CliUsageException($"unknown option --{name} (see depthkit {commandName} --help)");
            if (option.IsFlag) { values[name] = inline ?? "true"; continue; }
            var value = inline ?? (i + 1 < tokens.Count ? tokens[++i] : throw new CliUsageException($"--{name} needs a value"));
            values[name] = value;
        }
        foreach (var (name, value) in values)
            if (value is not null) OptionRules.Check(name, value);
        foreach (var o in options)
            if (o.Required && !values.ContainsKey(o.Name))
                throw new CliUsageException($"--{o.Name} is required ({o.Help})");
        return new CliArgs(values, options);
    }

    /// <summary>
    /// These arguments with <paramref name="preset"/>'s values for the options not typed (a recipe: what is typed wins).
    /// Each preset value passes the same range checks as a typed one.
    /// </summary>
    public CliArgs WithPreset(IReadOnlyDictionary<string, string> preset)
    {
        var values = new Dictionary<string, string?>(_values);
        foreach (var (name, value) in preset)
        {
            _ = Option(name);
            if (values.ContainsKey(name)) continue;
            OptionRules.Check(name, value);
            values[name] = value;
        }
        return new CliArgs(values, _options);
    }

    /// <summary>Given on the command line (or has a default).</summary>
    public bool Has(string name) => _values.ContainsKey(name) || Option(name).Default is not null;

    /// <summary>Typed on the command line (a default does not count).</summary>
    public bool IsGiven(string name) => _values.ContainsKey(name);

    public bool Flag(string name) => _values.TryGetValue(name, out var v) && v is not ("false" or "0");

    public string Get(string name) =>
        _values.TryGetValue(name, out var v) && v is not null ? v
        : Option(name).Default ?? throw new CliUsageException($"--{name} is required");

    public string? GetOrNull(string name) => Has(name) ? Get(name) : null;

    public int GetInt(string name) => int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
        ? v : throw new CliUsageException($"--{name} '{Get(name)}' is not a whole number");

    public long GetLong(string name) => long.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
        ? v : throw new CliUsageException($"--{name} '{Get(name)}' is not a whole number");

    public double GetDouble(string name) => double.TryParse(Get(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
        ? v : throw new CliUsageException($"--{name} '{Get(name)}' is not a number");

    /// <summary>"HxW" such as 240x320.</summary>
    public (int Height, int Width) GetSize(string name)
    {
        var parts = Get(name).ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out var h) && int.TryParse(parts[1], out var w) && h > 0 && w > 0)
            return (h, w);
        throw new CliUsageException($"--{name} '{Get(name)}' is not a size HxW such as 240x320");
    }

    /// <summary>One of the allowed words, case-insensitive.</summary>
    public string GetChoice(string name, params string[] allowed)
    {
        var value = Get(name).ToLowerInvariant();
        return allowed.Contains(value) ? value : throw new CliUsageException($"--{name} '{value}': use one of {string.Join(", ", allowed)}");
    }

    CliOption Option(string name) => _options.FirstOrDefault(o => o.Name == name)
        ?? throw new InvalidOperationException($"option --{name} is not declared by this command");
}

/// <summary>Finds the commands, dispatches, prints help and turns exceptions into one clear line.</summary>
public static class Cli
{
    public static IReadOnlyList<ICliCommand> Commands { get; } = typeof(Cli).Assembly.GetTypes()
        .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToList();

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancel = default)
    {
        var context = new CliContext(output, error) { Cancel = cancel };
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintOverview(output);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "--version") { output.WriteLine(Version); return 0; }
        // longest name first so "data stats" wins over a hypothetical "data"
        var command = Commands.OrderByDescending(c => c.Name.Split(' ').Length)
            .FirstOrDefault(c => c.Name.Split(' ').SequenceEqual(args.Take(c.Name.Split(' ').Length)));
        if (command is null)
        {
            error.WriteLine($"depthkit: unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}");
            return 2;
        }
        var rest = args.Skip(command.Name.Split(' ').Length).ToList();
        if (rest.Contains("--help") || rest.Contains("-h")) { PrintHelp(command, output); return 0; }
        try
        {
            return command.Run(CliArgs.Parse(command.Name, command.Options, rest), context);
        }
        catch (Exception e) { return CliErrors.Report(e, command.Name, args, error, InterruptSignal); }
    }

    /// <summary>The signal that cancelled the run (SIGINT, SIGTERM, SIGHUP), set by the program's handlers; null otherwise.</summary>
    public static string? InterruptSignal { get; set; }

    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    static void PrintOverview(TextWriter o)
    {
        o.WriteLine($"depthkit {Version}: monocular depth estimation (one RGB image in, depth in metres out)");
        o.WriteLine();
        o.WriteLine("Usage: depthkit <command> [options]    (depthkit <command> --help for its options)");
        o.WriteLine();
        foreach (var c in Commands) o.WriteLine($"  {c.Name,-14} {c.Summary}");
    }

    public static void PrintHelp(ICliCommand c, TextWriter o)
    {
        o.WriteLine($"depthkit {c.Name}: {c.Summary}");
        o.WriteLine();
        o.WriteLine($"Usage: depthkit {c.Name} {string.Join(' ', c.Options.Select(x => x.Positional && x.Required ? Placeholder(x) : x.Required ? $"--{x.Name} {Placeholder(x)}" : $"[--{x.Name}{(x.IsFlag ? "" : " " + Placeholder(x))}]"))}");
        o.WriteLine();
        foreach (var x in c.Options)
            o.WriteLine($"  --{x.Name,-18} {x.Help}{(x.Default is null || x.IsFlag ? "" : $" (default: {x.Default})")}");
    }

    static string Placeholder(CliOption o) => o.Name.ToUpperInvariant().Replace('-', '_');
}
