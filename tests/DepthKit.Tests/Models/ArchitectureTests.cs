using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Models;

/// <summary>Parameter counts from the slides and the papers, output shapes, names that match torchvision.</summary>
public class ArchitectureTests
{
    [Fact]
    public void CnnResSlidesHasTheSlidesParameterCounts()
    {
        using var model = Architectures.Create(new ModelConfig("cnn-res-slides", inputHeight: 256, inputWidth: 320));
        var (total, trainable, frozen) = Architectures.CountParameters(model);
        Assert.Equal(52_964_289, total);
        Assert.Equal(29_456_257, trainable);
        Assert.Equal(23_508_032, frozen);
        Assert.Equal(23_508_032, model.EncoderParameters().Sum(p => p.numel()));
    }

    [Fact]
    public void SlideUpBlockConvolutionsHaveTheSlidesCounts()
    {
        using var block = new SlideUpBlock(1024);
        var counts = block.named_parameters().GroupBy(p => p.name.Split('.')[0]).ToDictionary(g => g.Key, g => g.Sum(p => p.parameter.numel()));
        Assert.Equal(13_107_712, counts["conv1"]); // 5x5 1024->512 + bias
        Assert.Equal(1_179_904, counts["conv2"]);  // 3x3 512->256 + bias
        Assert.Equal(6_553_856, counts["conv3"]);  // 5x5 1024->256 + bias
        using var second = new SlideUpBlock(512);
        Assert.Equal(3_277_056 + 295_040 + 1_638_528, second.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData("upproj")]
    [InlineData("fast-upproj")]
    public void FcrnHasLainaParameterCount(string upsampling)
    {
        using var model = Architectures.Create(new ModelConfig("fcrn", inputHeight: 228, inputWidth: 304).With("upsampling", upsampling));
        Assert.Equal(63_563_009, Architectures.CountParameters(model).Total);
    }

    [Theory]
    [InlineData(18, 11_176_512)]
    [InlineData(34, 21_284_672)]
    [InlineData(50, 23_508_032)]
    public void ResNetTrunksHaveTorchvisionCountsWithoutFc(int depth, long expected)
    {
        using var resnet = new ResNet(depth);
        Assert.Equal(expected, resnet.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ResNetStateDictKeysAreTorchvisions()
    {
        using var r18 = new ResNet(18);
        var keys18 = r18.state_dict().Keys.ToHashSet();
        Assert.Equal(120, keys18.Count); // torchvision resnet18: 122 keys, minus fc.weight and fc.bias
        foreach (var k in new[] { "conv1.weight", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight",
                     "layer1.1.bn2.bias", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_mean", "layer4.1.conv2.weight" })
            Assert.Contains(k, keys18);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", keys18);

        using var r50 = new ResNet(50);
        var keys50 = r50.state_dict().Keys.ToHashSet();
        Assert.Equal(318, keys50.Count); // torchvision resnet50: 320 keys, minus fc
        foreach (var k in new[] { "layer1.0.downsample.0.weight", "layer1.2.conv3.weight", "layer3.5.bn3.running_var", "layer4.2.conv3.weight" })
            Assert.Contains(k, keys50);
    }

    [Theory]
    [InlineData("cnn-fc", 64, 80)]
    [InlineData("cnn-fc", 48, 96)]
    [InlineData("cnn", 64, 80)]
    [InlineData("cnn", 40, 56)]
    [InlineData("cnn-trans", 64, 80)]
    [InlineData("cnn-trans", 50, 70)]
    [InlineData("cnn-res", 64, 64)]
    [InlineData("cnn-res", 64, 80)]
    [InlineData("cnn-res", 96, 128)]
    public void CpuModelsReturnOneDepthChannelAtInputSize(string name, int height, int width)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var model = Architectures.Create(name);
        model.eval();
        using var noGrad = no_grad();
        var y = model.call(rand(2, 3, height, width));
        Assert.Equal(new long[] { 2, 1, height, width }, y.shape);
        Assert.True(y.min().item<float>() >= 0, "depth must be non-negative");
    }

    [Theory]
    [InlineData("resnet34")]
    [InlineData("resnet50")]
    public void CnnResTakesTheOtherEncoders(string encoder)
    {
        using var scope = NewDisposeScope();
        using var model = Architectures.Create("cnn-res", encoder);
        model.eval();
        using var noGrad = no_grad();
        Assert.Equal(new long[] { 1, 1, 64, 64 }, model.call(rand(1, 3, 64, 64)).shape);
    }

    [Theory]
    [InlineData("cnn-res-slides", 64, 96, 14, 22)]  // 2x3 -> 16x24 -> 14x22 (3x3 conv without padding)
    [InlineData("fcrn", 64, 96, 32, 48)]            // 2x3 -> 4 up-projections -> 32x48
    public void ResNet50ModelsOutputSizes(string name, int height, int width, int outHeight, int outWidth)
    {
        using var scope = NewDisposeScope();
        using var model = Architectures.Create(name);
        model.eval();
        using var noGrad = no_grad();
        Assert.Equal(new long[] { 1, 1, outHeight, outWidth }, model.call(rand(1, 3, height, width)).shape);
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonAndBadNamesAreClear()
    {
        var config = new ModelConfig("cnn-res", "resnet34", 96, 128).With("decoder_width", "64");
        var back = ModelConfig.FromJson(config.ToJson());
        Assert.Equal("cnn-res", back.Name);
        Assert.Equal("resnet34", back.Encoder);
        Assert.Equal((96, 128), (back.InputHeight, back.InputWidth));
        Assert.Equal("64", back.Options["decoder_width"]);
        Assert.Contains("\"input_height\": 96", config.ToJson());

        var unknown = Assert.Throws<ArgumentException>(() => Architectures.Create("resnet-unet"));
        Assert.Contains("cnn-res-slides", unknown.Message);
        var badEncoder = Assert.Throws<ArgumentException>(() => Architectures.Create("cnn-res", "vgg16"));
        Assert.Contains("resnet18", badEncoder.Message);
        var noEncoder = Assert.Throws<ArgumentException>(() => Architectures.Create("cnn", "resnet18"));
        Assert.Contains("own encoder", noEncoder.Message);
        var badOption = Assert.Throws<ArgumentException>(() => Architectures.Create(new ModelConfig("cnn").With("width", "wide")));
        Assert.Contains("width", badOption.Message);
        var unknownOption = Assert.Throws<ArgumentException>(() => Architectures.Create(new ModelConfig("cnn").With("widht", "8")));
        Assert.Contains("widht", unknownOption.Message);
    }

    [Fact]
    public void DisplayNamesFollowTheSlides()
    {
        Assert.Equal(["CNN+FC", "CNN", "CNN+trans", "CNN+Res"], Architectures.All.Where(a => a.CpuSized).Select(a => a.DisplayName));
    }

    [Fact]
    public void TheRegistryFindsEveryArchitectureClassAndEachOfItsOptionsIsAccepted()
    {
        var classes = typeof(DepthNet).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(DepthNet)) && !t.IsAbstract).ToList();
        Assert.Equal(classes.Count, Architectures.All.Count);
        Assert.Equal(["cnn-fc", "cnn", "cnn-trans", "cnn-res", "cnn-res-slides", "fcrn"], Architectures.All.Select(a => a.Name));
        foreach (var a in Architectures.All)
        {
            Assert.Equal(a.Options.Count, a.Options.Select(o => o.Name).Distinct().Count());
            foreach (var o in a.Options)
            {
                // every declared option builds at its default (the plain CNNs once rejected their own coords option)
                using var scope = NewDisposeScope();
                var config = new ModelConfig(a.Name, null, 64, 64).With(o.Name, o.Kind == OptionKind.Choice ? o.Choices[^1] : o.Default);
                if (a.CpuSized) Assert.NotNull(Architectures.Create(config));
                else o.Check(config.Options[o.Name]);
                var wrong = Assert.Throws<ArgumentException>(() => o.Check(o.Kind == OptionKind.Flag ? "maybe" : "0x"));
                Assert.Contains(o.Name, wrong.Message);
            }
        }
        Assert.Contains("upsampling=bilinear|fast-upproj|upproj", string.Join(" ", Architectures.Get("cnn-res").Options));
        Assert.Contains("coords=false", string.Join(" ", Architectures.Get("cnn").Options));
    }
}
