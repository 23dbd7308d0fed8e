using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>The last step of every model: one channel of features to metres.</summary>
public static class DepthHead
{
    /// <summary>Typical indoor depth: the softplus head starts near it instead of near 0.69 m.</summary>
    public const double DefaultInitialDepth = 2.5;

    /// <summary>The depth in metres an untrained model predicts everywhere (the head's bias).</summary>
    public static readonly ArchitectureOption InitialDepth =
        ArchitectureOption.Number("initial_depth", DefaultInitialDepth, "depth in metres the untrained model predicts everywhere");

    public static Tensor Activate(Tensor x, DepthActivation activation) => activation switch
    {
        DepthActivation.ReLU => nn.functional.relu(x),
        DepthActivation.Softplus => Scalars.Softplus(x), // nn.functional.softplus with rooted beta and threshold
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>Sets the head's bias to softplus^-1(d) = log(e^d - 1) so the untrained model predicts about d metres.</summary>
    public static void InitializeBias(Conv2d head, ModelConfig config)
    {
        double d = config.GetDouble(InitialDepth);
        using var noGrad = no_grad();
        using var value = Math.Log(Math.Exp(d) - 1).ToScalar(); // rooted: an implicit Scalar can be finalised mid-call
        head.bias!.fill_(value);
    }

    /// <summary>Same for a Linear head.</summary>
    public static void InitializeBias(Linear head, ModelConfig config)
    {
        double d = config.GetDouble(InitialDepth);
        using var noGrad = no_grad();
        using var value = Math.Log(Math.Exp(d) - 1).ToScalar(); // rooted: an implicit Scalar can be finalised mid-call
        head.bias!.fill_(value);
    }
}
