using DepthKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Cli.Commands;

/// <summary>Reports the runtime and proves torch works with one small forward and backward convolution.</summary>
public sealed class DoctorCommand : ICliCommand
{
    public string Name => "doctor";
    public string Summary => "Check the installation: versions, device, native fix-ups, a test convolution (--gradients: every convolution shape)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
        new("gradients", "check float32 input and weight gradients of every convolution shape of the six architectures against float64 (exit 1 above 1e-5)", IsFlag: true),
        new("isa", "with --gradients: compare plain oneDNN capped at each of these ISAs instead (comma-separated, e.g. avx2,avx,off), one child process each"),
        new("shape", "with --gradients: check these shapes instead, ';'-separated, e.g. 'conv 3x3 s1 p1 64->24 @2x64x32x40' (batch x channels x height x width)"),
        new("scalars", "train a small BatchNorm model this many seconds while another thread forces garbage collections: exit 1 if a training step read a Scalar the collector freed (docs/reliability.md)"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var info = context.InitTorch(args);
        foreach (var needsGradients in new[] { "isa", "shape" })
            if (args.IsGiven(needsGradients) && !args.Flag("gradients")) throw new CliUsageException($"--{needsGradients} needs --gradients");
        if (args.Flag("gradients")) return GradientDoctor.Run(context, args.GetOrNull("isa"), args.GetOrNull("shape"));
        if (args.IsGiven("scalars")) return Scalars(context, TimeSpan.FromSeconds(args.GetDouble("scalars")));
        context.Out.WriteLine($"{"DepthKit",-20} {Cli.Version}");
        context.Out.WriteLine(info);
        using var scope = NewDisposeScope();
        var x = randn(1, 3, 16, 16, device: info.Device, requires_grad: true);
        var w = randn(8, 3, 3, 3, device: info.Device, requires_grad: true);
        DepthKit.Scalars.Square(nn.functional.conv2d(x, w, padding: [1, 1])).sum().backward();
        bool finite = x.grad is not null && w.grad is not null && x.grad.isfinite().all().item<bool>() && w.grad.isfinite().all().item<bool>();
        context.Out.WriteLine($"{"conv2d check",-20} {(finite ? "ok (forward and backward finite)" : "FAILED: non-finite gradients")}");
        return finite ? 0 : 1;
    }

    static int Scalars(CliContext context, TimeSpan duration)
    {
        var result = ScalarStress.Run(duration);
        foreach (var failure in result.Failures) context.Error.WriteLine($"scalar stress: {failure}");
        context.Out.WriteLine($"{"scalar stress",-20} {(result.Passed ? "ok" : "FAILED")}: {result.Steps} training steps, {result.Collections} forced collections, {result.Failures.Count} failures");
        return result.Passed ? 0 : 1;
    }
}
