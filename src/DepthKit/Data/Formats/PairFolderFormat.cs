namespace DepthKit.Data.Formats;

public sealed class PairFolderFormat : IDatasetFormat
{
    public string Name => "pairs";
    public string Summary => "a folder of RGB/depth pairs matched by RgbGlob and DepthGlob";
    public int Order => 0;

    public DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options)
    {
        if (options.RgbGlob is null && options.DepthGlob is null) return null;
        if (options.RgbGlob is null || options.DepthGlob is null) throw new DepthKitDataException(probe.FullPath, "a folder of pairs needs both RgbGlob and DepthGlob");
        return new PairFolderDataset(probe.FullPath, options.RgbGlob, options.DepthGlob, options);
    }
}
