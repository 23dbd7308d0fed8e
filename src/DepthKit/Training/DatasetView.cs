using DepthKit.Data;

namespace DepthKit.Training;

/// <summary>A subset of another dataset by index list (a validation split carved from a training set, a capped count).</summary>
public sealed class DatasetView(IDepthDataset source, IReadOnlyList<int> indices, string name) : IDepthDataset
{
    public string Name { get; } = name;
    public int Count => indices.Count;
    public DepthSample Get(int index) => source.Get(indices[index]);

    /// <summary>The first <paramref name="count"/> samples (all when count is 0 or larger than the dataset).</summary>
    public static IDepthDataset Take(IDepthDataset source, int count) =>
        count <= 0 || count >= source.Count ? source : new DatasetView(source, Enumerable.Range(0, count).ToArray(), source.Name);

    /// <summary>Splits off the last <paramref name="valCount"/> samples as a validation set (the rest trains).</summary>
    public static (IDepthDataset Train, IDepthDataset Val) SplitValidation(IDepthDataset source, int valCount)
    {
        valCount = Math.Clamp(valCount, 1, Math.Max(1, source.Count - 1));
        int trainCount = source.Count - valCount;
        return (new DatasetView(source, Enumerable.Range(0, trainCount).ToArray(), source.Name),
                new DatasetView(source, Enumerable.Range(trainCount, valCount).ToArray(), source.Name + " (held out for validation)"));
    }
}
