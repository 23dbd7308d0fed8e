using BenchmarkDotNet.Attributes;
using DepthKit.Data;
using DepthKit.Diagnostics;
using DepthKit.Models;
using DepthKit.Training;

namespace DepthKit.Benchmarks;

/// <summary>One epoch of <see cref="Trainer"/> vs a bare TorchSharp loop over pre-built tensors (quick profile's CNN+Res).</summary>
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
        _batches = BenchSuite.Prebuild(_data, _options);
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

    [Benchmark(Description = "the Trainer's DataLoader alone (2 batches)")]
    public int Loader()
    {
        int n = 0;
        foreach (var b in new DataLoader(_data, Trainer.LoaderOptions(_data, _options)).Epoch(_epoch++)) { n += b.Size; b.Dispose(); }
        return n;
    }

    int _epoch;
}
