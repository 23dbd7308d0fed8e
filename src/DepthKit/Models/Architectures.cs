using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>One architecture of the registry.</summary>
/// <param name="Name">CLI and config name, e.g. <c>cnn-res</c>.</param>
/// <param name="DisplayName">The slides' name, e.g. "CNN+Res".</param>
/// <param name="Encoders">Allowed encoders (empty: the model has its own conv encoder).</param>
/// <param name="Description">One line for <c>depthkit models</c>.</param>
/// <param name="DefaultEncoder">Encoder used when the config gives none.</param>
/// <param name="CpuSized">Small enough to train on two CPU cores in minutes.</param>
/// <param name="Options">The architecture's options and their defaults.</param>
/// <param name="Build">Builds the model from a config.</param>
public sealed record ArchitectureInfo(string Name, string DisplayName, string Description, IReadOnlyList<string> Encoders,
    string? DefaultEncoder, bool CpuSized, string Options, Func<ModelConfig, DepthNet> Build);

/// <summary>The architectures DepthKit knows, by name; <see cref="Create(ModelConfig)"/> builds one from a <see cref="ModelConfig"/>.</summary>
public static class Architectures
{
    static readonly string[] ResNets = ["resnet18", "resnet34", "resnet50", "resnet18-cntk"];

    public static IReadOnlyList<ArchitectureInfo> All { get; } =
    [
        new("cnn-fc", "CNN+FC", "conv trunk + fully connected layers with Dropout predicting a coarse map (Eigen 2014 coarse net)",
            [], null, true, "width=16 hidden=512 coarse=24x32 dropout=0.5 initial_depth=2.5", c => new CnnFc(c)),
        new("cnn", "CNN", "plain conv encoder-decoder: conv+BN+ReLU down, upsample+conv up",
            [], null, true, "width=16 initial_depth=2.5", c => new Cnn(c)),
        new("cnn-trans", "CNN+trans", "the CNN encoder with a transposed-convolution decoder",
            [], null, true, "width=16 initial_depth=2.5", c => new CnnTrans(c)),
        new("cnn-res", "CNN+Res", "ResNet encoder + up-projection decoder with skip connections (CPU-sized)",
            ResNets, "resnet18", true, "decoder_width=128 upsampling=bilinear|fast-upproj|upproj initial_depth=2.5", c => new CnnRes(c)),
        new("cnn-res-slides", "CNN+Res (slides)", "the slides' model: frozen ResNet-50, 1x1 conv+BN, three up blocks, 3x3 conv, ReLU",
            ResNets, "resnet50", false, "freeze=true", c => new CnnResSlides(c)),
        new("fcrn", "FCRN", "Laina et al. 2016: ResNet-50, 1x1 conv+BN, four up-projections, 3x3 conv",
            ResNets, "resnet50", false, "upsampling=upproj|fast-upproj freeze=false", c => new Fcrn(c)),
    ];

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
        var known = info.Options.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(o => o.Split('=')[0]).ToHashSet();
        foreach (var option in config.Options.Keys)
            if (!known.Contains(option))
                throw new ArgumentException($"model '{info.Name}' has no option '{option}': its options are {string.Join(", ", known)}");
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
