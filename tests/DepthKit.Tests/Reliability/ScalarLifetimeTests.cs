using System.Diagnostics;
using DepthKit.Training;
using TorchSharp;
using static TorchSharp.torch;
using KitBatchNorm2d = DepthKit.Models.BatchNorm2d;

namespace DepthKit.Tests.Reliability;

/// <summary>
/// TorchSharp 0.107 frees an implicit Scalar in its finalizer, possibly while native code still reads it
/// (DepthKit.Scalars). The kit's BatchNorm2d, optimisers, residual additions, softplus and losses root theirs; these
/// tests check that a training step survives a collector that never stops, and that each rooted replacement computes
/// TorchSharp's result bit for bit.
/// </summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class ScalarLifetimeTests
{
    /// <summary>
    /// <c>depthkit doctor --scalars 4</c> in a child process (a freed Scalar may also crash the process): with
    /// TorchSharp's BatchNorm2d and AdamW it failed within seconds ("Expected false to be true", 5 of 488 steps).
    /// </summary>
    [Fact]
    public async Task TrainingStepsSurviveAGarbageCollectorThatNeverStops()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "DepthKit.Cli.dll"), "doctor", "--device", "cpu", "--scalars", "4" })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        string stdout = await output, stderr = await error;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");
        Assert.Matches(@"scalar stress\s+ok: [1-9]\d* training steps, [1-9]\d* forced collections, 0 failures", stdout);
    }

    [Fact]
    public void KitBatchNormComputesWhatTorchsDoesBitForBit()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var kit = new KitBatchNorm2d(4);
        using var torchs = nn.BatchNorm2d(4);
        using (no_grad())
        {
            var weight = rand(4);
            var bias = randn(4);
            foreach (var bn in new TorchSharp.Modules.BatchNorm[] { kit, torchs })
            {
                bn.weight.copy_(weight);
                bn.bias!.copy_(bias);
            }
        }
        Assert.Equal(torchs.state_dict().Keys, kit.state_dict().Keys);
        for (int step = 0; step < 3; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = randn(2, 4, 5, 5) * 3;
            var (a, b) = (x.detach().requires_grad_(), x.detach().requires_grad_());
            var (ya, yb) = (kit.call(a), torchs.call(b));
            Same(yb, ya);
            (ya * ya).sum().backward();
            (yb * yb).sum().backward();
            Same(b.grad!, a.grad!);
        }
        foreach (var name in torchs.state_dict().Keys)
            Same(torchs.state_dict()[name], kit.state_dict()[name]);
        Assert.Equal(3, kit.num_batches_tracked!.item<long>());
        Same(torchs.weight.grad!, kit.weight.grad!);
        Same(torchs.bias!.grad!, kit.bias!.grad!);
        kit.eval();
        torchs.eval();
        var probe = randn(1, 4, 3, 3);
        Same(torchs.call(probe), kit.call(probe));
    }

    public static TheoryData<string> OptimizerNames => [.. Optimizers.Names];

    /// <summary>Five steps on the same model from the same start, two parameter groups with their own rates.</summary>
    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void KitOptimizerStepsExactlyLikeTorchs(string name)
    {
        using var scope = NewDisposeScope();
        var (kitModel, torchModel) = (TinyModel(), TinyModel());
        using var kit = Optimizers.Create(name, Groups(kitModel), 1e-2, 1e-2, momentum: 0.9);
        using var torchs = TorchOptimizer(name, torchModel);
        Assert.NotEqual(torchs.GetType(), kit.GetType());
        manual_seed(4);
        for (int step = 0; step < 5; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = randn(3, 2, 6, 6);
            foreach (var (model, optimizer) in new[] { (kitModel, kit), (torchModel, torchs) })
            {
                optimizer.zero_grad();
                var y = model.call(x);
                (y * y).mean().backward();
                optimizer.step();
            }
        }
        foreach (var (k, t) in kitModel.parameters().Zip(torchModel.parameters()))
            Same(t, k);

        // the state file names the optimiser's type: torch's reads the kit's
        using var saved = new MemoryStream();
        using (var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true)) kit.save_state_dict(writer);
        saved.Position = 0;
        using var reader = new BinaryReader(saved);
        torchs.load_state_dict(reader);
    }

    [Fact]
    public void KitSoftplusIsTorchsBitForBit()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var x = randn(1000) * 12; // both sides of the threshold 20
        var (a, b) = (x.detach().requires_grad_(), x.detach().requires_grad_());
        var (ya, yb) = (Scalars.Softplus(a), nn.functional.softplus(b));
        Same(yb, ya);
        (ya * ya).sum().backward();
        (yb * yb).sum().backward();
        Same(b.grad!, a.grad!);
    }

    static void Same(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.detach().to(float64).data<double>().ToArray(), actual.detach().to(float64).data<double>().ToArray());
    }

    // conv - kit BatchNorm - conv: a BatchNorm's two parameters form the second group
    static nn.Module<Tensor, Tensor> TinyModel()
    {
        manual_seed(9);
        return nn.Sequential(nn.Conv2d(2, 3, 3, bias: false), new KitBatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 1, 3));
    }

    static (IEnumerable<TorchSharp.Modules.Parameter>, double)[] Groups(nn.Module<Tensor, Tensor> model) =>
        [(model.parameters().Take(1).ToList(), 1e-2), (model.parameters().Skip(1).ToList(), 3e-3)];

    static TorchSharp.Modules.OptimizerHelper TorchOptimizer(string name, nn.Module<Tensor, Tensor> model)
    {
        var groups = Groups(model);
        return name switch
        {
            "adam" => optim.Adam(groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Item1, lr: g.Item2, weight_decay: 1e-2)), 1e-2, weight_decay: 1e-2),
            "adamw" => optim.AdamW(groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g.Item1, lr: g.Item2, weight_decay: 1e-2)), 1e-2, weight_decay: 1e-2),
            "sgd" => optim.SGD(groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(g.Item1, lr: g.Item2, momentum: 0.9, weight_decay: 1e-2)), 1e-2, momentum: 0.9, weight_decay: 1e-2),
            _ => throw new ArgumentException(name),
        };
    }
}
