using DepthKit.Data;
using DepthKit.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Tests.Training;

/// <summary>A few RGB-D pairs in memory where depth is a simple function of colour, so a tiny net can learn it.</summary>
sealed class TinyDataset : IDepthDataset
{
    readonly DepthSample[] _samples;

    public TinyDataset(int count, int height, int width, int seed, string name = "tiny")
    {
        Name = name;
        var random = new Random(seed);
        _samples = new DepthSample[count];
        for (int n = 0; n < count; n++)
        {
            var rgb = new byte[height * width * 3];
            var depth = new float[height * width];
            for (int i = 0; i < depth.Length; i++)
            {
                byte r = (byte)random.Next(256), g = (byte)random.Next(256), b = (byte)random.Next(256);
                rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b;
                depth[i] = i % 7 == 0 ? 0f : 1f + 4f * r / 255f; // every 7th pixel invalid
            }
            _samples[n] = new DepthSample(height, width, rgb, depth, $"{name}#{n}");
        }
    }

    public string Name { get; }
    public int Count => _samples.Length;
    public DepthSample Get(int index) => _samples[index];
}

/// <summary>conv - ReLU - dropout - conv - softplus: small, with dropout so the RNG state matters on resume.</summary>
sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly Dropout2d drop = nn.Dropout2d(0.25);
    readonly Conv2d conv2;
    /// <summary>Forward passes in training mode after which the output becomes NaN (test of the NaN guard).</summary>
    public int PoisonAfter { get; set; } = int.MaxValue;
    int _trainingCalls;

    /// <param name="hidden">Channels between the two convolutions (a test that routes its own shapes picks a width no other test uses).</param>
    public TinyNet(int hidden = 4) : base(nameof(TinyNet))
    {
        conv1 = nn.Conv2d(3, hidden, 3, padding: 1);
        conv2 = nn.Conv2d(hidden, 1, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.softplus(conv2.call(drop.call(nn.functional.relu(conv1.call(x))))) + 0.5;
        if (training && ++_trainingCalls > PoisonAfter) y = y * float.NaN;
        return y;
    }

    public static readonly ModelIdentity Identity = new("tiny-net", "TinyNet", "{}");

    public float[] Weights() => [.. parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray())];
}
