namespace DepthKit.Data.Formats;

public sealed class NyuTestNpyFormat : IDatasetFormat
{
    public string Name => "nyu-test-npy";
    public string Summary => $"DenseDepth's nyu_test.zip or a folder with {NyuTestNpy.RgbFile} (the 654 Eigen test frames)";
    public int Order => 30;

    public DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options)
    {
        bool folder = probe.IsFolder && probe.Files.Contains(NyuTestNpy.RgbFile);
        bool zip = probe.IsZip && probe.ZipEntries.Any(e => e.EndsWith(NyuTestNpy.RgbFile, StringComparison.Ordinal));
        return folder || zip ? Datasets.OnlyTest(new NyuTestNpy(probe.FullPath, options), split, probe.FullPath) : null;
    }
}
