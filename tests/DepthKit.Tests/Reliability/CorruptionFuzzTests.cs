using DepthKit.Data;
using DepthKit.Tests.Data;
using DepthKit.Tests.Training;
using DepthKit.Training;
using DepthKit.Visualization;

namespace DepthKit.Tests.Reliability;

/// <summary>
/// Every file format the kit reads, damaged in many seeded ways (bytes overwritten, big lengths written over
/// fields, truncation): a reader either succeeds or throws the kit's own exception naming the file. Messages such as
/// "(Parameter 'length')" or "Too many bytes in what should have been a 7-bit encoded integer" (framework exceptions
/// that name nothing) or an out-of-memory from a corrupt length fail the test.
/// </summary>
public class CorruptionFuzzTests
{
    const int Cases = 300;

    static IEnumerable<byte[]> Damaged(byte[] original, int seed)
    {
        var random = new Random(seed);
        for (int c = 0; c < Cases; c++)
        {
            var b = (byte[])original.Clone();
            switch (c % 4)
            {
                case 0: // a few random bytes
                    for (int k = random.Next(1, 8); k > 0; k--) b[random.Next(b.Length)] = (byte)random.Next(256);
                    break;
                case 1: // a large 32-bit value over a length or size field
                    int at = random.Next(b.Length - 4);
                    uint v = random.Next(3) switch { 0 => 0x7FFFFFF0u, 1 => 0xFFFFFFFFu, _ => (uint)random.Next() };
                    BitConverter.GetBytes(v).CopyTo(b, at);
                    if (random.Next(2) == 0) Array.Reverse(b, at, 4); // big- or little-endian formats
                    break;
                case 2: // truncated
                    b = b[..random.Next(b.Length)];
                    break;
                default: // a run of 0xFF
                    int from = random.Next(b.Length);
                    for (int i = from; i < Math.Min(b.Length, from + random.Next(1, 16)); i++) b[i] = 0xFF;
                    break;
            }
            yield return b;
        }
    }

    static void Survives(string format, byte[] original, Action<byte[]> read, params Type[] expected)
    {
        var failures = new List<string>();
        int n = 0;
        foreach (var bytes in Damaged(original, format.GetHashCode(StringComparison.Ordinal) & 0xFFFF))
        {
            try { read(bytes); }
            catch (Exception e) when (e is DepthKitDataException or DepthKitCheckpointException || expected.Contains(e.GetType())) { }
            catch (Exception e) { failures.Add($"case {n}: {e.GetType().Name}: {e.Message}"); }
            n++;
        }
        Assert.True(failures.Count == 0, $"{format}: {failures.Count} of {Cases} damaged files escaped as framework errors:\n{string.Join("\n", failures.Take(8))}");
    }

    [Fact]
    public void DepthPngs()
    {
        using var dir = new TempDir();
        DepthKit.Data.DepthPng.Write16(dir["d.png"], 6, 5, Enumerable.Range(0, 30).Select(i => (ushort)(i * 999)).ToArray());
        Survives("depth png", File.ReadAllBytes(dir["d.png"]), b => DepthKit.Data.DepthPng.Read(new MemoryStream(b), "d.png"));
    }

    [Fact]
    public void RgbImages()
    {
        var rgb = NyuFixtures.Rgb(1, 6, 5);
        Survives("rgb png", RgbImage.EncodePng(6, 5, rgb), b => RgbImage.Decode(b, "x.png"));
        Survives("rgb jpeg", RgbImage.EncodeJpeg(6, 5, rgb), b => RgbImage.Decode(b, "x.jpg", applyOrientation: true));
    }

    [Fact]
    public void NpyFiles()
    {
        using var dir = new TempDir();
        DepthKit.Data.Npy.WriteFloat32(dir["a.npy"], Enumerable.Range(0, 24).Select(i => i / 4f).ToArray(), 2, 3, 4);
        Survives("npy", File.ReadAllBytes(dir["a.npy"]), b =>
        {
            using var f = NpyFile.Open(new MemoryStream(b), "a.npy");
            for (int i = 0; i < f.Shape[0] && i < 4; i++) f.ReadSliceAsFloat(i);
        });
    }

    [Fact]
    public void MatV5Files()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteMatV5(dir["s.mat"], ("trainNdxs", [1, 2, 4], 6, false), ("testNdxs", [3, 5], 6, true));
        Survives("mat v5", File.ReadAllBytes(dir["s.mat"]), b => MatV5.Read(b, "s.mat"));
    }

    [Fact]
    public void DenseDepthCsvAndZip()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["nyu"]);
        NyuFixtures.Zip(dir["nyu"], dir["nyu_data.zip"], System.IO.Compression.CompressionLevel.Optimal);
        var original = File.ReadAllBytes(dir["nyu_data.zip"]);
        int n = 0;
        Survives("zip", original, b =>
        {
            var path = dir[$"z{n++}.zip"];
            File.WriteAllBytes(path, b);
            try
            {
                using var ds = Datasets.Open(path, DatasetSplit.Test);
                for (int i = 0; i < ds.Count; i++) ds.Get(i);
            }
            finally { File.Delete(path); }
        });
    }

    [Fact]
    public void Checkpoints()
    {
        using var dir = new TempDir();
        var net = new TinyNet();
        var optimizer = TorchSharp.torch.optim.Adam(net.parameters());
        var info = new CheckpointInfo { Model = TinyNet.Identity, Options = new TrainOptions(), Epoch = 1 };
        // the first format has no checksum: its own reader must catch every damage ("7-bit encoded integer", "(Parameter 'count')")
        LegacyCheckpoint.Write(dir["old.ckpt"], info, net, optimizer);
        Checkpoint.Save(dir["new.ckpt"], info, net, optimizer);
        // the info's 7-bit length prefix, right after the 14-byte magic line: BinaryReader's FormatException named nothing
        var prefix = File.ReadAllBytes(dir["old.ckpt"]);
        prefix.AsSpan(14, 5).Fill(0xFF);
        File.WriteAllBytes(dir["bad-prefix.ckpt"], prefix);
        Assert.Contains("length prefix", Assert.Throws<DepthKitCheckpointException>(() => Checkpoint.ReadInfo(dir["bad-prefix.ckpt"])).Message);
        foreach (var file in new[] { "old.ckpt", "new.ckpt" })
        {
            var original = File.ReadAllBytes(dir[file]);
            Survives(file, original, b =>
            {
                File.WriteAllBytes(dir[file], b);
                Checkpoint.ReadInfo(dir[file]);
                Checkpoint.Load(dir[file], new TinyNet(), TinyNet.Identity, TorchSharp.torch.optim.Adam(new TinyNet().parameters()));
            });
        }
    }

    [Fact]
    public void CameraJson()
    {
        using var dir = new TempDir();
        var json = """{"fx": 518.8, "fy": 519.4, "cx": 325.5, "cy": 253.7, "width": 640, "height": 480}"""u8.ToArray();
        Survives("camera.json", json, b =>
        {
            File.WriteAllBytes(dir["camera.json"], b);
            PinholeCamera.FromJsonFile(dir["camera.json"]);
        });
    }
}
