using DepthKit.Data;

namespace DepthKit.Transforms;

/// <summary>Runs transforms in order with the same Random.</summary>
public sealed class Compose(params IPairedTransform[] steps) : IPairedTransform
{
    public IReadOnlyList<IPairedTransform> Steps { get; } = steps;

    public DepthSample Apply(DepthSample sample, Random random)
    {
        foreach (var step in Steps) sample = step.Apply(sample, random);
        return sample;
    }

    public override string ToString() => string.Join(" -> ", Steps.Select(s => s.ToString()));
}
