using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// Reader of the first checkpoint format (<c>depthkit-checkpoint-1</c>): one binary file with a magic line, the info
/// JSON, the model state in TorchSharp's own format and the optimiser state. Only read, never written: the next save
/// of a resumed run writes the current format (<see cref="Checkpoint"/>) in its place.
/// </summary>
static class LegacyCheckpoint
{
    public const string FormatName = "depthkit-checkpoint-1";
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("DEPTHKIT-CKPT\n");

    static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static bool IsLegacy(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    public static CheckpointInfo ReadInfo(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        return ReadInfo(reader, path);
    }

    public static CheckpointInfo Load(string path, nn.Module model, ModelIdentity target, OptimizerHelper? optimizer)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        var info = ReadInfo(reader, path);
        Checkpoint.CheckArchitecture(path, info, target);
        var modelBytes = ReadSection(reader, path, "model weights");
        Checkpoint.LoadWeights(path, info, target, () =>
        {
            using var ms = new BinaryReader(new MemoryStream(modelBytes));
            model.load(ms, strict: true);
        });
        var optimizerBytes = ReadSection(reader, path, "optimizer state");
        if (optimizer is not null && optimizerBytes.Length > 0)
        {
            using var ms = new BinaryReader(new MemoryStream(optimizerBytes));
            // this format has no checksum: damage shows only as whatever the reader trips over
            try { optimizer.load_state_dict(ms); }
            catch (Exception e) when (e is not DepthKitCheckpointException)
            {
                throw new DepthKitCheckpointException(path, $"optimizer state is damaged ({e.GetType().Name}: {e.Message})", e);
            }
        }
        return info;
    }

    static CheckpointInfo ReadInfo(BinaryReader reader, string path)
    {
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic)) throw new DepthKitCheckpointException(path, "not a DepthKit checkpoint (bad header)");
            var info = JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadString(), Json)
                       ?? throw new DepthKitCheckpointException(path, "checkpoint info is empty");
            if (info.Format != FormatName) throw new DepthKitCheckpointException(path, $"unknown checkpoint format '{info.Format}'");
            return Checkpoint.Checked(path, info with { Format = Checkpoint.FormatName });
        }
        catch (EndOfStreamException) { throw new DepthKitCheckpointException(path, "checkpoint is truncated"); }
        catch (JsonException e) { throw new DepthKitCheckpointException(path, $"checkpoint info is corrupt ({e.Message})", e); }
        // a damaged length prefix of the info text ("Too many bytes in what should have been a 7-bit encoded integer")
        catch (FormatException e) { throw new DepthKitCheckpointException(path, "checkpoint info is corrupt (its length prefix is damaged)", e); }
    }

    static byte[] ReadSection(BinaryReader reader, string path, string what)
    {
        try
        {
            long length = reader.ReadInt64();
            if (length < 0 || length > reader.BaseStream.Length) throw new DepthKitCheckpointException(path, $"corrupt {what} section length {length}");
            var bytes = reader.ReadBytes((int)length);
            if (bytes.Length != length) throw new DepthKitCheckpointException(path, $"checkpoint is truncated in the {what}");
            return bytes;
        }
        catch (EndOfStreamException) { throw new DepthKitCheckpointException(path, $"checkpoint is truncated in the {what}"); }
    }

    /// <summary>Writes a file in the old format (kept for the tests that prove old checkpoints still load).</summary>
    internal static void Write(string path, CheckpointInfo info, nn.Module model, OptimizerHelper? optimizer)
    {
        using var writer = new BinaryWriter(File.Create(path), Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(JsonSerializer.Serialize(info with { Format = FormatName }, Json));
        WriteSection(writer, w => model.save(w));
        WriteSection(writer, w => { if (optimizer is not null) optimizer.save_state_dict(w); });
    }

    static void WriteSection(BinaryWriter writer, Action<BinaryWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) write(w);
        writer.Write(ms.Length);
        writer.Write(ms.GetBuffer(), 0, (int)ms.Length);
    }
}
