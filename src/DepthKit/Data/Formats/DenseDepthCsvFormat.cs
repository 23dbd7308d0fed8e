namespace DepthKit.Data.Formats;

public sealed class DenseDepthCsvFormat : IDatasetFormat
{
    public string Name => "densedepth-csv";
    public string Summary => "DenseDepth's extracted nyu_data.zip (data/nyu2_train.csv, data/nyu2_test.csv) or one of its CSVs";
    public int Order => 10;

    public DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options)
    {
        if (probe.IsFile && probe.Extension == ".csv" && !probe.IsZip)
        {
            // DenseDepth's CSVs sit in data/ and list paths starting with data/: read from the folder above
            var dir = Path.GetDirectoryName(probe.FullPath)!;
            return Path.GetFileName(dir) == "data" && Path.GetDirectoryName(dir) is { } parent
                ? new DenseDepthDataset(new FolderStore(parent), $"data/{Path.GetFileName(probe.FullPath)}", options)
                : new DenseDepthDataset(new FolderStore(dir), Path.GetFileName(probe.FullPath), options);
        }
        if (!probe.IsFolder || split == DatasetSplit.All) return null;
        var folder = probe.FullPath;
        string csv = Datasets.CsvName(split), name = $"DenseDepth folder/{Datasets.SplitName(split)}";
        if (File.Exists(Path.Combine(folder, "data", csv))) return new DenseDepthDataset(new FolderStore(folder), $"data/{csv}", options, name);
        if (!probe.Files.Contains(csv)) return null;
        // the data/ folder itself: its CSV rows start with data/, so read from the parent
        return Path.GetFileName(folder) == "data"
            ? new DenseDepthDataset(new FolderStore(Path.GetDirectoryName(folder)!), $"data/{csv}", options, name)
            : new DenseDepthDataset(new FolderStore(folder), csv, options, name);
    }
}
