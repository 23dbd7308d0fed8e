using System.Diagnostics;
using System.Reflection;
using static TorchSharp.torch;

namespace DepthKit.Labs;

/// <summary>A failed comparison: thrown inside a check, turned into a <see cref="CheckStatus.Failed"/> result.</summary>
public sealed class CheckFailure(string hint) : Exception(hint);

/// <summary>
/// One check of a lab task. It runs the student's function on fixed, seeded inputs, compares with the kit's
/// reference and, on a mismatch, names the mistake (by matching the answer against the usual wrong ones).
/// </summary>
public abstract class LabCheck
{
    /// <summary>The task id a check cell names, e.g. "bn-forward".</summary>
    public abstract string Id { get; }

    /// <summary>The lab the task belongs to, e.g. "02-batchnorm".</summary>
    public abstract string Lab { get; }

    /// <summary>What the task asks, in a few words.</summary>
    public abstract string Title { get; }

    /// <summary>The function the task expects, as the notebook declares it.</summary>
    public abstract string Signature { get; }

    /// <summary>The delegate type of <see cref="Signature"/>.</summary>
    public abstract Type DelegateType { get; }

    /// <summary>Runs the check on a student's function; never throws.</summary>
    public CheckResult Run(Delegate? student)
    {
        var clock = Stopwatch.StartNew();
        CheckResult result;
        try
        {
            if (student is null) throw new CheckFailure($"no function given: pass your {Signature}");
            var typed = Adapt(student);
            using var scope = NewDisposeScope();
            string message = Evaluate(typed);
            result = new CheckResult(Id, CheckStatus.Passed, message);
        }
        catch (Exception e)
        {
            result = FromException(Id, e);
        }
        return result with { Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3) };
    }

    /// <summary>The comparison; returns the pass message or throws <see cref="CheckFailure"/>.</summary>
    protected abstract string Evaluate(Delegate student);

    internal static CheckResult FromException(string id, Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        return e switch
        {
            NotImplementedException => new CheckResult(id, CheckStatus.NotDone, "the function still throws Lab.NotDone()"),
            CheckFailure f => new CheckResult(id, CheckStatus.Failed, f.Message),
            StudentException s => new CheckResult(id, CheckStatus.Failed, s.Message),
            _ => new CheckResult(id, CheckStatus.Failed, $"the check itself failed ({e.GetType().Name}: {FirstLine(e.Message)})"),
        };
    }

    Delegate Adapt(Delegate student)
    {
        if (DelegateType.IsInstanceOfType(student)) return student;
        var adapted = Delegate.CreateDelegate(DelegateType, student.Target, student.Method, throwOnBindFailure: false);
        return adapted ?? throw new CheckFailure(
            $"expected a function {Signature}, got {Describe(student.Method)}: keep the signature the task cell gives");
    }

    static string Describe(MethodInfo m) =>
        $"({string.Join(", ", m.GetParameters().Select(p => $"{TypeName(p.ParameterType)} {p.Name}"))}) -> {TypeName(m.ReturnType)}";

    internal static string TypeName(Type t) => t.IsGenericType
        ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>"
        : t.Name;

    internal static string FirstLine(string s)
    {
        var line = s.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] + "..." : line;
    }
}

/// <summary>An exception thrown by the student's code (not by the check): reported with its first line.</summary>
public sealed class StudentException(string message) : Exception(message);

/// <summary>A check of a function of type <typeparamref name="TFunc"/>.</summary>
public abstract class LabCheck<TFunc> : LabCheck where TFunc : Delegate
{
    public sealed override Type DelegateType => typeof(TFunc);

    protected sealed override string Evaluate(Delegate student) => Evaluate((TFunc)student);

    protected abstract string Evaluate(TFunc student);

    /// <summary>
    /// Calls the student's code; a NotImplementedException passes through (not done yet), any other exception
    /// becomes a failure naming it, with <paramref name="explain"/> adding a hint for known error messages.
    /// </summary>
    protected static T Call<T>(Func<T> call, Func<Exception, string?>? explain = null)
    {
        try { return call(); }
        catch (Exception e) when (e is not NotImplementedException and not CheckFailure)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            if (inner is NotImplementedException) throw inner;
            var hint = explain?.Invoke(inner);
            throw new StudentException($"your code threw {inner.GetType().Name}: {FirstLine(inner.Message)}" + (hint is null ? "" : $". Hint: {hint}"));
        }
    }

    /// <summary>Fails with <paramref name="hint"/>.</summary>
    protected static CheckFailure Fail(string hint) => new(hint);
}
