using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Models;

/// <summary>Small constructors shared by the blocks, so every block reads like its diagram.</summary>
public static class Layers
{
    /// <summary>k x k convolution with "same" padding for stride 1; no bias because a BatchNorm follows.</summary>
    public static Conv2d Conv(long inChannels, long outChannels, long kernel, long stride = 1, bool bias = false) =>
        nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, bias: bias);

    /// <summary>Bilinear resize to height x width; returns the input itself when it already has that size.</summary>
    public static Tensor ResizeTo(Tensor x, long height, long width) =>
        x.shape[2] == height && x.shape[3] == width ? x
        : nn.functional.interpolate(x, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Resize to the spatial size of <paramref name="like"/>.</summary>
    public static Tensor ResizeTo(Tensor x, Tensor like) => ResizeTo(x, like.shape[2], like.shape[3]);

    /// <summary>Kaiming-normal (fan_out, ReLU) weights and unit/zero BatchNorm, as torchvision initialises ResNets.</summary>
    public static void InitializeWeights(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (conv.bias is not null) conv.bias.zero_();
                    break;
                case ConvTranspose2d deconv:
                    nn.init.kaiming_normal_(deconv.weight!, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (deconv.bias is not null) deconv.bias.zero_();
                    break;
                case BatchNorm bn: // the kit's BatchNorm2d and torch's
                    bn.weight!.fill_(Scalars.One);
                    bn.bias!.zero_();
                    break;
            }
        }
    }
}
