using System.Diagnostics;
using System.Globalization;
using DepthKit.Models;
using DepthKit.Native;

namespace DepthKit.Cli.Commands;

/// <summary>
/// <c>depthkit doctor --gradients</c>: every convolution shape of the six architectures, float32 input and weight
/// gradients against float64. Without <c>--isa</c> it checks in this process under the kernels the kit chose;
/// with <c>--isa avx2,avx,...</c> it checks plain oneDNN capped at each ISA, each in a child process (oneDNN reads
/// its cap once per process, and a kernel that dies with SIGFPE takes its process along: the child restarts
/// after the shape that killed it).
/// </summary>
static class GradientDoctor
{
    /// <summary>Set in a child: check shapes from this index on and print machine-readable lines.</summary>
    const string WorkerVariable = "DEPTHKIT_GRADIENTS_FROM";
    /// <summary>Set in a child: the <c>--shape</c> list it checks instead of the architectures' shapes.</summary>
    const string ShapesVariable = "DEPTHKIT_GRADIENTS_SHAPES";

    public static int Run(CliContext context, string? isaList, string? shapeList)
    {
        shapeList ??= Environment.GetEnvironmentVariable(ShapesVariable);
        IReadOnlyList<(ConvShape Shape, IReadOnlyList<string> Layers)> shapes;
        try
        {
            shapes = shapeList is null ? GradientCheck.Shapes()
                : [.. shapeList.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(t => (ConvShape.Parse(t), (IReadOnlyList<string>)["--shape"]))];
        }
        catch (FormatException e) { throw new CliUsageException($"--shape: {e.Message}"); }
        if (Environment.GetEnvironmentVariable(WorkerVariable) is { } from)
            return Worker(context.Out, shapes, int.Parse(from, CultureInfo.InvariantCulture));
        if (isaList is not null) return CompareIsas(context, shapes, isaList, shapeList);

        context.Out.WriteLine(shapeList is null
            ? $"gradient check: {shapes.Count} convolution shapes of {string.Join(", ", GradientCheck.Settings().Select(s => s.Label))}"
            : $"gradient check: {shapes.Count} convolution shape(s) given by --shape");
        context.Out.WriteLine($"{"input",-9} {"weight",-9} {"shape",-46} layers");
        double worst = 0;
        foreach (var (shape, layers) in shapes)
        {
            var e = GradientCheck.Errors(shape);
            worst = Math.Max(worst, e.Worst);
            context.Out.WriteLine($"{E(e.Input),-9} {E(e.Weight),-9} {shape,-46} {Layers(layers)}{(e.Worst > GradientCheck.Tolerance ? "  WRONG" : "")}");
        }
        context.Out.WriteLine($"worst relative gradient error: {E(worst)}");
        return worst <= GradientCheck.Tolerance ? 0 : 1;
    }

    static string E(double v) => double.IsPositiveInfinity(v) ? "inf" : v.ToString("0.0E+00", CultureInfo.InvariantCulture);

    static string Layers(IReadOnlyList<string> layers) => layers[0] + (layers.Count > 1 ? $" (+{layers.Count - 1})" : "");

    static int Worker(TextWriter output, IReadOnlyList<(ConvShape Shape, IReadOnlyList<string> Layers)> shapes, int from)
    {
        for (int i = from; i < shapes.Count; i++)
        {
            output.WriteLine($"start {i}");
            output.Flush();
            var clock = Stopwatch.StartNew();
            var e = GradientCheck.Errors(shapes[i].Shape);
            output.WriteLine(FormattableString.Invariant($"result {i} {e.Input:R} {e.Weight:R} {clock.Elapsed.TotalSeconds:F1}"));
            output.Flush();
        }
        return 0;
    }

