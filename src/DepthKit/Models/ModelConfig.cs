using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DepthKit.Models;

/// <summary>
/// Everything needed to rebuild a model: architecture name (<c>cnn-fc</c>, <c>cnn</c>, <c>cnn-trans</c>,
/// <c>cnn-res</c>, <c>cnn-res-slides</c>, <c>fcrn</c>), encoder, input size and architecture options.
/// JSON-serialisable; checkpoints store it beside the weights.
/// </summary>
public sealed record ModelConfig
{
    [JsonPropertyName("name")] public string Name { get; init; } = "cnn-res";
    /// <summary><c>resnet18</c>, <c>resnet34</c> or <c>resnet50</c> for the residual models; null for the plain CNNs.</summary>
    [JsonPropertyName("encoder")] public string? Encoder { get; init; }
    [JsonPropertyName("input_height")] public int InputHeight { get; init; } = 128;
    [JsonPropertyName("input_width")] public int InputWidth { get; init; } = 160;
    /// <summary>Architecture options (documented on each model class), as strings.</summary>
    [JsonPropertyName("options")] public Dictionary<string, string> Options { get; init; } = [];

    public ModelConfig() { }

    public ModelConfig(string name, string? encoder = null, int inputHeight = 128, int inputWidth = 160, Dictionary<string, string>? options = null)
    {
        Name = name;
        Encoder = encoder;
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        Options = options ?? [];
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelConfig FromJson(string json) =>
        JsonSerializer.Deserialize<ModelConfig>(json, Json) ?? throw new InvalidDataException("model config JSON is null");

    /// <summary>Returns a copy with one option set.</summary>
    public ModelConfig With(string option, string value) =>
        this with { Options = new Dictionary<string, string>(Options) { [option] = value } };

    public int GetInt(ArchitectureOption o) => GetInt(o.Name, int.Parse(o.Default, CultureInfo.InvariantCulture));
    public double GetDouble(ArchitectureOption o) => GetDouble(o.Name, double.Parse(o.Default, CultureInfo.InvariantCulture));
    public bool GetBool(ArchitectureOption o) => GetBool(o.Name, o.Default == "true");
    public string GetChoice(ArchitectureOption o) => GetChoice(o.Name, o.Default, o.Choices);
    public (int Height, int Width) GetSize(ArchitectureOption o)
    {
        var parts = o.Default.Split('x');
        return GetSize(o.Name, (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture)));
    }

    public int GetInt(string option, int fallback) =>
        !Options.TryGetValue(option, out var v) ? fallback
        : int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i > 0 ? i
        : throw new ArgumentException($"model option {option}='{v}' is not a positive whole number");

    public double GetDouble(string option, double fallback) =>
        !Options.TryGetValue(option, out var v) ? fallback
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : throw new ArgumentException($"model option {option}='{v}' is not a number");

    public bool GetBool(string option, bool fallback) =>
        !Options.TryGetValue(option, out var v) ? fallback
        : bool.TryParse(v, out var b) ? b
        : throw new ArgumentException($"model option {option}='{v}' is not true or false");

    public string GetChoice(string option, string fallback, params string[] allowed)
    {
        if (!Options.TryGetValue(option, out var v)) return fallback;
        v = v.ToLowerInvariant();
        return allowed.Contains(v) ? v : throw new ArgumentException($"model option {option}='{v}': use one of {string.Join(", ", allowed)}");
    }

    /// <summary>An "HxW" option such as 24x32.</summary>
    public (int Height, int Width) GetSize(string option, (int, int) fallback)
    {
        if (!Options.TryGetValue(option, out var v)) return fallback;
        var parts = v.ToLowerInvariant().Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], out var h) && int.TryParse(parts[1], out var w) && h > 0 && w > 0
            ? (h, w) : throw new ArgumentException($"model option {option}='{v}' is not a size HxW such as 24x32");
    }
}
