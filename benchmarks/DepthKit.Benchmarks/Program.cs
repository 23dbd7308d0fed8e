using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DepthKit.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/DepthKit.Benchmarks -- --filter '*'</c> (or a class name, e.g.
/// <c>*TrainingStep*</c>). Runs in-process (libtorch is loaded once, no per-benchmark project build) with a short job:
/// on a shared 2-core machine the ratio to each class's baseline is the number to read, not the absolute time.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        DepthKit.Native.Runtime.Initialize("cpu");
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