    /// <summary>One child process per ISA cap ("off" = oneDNN off, "none" = no cap), restarted past a crashing shape.</summary>
    static int CompareIsas(CliContext context, IReadOnlyList<(ConvShape Shape, IReadOnlyList<string> Layers)> shapes, string isaList, string? shapeList)
    {
        var isas = isaList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (isas.Length == 0) throw new CliUsageException("--isa needs at least one ISA (e.g. avx2,avx)");
        var cells = new string[shapes.Count, isas.Length];
        var worst = new double[isas.Length];
        for (int k = 0; k < isas.Length; k++)
        {
            int next = 0;
            while (next < shapes.Count)
            {
                var (results, crashedAt, status) = RunChild(isas[k], next, shapes, shapeList, context.Error);
                foreach (var (i, input, weight) in results)
                {
                    cells[i, k] = $"{E(input)} / {E(weight)}";
                    worst[k] = Math.Max(worst[k], Math.Max(input, weight));
                }
                if (crashedAt is int c)
                {
                    cells[c, k] = $"crash: {status}";
                    worst[k] = double.PositiveInfinity;
                    next = c + 1;
                }
                else if (results.Count == 0 || results[^1].Index < shapes.Count - 1)
                    throw new InvalidOperationException($"gradient check child for ISA {isas[k]} stopped without a result: {status}");
                else next = shapes.Count;
            }
        }
        context.Out.WriteLine($"relative error of float32 input / weight gradients against float64, plain oneDNN under each ISA cap ({shapes.Count} shapes)");
        context.Out.WriteLine($"{"shape",-46} " + string.Join(" ", isas.Select(i => $"{i,-19}")) + " layers");
        for (int i = 0; i < shapes.Count; i++)
            context.Out.WriteLine($"{shapes[i].Shape,-46} " + string.Join(" ", Enumerable.Range(0, isas.Length).Select(k => $"{cells[i, k],-19}")) + " " + Layers(shapes[i].Layers));
        for (int k = 0; k < isas.Length; k++)
            context.Out.WriteLine($"worst relative gradient error under {isas[k]}: {E(worst[k])}");
        return 0;
    }

    static (List<(int Index, double Input, double Weight)> Results, int? CrashedAt, string Status) RunChild(string isa, int from,
        IReadOnlyList<(ConvShape Shape, IReadOnlyList<string> Layers)> shapes, string? shapeList, TextWriter progress)
    {
        var (file, prefix) = SelfCommand();
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix) start.ArgumentList.Add(a);
        foreach (var a in new[] { "doctor", "--device", "cpu", "--gradients" }) start.ArgumentList.Add(a);
        start.Environment[WorkerVariable] = from.ToString(CultureInfo.InvariantCulture);
        if (shapeList is not null) start.Environment[ShapesVariable] = shapeList;
        start.Environment["DEPTHKIT_ONEDNN"] = isa.Equals("off", StringComparison.OrdinalIgnoreCase) ? "off" : "on";
        if (isa.Equals("off", StringComparison.OrdinalIgnoreCase) || isa.Equals("none", StringComparison.OrdinalIgnoreCase))
            start.Environment.Remove(Runtime.OneDnnIsaVariable);
        else start.Environment[Runtime.OneDnnIsaVariable] = isa.ToUpperInvariant();
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var results = new List<(int, double, double)>();
        int? started = null;
        while (child.StandardOutput.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts[0] == "start") started = int.Parse(parts[1], CultureInfo.InvariantCulture);
            else if (parts[0] == "result")
            {
                int i = int.Parse(parts[1], CultureInfo.InvariantCulture);
                double input = double.Parse(parts[2], CultureInfo.InvariantCulture), weight = double.Parse(parts[3], CultureInfo.InvariantCulture);
                results.Add((i, input, weight));
                started = null;
                progress.WriteLine($"{isa}: {i + 1}/{shapes.Count} {shapes[i].Shape}: {E(input)} / {E(weight)} ({parts[4]} s)");
            }
        }
        child.WaitForExit();
        if (child.ExitCode != 0 && started is int crashed) progress.WriteLine($"{isa}: {crashed + 1}/{shapes.Count} {shapes[crashed].Shape}: crashed (exit {child.ExitCode})");
        string status = child.ExitCode switch
        {
            0 => "ok",
            > 128 and < 160 => $"signal {child.ExitCode - 128}" + (child.ExitCode - 128 == 8 ? " (SIGFPE)" : ""),
            var c => $"exit {c}: {stderr.Result.Trim().Split('\n').LastOrDefault()}",
        };
        return (results, child.ExitCode == 0 ? null : started, status);
    }

    /// <summary>How to start this CLI again: its apphost, or <c>dotnet DepthKit.Cli.dll</c> (also when another host runs it in-process).</summary>
    static (string File, string[] Prefix) SelfCommand()
    {
        var cli = typeof(GradientDoctor).Assembly;
        var process = Environment.ProcessPath;
        if (process is not null && System.Reflection.Assembly.GetEntryAssembly() == cli)
            return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? (process, [cli.Location]) : (process, []);
        return (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [cli.Location]);
    }
}
