using BenchmarkDotNet.Attributes;
using DepthKit.Data;
using DepthKit.Diagnostics;
using DepthKit.Models;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Benchmarks;

/// <summary>Single-image latency through <see cref="Predictor"/> vs a bare forward, per architecture at the quick size.</summary>
public class InferenceBenchmarks
{
    const int Height = 96, Width = 128;
    DepthNet _model = null!;
    DepthSample _image = null!;
    Tensor _input = null!;

    [Params("cnn-fc", "cnn", "cnn-trans", "cnn-res")]
    public string Model { get; set; } = "cnn-res";

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchSuite.TrainModel(Model, Height, Width);
        _model.eval();
        _image = BenchSuite.Render(1, Height, Width)[0];
        _input = Batches.ImageTensor(_image.Rgb, Height, Width, Height, Width).unsqueeze(0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare forward")]
    public float Bare()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _model.call(_input).data<float>()[0];
    }

    [Benchmark(Description = "Predictor.Predict")]
    public float[] Kit() => Predictor.Predict(_model, _image, Height, Width, Height, Width);
}
