using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DepthKit.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>Which network a checkpoint holds: registry name, display name (as on the slides) and its config JSON.</summary>
public sealed record ModelIdentity(string Architecture, string DisplayName, string ConfigJson);

/// <summary>Everything in a checkpoint besides the tensors.</summary>
public sealed record CheckpointInfo
{
    public string Format { get; init; } = Checkpoint.FormatName;
    public string DepthKitVersion { get; init; } = Checkpoint.Version;
    public required ModelIdentity Model { get; init; }
    public required TrainOptions Options { get; init; }
    /// <summary>Completed epochs.</summary>
    public int Epoch { get; init; }
    /// <summary>Batches of the next epoch already trained (non-zero only for a checkpoint written on Ctrl+C).</summary>
    public int BatchInEpoch { get; init; }
    public long Step { get; init; }
    /// <summary>torch's default generator state (dropout), base64.</summary>
    public string TorchRngState { get; init; } = "";
    /// <summary>Seed of the data order and augmentation (the order of epoch e is a function of it and e).</summary>
    public int DataSeed { get; init; }
    public double? BestValue { get; init; }
    public int BestEpoch { get; init; }
    public int EpochsWithoutImprovement { get; init; }
    public TrainingHistory History { get; init; } = new();
    public DateTime SavedUtc { get; init; } = DateTime.UtcNow;
}

