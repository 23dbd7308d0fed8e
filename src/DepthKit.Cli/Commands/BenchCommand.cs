using DepthKit.Data;
using DepthKit.Diagnostics;

namespace DepthKit.Cli.Commands;

/// <summary>The bench measurements (trainer overhead, loader, memory, inference, SynthRooms); see docs/benchmarks.md.</summary>
public sealed class BenchCommand : ICliCommand
{
    public string Name => "bench";
    public string Summary => "Measure trainer overhead, loader throughput, memory drift, inference and SynthRooms speed";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("quick", "a few minutes: fewer rounds, CPU-sized models only", IsFlag: true),
        new("smoke", "seconds: tiny sizes, one round; checks the harness, the numbers mean nothing", IsFlag: true),
        new("json", "print the report as JSON (keys in docs/benchmarks.md); progress goes to stderr", IsFlag: true),
        new("out", "also write the JSON report to this file"),
        new("only", "comma-separated sections: " + string.Join(",", BenchSuite.AllSections)),
        new("rounds", "timed rounds per measurement (default 5 with --quick, 7 without)"),
        new("memory-epochs", "epochs of the memory section (default 10)"),
        new("models", "comma-separated architectures for the inference section"),
        new("device", "auto or cpu (the benchmarks are CPU measurements)", "cpu"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        if (args.Flag("quick") && args.Flag("smoke")) throw new CliUsageException("--quick and --smoke exclude each other");
        var config = args.Flag("smoke") ? BenchConfig.Smoke : args.Flag("quick") ? BenchConfig.Quick : BenchConfig.Full;
        if (args.GetOrNull("only") is { } only)
        {
            var sections = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var s in sections)
                if (!BenchSuite.AllSections.Contains(s, StringComparer.OrdinalIgnoreCase))
                    throw new CliUsageException($"--only '{s}': use one or more of {string.Join(", ", BenchSuite.AllSections)}");
            config = config with { Sections = sections };
        }
        if (args.GetOrNull("memory-epochs") is not null)
        {
            int epochs = args.GetInt("memory-epochs");
            if (epochs < 3) throw new CliUsageException($"--memory-epochs must be at least 3 (the drift starts at epoch 2), got {epochs}");
            config = config with { MemoryEpochs = epochs };
        }
        if (args.GetOrNull("rounds") is not null)
        {
            int rounds = args.GetInt("rounds");
            if (rounds < 1) throw new CliUsageException($"--rounds must be at least 1, got {rounds}");
            config = config with { Rounds = rounds };
        }
        if (args.GetOrNull("models") is { } models)
        {
            var names = models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var n in names) _ = Models.Architectures.Get(n);
            config = config with { InferenceModels = names };
        }
        context.InitTorch(args);
        bool json = args.Flag("json");
        var log = json ? context.Error : context.Out;
        var report = BenchSuite.Run(config, line => log.WriteLine(line), context.Cancel);
        var text = report.ToJson();
        if (args.GetOrNull("out") is { } path)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(path, text + Environment.NewLine);
        }
        if (json) context.Out.WriteLine(text);
        else
        {
            context.Out.WriteLine();
            context.Out.WriteLine(FormattableString.Invariant($"bench ({report.Mode}) took {report.ElapsedSeconds:F0} s; load average now {string.Join(" ", report.Machine.LoadAverage)}"));
            context.Out.WriteLine($"  convolutions: {report.Machine.Route}");
            foreach (var g in report.Goals)
                context.Out.WriteLine(FormattableString.Invariant($"  {(g.Met ? "met    " : "MISSED ")} {g.Name,-20} {g.Value,8:F3}  ({g.Goal})"));
        }
        return 0;
    }
}
