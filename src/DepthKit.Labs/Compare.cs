using System.Globalization;
using static TorchSharp.torch;

namespace DepthKit.Labs;

/// <summary>A known wrong answer: how to compute it, and the hint to give when the student's answer matches it.</summary>
public sealed record Mistake<T>(string Hint, Func<T> Answer);

/// <summary>Comparisons the checks share: shapes first, then values within a stated tolerance, then known mistakes.</summary>
public static class Compare
{
    public static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";

    static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>Same shape and |a - b| &lt;= atol + rtol * |b| everywhere (NaN equals nothing).</summary>
    public static bool Close(Tensor a, Tensor b, double atol, double rtol)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        var x = a.detach().cpu().to(ScalarType.Float64);
        var y = b.detach().cpu().to(ScalarType.Float64);
        return (x - y).abs().le(atol + rtol * y.abs()).all().item<bool>();
    }

    /// <summary>Largest |a - b| (shapes must match).</summary>
    public static double MaxDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.detach().cpu().to(ScalarType.Float64) - b.detach().cpu().to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>
    /// Passes when <paramref name="got"/> matches <paramref name="expected"/>; otherwise fails with the hint of
    /// the first mistake it matches, or with the shape or the largest difference.
    /// </summary>
    public static void Tensors(Tensor? got, Tensor expected, double atol, double rtol, string what,
                               IEnumerable<Mistake<Tensor>>? mistakes = null, string? nanHint = null)
    {
        if (got is null) throw new CheckFailure($"{what} is null: return a tensor");
        if (got.IsInvalid) throw new CheckFailure($"{what} was disposed before the check could read it: return a tensor that outlives your DisposeScope (MoveToOuterDisposeScope)");
        if (Close(got, expected, atol, rtol)) return;
        foreach (var m in mistakes ?? [])
        {
            Tensor wrong;
            try { wrong = m.Answer(); } catch (Exception) { continue; }
            if (Close(got, wrong, Math.Max(atol, 1e-4), Math.Max(rtol, 1e-3))) throw new CheckFailure(m.Hint);
        }
        if (!got.shape.SequenceEqual(expected.shape))
            throw new CheckFailure($"{what} has shape {Shape(got)}, expected {Shape(expected)}");
        using (var scope = NewDisposeScope())
            if (!got.detach().to(ScalarType.Float64).isfinite().all().item<bool>())
                throw new CheckFailure($"{what} holds NaN or inf" + (nanHint is null ? "" : $": {nanHint}"));
        throw new CheckFailure($"{what} differs from the reference by up to {G(MaxDiff(got, expected))} " +
                               $"(tolerance {G(atol)} + {G(rtol)} x |expected|)");
    }

    /// <summary>The scalar version of <see cref="Tensors"/>: relative tolerance, then known mistakes.</summary>
    public static void Scalars(double got, double expected, double rtol, string what,
                               IEnumerable<Mistake<double>>? mistakes = null, string? nanHint = null)
    {
        if (CloseScalar(got, expected, rtol)) return;
        foreach (var m in mistakes ?? [])
        {
            double wrong;
            try { wrong = m.Answer(); } catch (Exception) { continue; }
            if (CloseScalar(got, wrong, Math.Max(rtol, 1e-4))) throw new CheckFailure(m.Hint);
        }
        if (!double.IsFinite(got))
            throw new CheckFailure($"{what} is {G(got)}" + (nanHint is null ? "" : $": {nanHint}"));
        throw new CheckFailure($"{what} is {G(got)}, expected {G(expected)} (relative tolerance {G(rtol)})");
    }

    static bool CloseScalar(double a, double b, double rtol) =>
        a == b || (double.IsNaN(a) && double.IsNaN(b))
        || (double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a - b) <= rtol * Math.Max(Math.Abs(b), 1e-12));
}
