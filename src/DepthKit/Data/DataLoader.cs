using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace DepthKit.Data;

/// <summary>Every knob of the DataLoader in one place.</summary>
public sealed record DataLoaderOptions
{
    public int BatchSize { get; init; } = 8;
    public bool Shuffle { get; init; } = true;
    /// <summary>Seeds the per-epoch shuffle and every sample's augmentation: same seed, same batches.</summary>
    public int Seed { get; init; }
    /// <summary>Threads that decode and augment; 0 = on the consuming thread. Output does not depend on it.</summary>
    public int Workers { get; init; } = 2;
    /// <summary>How many batches may be ready (or in progress) ahead of the one being consumed.</summary>
    public int Prefetch { get; init; } = 4;
    /// <summary>Drop the last batch when it has fewer than BatchSize samples.</summary>
    public bool DropLast { get; init; } = true;
    /// <summary>Paired transforms run on the worker threads (null = none; samples must then share one size).</summary>
    public IPairedTransform? Transform { get; init; }
    /// <summary>
    /// RGB 0..1 by default because DepthKit's models (DepthNet) normalise inside, in their InputNorm step; pick
    /// ImageNet or CntkResNet18Bgr only for a model that expects already-normalised input.
    /// </summary>
    public Normalization Normalization { get; init; } = Normalization.Unit;
    /// <summary>Drop samples whose files are bad (recorded in <see cref="BadSamples"/>) instead of failing.</summary>
    public bool SkipBadSamples { get; init; }
    public BadSampleLog BadSamples { get; init; } = new();
    /// <summary>Also hand out each sample as the dataset returned it (<see cref="DepthBatch.Sources"/>).</summary>
    public bool KeepSources { get; init; }
}

/// <summary>
/// Batches an <see cref="IDepthDataset"/> for training: per-epoch seeded shuffling, decoding and augmentation on
/// worker threads with a bounded prefetch queue, drop-last, and cancellation.
/// <para>
/// Determinism: sample i of epoch e is augmented with <see cref="AugmentationRandom.For"/>(Seed, e, i), and the
/// order depends on (Seed, e) only, so the batches are identical for any number of workers.
/// </para>
/// <para>
/// Tensor ownership: workers build plain float/bool arrays; the tensors of a <see cref="DepthBatch"/> are created
/// on the thread that enumerates <see cref="Epoch"/>, inside MoveNext. They join a DisposeScope that is open on
/// that thread around the enumeration; otherwise the caller owns them: <c>using (batch)</c> or dispose it.
/// No tensor is ever created or touched on a worker thread.
/// </para>
/// </summary>
public sealed class DataLoader
{
    readonly IDepthDataset _dataset;

    public DataLoaderOptions Options { get; }
    public BadSampleLog BadSamples => Options.BadSamples;

