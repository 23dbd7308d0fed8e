namespace DepthKit.Data.Formats;

public sealed class DenseDepthZipFormat : IDatasetFormat
{
    public string Name => "densedepth-zip";
    public string Summary => "DenseDepth's nyu_data.zip (or a folder holding it or nyu_test.zip), read in place";
    public int Order => 50;

    public DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options)
    {
        if (probe.IsZip)
            return new DenseDepthDataset(new ZipStore(probe.FullPath), Datasets.FindCsv(probe.ZipEntries, split, probe.FullPath), options,
                $"DenseDepth zip/{Datasets.SplitName(split)}");
        if (!probe.IsFolder) return null;
        if (split == DatasetSplit.Test && probe.Files.Contains("nyu_test.zip")) return Datasets.Open(Path.Combine(probe.FullPath, "nyu_test.zip"), split, options);
        return probe.Files.Contains("nyu_data.zip") ? Datasets.Open(Path.Combine(probe.FullPath, "nyu_data.zip"), split, options) : null;
    }
}
