using DepthKit.Data;
using DepthKit.Transforms;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

static class Samples
{
    public static bool Same(DepthSample a, DepthSample b) =>
        a.Height == b.Height && a.Width == b.Width && a.Rgb.AsSpan().SequenceEqual(b.Rgb) && a.Depth.AsSpan().SequenceEqual(b.Depth);

    public static DepthSample Copy(DepthSample s) => s with { Rgb = (byte[])s.Rgb.Clone(), Depth = (float[])s.Depth.Clone() };

    public static DepthSample FlipVertical(DepthSample s)
    {
        var rgb = new byte[s.Rgb.Length];
        var depth = new float[s.Depth.Length];
        for (int y = 0; y < s.Height; y++)
        {
            Array.Copy(s.Rgb, (s.Height - 1 - y) * s.Width * 3, rgb, y * s.Width * 3, s.Width * 3);
            Array.Copy(s.Depth, (s.Height - 1 - y) * s.Width, depth, y * s.Width, s.Width);
        }
        return s with { Rgb = rgb, Depth = depth };
    }

    /// <summary>The arrays reversed as a whole: a 180-degree turn with the colour channels in BGR order.</summary>
    public static DepthSample Reversed(DepthSample s) => s with { Rgb = s.Rgb.Reverse().ToArray(), Depth = s.Depth.Reverse().ToArray() };

    /// <summary>Each row's bytes reversed: mirrored, but with the channels of every pixel in BGR order.</summary>
    public static DepthSample RowBytesReversed(DepthSample s)
    {
        var flipped = Geometry.FlipHorizontal(s);
        var rgb = new byte[s.Rgb.Length];
        for (int p = 0; p < rgb.Length; p += 3) { rgb[p] = flipped.Rgb[p + 2]; rgb[p + 1] = flipped.Rgb[p + 1]; rgb[p + 2] = flipped.Rgb[p]; }
        return flipped with { Rgb = rgb };
    }
}

/// <summary>A left-right flip of an RGB-D pair: both images, the same way.</summary>
public sealed class FlipPairCheck : LabCheck<Func<DepthSample, DepthSample>>
{
    public override string Id => "flip-pair";
    public override string Lab => "01-transforms";
    public override string Title => "Mirror an RGB-D pair left-right (RGB and depth together)";
    public override string Signature => "DepthSample FlipPair(DepthSample s)";

    protected override string Evaluate(Func<DepthSample, DepthSample> student)
    {
        var sample = new LabData(1, 3, 5, seed: 61).Get(0);
        var input = Samples.Copy(sample);
        var expected = Geometry.FlipHorizontal(sample);
        var got = Call(() => student(input));
        if (got is null) throw Fail("you returned null: return the flipped sample");
        if (!Samples.Same(input, sample))
            throw Fail("you changed the input sample's arrays: build new arrays for the flipped sample (`s with { Rgb = ..., Depth = ... }`), " +
                       "the dataset may hand out the same arrays again");
        if (got.Height != expected.Height || got.Width != expected.Width || got.Rgb.Length != expected.Rgb.Length || got.Depth.Length != expected.Depth.Length)
            throw Fail($"the flipped sample is {got.Height}x{got.Width} with {got.Rgb.Length} RGB bytes and {got.Depth.Length} depths; " +
                       $"a flip keeps {sample.Height}x{sample.Width} ({sample.Rgb.Length} bytes, {sample.Depth.Length} depths)");
        if (Samples.Same(got, expected)) return "RGB and depth mirrored together, exactly as the kit's HorizontalFlip (3x5 sample)";
        bool rgbOk = got.Rgb.AsSpan().SequenceEqual(expected.Rgb), depthOk = got.Depth.AsSpan().SequenceEqual(expected.Depth);
        if (rgbOk && got.Depth.AsSpan().SequenceEqual(sample.Depth))
            throw Fail("only the RGB image is flipped: the depth map must be mirrored too, or RGB and depth no longer describe the same pixels");
        if (depthOk && got.Rgb.AsSpan().SequenceEqual(sample.Rgb))
            throw Fail("only the depth map is flipped: mirror the RGB image as well");
        if (Samples.Same(got, sample)) throw Fail("nothing changed: the sample is not flipped");
        if (Samples.Same(got, Samples.FlipVertical(sample))) throw Fail("you flipped upside down (rows); a horizontal flip mirrors left-right (columns)");
        if (Samples.Same(got, Samples.Reversed(sample)))
            throw Fail("you reversed the whole arrays: that turns the image by 180 degrees and swaps R and B; mirror each row, pixel by pixel");
        if (Samples.Same(got, Samples.RowBytesReversed(sample)))
            throw Fail("each row's bytes are reversed, so R and B swap places: move whole pixels (3 bytes) and keep their channel order");
        if (depthOk) throw Fail("the depth map is right but the RGB bytes are not: each pixel is 3 bytes (R, G, B) in a row-major H x W x 3 array");
        if (rgbOk) throw Fail("the RGB image is right but the depth map is not: depth is one float per pixel, row-major H x W");
        throw Fail("neither RGB nor depth is a left-right mirror of the input: pixel (y, x) should come from (y, W - 1 - x)");
    }
}

