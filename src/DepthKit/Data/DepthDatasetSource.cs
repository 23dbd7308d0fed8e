namespace DepthKit.Data;

/// <summary>
/// Shared base of the NYU and folder sources: the options, the bad-sample log, the format name shown by
/// <c>depthkit data stats</c>, and the checks every sample passes before it leaves a source.
/// </summary>
public abstract class DepthDatasetSource(DatasetOptions options) : IDepthDataset, IDisposable
{
    public DatasetOptions Options { get; } = options;
    public BadSampleLog BadSamples => Options.BadSamples;
    /// <summary>Short format id: densedepth-zip, densedepth-folder, nyu-labeled-mat, nyu-test-npy, pair-folder.</summary>
    public abstract string Format { get; }
    public abstract string Name { get; }
    public abstract int Count { get; }
    public abstract DepthSample Get(int index);
    public virtual void Dispose() { GC.SuppressFinalize(this); }

    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: index {index} outside 0..{Count - 1}");
    }

    /// <summary>
    /// Pairs RGB and depth after checking sizes and depth values: RGB and depth of different sizes, negative
    /// depth, and (unless <see cref="DatasetOptions.NonFiniteDepthIsInvalid"/>) NaN/inf depth are errors.
    /// </summary>
    protected DepthSample MakeSample(string source, int rgbHeight, int rgbWidth, byte[] rgb, int depthHeight, int depthWidth, float[] depth)
    {
        if (rgbHeight != depthHeight || rgbWidth != depthWidth)
            throw new DepthKitDataException(source, $"RGB is {rgbHeight}x{rgbWidth} but depth is {depthHeight}x{depthWidth} (HxW); they must match");
        for (int i = 0; i < depth.Length; i++)
        {
            float d = depth[i];
            if (d < 0f) throw new DepthKitDataException(source, $"negative depth {d} m at row {i / depthWidth}, column {i % depthWidth}");
            if (!float.IsFinite(d))
            {
                if (!Options.NonFiniteDepthIsInvalid)
                    throw new DepthKitDataException(source, $"non-finite depth ({d}) at row {i / depthWidth}, column {i % depthWidth} (set NonFiniteDepthIsInvalid to treat it as a missing measurement)");
                depth[i] = 0f;
            }
        }
        return new DepthSample(rgbHeight, rgbWidth, rgb, depth, source).Validated();
    }

    /// <summary>Depth PNG values to metres: the explicit scale if given, else from the bit depth.</summary>
    protected float[] PngToMetres(DepthPng.Image png)
    {
        double unitsPerMetre = Options.DepthUnitsPerMetre ?? (png.BitDepth == 8 ? 25.5 : 1000.0); // 8-bit: v/255*10 m
        var metres = new float[png.Values.Length];
        for (int i = 0; i < metres.Length; i++) metres[i] = (float)(png.Values[i] / unitsPerMetre); // 0 stays 0 = invalid
        return metres;
    }
}
