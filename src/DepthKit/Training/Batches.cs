using DepthKit.Data;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// Turns dataset samples into a <see cref="DepthBatch"/> the models take: RGB [B,3,H,W] in [0, 1] (every
/// DepthKit model normalises its own input), depth [B,1,H,W] metres, valid [B,1,H,W]. Samples of another size
/// are resized (RGB area/bilinear, depth nearest so no invalid pixel leaks into a valid one).
/// </summary>
public static class Batches
{
    /// <remarks>height: target height (0: the first sample's)</remarks>
    /// <remarks>flip: decides per dataset index whether the pair is mirrored (augmentation), or null</remarks>
    public static DepthBatch Collate(IDepthDataset dataset, IReadOnlyList<int> indices, int height = 0, int width = 0, Func<int, bool>? flip = null)
    {
        var samples = new DepthSample[indices.Count];
        Parallel.For(0, samples.Length, i => samples[i] = dataset.Get(indices[i]));
        using var scope = NewDisposeScope();
        int h = height > 0 ? height : samples[0].Height, w = width > 0 ? width : samples[0].Width;
        var rgbs = new Tensor[samples.Length];
        var depths = new Tensor[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            var (rgb, depth) = ToTensors(samples[i], h, w);
            if (flip is not null && flip(indices[i])) { rgb = rgb.flip(-1); depth = depth.flip(-1); }
            rgbs[i] = rgb;
            depths[i] = depth;
        }
        var rgbBatch = stack(rgbs);
        var depthBatch = stack(depths);
        var valid = depthBatch.gt(0).logical_and(depthBatch.isfinite());
        depthBatch = depthBatch.nan_to_num(0, 0, 0);
        return new DepthBatch(rgbBatch.MoveToOuterDisposeScope(), depthBatch.MoveToOuterDisposeScope(), valid.MoveToOuterDisposeScope(), [.. indices]);
    }

    /// <summary>One sample as RGB [3,h,w] in [0,1] and depth [1,h,w] metres.</summary>
    public static (Tensor Rgb, Tensor Depth) ToTensors(DepthSample sample, int height, int width)
    {
        var rgb = ImageTensor(sample.Rgb, sample.Height, sample.Width, height, width);
        var depth = tensor(sample.Depth, [1, 1, sample.Height, sample.Width]);
        if (sample.Height != height || sample.Width != width)
            depth = nn.functional.interpolate(depth, size: [height, width], mode: InterpolationMode.Nearest);
        return (rgb, depth.squeeze(0));
    }

    /// <summary>RGB bytes (H x W x 3) to a float tensor [3, height, width] in [0, 1].</summary>
    public static Tensor ImageTensor(byte[] rgb, int sourceHeight, int sourceWidth, int height, int width)
    {
        using var scope = NewDisposeScope();
        var image = tensor(rgb, [sourceHeight, sourceWidth, 3]).permute(2, 0, 1).to(float32).div(255f).unsqueeze(0);
        if (sourceHeight != height || sourceWidth != width)
        {
            // area averaging when shrinking avoids aliasing; bilinear when enlarging
            var mode = height <= sourceHeight && width <= sourceWidth ? InterpolationMode.Area : InterpolationMode.Bilinear;
            image = mode == InterpolationMode.Area
                ? nn.functional.interpolate(image, size: [height, width], mode: mode)
                : nn.functional.interpolate(image, size: [height, width], mode: mode, align_corners: false);
        }
        return image.squeeze(0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The batches of one epoch: indices shuffled by (seed, epoch) when <paramref name="shuffle"/>, cut into batches.</summary>
    public static int[][] Plan(int count, int batchSize, bool shuffle, int seed, int epoch, bool dropLast)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle) new Random(HashCode(seed, epoch)).Shuffle(order);
        var batches = new List<int[]>();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            if (n < batchSize && dropLast && batches.Count > 0) break;
            batches.Add(order[start..(start + n)]);
        }
        return [.. batches];
    }

    /// <summary>A stable mix of integers (System.HashCode is randomised per process, so not usable for seeds).</summary>
    public static int HashCode(params int[] values)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (var v in values)
                for (int b = 0; b < 4; b++) { h ^= (byte)(v >> (8 * b)); h *= 16777619; }
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
