using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Cli.Commands;

/// <summary>Reports the runtime and proves torch works with one small forward and backward convolution.</summary>
public sealed class DoctorCommand : ICliCommand
{
    public string Name => "doctor";
    public string Summary => "Check the installation: versions, device, native fix-ups, a test convolution";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var info = context.InitTorch(args);
        context.Out.WriteLine($"{"DepthKit",-20} {Cli.Version}");
        context.Out.WriteLine(info);
        using var scope = NewDisposeScope();
        var x = randn(1, 3, 16, 16, device: info.Device, requires_grad: true);
        var w = randn(8, 3, 3, 3, device: info.Device, requires_grad: true);
        nn.functional.conv2d(x, w, padding: [1, 1]).square().sum().backward();
        bool finite = x.grad is not null && w.grad is not null && x.grad.isfinite().all().item<bool>() && w.grad.isfinite().all().item<bool>();
        context.Out.WriteLine($"{"conv2d check",-20} {(finite ? "ok (forward and backward finite)" : "FAILED: non-finite gradients")}");
        return finite ? 0 : 1;
    }
}
