using System.Globalization;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Cli.Commands;

/// <summary><c>depthkit reproduce</c>: the slides' Table 1 in one command.</summary>
public sealed class ReproduceCommand : ICliCommand
{
    public string Name => "reproduce";
    public string Summary => "The slides' experiment: train CNN+FC, CNN, CNN+trans, CNN+Res with one budget, print Table 1, write report.html";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("profile", string.Join("; ", ReproduceProfile.All.Select(p => $"{p.Name}: {p.Description}")), "quick"),
        new("data", "default: SynthRooms rendered on the fly; or a path to NYU Depth V2 / a synth folder"),
        new("out", "output folder (metrics.csv, history.csv, report.html, montage.png, checkpoints/)", Path.Combine("runs", "reproduce")),
        new("pretrained", "override the profile's encoder weights for CNN+Res (resnet18-imagenet or a torchvision file)"),
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
        new("overwrite", "replace the results already in --out (its metrics, report and checkpoints are deleted first)", IsFlag: true),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var profile = ReproduceProfile.Get(args.Get("profile"));
        var runtime = context.InitTorch(args);
        var dataSpec = args.GetOrNull("data");
        if (profile.RequiresData && dataSpec is null)
            throw new CliUsageException($"profile {profile.Name} needs --data PATH to NYU Depth V2 ({profile.Description})");
        var pretrained = args.GetOrNull("pretrained") ?? profile.Pretrained;
        var outDir = args.Get("out");
        // lock first, then look: two runs started at once into one folder cannot both pass the check
        using var folderLock = RunLock.Acquire(outDir);
        Reproduction.PrepareOutput(outDir, args.Flag("overwrite"));
        context.Out.WriteLine($"depthkit reproduce --profile {profile.Name}: {profile.Description}; expected time {profile.ExpectedTime}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = TrainingConsole.Run(context, console =>
        {
            var data = DataChoice.Open(dataSpec ?? "synth", profile.Height, profile.Width, profile.TrainCount, profile.ValCount, profile.TestCount, profile.Seed, console.Log);
            IProgress<TrainProgress>? current = null;
            var relay = new SyncProgress<TrainProgress>(p => current?.Report(p));
            return Reproduction.Run(profile, data, outDir, runtime.Device,
                initialize: (model, config) =>
                {
                    current = console.For(Architectures.Get(config.Name).DisplayName);
                    if (pretrained is not null && Architectures.Get(config.Name).Encoders.Count > 0) PretrainedWeights.Apply(model, pretrained);
                },
                progress: relay, log: console.Log, cancel: context.Cancel);
        });
        context.Out.WriteLine();
        context.Out.WriteLine($"Table 1 ({result.DataDescription}; test split, no crop, per-image averages):");
        context.Out.Write(result.Table());
        context.Out.WriteLine();
        foreach (var (claim, holds) in result.Conclusion()) context.Out.WriteLine($"  [{(holds ? "yes" : "NO ")}] {claim}");
        context.Out.WriteLine("Quality (beyond the slides):");
        foreach (var (claim, holds) in result.QualityChecks()) context.Out.WriteLine($"  [{(holds ? "yes" : "NO ")}] {claim}");
        context.Out.WriteLine(result.ShapeSummary());
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.Combine(outDir, "metrics.csv")}, history.csv, report.html, montage.png and checkpoints/ in {clock.Elapsed.TotalSeconds:F0} s (CPU {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F0} s)"));
        return 0;
    }
}
