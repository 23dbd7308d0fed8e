using BenchmarkDotNet.Attributes;
using DepthKit.Data;
using DepthKit.Diagnostics;
using DepthKit.Models;
using DepthKit.Training;

namespace DepthKit.Benchmarks;

/// <summary>Issue 9, item 1: one epoch of <see cref="Trainer"/> vs a bare TorchSharp loop over pre-built tensors (quick profile's CNN+Res).</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    const int Height = 96, Width = 128, Batch = 16, Steps = 2;
    DepthNet _model = null!;
    RepeatedDataset _data = null!;
    TrainOptions _options = null!;
    ModelIdentity _identity = null!;
    List<DepthBatch> _batches = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchSuite.TrainModel("cnn-res", Height, Width);
        _data = new RepeatedDataset(BenchSuite.Render(8, Height, Width), Batch * Steps);
        _options = BenchSuite.TrainOptionsFor(Height, Width, Batch, 1);
        _identity = ModelFactory.Identity(_model.Config);
        _batches = [.. Batches.Plan(_data.Count, Batch, false, 0, 0, true).Select(p => Batches.Collate(_data, p, Height, Width))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batches.ForEach(b => b.Dispose());
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare TorchSharp loop (2 steps)")]
    public void Bare() => BenchSuite.BareSteps(_model, _options, _batches);

    [Benchmark(Description = "Trainer.Fit, one epoch (2 steps)")]
    public void Kit() => new Trainer(_model, _identity, _data, null, _options).Fit();

    [Benchmark(Description = "Batches.Collate with flips (1 batch)")]
    public void Collate()
    {
        using var b = Batches.Collate(_data, [.. Enumerable.Range(0, Batch)], Height, Width, i => (i & 1) == 1);
    }
}