/// <summary>A random flip: one draw per sample decides for RGB and depth together; the Random given is the only source.</summary>
public sealed class RandomFlipCheck : LabCheck<Func<DepthSample, Random, DepthSample>>
{
    public override string Id => "random-flip";
    public override string Lab => "01-transforms";
    public override string Title => "Random flip with probability 0.5, the same for RGB and depth";
    public override string Signature => "DepthSample RandomFlip(DepthSample s, Random random)";

    protected override string Evaluate(Func<DepthSample, Random, DepthSample> student)
    {
        var sample = new LabData(1, 4, 6, seed: 62).Get(0);
        var flipped = Geometry.FlipHorizontal(sample);
        int flips = 0, mixed = 0;
        const int trials = 400;
        for (int seed = 0; seed < trials; seed++)
        {
            var got = Call(() => student(Samples.Copy(sample), new Random(seed)));
            var again = Call(() => student(Samples.Copy(sample), new Random(seed)));
            if (got is null || again is null) throw Fail("you returned null: return the sample, flipped or not");
            if (!Samples.Same(got, again))
                throw Fail("the same Random seed gave different results: draw only from the `random` you are given " +
                           "(a new Random() or Random.Shared makes augmentation unrepeatable)");
            bool rgbFlipped = got.Rgb.AsSpan().SequenceEqual(flipped.Rgb), depthFlipped = got.Depth.AsSpan().SequenceEqual(flipped.Depth);
            bool rgbSame = got.Rgb.AsSpan().SequenceEqual(sample.Rgb), depthSame = got.Depth.AsSpan().SequenceEqual(sample.Depth);
            if ((rgbFlipped && depthSame) || (rgbSame && depthFlipped)) mixed++;
            else if (rgbFlipped && depthFlipped) flips++;
            else if (!(rgbSame && depthSame))
                throw Fail("an output is neither the sample nor its mirror: use your FlipPair (or the kit's Geometry.FlipHorizontal) for the flip");
        }
        if (mixed > 0)
            throw Fail($"in {mixed} of {trials} draws only one of RGB and depth was flipped: draw once per sample and flip both or neither");
        double rate = (double)flips / trials;
        if (flips == 0) throw Fail("the sample is never flipped: flip when random.NextDouble() < 0.5");
        if (flips == trials) throw Fail("the sample is always flipped: flip only with probability 0.5");
        if (rate < 0.4 || rate > 0.6) throw Fail($"flipped in {rate:P0} of {trials} draws: the probability should be 0.5");
        return $"flipped in {rate:P0} of {trials} seeded draws, RGB and depth always together, repeatable for a given seed";
    }
}

/// <summary>A DataLoader with the lab's settings: batches of 4, shuffled with seed 7, the kit's HorizontalFlip(0.5).</summary>
public sealed class LoaderCheck : LabCheck<Func<IDepthDataset, DataLoader>>
{
    public override string Id => "loader";
    public override string Lab => "01-transforms";
    public override string Title => "A DataLoader: batches of 4, shuffled with seed 7, random flips";
    public override string Signature => "DataLoader MakeLoader(IDepthDataset data)";

    protected override string Evaluate(Func<IDepthDataset, DataLoader> student)
    {
        var data = new LabData(10, 4, 6, seed: 63);
        var loader = Call(() => student(data));
        if (loader is null) throw Fail("you returned null: return a new DataLoader(data, new DataLoaderOptions { ... })");
        var o = loader.Options;
        if (o.BatchSize != 4) throw Fail($"batches hold {o.BatchSize} samples; the task asks for 4 (BatchSize)");
        if (!o.Shuffle) throw Fail("the order is not shuffled: set Shuffle = true so every epoch sees the samples in a new order");
        if (o.Seed != 7) throw Fail($"the shuffle seed is {o.Seed}; the task asks for 7, so every run gives the same batches");
        if (loader.BatchesPerEpoch != 2) throw Fail("keep DropLast = true: the last, short batch is dropped (10 samples give 2 batches of 4)");
        if (o.Transform is null) throw Fail("no augmentation: set Transform to the kit's HorizontalFlip(0.5)");
        var reference = new DataLoader(data, new DataLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 7, Workers = 0, Transform = new HorizontalFlip(0.5) });
        int batches = 0;
        foreach (var (mine, theirs) in reference.Epoch(0).Zip(loader.Epoch(0)))
        {
            if (!theirs.Rgb.shape.SequenceEqual(mine.Rgb.shape))
                throw Fail($"a batch's RGB has shape {Compare.Shape(theirs.Rgb)}, expected {Compare.Shape(mine.Rgb)}");
            if (!theirs.Indices.SequenceEqual(mine.Indices))
                throw Fail("the batches hold other samples than a DataLoader with BatchSize 4, Shuffle, Seed 7 would");
            if (!Compare.Close(theirs.Rgb, mine.Rgb, 1e-6, 0) || !Compare.Close(theirs.Depth, mine.Depth, 1e-6, 0))
                throw Fail(o.Transform is HorizontalFlip
                    ? "the images differ from the expected ones: keep the default Normalization (RGB in 0..1)"
                    : $"the flips differ from the kit's HorizontalFlip(0.5) (your transform is {o.Transform}): use `Transform = new HorizontalFlip(0.5)`");
            batches++;
        }
        if (batches != reference.BatchesPerEpoch)
            throw Fail($"one epoch gave {batches} batches, expected {reference.BatchesPerEpoch} (10 samples, batches of 4, the last short one dropped)");
        return $"{batches} batches of 4 per epoch from 10 samples, the same samples and flips as the reference loader";
    }
}
