using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Serialization;
using DepthKit.Data;
using TorchSharp;
using DepthKit.Models;
using DepthKit.Models.Pretrained;
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
/// A checkpoint in a run folder: a JSON manifest (<c>last.ckpt</c>, <c>best.ckpt</c>) with the model identity and
/// config, the training position (epoch, step, RNG state, history, options) and the name, size and SHA-256 of two
/// files beside it: the weights as safetensors under the module's state_dict keys (the ResNet encoders use
/// torchvision's names, so the file loads in PyTorch with <c>safetensors.torch.load_file</c>), and the optimiser
/// state (TorchSharp's format) for an exact resume. The manifest carries a SHA-256 of its own body; load verifies
/// all three, so a damaged or edited checkpoint is refused with one line naming the file.
/// The data files are named by their content, so a save never overwrites a file an existing manifest refers to;
/// the manifest itself is written to a temporary file and renamed over the old one, so a crash or a kill at any
/// point leaves the previous checkpoint intact. Files no manifest refers to any more are removed after a save.
/// Checkpoints of the first format (one binary <c>.ckpt</c>) still load.
/// </summary>
public static class Checkpoint
{
    public const string FormatName = "depthkit-checkpoint-2";
    public const string LastFile = "last.ckpt";
    public const string BestFile = "best.ckpt";
    /// <summary>The manifest of an inference-only bundle (<see cref="SaveInference"/>): a folder with it and its weights.</summary>
    public const string BundleFile = "model.ckpt";
    const string WeightsPrefix = "model-", WeightsExtension = ".safetensors";
    const string OptimizerPrefix = "optimizer-", OptimizerExtension = ".bin";
    static readonly Regex DataFileName = new(@"^(model-[0-9a-f]{16}\.safetensors|optimizer-[0-9a-f]{16}\.bin)$", RegexOptions.CultureInvariant);

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A file beside the manifest: its name (no folder), length and SHA-256 (lower-case hex).</summary>
    public sealed record StoredFile(string File, long Bytes, string Sha256);

    /// <summary>What the manifest's checksum covers.</summary>
    public sealed record ManifestBody(CheckpointInfo Info, StoredFile Weights, StoredFile? Optimizer);

    public static string Version =>
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Writes a checkpoint atomically. <paramref name="beforeRename"/> is a test hook (a kill between write and rename).</summary>
    public static void Save(string path, CheckpointInfo info, nn.Module model, OptimizerHelper? optimizer, Action<string>? beforeRename = null) =>
        Save(path, info, model.state_dict(), optimizer, beforeRename);

