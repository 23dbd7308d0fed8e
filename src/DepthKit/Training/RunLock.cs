using DepthKit.Data;

namespace DepthKit.Training;

/// <summary>
/// Exclusive use of a run folder while a run trains in it: a second training into the same folder (another
/// process, or another trainer in this one) fails at once with one line instead of silently interleaving
/// checkpoints. The lock is an OS file lock on <see cref="FileName"/>, so it dies with its process (a kill -9
/// leaves no stale lock). Taking it also deletes the temporary files a killed run left behind.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".depthkit-run.lock";

    /// <summary>Files a run writes; a folder with any of them holds a run.</summary>
    public static readonly string[] RunFiles = [Checkpoint.LastFile, Checkpoint.BestFile, "history.csv", "steps.csv"];

    readonly FileStream _stream;

    public string Folder { get; }
    /// <summary>Orphaned temporary files deleted when the lock was taken.</summary>
    public IReadOnlyList<string> RemovedOrphans { get; }

    RunLock(string folder, FileStream stream, IReadOnlyList<string> removed) { Folder = folder; _stream = stream; RemovedOrphans = removed; }

    /// <summary>Creates the folder if needed and locks it; throws <see cref="DepthKitRunFolderException"/> when another run holds it.</summary>
    public static RunLock Acquire(string folder)
    {
        var full = Path.GetFullPath(folder);
        try { Directory.CreateDirectory(full); }
        catch (IOException e) { throw new DepthKitRunFolderException(full, $"cannot create the run folder ({e.Message})"); }
        var path = Path.Combine(full, FileName);
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new DepthKitRunFolderException(full, "another training run is using this run folder right now; wait for it to end or choose another folder");
        }
        try
        {
            stream.SetLength(0);
            using (var w = new StreamWriter(stream, leaveOpen: true))
                w.Write($"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n");
            stream.Flush();
        }
        catch (IOException) { } // a full disk: the lock itself still holds
        return new RunLock(full, stream, AtomicFile.DeleteOrphans(full));
    }

    /// <summary>True when <paramref name="folder"/> holds files of a training run.</summary>
    public static bool HoldsRun(string folder) => RunFiles.Any(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>
    /// Makes the locked folder ready for a new run: refuses when it already holds one (nothing the user made is
    /// replaced unasked), or with <paramref name="overwrite"/> deletes that run's files first.
    /// </summary>
    public void PrepareNewRun(bool overwrite)
    {
        if (!HoldsRun(Folder)) return;
        if (!overwrite)
        {
            string what = "";
            try
            {
                var last = Path.Combine(Folder, Checkpoint.LastFile);
                if (File.Exists(last)) what = $" ({Checkpoint.ReadInfo(last).Epoch} epoch(s) in {Checkpoint.LastFile})";
            }
            catch (DepthKitCheckpointException) { }
            throw new DepthKitRunFolderException(Folder,
                $"already holds a training run{what}; continue it with --resume {Folder}, choose another --out, or replace it with --overwrite");
        }
        foreach (var f in RunFiles) File.Delete(Path.Combine(Folder, f));
        foreach (var f in Directory.EnumerateFiles(Folder).Where(f => Checkpoint.IsDataFile(Path.GetFileName(f))).ToList()) File.Delete(f);
    }

    public void Dispose() => _stream.Dispose(); // the file stays: deleting it would race a process opening it
}

/// <summary>A run folder that cannot be used (locked by another run, or holding a run the user did not ask to replace).</summary>
public sealed class DepthKitRunFolderException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
}