/// <summary>
/// One file with model weights, optimiser state, the training position, RNG state, model identity and the
/// DepthKit version. Written atomically: the bytes go to a temporary file beside the target, which then
/// replaces it by a rename, so a crash or a kill leaves the previous checkpoint intact.
/// Layout: magic, info JSON, model state (TorchSharp format), optimiser state.
/// </summary>
public static class Checkpoint
{
    public const string FormatName = "depthkit-checkpoint-1";
    public const string LastFile = "last.ckpt";
    public const string BestFile = "best.ckpt";
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("DEPTHKIT-CKPT\n");

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Version =>
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Writes a checkpoint atomically. <paramref name="beforeRename"/> is a test hook (a kill between write and rename).</summary>
    public static void Save(string path, CheckpointInfo info, nn.Module model, OptimizerHelper? optimizer, Action<string>? beforeRename = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(info, Json));
            WriteSection(writer, w => model.save(w));
            WriteSection(writer, w => { if (optimizer is not null) optimizer.save_state_dict(w); });
        }
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        try
        {
            using var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
            buffer.Position = 0;
            buffer.CopyTo(file);
            // no fsync: the rename already protects against a killed or crashed process, and syncing 100+ MB
            // per epoch costs seconds on slow disks; a power cut can still lose the newest checkpoint
            file.Flush();
        }
        catch
        {
            // a full disk must not stay full of a half-written checkpoint
            AtomicFile.TryDelete(temp);
            throw;
        }
        beforeRename?.Invoke(temp);
        try { File.Move(temp, full, overwrite: true); }
        catch { AtomicFile.TryDelete(temp); throw; }
    }

    /// <summary>Reads only the info (cheap: the tensors are skipped).</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        using var reader = Open(path);
        try { return ReadInfo(reader, path); }
        catch (Exception e) when (IsCorruption(e)) { throw Corrupt(path, e); }
    }

    // a reader of a damaged file fails with the framework's own messages ("Too many bytes in what should have been a
    // 7-bit encoded integer", "(Parameter 'count')"): the file is named and the cause kept
    static bool IsCorruption(Exception e) => e is FormatException or ArgumentException or InvalidDataException or OverflowException
        or NotSupportedException or IndexOutOfRangeException or InvalidOperationException && e is not DepthKitCheckpointException;

    static DepthKitCheckpointException Corrupt(string path, Exception e) =>
        new(path, $"checkpoint is corrupt ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")})", e);

    /// <summary>
    /// Loads the weights into <paramref name="model"/> (and the optimiser state when given). The checkpoint's
    /// architecture must be <paramref name="target"/>'s: otherwise a <see cref="DepthKitCheckpointException"/>
    /// names the file and both architectures.
    /// </summary>
    public static CheckpointInfo Load(string path, nn.Module model, ModelIdentity target, OptimizerHelper? optimizer = null)
    {
        using var reader = Open(path);
        CheckpointInfo info;
        try { info = ReadInfo(reader, path); }
        catch (Exception e) when (IsCorruption(e)) { throw Corrupt(path, e); }
        if (!string.Equals(info.Model.Architecture, target.Architecture, StringComparison.OrdinalIgnoreCase))
            throw new DepthKitCheckpointException(path,
                $"holds a {info.Model.DisplayName} ({info.Model.Architecture}) model and cannot be loaded into a {target.DisplayName} ({target.Architecture}) model");
        var modelBytes = ReadSection(reader, path, "model weights");
        try
        {
            using var ms = new BinaryReader(new MemoryStream(modelBytes));
            model.load(ms, strict: true);
        }
        catch (Exception e) when (e is not DepthKitCheckpointException)
        {
            throw new DepthKitCheckpointException(path,
                $"weights of {info.Model.DisplayName} ({info.Model.Architecture}, config {info.Model.ConfigJson}) do not fit the {target.DisplayName} model built with config {target.ConfigJson}: {e.Message}", e);
        }
        var optimizerBytes = ReadSection(reader, path, "optimizer state");
        if (optimizer is not null && optimizerBytes.Length > 0)
        {
            using var ms = new BinaryReader(new MemoryStream(optimizerBytes));
            optimizer.load_state_dict(ms);
        }
        return info;
    }

    /// <summary>The checkpoint file of a run folder (last.ckpt), or the path itself when it is a file.</summary>
    public static string Resolve(string runDirOrFile, string file = LastFile)
    {
        if (File.Exists(runDirOrFile)) return runDirOrFile;
        if (!Directory.Exists(runDirOrFile)) throw new DepthKitCheckpointException(runDirOrFile, "no such run folder or checkpoint file");
        var path = Path.Combine(runDirOrFile, file);
        if (File.Exists(path)) return path;
        if (file == BestFile && File.Exists(Path.Combine(runDirOrFile, LastFile))) return Path.Combine(runDirOrFile, LastFile);
        throw new DepthKitCheckpointException(runDirOrFile, $"run folder has no {file} (was training started with --out here?)");
    }

    public static string EncodeRng(Tensor state) => Convert.ToBase64String(state.data<byte>().ToArray());

    public static Tensor DecodeRng(string base64) => tensor(Convert.FromBase64String(base64), dtype: uint8);

    static BinaryReader Open(string path)
    {
        try
        {
            var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            return reader;
        }
        catch (FileNotFoundException) { throw new DepthKitCheckpointException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new DepthKitCheckpointException(path, "file not found (no such folder)"); }
    }

    static CheckpointInfo ReadInfo(BinaryReader reader, string path)
    {
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic)) throw new DepthKitCheckpointException(path, "not a DepthKit checkpoint (bad header)");
            var info = JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadString(), Json)
                       ?? throw new DepthKitCheckpointException(path, "checkpoint info is empty");
            if (info.Format != FormatName) throw new DepthKitCheckpointException(path, $"unknown checkpoint format '{info.Format}' (this DepthKit reads {FormatName})");
            return info;
        }
        catch (EndOfStreamException) { throw new DepthKitCheckpointException(path, "checkpoint is truncated"); }
        catch (JsonException e) { throw new DepthKitCheckpointException(path, $"checkpoint info is corrupt ({e.Message})", e); }
    }

    static void WriteSection(BinaryWriter writer, Action<BinaryWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) write(w);
        writer.Write(ms.Length);
        writer.Write(ms.GetBuffer(), 0, (int)ms.Length);
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
}

/// <summary>A checkpoint that cannot be used: names the file and the reason.</summary>
public sealed class DepthKitCheckpointException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    public string Path { get; } = path;
}