    /// <summary>
    /// Writes an inference-only checkpoint (a bundle's <see cref="BundleFile"/>): the same manifest, the weights file
    /// with every learned parameter in float16 (half the bytes; loading casts back to float32), no optimiser state,
    /// so <c>train --resume</c> refuses it. Buffers keep their dtype: BatchNorm's running variances can lie below
    /// float16's normal range (6e-5), where it keeps fewer digits, and all buffers together are under 0.1% of the bytes.
    /// A parameter beyond float16's range (65504) is refused rather than stored as infinity.
    /// </summary>
    public static void SaveInference(string path, CheckpointInfo info, nn.Module model)
    {
        var parameters = model.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, value) in model.state_dict())
        {
            if (!parameters.Contains(name) || value.dtype != float32) { tensors.Add(new(name, value)); continue; }
            var half = value.detach().to(float16);
            if (!half.isfinite().all().item<bool>())
                throw new DepthKitCheckpointException(path, $"parameter {name} has values beyond float16's range (65504): it cannot be stored as float16");
            tensors.Add(new(name, half));
        }
        Save(path, info with { TorchRngState = "" }, tensors, null, null);
    }

    static void Save(string path, CheckpointInfo info, IEnumerable<KeyValuePair<string, Tensor>> tensors, OptimizerHelper? optimizer, Action<string>? beforeRename)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var weights = WriteData(dir, WeightsPrefix, WeightsExtension, stream => SafeTensors.Write(stream, tensors));
        var optimizerFile = optimizer is null ? null : WriteData(dir, OptimizerPrefix, OptimizerExtension, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            optimizer.save_state_dict(writer);
        });
        var body = JsonSerializer.Serialize(new ManifestBody(info with { Format = FormatName }, weights, optimizerFile), Json);
        var manifest = $"{{\n\"format\": \"{FormatName}\",\n\"sha256\": \"{Sha256(Encoding.UTF8.GetBytes(body))}\",\n\"body\": {body}\n}}\n";
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        WriteTemp(temp, full, () => File.WriteAllText(temp, manifest, new UTF8Encoding(false)));
        beforeRename?.Invoke(temp);
        File.Move(temp, full, overwrite: true);
        RemoveUnreferencedData(dir);
    }

    /// <summary>Reads only the info (cheap: the manifest's checksum is verified, the tensors are not read).</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        var bytes = ReadManifestBytes(path);
        return LegacyCheckpoint.IsLegacy(bytes) ? LegacyCheckpoint.ReadInfo(path) : ParseManifest(path, bytes).Info;
    }

    /// <summary>
    /// Loads the weights into <paramref name="model"/> (and the optimiser state when given) after verifying every
    /// checksum. The checkpoint's architecture must be <paramref name="target"/>'s: otherwise a
    /// <see cref="DepthKitCheckpointException"/> names the file and both architectures.
    /// </summary>
    public static CheckpointInfo Load(string path, nn.Module model, ModelIdentity target, OptimizerHelper? optimizer = null)
    {
        var bytes = ReadManifestBytes(path);
        if (LegacyCheckpoint.IsLegacy(bytes)) return LegacyCheckpoint.Load(path, model, target, optimizer);
        var manifest = ParseManifest(path, bytes);
        var info = manifest.Info;
        CheckArchitecture(path, info, target);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var weights = ReadData(path, dir, manifest.Weights, "weights");
        LoadWeights(path, info, target, () =>
        {
            var state = SafeTensors.Read(weights, Path.Combine(dir, manifest.Weights.File));
            try { model.load_state_dict(state, strict: true); }
            finally { foreach (var t in state.Values) t.Dispose(); }
        });
        if (optimizer is not null && manifest.Optimizer is { } stored)
        {
            using var reader = new BinaryReader(new MemoryStream(ReadData(path, dir, stored, "optimizer state")));
            optimizer.load_state_dict(reader);
        }
        return info;
    }

    /// <summary>
    /// Refuses a checkpoint without optimiser state (a bundle, a best.ckpt) for <c>--resume</c>: the run could only
    /// go on with a fresh optimiser, which is not the run continuing.
    /// </summary>
    public static void CheckResumable(string path)
    {
        var bytes = ReadManifestBytes(path);
        if (LegacyCheckpoint.IsLegacy(bytes) || ParseManifest(path, bytes).Optimizer is not null) return;
        throw new DepthKitCheckpointException(path,
            "holds no optimizer state (an inference-only model, as export --bundle writes, or a best.ckpt), so training cannot resume from it; " +
            "resume from the run's last.ckpt, or start a new run with train --out (--pretrained for the encoder)");
    }

    /// <summary>The weights file a checkpoint's manifest names (for PyTorch and other readers).</summary>
    public static string WeightsPath(string path)
    {
        var bytes = ReadManifestBytes(path);
        if (LegacyCheckpoint.IsLegacy(bytes))
            throw new DepthKitCheckpointException(path, "is a first-format checkpoint (weights inside); load and save it once to convert it");
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ParseManifest(path, bytes).Weights.File);
    }

    /// <summary>
    /// The checkpoint file of a run folder (last.ckpt; best.ckpt falls back to it), of a bundle folder (model.ckpt),
    /// or the path itself when it is a file.
    /// </summary>
    public static string Resolve(string runDirOrFile, string file = LastFile)
    {
        if (File.Exists(runDirOrFile)) return runDirOrFile;
        if (!Directory.Exists(runDirOrFile)) throw new DepthKitCheckpointException(runDirOrFile, "no such run folder or checkpoint file");
        var path = Path.Combine(runDirOrFile, file);
        if (File.Exists(path)) return path;
        if (file == BestFile && File.Exists(Path.Combine(runDirOrFile, LastFile))) return Path.Combine(runDirOrFile, LastFile);
        if (File.Exists(Path.Combine(runDirOrFile, BundleFile))) return Path.Combine(runDirOrFile, BundleFile);
        throw new DepthKitCheckpointException(runDirOrFile, $"run folder has no {file} (was training started with --out here?)");
    }

    public static string EncodeRng(Tensor state) => Convert.ToBase64String(state.data<byte>().ToArray());

    public static Tensor DecodeRng(string base64) => tensor(Convert.FromBase64String(base64), dtype: uint8);

    internal static void CheckArchitecture(string path, CheckpointInfo info, ModelIdentity target)
    {
        if (!string.Equals(info.Model.Architecture, target.Architecture, StringComparison.OrdinalIgnoreCase))
            throw new DepthKitCheckpointException(path,
                $"holds a {info.Model.DisplayName} ({info.Model.Architecture}) model and cannot be loaded into a {target.DisplayName} ({target.Architecture}) model");
    }

    internal static void LoadWeights(string path, CheckpointInfo info, ModelIdentity target, Action load)
    {
        try { load(); }
        catch (Exception e) when (e is not DepthKitCheckpointException)
        {
            throw new DepthKitCheckpointException(path,
                $"weights of {info.Model.DisplayName} ({info.Model.Architecture}, config {info.Model.ConfigJson}) do not fit the " +
                $"{target.DisplayName} model built with config {target.ConfigJson}: {e.Message}", e);
        }
    }

    static StoredFile WriteData(string dir, string prefix, string extension, Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        var bytes = buffer.ToArray();
        var sha = Sha256(bytes);
        var name = prefix + sha[..16] + extension;
        var target = Path.Combine(dir, name);
        // same name, same content: an existing file (the previous save's) is already right
        if (!File.Exists(target) || new FileInfo(target).Length != bytes.Length)
        {
            var temp = $"{target}.{Environment.ProcessId}.tmp";
            WriteTemp(temp, target, () => File.WriteAllBytes(temp, bytes));
            File.Move(temp, target, overwrite: true);
        }
        return new StoredFile(name, bytes.Length, sha);
    }

    /// <summary>A failed write (disk full, no permission) leaves no partial temporary file behind.</summary>
    static void WriteTemp(string temp, string target, Action write)
    {
        try { write(); }
        catch (Exception e)
        {
            AtomicFile.TryDelete(temp);
            if (e.GetType() == typeof(IOException)) throw AtomicFile.Failed(target, (IOException)e);
            throw;
        }
    }

    /// <summary>
    /// Whether a file name is one of the weights or optimiser files that checkpoint manifests name (a run folder's
    /// own files, to clear with the manifests when a run is started over).
    /// </summary>
    public static bool IsDataFile(string fileName) => DataFileName.IsMatch(fileName);

    static byte[] ReadData(string manifestPath, string dir, StoredFile stored, string what)
    {
        if (Path.GetFileName(stored.File) != stored.File || !DataFileName.IsMatch(stored.File))
            throw new DepthKitCheckpointException(manifestPath, $"names an invalid {what} file '{stored.File}'");
        var file = Path.Combine(dir, stored.File);
        if (!File.Exists(file)) throw new DepthKitCheckpointException(manifestPath, $"its {what} file {stored.File} is missing");
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length != stored.Bytes || Sha256(bytes) != stored.Sha256)
            throw new DepthKitCheckpointException(file,
                $"checksum mismatch ({bytes.Length} bytes, {stored.Bytes} expected): the {what} of {Path.GetFileName(manifestPath)} are damaged");
        return bytes;
    }

    static byte[] ReadManifestBytes(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0) throw new DepthKitCheckpointException(path, "checkpoint is empty (0 bytes): it was not written completely");
            return bytes;
        }
        catch (FileNotFoundException) { throw new DepthKitCheckpointException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new DepthKitCheckpointException(path, "file not found (no such folder)"); }
    }

    static ManifestBody ParseManifest(string path, byte[] bytes)
    {
        if (bytes[0] != (byte)'{') throw new DepthKitCheckpointException(path, "not a DepthKit checkpoint (bad header)");
        ManifestBody manifest;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var format = root.TryGetProperty("format", out var f) ? f.GetString() : null;
            if (format != FormatName)
                throw new DepthKitCheckpointException(path, $"unknown checkpoint format '{format}' (this DepthKit reads {FormatName} and {LegacyCheckpoint.FormatName})");
            if (!root.TryGetProperty("body", out var bodyElement) || !root.TryGetProperty("sha256", out var sha))
                throw new DepthKitCheckpointException(path, "checkpoint manifest lacks its body or checksum");
            var body = bodyElement.GetRawText();
            if (Sha256(Encoding.UTF8.GetBytes(body)) != sha.GetString())
                throw new DepthKitCheckpointException(path, "checksum mismatch: the checkpoint manifest was changed or damaged after it was written");
            manifest = JsonSerializer.Deserialize<ManifestBody>(body, Json) is { Info: not null, Weights: not null } complete
                ? complete
                : throw new DepthKitCheckpointException(path, "checkpoint manifest is incomplete");
        }
        catch (JsonException e) { throw new DepthKitCheckpointException(path, $"checkpoint manifest is corrupt ({e.Message})", e); }
        // bytes that are not UTF-8 inside a JSON string ("Cannot transcode invalid UTF-8 JSON text")
        catch (InvalidOperationException e) { throw new DepthKitCheckpointException(path, $"checkpoint manifest is corrupt ({e.Message})", e); }
        return manifest with { Info = Checked(path, manifest.Info) };
    }

    /// <summary>Largest image side a checkpoint may name (the CLI's --size allows the same).</summary>
    const int MaxSide = 8192;

    /// <summary>
    /// Refuses info that no model can be built or run from (a 0x0 input, a config that is no JSON) before anything
    /// is allocated from it: a checksum only proves the manifest is as written, not that what was written is sane.
    /// </summary>
    internal static CheckpointInfo Checked(string path, CheckpointInfo info)
    {
        if (info.Model is null || info.Options is null) throw new DepthKitCheckpointException(path, "checkpoint info lacks the model or the options");
        ModelConfig config;
        try { config = ModelConfig.FromJson(info.Model.ConfigJson ?? "null"); }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new DepthKitCheckpointException(path, $"its model config is not valid ({e.Message})");
        }
        if (config.InputHeight is < 1 or > MaxSide || config.InputWidth is < 1 or > MaxSide)
            throw new DepthKitCheckpointException(path, $"its model config has input size {config.InputHeight}x{config.InputWidth}; each side must be 1-{MaxSide}");
        if (info.Options.Height is < 0 or > MaxSide || info.Options.Width is < 0 or > MaxSide)
            throw new DepthKitCheckpointException(path, $"its training options have size {info.Options.Height}x{info.Options.Width}; each side must be 0-{MaxSide}");
        return info;
    }

    /// <summary>Deletes data files in <paramref name="dir"/> that no checkpoint manifest there names.</summary>
    static void RemoveUnreferencedData(string dir)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var manifest in Directory.EnumerateFiles(dir, "*.ckpt"))
        {
            try
            {
                var bytes = File.ReadAllBytes(manifest);
                if (bytes.Length == 0 || bytes[0] != (byte)'{') continue;
                var body = ParseManifest(manifest, bytes);
                referenced.Add(body.Weights.File);
                if (body.Optimizer is { } o) referenced.Add(o.File);
            }
            catch (Exception e) when (e is DepthKitCheckpointException or IOException) { }
        }
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(file);
            if (DataFileName.IsMatch(name) && !referenced.Contains(name))
                try { File.Delete(file); } catch (IOException) { }
        }
    }

    static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
}

/// <summary>A checkpoint that cannot be used: names the file and the reason.</summary>
public sealed class DepthKitCheckpointException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    public string Path { get; } = path;
}
