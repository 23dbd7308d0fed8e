namespace DepthKit.Data.Formats;

public sealed class IndexFolderFormat : IDatasetFormat
{
    public string Name => "index-folder";
    public string Summary => "a folder with index.csv (rgb,depth per line, as depthkit synth writes)";
    public int Order => 20;

    public DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options)
    {
        return probe.IsFolder && probe.Files.Contains("index.csv")
            ? new DenseDepthDataset(new FolderStore(probe.FullPath), "index.csv", options, $"{Path.GetFileName(probe.FullPath)}/index.csv")
            : null;
    }
}
