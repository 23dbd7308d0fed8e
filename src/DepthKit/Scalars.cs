using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit;

/// <summary>
/// Scalars that stay alive through the native call that reads them. TorchSharp 0.107 turns every .NET number given to a
/// tensor op (and the hidden alpha 1 of <c>a + b</c>) into a finalizable <see cref="Scalar"/> that nothing references
/// once its handle is marshalled, so a garbage collection can free it while libtorch still reads it: "Expected false to
/// be true" in <c>Scalar::toLong</c>, "Unknown scalar type", or a segfault (docs/runtime.md). A static field, or a
/// <c>using</c> local that is disposed after the call, keeps it rooted.
/// </summary>
public static class Scalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();
    /// <summary>The exponent of <c>square()</c>, which is <c>pow(2)</c> with an integer 2.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary><c>a + b</c> with a rooted alpha.</summary>
    public static Tensor Add(Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>x^2</c> as <c>x.square()</c> computes it, with a rooted exponent.</summary>
    public static Tensor Square(Tensor x) => x.pow(Two);

    /// <summary>
    /// <c>softplus(x) = log(1 + e^x)</c> (beta 1, threshold 20) exactly as <c>nn.functional.softplus</c> computes it: the
    /// same native op, but its beta and threshold are rooted. TorchSharp has no public overload taking Scalars, so its
    /// private one is bound once here.
    /// </summary>
    public static Tensor Softplus(Tensor x) => SoftplusOp(x, SoftplusBeta, SoftplusThreshold);

    static readonly Scalar SoftplusBeta = 1.0.ToScalar();
    static readonly Scalar SoftplusThreshold = 20.0.ToScalar();
    // TorchSharp's softplus(double beta = 1, double threshold = 20) converts both doubles to Scalars and calls this
    static readonly Func<Tensor, Scalar, Scalar, Tensor> SoftplusOp = BindSoftplus();

    static Func<Tensor, Scalar, Scalar, Tensor> BindSoftplus()
    {
        var method = typeof(Tensor).GetMethod("softplus1", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic,
                         [typeof(Scalar), typeof(Scalar)])
            ?? throw new MissingMethodException($"TorchSharp {typeof(Tensor).Assembly.GetName().Version} has no Tensor.softplus1(Scalar, Scalar): update DepthKit.Scalars.Softplus");
        return method.CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>();
    }
}
