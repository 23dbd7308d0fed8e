using DepthKit.Models;

namespace DepthKit.Cli.Commands;

/// <summary>Lists the architectures of the registry (names for <c>--model</c>).</summary>
public sealed class ModelsCommand : ICliCommand
{
    public string Name => "models";
    public string Summary => "List the model architectures (CNN+FC, CNN, CNN+trans, CNN+Res, the slides' CNN+Res, FCRN)";
    public IReadOnlyList<CliOption> Options { get; } = [];

    public int Run(CliArgs args, CliContext context)
    {
        var o = context.Out;
        o.WriteLine($"{"NAME",-16} {"SLIDES NAME",-18} {"CPU",-4} {"ENCODERS",-42} DESCRIPTION");
        foreach (var a in Architectures.All)
        {
            var encoders = a.Encoders.Count == 0 ? "(own conv encoder)"
                : string.Join("|", a.Encoders.Select(e => e == a.DefaultEncoder ? e + "*" : e));
            o.WriteLine($"{a.Name,-16} {a.DisplayName,-18} {(a.CpuSized ? "yes" : "no"),-4} {encoders,-42} {a.Description}");
            o.WriteLine($"{"",-16} {"",-18} {"",-4} {"",-42} options: {string.Join(" ", a.Options)}");
        }
        o.WriteLine();
        o.WriteLine("* default encoder. Parameters and layer shapes: depthkit summary --model NAME --size HxW");
        return 0;
    }
}
