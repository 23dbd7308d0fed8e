using static TorchSharp.torch;

namespace DepthKit.Data;

/// <summary>
/// A random-access source of RGB-D samples (SynthRooms, NYU in any of its formats, a folder of pairs).
/// Get(i) must be safe to call from several threads at once: the DataLoader decodes on worker threads.
/// </summary>
public interface IDepthDataset
{
    /// <summary>Human-readable name with the split, e.g. "SynthRooms/train" or "NYU labeled .mat/test".</summary>
    string Name { get; }
    int Count { get; }
    DepthSample Get(int index);
}

/// <summary>
/// A batch ready for a model: RGB [B,3,H,W] float32 (normalised as the transform pipeline chose), depth [B,1,H,W]
/// float32 metres, and valid [B,1,H,W] bool. Owns its tensors: dispose it (or let a DisposeScope take them).
/// </summary>
public sealed class DepthBatch(Tensor rgb, Tensor depth, Tensor valid, int[] indices, IReadOnlyList<DepthSample>? sources = null) : IDisposable
{
    /// <summary>
    /// The samples as the dataset returned them, before any transform, when the loader was asked to keep them
    /// (<see cref="DataLoaderOptions.KeepSources"/>: evaluation scores at the ground truth's own resolution); else null.
    /// </summary>
    public IReadOnlyList<DepthSample>? Sources { get; } = sources;
    public Tensor Rgb { get; } = rgb;
    public Tensor Depth { get; } = depth;
    public Tensor Valid { get; } = valid;
    /// <summary>Dataset indices of the samples, in batch order.</summary>
    public int[] Indices { get; } = indices;
    public int Size => Indices.Length;

    public DepthBatch To(Device device) =>
        device.type == TorchSharp.DeviceType.CPU ? this : new DepthBatch(Rgb.to(device), Depth.to(device), Valid.to(device), Indices, Sources);

    public void Dispose()
    {
        Rgb.Dispose();
        Depth.Dispose();
        Valid.Dispose();
    }
}
