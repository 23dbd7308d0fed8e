using System.Diagnostics;
using System.Runtime.InteropServices;
using DepthKit.Losses;
using DepthKit.Models;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>What <see cref="ScalarStress.Run"/> saw: steps trained, collections forced, and the failures.</summary>
public sealed record ScalarStressResult(long Steps, long Collections, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// A check that no training step hands libtorch a Scalar the garbage collector may free (<see cref="Scalars"/>):
/// training steps of a small model with BatchNorm, residual additions and a softplus head, the SILog + gradient loss
/// and the kit's AdamW, while another thread collects garbage and runs finalizers without pause. An unrooted Scalar
/// then gets freed between the moment its handle is read and the moment native code reads it: an error ("Expected
/// false to be true", "Unknown scalar type"), a wrong number (a BatchNorm that did not count a batch), or a crash.
/// </summary>
public static class ScalarStress
{
    /// <remarks>duration: how long to train; a few seconds are enough for TorchSharp's own BatchNorm and AdamW to fail</remarks>
    public static ScalarStressResult Run(TimeSpan duration)
    {
        using var setup = NewDisposeScope(); // the inputs and the loss values
        random.manual_seed(0);
        using var model = new ConvStack(layers: 4, channels: 4, batchNorm: true, residual: true);
        model.train();
        var parameters = model.parameters().ToList();
        using var optimizer = Optimizers.Create("adamw", [(parameters, 1e-3)], 1e-3, 1e-2);
        var loss = DepthLoss.Create("silog-grad");
        var rgb = rand(2, 3, 8, 8);
        var depth = rand(2, 1, 8, 8).add_(Scalars.One, Scalars.One); // 1-2 m

        var failures = new List<string>();
        long steps = 0, collections = 0;
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers(); // frees every Scalar that became unreachable, at once
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true, Name = "scalar stress collector" };
        collector.Start();
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < duration && failures.Count < 10)
            {
                using var scope = NewDisposeScope(); // every step's tensors end here
                try
                {
                    optimizer.zero_grad();
                    var pred = Scalars.Softplus(model.call(rgb));
                    var value = loss.Compute(pred, depth);
                    value.backward();
                    optimizer.step();
                    steps++;
                }
                catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
                {
                    steps++; // the batch was counted before the failing call
                    failures.Add($"step {steps}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        // a freed Scalar read as a number (not as garbage) fails silently: each BatchNorm must have counted every step
        // (a step that failed may have stopped before some of them, so only when none failed)
        if (failures.Count == 0)
            foreach (var (name, module) in model.named_modules())
                if (module is TorchSharp.Modules.BatchNorm { num_batches_tracked: { } counted } && counted.item<long>() != steps)
                    failures.Add($"{name} counted {counted.item<long>()} batches in {steps} steps");
        return new ScalarStressResult(steps, Interlocked.Read(ref collections), failures);
    }
}
