using System.Text.Json.Serialization;

namespace DepthKit.Labs;

/// <summary>How a check ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))]
public enum CheckStatus { Passed, Failed, NotDone }

/// <summary>
/// The outcome of one check: its task id, the status, and one message. A pass says what was compared and within
/// which tolerance; a failure is a hint that names what is wrong without giving the solution.
/// </summary>
public sealed record CheckResult(
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("status")] CheckStatus Status,
    [property: JsonPropertyName("message")] string Message)
{
    [JsonIgnore] public bool Passed => Status == CheckStatus.Passed;

    /// <summary>Seconds the check took (student code included).</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    /// <summary>The line a notebook prints.</summary>
    public string Describe() => Status switch
    {
        CheckStatus.Passed => $"PASS {Task}: {Message}",
        CheckStatus.NotDone => $"TODO {Task}: not done yet ({Message})",
        _ => $"FAIL {Task}: {Message}",
    };

    public override string ToString() => Describe();
}