    public DataLoader(IDepthDataset dataset, DataLoaderOptions? options = null)
    {
        _dataset = dataset;
        Options = options ?? new DataLoaderOptions();
        // skipping chosen at the source means skipping everywhere, counted in one log
        if (dataset is DepthDatasetSource { Options.SkipBadSamples: true } source)
            Options = Options with { SkipBadSamples = true, BadSamples = source.BadSamples };
        if (Options.BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {Options.BatchSize}");
        if (Options.Workers < 0) throw new ArgumentException($"workers must be 0 or more, got {Options.Workers}");
        if (Options.Prefetch <= 0) throw new ArgumentException($"prefetch must be positive, got {Options.Prefetch}");
    }

    public int BatchesPerEpoch => Options.DropLast ? _dataset.Count / Options.BatchSize : (_dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The sample order of an epoch: a seeded Fisher-Yates shuffle of 0..Count-1 (identity without Shuffle).</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        if (!Options.Shuffle) return order;
        var random = AugmentationRandom.For(Options.Seed, epoch, -1);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch, in order. Stop early by breaking out or cancelling; workers end with the enumeration.</summary>
    public IEnumerable<DepthBatch> Epoch(int epoch, CancellationToken cancel = default)
    {
        var order = Order(epoch);
        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += Options.BatchSize)
        {
            var indices = order[start..Math.Min(order.Length, start + Options.BatchSize)];
            if (indices.Length < Options.BatchSize && Options.DropLast) break;
            batches.Add(indices);
        }
        return Options.Workers == 0 ? Inline(batches, epoch, cancel) : Threaded(batches, epoch, cancel);
    }

    IEnumerable<DepthBatch> Inline(List<int[]> batches, int epoch, CancellationToken cancel)
    {
        foreach (var indices in batches)
        {
            cancel.ThrowIfCancellationRequested();
            var host = Build(indices, epoch, cancel);
            if (host.Indices.Length > 0) yield return host.ToBatch();
        }
    }

    IEnumerable<DepthBatch> Threaded(List<int[]> batches, int epoch, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var gate = new object();
        var ready = new HostBatch?[batches.Count];
        var failed = new ExceptionDispatchInfo?[batches.Count];
        int claimed = 0, consumed = 0;
        using var wake = stop.Token.Register(() => { lock (gate) Monitor.PulseAll(gate); });

        void Work()
        {
            while (true)
            {
                int k;
                lock (gate)
                {
                    // bounded prefetch: never more than Prefetch batches beyond the one being consumed
                    while (!stop.IsCancellationRequested && claimed < batches.Count && claimed >= consumed + Options.Prefetch) Monitor.Wait(gate);
                    if (stop.IsCancellationRequested || claimed >= batches.Count) return;
                    k = claimed++;
                }
                HostBatch? result = null;
                ExceptionDispatchInfo? error = null;
                try { result = Build(batches[k], epoch, stop.Token); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
                catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
                lock (gate)
                {
                    ready[k] = result;
                    failed[k] = error;
                    Monitor.PulseAll(gate);
                }
                if (error is not null) return;
            }
        }

        var threads = Enumerable.Range(0, Math.Min(Options.Workers, batches.Count)).Select(i =>
            new Thread(Work) { IsBackground = true, Name = $"DataLoader worker {i}" }).ToList();
        threads.ForEach(t => t.Start());
        try
        {
            for (int k = 0; k < batches.Count; k++)
            {
                cancel.ThrowIfCancellationRequested(); // even when the next batch is already prefetched
                HostBatch host;
                lock (gate)
                {
                    while (ready[k] is null && failed[k] is null)
                    {
                        cancel.ThrowIfCancellationRequested();
                        Monitor.Wait(gate);
                    }
                    failed[k]?.Throw();
                    host = ready[k]!;
                    ready[k] = null; // let the arrays go as soon as the tensors exist
                    consumed = k + 1;
                    Monitor.PulseAll(gate);
                }
                if (host.Indices.Length > 0) yield return host.ToBatch();
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var t in threads) t.Join();
        }
    }

    /// <summary>Decodes, augments and normalises one batch into plain arrays (runs on a worker thread).</summary>
    HostBatch Build(int[] indices, int epoch, CancellationToken cancel)
    {
        var samples = new List<(int Index, DepthSample Sample)>(indices.Length);
        var sources = Options.KeepSources ? new List<DepthSample>(indices.Length) : null;
        foreach (var index in indices)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                var source = _dataset.Get(index);
                var sample = Options.Transform is null ? source : Options.Transform.Apply(source, AugmentationRandom.For(Options.Seed, epoch, index));
                samples.Add((index, sample));
                sources?.Add(source);
            }
            catch (DepthKitDataException e) when (Options.SkipBadSamples) { Options.BadSamples.Record(e); }
        }
        if (samples.Count == 0) return new HostBatch([], 0, 0, [], [], [], null);
        int h = samples[0].Sample.Height, w = samples[0].Sample.Width, n = h * w;
        var rgb = new float[samples.Count * 3 * n];
        var depth = new float[samples.Count * n];
        var valid = new bool[samples.Count * n];
        for (int b = 0; b < samples.Count; b++)
        {
            var s = samples[b].Sample;
            if (s.Height != h || s.Width != w)
                throw new DepthKitDataException(s.Source, $"sample is {s.Height}x{s.Width} but the batch is {h}x{w}; add a Resize or crop transform");
            Options.Normalization.WriteChw(s.Rgb, h, w, rgb.AsSpan(b * 3 * n, 3 * n));
            Array.Copy(s.Depth, 0, depth, b * n, n);
            for (int i = 0; i < n; i++) valid[b * n + i] = DepthSample.IsValidDepth(s.Depth[i]);
        }
        return new HostBatch([.. samples.Select(x => x.Index)], h, w, rgb, depth, valid, sources);
    }

    /// <summary>A batch as arrays; becomes tensors only on the consuming thread.</summary>
    sealed record HostBatch(int[] Indices, int Height, int Width, float[] Rgb, float[] Depth, bool[] Valid, IReadOnlyList<DepthSample>? Sources)
    {
        public DepthBatch ToBatch()
        {
            long b = Indices.Length;
            return new DepthBatch(tensor(Rgb, [b, 3, Height, Width]), tensor(Depth, [b, 1, Height, Width]), tensor(Valid, [b, 1, Height, Width]), Indices, Sources);
        }
    }
}
