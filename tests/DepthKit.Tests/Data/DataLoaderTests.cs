using System.Diagnostics;
using DepthKit.Data;
using DepthKit.Transforms;
using static TorchSharp.torch;

namespace DepthKit.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Sample i: RGB all (i, 2i, 3i) mod 256, depth 1 + i + pixel/100, pixel 0 invalid; optional delay and bad indices.</summary>
    sealed class Synthetic(int count, int h = 6, int w = 8, int delayMs = 0, params int[] bad) : IDepthDataset
    {
        public string Name => "synthetic";
        public int Count => count;
        public DepthSample Get(int index)
        {
            if (delayMs > 0) Thread.Sleep(delayMs);
            if (bad.Contains(index)) throw new DepthKitDataException($"sample{index}.png", "corrupt");
            var rgb = new byte[h * w * 3];
            for (int p = 0; p < h * w; p++) { rgb[3 * p] = (byte)index; rgb[3 * p + 1] = (byte)(2 * index); rgb[3 * p + 2] = (byte)(3 * index); }
            var depth = Enumerable.Range(0, h * w).Select(p => p == 0 ? 0f : 1f + index + p / 100f).ToArray();
            return new DepthSample(h, w, rgb, depth, $"sample{index}");
        }
    }

    static List<(int[] Indices, float[] Rgb, float[] Depth, bool[] Valid)> Run(DataLoader loader, int epoch)
    {
        var result = new List<(int[], float[], float[], bool[])>();
        foreach (var batch in loader.Epoch(epoch))
            using (batch)
                result.Add((batch.Indices, batch.Rgb.data<float>().ToArray(), batch.Depth.data<float>().ToArray(), batch.Valid.data<bool>().ToArray()));
        return result;
    }

    static DataLoaderOptions Augmented(int workers) => new()
    {
        BatchSize = 3, Seed = 11, Workers = workers, Prefetch = 2, DropLast = false,
        Transform = new Compose(new RandomCrop(4, 6), new HorizontalFlip(), new ColorJitter(0.3, 0.3, 0.3, 0.05)),
        Normalization = Normalization.ImageNet,
    };

    [Fact]
    public void OutputIsIdenticalForZeroOneAndTwoWorkers()
    {
        var data = new Synthetic(10);
        var inline = Run(new DataLoader(data, Augmented(0)), epoch: 1);
        var one = Run(new DataLoader(data, Augmented(1)), epoch: 1);
        var two = Run(new DataLoader(data, Augmented(2)), epoch: 1);
        Assert.Equal(4, one.Count); // 3 + 3 + 3 + 1 without drop-last
        foreach (var other in new[] { inline, two })
            for (int b = 0; b < one.Count; b++)
            {
                Assert.Equal(one[b].Indices, other[b].Indices);
                Assert.Equal(one[b].Rgb, other[b].Rgb);
                Assert.Equal(one[b].Depth, other[b].Depth);
                Assert.Equal(one[b].Valid, other[b].Valid);
            }
    }

    [Fact]
    public void BatchesHaveTheDocumentedShapesValuesAndMask()
    {
        var loader = new DataLoader(new Synthetic(4), new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 1, Normalization = Normalization.Unit });
        var batches = loader.Epoch(0).ToList();
        try
        {
            Assert.Equal(2, batches.Count);
            var b = batches[1];
            Assert.Equal([2L, 3, 6, 8], b.Rgb.shape);
            Assert.Equal([2L, 1, 6, 8], b.Depth.shape);
            Assert.Equal(ScalarType.Bool, b.Valid.dtype);
            Assert.Equal([2, 3], b.Indices);
            Assert.Equal(3f / 255f, b.Rgb[1, 0, 2, 2].item<float>(), 6);       // sample 3, R plane
            Assert.Equal(6f / 255f, b.Rgb[0, 2, 0, 0].item<float>(), 6);       // sample 2, B plane = 3*2
            Assert.Equal(1f + 3 + 10 / 100f, b.Depth[1, 0, 1, 2].item<float>(), 6); // pixel 1*8+2 = 10
            Assert.False(b.Valid[0, 0, 0, 0].item<bool>());
            Assert.True(b.Valid[0, 0, 0, 1].item<bool>());
        }
        finally { batches.ForEach(b => b.Dispose()); }
    }

    [Theory]
    [InlineData(10, 3, true, 3)]
    [InlineData(10, 3, false, 4)]
    [InlineData(9, 3, true, 3)]
    [InlineData(2, 3, true, 0)]
    public void DropLastCounts(int count, int batch, bool dropLast, int expected)
    {
        var loader = new DataLoader(new Synthetic(count), new DataLoaderOptions { BatchSize = batch, DropLast = dropLast, Workers = 2 });
        Assert.Equal(expected, loader.BatchesPerEpoch);
        var sizes = Run(loader, 0).Select(b => b.Indices.Length).ToList();
        Assert.Equal(expected, sizes.Count);
        Assert.Equal(dropLast ? expected * batch : count, sizes.Sum());
    }

    [Fact]
    public void ShufflingDiffersBetweenEpochsAndCoversEverySampleOnce()
    {
        var loader = new DataLoader(new Synthetic(20), new DataLoaderOptions { Seed = 3, DropLast = false });
        var e0 = loader.Order(0);
        var e1 = loader.Order(1);
        Assert.NotEqual(e0, e1);
        Assert.Equal(Enumerable.Range(0, 20), e0.Order());
        Assert.Equal(e0, new DataLoader(new Synthetic(20), new DataLoaderOptions { Seed = 3 }).Order(0));
        Assert.Equal(Enumerable.Range(0, 20), new DataLoader(new Synthetic(20), new DataLoaderOptions { Shuffle = false }).Order(5));
        Assert.Equal(e1, Run(loader, 1).SelectMany(b => b.Indices));
    }

    [Fact]
    public void CancellationEndsPromptlyAndStopsTheWorkers()
    {
        var loader = new DataLoader(new Synthetic(400, delayMs: 20), new DataLoaderOptions { BatchSize = 2, Workers = 2, Prefetch = 2 });
        using var cts = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(0, cts.Token))
                using (batch)
                    if (++seen == 2) cts.Cancel();
        });
        Assert.Equal(2, seen);
        Assert.True(watch.ElapsedMilliseconds < 3000, $"took {watch.ElapsedMilliseconds} ms"); // the whole epoch would take 4 s
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void CancellingStopsAtTheNextBatchEvenWhenItIsAlreadyPrefetched(int workers)
    {
        var loader = new DataLoader(new Synthetic(40), new DataLoaderOptions { BatchSize = 2, Workers = workers, Prefetch = 8 });
        using var cts = new CancellationTokenSource();
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(0, cts.Token))
                using (batch)
                {
                    seen++;
                    Thread.Sleep(50); // let the workers fill the prefetch queue
                    cts.Cancel();
                }
        });
        Assert.Equal(1, seen);
    }

    [Fact]
    public void BreakingOutEarlyEndsTheWorkersAndPrefetchIsBounded()
    {
        var data = new Counting(200);
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 2, Workers = 2, Prefetch = 3 });
        using (var first = loader.Epoch(0).First()) Assert.Equal(2, first.Size);
        int calls = data.Calls;
        // at most the consumed batch plus Prefetch batches ahead were decoded
        Assert.InRange(calls, 2, 2 * (1 + 3));
        Thread.Sleep(100);
        Assert.Equal(calls, data.Calls); // enumeration disposed: workers joined, nothing decodes any more
    }

    sealed class Counting(int count) : IDepthDataset
    {
        int _calls;
        public int Calls => Volatile.Read(ref _calls);
        public string Name => "counting";
        public int Count => count;
        public DepthSample Get(int i) { Interlocked.Increment(ref _calls); Thread.Sleep(2); return new DepthSample(2, 2, new byte[12], [1f, 1f, 1f, 1f]); }
    }

    [Fact]
    public void BadSampleFailsFastWithItsPathOrIsSkippedAndCounted()
    {
        var data = new Synthetic(6, 6, 8, 0, 4);
        var strict = new DataLoader(data, new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 2 });
        var e = Assert.Throws<DepthKitDataException>(() => Run(strict, 0));
        Assert.Equal("sample4.png", e.Path);

        var log = new BadSampleLog();
        var lenient = new DataLoader(data, new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 2, SkipBadSamples = true, BadSamples = log });
        var batches = Run(lenient, 0);
        Assert.Equal([0, 1, 2, 3, 5], batches.SelectMany(b => b.Indices));
        Assert.Equal(1, log.Count);
        Assert.Contains("sample4.png: corrupt", log.Summary());
    }

    [Fact]
    public void SkippingChosenAtTheSourceAlsoSkipsDecodeFailuresInTheLoader()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path, frames: 4);
        File.WriteAllBytes(dir["data/nyu2_test/00002_colors.png"], [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2]);
        var options = new DatasetOptions { SkipBadSamples = true };
        using var ds = Datasets.Open(dir.Path, DatasetSplit.Test, options);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 2 });
        Assert.Equal([0, 1, 3], Run(loader, 0).SelectMany(b => b.Indices));
        Assert.Same(options.BadSamples, loader.BadSamples);
        Assert.Equal(1, options.BadSamples.Count);
        Assert.Contains("00002_colors.png", options.BadSamples.Summary());
    }

    [Fact]
    public void SamplesOfDifferentSizesNeedAResize()
    {
        var mixed = new Mixed();
        var e = Assert.Throws<DepthKitDataException>(() => Run(new DataLoader(mixed, new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 1 }), 0));
        Assert.Contains("add a Resize", e.Message);
        var resized = Run(new DataLoader(mixed, new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 1, Transform = new Resize(4, 4) }), 0);
        Assert.Single(resized);
    }

    sealed class Mixed : IDepthDataset
    {
        public string Name => "mixed";
        public int Count => 2;
        public DepthSample Get(int i) { int s = 4 + 2 * i; return new DepthSample(s, s, new byte[s * s * 3], new float[s * s], $"m{i}"); }
    }
}
