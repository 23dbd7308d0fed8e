using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>One architecture of the registry.</summary>
/// <param name="Name">CLI and config name, e.g. <c>cnn-res</c>.</param>
/// <param name="DisplayName">The slides' name, e.g. "CNN+Res".</param>
/// <param name="Description">One line for <c>depthkit models</c>.</param>
/// <param name="Encoders">Allowed encoders (empty: the model has its own conv encoder).</param>
/// <param name="DefaultEncoder">Encoder used when the config gives none.</param>
/// <param name="CpuSized">Small enough to train on two CPU cores in minutes.</param>
/// <param name="Order">Position in listings (Table 1's order for the slides' four).</param>
/// <param name="Options">The architecture's options with their defaults.</param>
/// <param name="Build">Builds the model from a config.</param>
public sealed record ArchitectureInfo(string Name, string DisplayName, string Description, IReadOnlyList<string> Encoders,
    string? DefaultEncoder, bool CpuSized, int Order, IReadOnlyList<ArchitectureOption> Options, Func<ModelConfig, DepthNet> Build);

/// <summary>
/// A model that registers itself (timm's <c>register_model</c>): its class says what it is in a static
/// <see cref="ArchitectureInfo"/>, and <see cref="Architectures"/> finds it by reflection, so adding an architecture is
/// one new file.
/// </summary>
public interface IArchitecture
{
    static abstract ArchitectureInfo Architecture { get; }
}

/// <summary>The architectures DepthKit knows, by name; <see cref="Create(ModelConfig)"/> builds one from a <see cref="ModelConfig"/>.</summary>
public static class Architectures
{
    /// <summary>The encoders a residual model can take.</summary>
    public static readonly string[] ResNets = ["resnet18", "resnet34", "resnet50", "resnet18-cntk"];

    /// <summary>Every <see cref="IArchitecture"/> of this library, by <see cref="ArchitectureInfo.Order"/>.</summary>
    public static IReadOnlyList<ArchitectureInfo> All { get; } = typeof(Architectures).Assembly.GetTypes()
        .Where(t => typeof(IArchitecture).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
        .Select(t => (ArchitectureInfo)t.GetProperty(nameof(IArchitecture.Architecture), System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!.GetValue(null)!)
        .OrderBy(a => a.Order).ThenBy(a => a.Name, StringComparer.Ordinal)
        .ToList();

    public static IEnumerable<string> Names => All.Select(a => a.Name);

    /// <summary>Looks an architecture up by name (case-insensitive); a clear error lists the known ones.</summary>
    public static ArchitectureInfo Get(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}': use one of {string.Join(", ", Names)}");

    /// <summary>Builds the model the config describes (weights freshly initialised from torch's current seed).</summary>
    public static DepthNet Create(ModelConfig config)
    {
        var info = Get(config.Name);
        if (config.Encoder is not null && !info.Encoders.Contains(config.Encoder.ToLowerInvariant()))
            throw new ArgumentException(info.Encoders.Count == 0
                ? $"model '{info.Name}' has its own encoder: do not give one ('{config.Encoder}')"
                : $"model '{info.Name}' encoder '{config.Encoder}': use one of {string.Join(", ", info.Encoders)}");
        foreach (var (name, value) in config.Options)
        {
            var option = info.Options.FirstOrDefault(o => o.Name == name)
                ?? throw new ArgumentException($"model '{info.Name}' has no option '{name}': its options are {string.Join(", ", info.Options.Select(o => o.Name))}");
            option.Check(value);
        }
        return info.Build(config with { Name = info.Name, Encoder = config.Encoder?.ToLowerInvariant() ?? info.DefaultEncoder });
    }

    /// <summary>Builds a model by name with defaults.</summary>
    public static DepthNet Create(string name, string? encoder = null, int inputHeight = 128, int inputWidth = 160) =>
        Create(new ModelConfig(name, encoder, inputHeight, inputWidth));

    /// <summary>
    /// Builds an encoder by name: <c>resnet18</c>, <c>resnet34</c>, <c>resnet50</c> (torchvision layouts) or
    /// <c>resnet18-cntk</c> (ResNet-18 with three blocks in stage 4, the layout of the ImageNet weights in the
    /// Microsoft.ML.DnnImageFeaturizer.ResNet18 package, see <see cref="Pretrained.PretrainedEncoders"/>).
    /// </summary>
    public static ResNet CreateEncoder(string encoder) => encoder.ToLowerInvariant() switch
    {
        "resnet18" => new ResNet(18),
        "resnet34" => new ResNet(34),
        "resnet50" => new ResNet(50),
        "resnet18-cntk" => new ResNet(18, Pretrained.PretrainedEncoders.CntkResNet18Stages),
        _ => throw new ArgumentException($"encoder '{encoder}': use one of {string.Join(", ", ResNets)}"),
    };

    /// <summary>Parameter counts: total, trainable (requires_grad) and frozen.</summary>
    public static (long Total, long Trainable, long Frozen) CountParameters(nn.Module model)
    {
        long total = 0, trainable = 0;
        foreach (var p in model.parameters())
        {
            total += p.numel();
            if (p.requires_grad) trainable += p.numel();
        }
        return (total, trainable, total - trainable);
    }
}
