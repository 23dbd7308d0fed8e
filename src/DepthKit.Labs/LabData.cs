using DepthKit.Data;

namespace DepthKit.Labs;

/// <summary>
/// Small in-memory RGB-D samples for the checks (rendering is not needed to test a flip or a loader): every pixel
/// has its own colour and depth, so a misplaced pixel shows, and about 10 % of the depth is invalid (0).
/// </summary>
public sealed class LabData(int count, int height, int width, int seed = 0) : IDepthDataset
{
    public string Name => $"lab samples {height}x{width}";
    public int Count { get; } = count;

    public DepthSample Get(int index)
    {
        var random = new Random(seed * 1000 + index);
        var rgb = new byte[height * width * 3];
        var depth = new float[height * width];
        random.NextBytes(rgb);
        for (int i = 0; i < depth.Length; i++)
            depth[i] = random.NextDouble() < 0.1 ? 0f : (float)(0.5 + 9 * random.NextDouble());
        return new DepthSample(height, width, rgb, depth, $"lab sample {index}");
    }
}
