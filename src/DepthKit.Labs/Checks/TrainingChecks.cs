using DepthKit.Data;
using DepthKit.Losses;
using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

/// <summary>A tiny seeded model, optimizer and data, and the reference training step and loop.</summary>
static class Training
{
    public const int Seed = 71;

    public static (nn.Module<Tensor, Tensor> Model, optim.Optimizer Optimizer) Fresh()
    {
        manual_seed(Seed);
        var model = new ConvStack(layers: 1, channels: 4);
        return (model, optim.SGD(model.parameters(), learningRate: 0.05));
    }

    public static DataLoader Loader(int count = 6, int seed = 72, bool shuffle = false) =>
        new(new LabData(count, 8, 8, seed), new DataLoaderOptions { BatchSize = 2, Shuffle = shuffle, Seed = 3, Workers = 0 });

    /// <summary>The lab's step: zero the gradients, forward, masked L1, backward, step, all inside one DisposeScope.</summary>
    public static double Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch,
                              bool zeroGrad = true, bool masked = true, bool step = true)
    {
        using var scope = NewDisposeScope();
        if (zeroGrad) optimizer.zero_grad();
        var pred = model.call(batch.Rgb);
        var loss = masked ? new L1Loss().Compute(pred, batch.Depth, batch.Valid) : (pred - batch.Depth).abs().mean();
        loss.backward();
        if (step) optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Losses of <paramref name="passes"/> passes over the loader's batches, in order, with a step function.</summary>
    public static List<double> Run(Func<nn.Module<Tensor, Tensor>, optim.Optimizer, DepthBatch, double> step, int passes,
                                   out nn.Module<Tensor, Tensor> model, out long leaked)
    {
        var (m, o) = Fresh();
        model = m;
        var losses = new List<double>();
        var loader = Loader();
        var batches = loader.Epoch(0).ToList();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int p = 0; p < passes; p++)
            foreach (var b in batches) losses.Add(step(m, o, b));
        leaked = DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        return losses;
    }

    public static double[] Parameters(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().SelectMany(p => p.detach().cpu().to(ScalarType.Float64).data<double>().ToArray()).ToArray();
    }

    public static bool Close(IReadOnlyList<double> a, IReadOnlyList<double> b, double rtol = 1e-4) =>
        a.Count == b.Count && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= rtol * Math.Max(Math.Abs(p.Second), 1e-6));

    /// <summary>The lab's loop: per epoch, the mean of the steps' losses; every batch disposed after its step.</summary>
    public static List<double> Loop(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs,
                                    bool everyEpochZero = false, Func<List<double>, double>? reduce = null)
    {
        var result = new List<double>();
        for (int e = 0; e < epochs; e++)
        {
            var losses = new List<double>();
            foreach (var batch in loader.Epoch(everyEpochZero ? 0 : e))
                using (batch) losses.Add(Step(model, optimizer, batch));
            result.Add(reduce is null ? losses.Average() : reduce(losses));
        }
        return result;
    }
}

/// <summary>One training step: gradients zeroed, masked loss, backward, step, no tensor left behind.</summary>
public sealed class TrainStepCheck : LabCheck<Func<nn.Module<Tensor, Tensor>, optim.Optimizer, DepthBatch, double>>
{
    public override string Id => "train-step";
    public override string Lab => "06-training-loop";
    public override string Title => "One training step inside a DisposeScope";
    public override string Signature => "double TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)";

