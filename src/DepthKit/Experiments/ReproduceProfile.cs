using DepthKit.Training;

namespace DepthKit.Experiments;

/// <summary>
/// One budget for <c>depthkit reproduce</c> (and the notebooks, which use the same records): data size, input
/// size, epochs, optimiser, and the four models of the slides' Table 1 with the same budget each.
/// </summary>
public sealed record ReproduceProfile
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    /// <summary>Measured or expected wall time, as the README quotes it.</summary>
    public required string ExpectedTime { get; init; }
    public int Height { get; init; } = 96;
    public int Width { get; init; } = 128;
    /// <summary>SynthRooms split sizes (ignored with --data, except as a cap when non-zero).</summary>
    public int TrainCount { get; init; } = 1000;
    public int ValCount { get; init; } = 64;
    public int TestCount { get; init; } = 128;
    /// <summary>Render size of SynthRooms before resizing to the input size (0 = the input size).</summary>
    public int RenderHeight { get; init; }
    public int RenderWidth { get; init; }
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-3;
    public string Optimizer { get; init; } = "adamw";
    public double WeightDecay { get; init; } = 1e-4;
    public string Schedule { get; init; } = "onecycle";
    public string Loss { get; init; } = "l1";
    public int Seed { get; init; } = 42;
    /// <summary>Channel width of the plain CNNs (CNN+FC, CNN, CNN+trans).</summary>
    public int CnnWidth { get; init; } = 16;
    /// <summary>Registry name of the residual model: cnn-res (CPU-sized) or cnn-res-slides (the slide's exact one).</summary>
    public string ResidualModel { get; init; } = "cnn-res";
    public string ResidualEncoder { get; init; } = "resnet18";
    // resnet18-cntk is ResNet-18 with the stage layout of the ImageNet weights in Microsoft.ML.DnnImageFeaturizer.ResNet18
    /// <summary>resnet18-imagenet, a weights file, or null (random init).</summary>
    public string? Pretrained { get; init; } = "resnet18-imagenet";
    public bool FreezeEncoder { get; init; }
    /// <summary>Learning rate of the residual model's encoder relative to <see cref="LearningRate"/> when it is not frozen.</summary>
    public double EncoderLearningRateScale { get; init; } = 1.0;
    /// <summary>Loss of the residual model when it differs from <see cref="Loss"/> (null: the same).</summary>
    public string? ResidualLoss { get; init; }
    /// <summary>Architecture options of the residual model (e.g. upsampling).</summary>
    public IReadOnlyDictionary<string, string> ResidualOptions { get; init; } = new Dictionary<string, string>();
    /// <summary>True when the profile needs real data (--data).</summary>
    public bool RequiresData { get; init; }
    /// <summary>Images shown in the report's montage.</summary>
    public int MontageImages { get; init; } = 4;

    /// <summary>Registry names in Table 1 order.</summary>
    public IReadOnlyList<string> Models => ["cnn-fc", "cnn", "cnn-trans", ResidualModel];

    /// <summary>A few seconds: for tests. Tiny data and input, one epoch, no pretrained weights.</summary>
    public static ReproduceProfile Smoke { get; } = new()
    {
        Name = "smoke", Description = "tiny end-to-end check for tests (seconds; results mean nothing)", ExpectedTime = "about 10 s",
        Height = 32, Width = 32, TrainCount = 16, ValCount = 4, TestCount = 4, Epochs = 1, BatchSize = 8, LearningRate = 1e-3,
        CnnWidth = 4, Pretrained = null, MontageImages = 2, Schedule = "constant",
        FreezeEncoder = true, // keeps the ResNet-18's optimiser state (and the checkpoint) small
    };

    /// <summary>The README's main job: at most 5 minutes on a 2-core CPU, and it shows the slides' conclusion.</summary>
    public static ReproduceProfile Quick { get; } = new()
    {
        Name = "quick", Description = "the main job: SynthRooms 96x128, 6 epochs, ImageNet ResNet-18 encoder for CNN+Res (2-core CPU)",
        ExpectedTime = "about 3 minutes on 2 CPU cores with full oneDNN (measured 3 min 5 s; longer where oneDNN is capped at AVX); the budget is 5 minutes",
        Height = 96, Width = 128, TrainCount = 800, ValCount = 48, TestCount = 96, Epochs = 6, BatchSize = 16, LearningRate = 4e-3,
        // the recipe of docs/quality.md: 300 steps (CNN+Res was still rising at 150), the pretrained trunk fine-tunes at
        // 0.3x the decoder's rate, SILog plus a log-depth gradient term, and bilinear up-sampling (the unpooling
        // up-projections leave a grid)
        ResidualEncoder = "resnet18-cntk", FreezeEncoder = false, EncoderLearningRateScale = 0.3, ResidualLoss = "silog-grad",
        ResidualOptions = new Dictionary<string, string> { ["upsampling"] = "bilinear" },
    };

    /// <summary>A longer CPU run with larger input and more data.</summary>
    public static ReproduceProfile Standard { get; } = new()
    {
        Name = "standard", Description = "longer CPU run: SynthRooms 128x160, 4000 images, 10 epochs", ExpectedTime = "about 1 to 1.5 hours on 2 CPU cores",
        Height = 128, Width = 160, TrainCount = 4000, ValCount = 200, TestCount = 400, Epochs = 10, BatchSize = 16, LearningRate = 1e-3,
        CnnWidth = 24, ResidualEncoder = "resnet18-cntk",
    };

    /// <summary>The slides' experiment: CNN+Res exactly as on the slide (frozen ResNet-50, 256x320) on NYU Depth V2, on a GPU.</summary>
    public static ReproduceProfile Paper { get; } = new()
    {
        Name = "paper", Description = "the slides' setup: NYU Depth V2 (--data), 256x320, CNN+Res with frozen ResNet-50 trunk, GPU",
        ExpectedTime = "several hours on one GPU (about 20 epochs of NYU's 50k-image training set); not practical on a CPU",
        Height = 256, Width = 320, TrainCount = 0, ValCount = 0, TestCount = 0, Epochs = 20, BatchSize = 16, LearningRate = 1e-4,
        Optimizer = "adam", WeightDecay = 0, Schedule = "step", Loss = "berhu", CnnWidth = 32,
        ResidualModel = "cnn-res-slides", ResidualEncoder = "resnet50", Pretrained = null, FreezeEncoder = true, RequiresData = true,
    };

    public static IReadOnlyList<ReproduceProfile> All { get; } = [Smoke, Quick, Standard, Paper];

    public static ReproduceProfile Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown profile '{name}': use one of {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>The training options every model of this profile gets.</summary>
    public TrainOptions TrainOptions(bool freezeEncoder, bool residual = false) => new()
    {
        Epochs = Epochs, BatchSize = BatchSize, LearningRate = LearningRate, Optimizer = Optimizer, WeightDecay = WeightDecay,
        Schedule = Schedule, Loss = residual ? ResidualLoss ?? Loss : Loss, Seed = Seed, FreezeEncoder = freezeEncoder, EncoderLearningRateScale = EncoderLearningRateScale,
        Height = Height, Width = Width,
        Monitor = "val_loss", Eval = new EvalSettings { Crop = "none" },
    };
}
