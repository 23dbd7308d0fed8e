using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>
/// torch's <c>nn.BatchNorm2d</c> with its Scalars rooted. TorchSharp's training forward counts batches with
/// <c>num_batches_tracked.add_(1)</c>, two implicit Scalars (value and alpha) that the finalizer may free while the
/// native add still reads them (<see cref="Scalars"/>); here both are static. Everything else is TorchSharp's
/// <see cref="TorchSharp.Modules.BatchNorm"/>: the same parameters and buffers (weight, bias, running_mean,
/// running_var, num_batches_tracked), so state_dicts, checkpoints, pretrained loaders and the ONNX exporter see no difference.
/// </summary>
public sealed class BatchNorm2d : TorchSharp.Modules.BatchNorm
{
    public BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true,
                       Device? device = null, ScalarType? dtype = null)
        : base(features, eps, momentum, affine, trackRunningStats, device, dtype, nameof(BatchNorm2d))
    {
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }

    // TorchSharp's BatchNorm.forward, line for line, with Scalars.One for its two implicit Scalar(1)s
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double exponentialAverageFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(Scalars.One, Scalars.One);
            exponentialAverageFactor = momentum ?? 1.0 / (double)num_batches_tracked;
        }
        bool bnTraining = training || (running_mean is null && running_var is null);
        bool useStats = !training || track_running_stats;
        return nn.functional.batch_norm(input, useStats ? running_mean : null, useStats ? running_var : null, weight, bias,
                                        bnTraining, exponentialAverageFactor, eps);
    }
}
