using System.Text.Json;
using DepthKit.Models;

namespace DepthKit.Cli.Commands;

/// <summary>torchsummary-style table of a model: layers, output shapes, parameters (total, trainable, frozen).</summary>
public sealed class SummaryCommand : ICliCommand
{
    public string Name => "summary";
    public string Summary => "Print a model's layers, output shapes and parameter counts (like torchsummary)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "architecture name (see depthkit models)", Required: true),
        new("size", "input size HxW", "128x160"),
        new("encoder", "resnet18, resnet34 or resnet50 (residual models only)"),
        new("option", "architecture option key=value, comma-separated (e.g. upsampling=fast-upproj)"),
        new("freeze-encoder", "count the encoder as frozen", IsFlag: true),
        new("json", "print totals and output size as JSON instead of the table", IsFlag: true),
        new("device", "auto, cpu, cuda or cuda:N", "cpu"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var (height, width) = args.GetSize("size");
        var name = args.Get("model");
        if (!Architectures.Names.Contains(name.ToLowerInvariant()))
            throw new CliUsageException($"--model '{name}': use one of {string.Join(", ", Architectures.Names)}");
        var options = ArchitectureOptions.Parse(args.GetOrNull("option"));
        context.InitTorch(args);
        var config = new ModelConfig(name.ToLowerInvariant(), args.GetOrNull("encoder"), height, width, options);
        using var model = Architectures.Create(config);
        if (args.Flag("freeze-encoder")) model.FreezeEncoder();
        var summary = ModelSummary.Create(model, [1, 3, height, width]);
        if (args.Flag("json"))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["model"] = model.Config.Name,
                ["encoder"] = model.Config.Encoder,
                ["input_height"] = height,
                ["input_width"] = width,
                ["total_params"] = summary.TotalParameters,
                ["trainable_params"] = summary.TrainableParameters,
                ["frozen_params"] = summary.FrozenParameters,
                ["output_height"] = summary.OutputShape[2],
                ["output_width"] = summary.OutputShape[3],
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var info = Architectures.Get(config.Name);
        context.Out.WriteLine($"{info.DisplayName} ({info.Name}{(model.Config.Encoder is { } e ? ", " + e : "")}), input [-1, 3, {height}, {width}] -> output [-1, 1, {summary.OutputShape[2]}, {summary.OutputShape[3]}]");
        context.Out.Write(summary.ToText());
        return 0;
    }
}