    protected override string Evaluate(Func<nn.Module<Tensor, Tensor>, optim.Optimizer, DepthBatch, double> student)
    {
        const int passes = 2;
        var expected = Training.Run((m, o, b) => Training.Step(m, o, b), passes, out var refModel, out long refLeaked);
        var got = Training.Run((m, o, b) => Call(() => student(m, o, b)), passes, out var model, out long leaked);
        var (p0, pRef, p) = (Training.Parameters(Training.Fresh().Model), Training.Parameters(refModel), Training.Parameters(model));
        string steps = $"{expected.Count} steps";
        if (!Training.Close(got, expected) || !Training.Close(p, pRef))
        {
            if (Training.Close(p, p0, 0))
                throw Fail("the parameters never change: call optimizer.step() after loss.backward() (and backward before step)");
            if (Training.Close(got, Training.Run((m, o, b) => Training.Step(m, o, b, zeroGrad: false), passes, out _, out _)))
                throw Fail("gradients are not freed between steps: they accumulate, so every step also applies the old ones. " +
                           "Call optimizer.zero_grad() before loss.backward()");
            if (Training.Close(got, Training.Run((m, o, b) => Training.Step(m, o, b, masked: false), passes, out _, out _)))
                throw Fail("the loss counts the invalid pixels (depth 0): use the masked loss, new L1Loss().Compute(pred, batch.Depth, batch.Valid)");
            if (got.Count > 0 && Training.Close([got[0]], [expected[0]]))
                throw Fail($"the first loss is right ({got[0]:F5}) but later ones differ: the update is not the optimizer's step " +
                           "(one backward and one optimizer.step() per call)");
            throw Fail($"your losses ({string.Join(", ", got.Take(3).Select(v => v.ToString("F4")))}, ...) differ from the reference " +
                       $"({string.Join(", ", expected.Take(3).Select(v => v.ToString("F4")))}, ...): forward on batch.Rgb, masked L1 against batch.Depth");
        }
        if (leaked > refLeaked)
            throw Fail($"{leaked - refLeaked} tensors were left alive by {steps}: every step creates the prediction, the loss and " +
                       "intermediate tensors; open `using var scope = torch.NewDisposeScope();` at the start of the step and return loss.item<float>()");
        return $"{steps} give the reference losses and parameters (relative tolerance 1e-4), and no tensor outlives a step";
    }
}

/// <summary>The epoch loop: mean loss per epoch, a new shuffle each epoch, batches disposed.</summary>
public sealed class TrainLoopCheck : LabCheck<Func<nn.Module<Tensor, Tensor>, optim.Optimizer, DataLoader, int, List<double>>>
{
    public override string Id => "train-loop";
    public override string Lab => "06-training-loop";
    public override string Title => "The training loop: mean loss per epoch";
    public override string Signature => "List<double> TrainEpochs(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs)";

    protected override string Evaluate(Func<nn.Module<Tensor, Tensor>, optim.Optimizer, DataLoader, int, List<double>> student)
    {
        const int epochs = 3;
        List<double> Reference(bool zero = false, Func<List<double>, double>? reduce = null)
        {
            var (m, o) = Training.Fresh();
            return Training.Loop(m, o, Training.Loader(8, shuffle: true), epochs, zero, reduce);
        }
        var expected = Reference();
        var (model, optimizer) = Training.Fresh();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var got = Call(() => student(model, optimizer, Training.Loader(8, shuffle: true), epochs));
        long leaked = DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        if (got is null) throw Fail("you returned null: return one loss per epoch");
        if (got.Count != epochs) throw Fail($"you returned {got.Count} values for {epochs} epochs: one mean loss per epoch");
        if (!Training.Close(got, expected))
        {
            if (Training.Close(got, Reference(zero: true)))
                throw Fail("every epoch sees the batches in the same order: pass the epoch number, loader.Epoch(epoch), so each epoch is shuffled anew");
            if (Training.Close(got, Reference(reduce: l => l[^1])))
                throw Fail("that is the last batch's loss of each epoch: return the mean over the epoch's batches");
            if (Training.Close(got, Reference(reduce: l => l.Sum())))
                throw Fail("that is the sum of the batch losses: return their mean, so the curve does not depend on the number of batches");
            throw Fail($"your losses ({string.Join(", ", got.Select(v => v.ToString("F4")))}) differ from the reference " +
                       $"({string.Join(", ", expected.Select(v => v.ToString("F4")))}); if train-step fails too, fix it first");
        }
        if (leaked > 0)
            throw Fail($"{leaked} tensors are still alive after the loop: the batches (RGB, depth, valid) are not disposed. " +
                       "Use `using (batch)` inside the loop, or a DisposeScope around each epoch's enumeration");
        return $"{epochs} epochs give the reference mean losses ({string.Join(", ", expected.Select(v => v.ToString("F4")))}), nothing left alive";
    }
}
