namespace DepthKit.Experiments;

/// <summary>
/// A named <c>depthkit train</c> command line: <c>depthkit train --recipe NAME --out RUN</c> trains with exactly these
/// options (any option typed as well wins over the recipe's value). A bundled model names the recipe it came from, so
/// the command that made it is part of the kit and a test can check the shipped weights were trained with it.
/// </summary>
/// <remarks>Arguments: option name (without --) to value; flags have the value "true"</remarks>
public sealed record TrainingRecipe(string Name, string Description, string ExpectedTime, IReadOnlyDictionary<string, string> Arguments)
{
    /// <summary>The recipe as one command line, as the model card prints it.</summary>
    public string CommandLine(string outDir) =>
        $"depthkit train --recipe {Name} --out {outDir}   # = " + string.Join(" ",
            Arguments.Select(kv => kv.Value == "true" ? $"--{kv.Key}" : $"--{kv.Key} {kv.Value}"));
}

/// <summary>The recipes of the bundled models.</summary>
public static class TrainingRecipes
{
    /// <summary>
    /// The bundled <c>default</c> model: CNN+Res (ImageNet ResNet-18, bilinear up-projection decoder) on 6000 SynthRooms
    /// images at 144x192 for 16 epochs (6000 steps), the quick profile's recipe (docs/quality.md: encoder at 0.3x the
    /// decoder's rate, SILog plus a log-depth gradient term, one-cycle at 4e-3) scaled up, with photometric augmentation
    /// because photos differ from renders most in exposure and colour.
    /// </summary>
    public static TrainingRecipe Default { get; } = new("default",
        "the bundled model: CNN+Res (ImageNet ResNet-18) on 6000 SynthRooms images at 144x192, 16 epochs, colour augmentation",
        "about 80 minutes on 2 CPU cores (3 min rendering, 0.7 s per step)",
        new Dictionary<string, string>
        {
            ["model"] = "cnn-res", ["data"] = "synth", ["size"] = "144x192", ["epochs"] = "16", ["batch"] = "16",
            ["train-count"] = "6000", ["val-count"] = "200", ["lr"] = "4e-3", ["optimizer"] = "adamw", ["weight-decay"] = "1e-4",
            ["schedule"] = "onecycle", ["loss"] = "silog-grad", ["encoder"] = "resnet18-cntk", ["pretrained"] = "resnet18-imagenet",
            ["encoder-lr-scale"] = "0.3", ["option"] = "upsampling=bilinear", ["color-augment"] = "true", ["seed"] = "42",
        });

    public static IReadOnlyList<TrainingRecipe> All { get; } = [Default];

    public static TrainingRecipe Get(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown recipe '{name}': use one of {string.Join(", ", All.Select(r => r.Name))}");
}
