using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Cli.Commands;

/// <summary>Loads encoder weights named on the command line into a freshly built model (<see cref="Experiment"/>).</summary>
static class PretrainedWeights
{
    public static void Apply(DepthNet model, string spec) => Models.Pretrained.PretrainedEncoders.Load(model, spec);

    /// <summary>The encoder a residual model needs for these weights: the ImageNet ResNet-18 has the resnet18-cntk layout.</summary>
    public static string? EncoderFor(string? pretrained, string? encoder) => Experiment.EncoderFor(pretrained, encoder);
}
