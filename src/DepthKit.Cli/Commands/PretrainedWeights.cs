using DepthKit.Models;

namespace DepthKit.Cli.Commands;

/// <summary>Loads encoder weights named on the command line into a freshly built model.</summary>
static class PretrainedWeights
{
    public static void Apply(DepthNet model, string spec) =>
        throw new NotSupportedException($"--pretrained {spec}: pretrained encoders are not merged into this build yet");
}
