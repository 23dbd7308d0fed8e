namespace DepthKit.Data.Formats;

public sealed class NyuLabeledMatFormat : IDatasetFormat
{
    public string Name => "nyu-labeled-mat";
    public string Summary => "nyu_depth_v2_labeled.mat (HDF5, MATLAB v7.3) with splits.mat or the built-in Eigen split";
    public int Order => 40;

    public DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options)
    {
        if (probe.IsFolder)
            return probe.Files.Contains("nyu_depth_v2_labeled.mat")
                ? new NyuLabeledMat(Path.Combine(probe.FullPath, "nyu_depth_v2_labeled.mat"), split, options) : null;
        if (NyuLabeledMat.IsHdf5(probe.Head)) return new NyuLabeledMat(probe.FullPath, split, options);
        if (probe.Extension == ".mat" && !probe.IsZip)
            throw new DepthKitDataException(probe.FullPath, "this .mat is not HDF5 (MATLAB v7.3); if it is splits.mat, open nyu_depth_v2_labeled.mat and pass it as SplitsPath");
        return null;
    }
}
