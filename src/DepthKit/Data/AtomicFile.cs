namespace DepthKit.Data;

/// <summary>
/// Writes files so a reader (or a crash) never sees half of one: the content goes to a temporary file in the
/// same folder, which then replaces the target with a rename.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e.GetType() == typeof(IOException)) throw Failed(full, (IOException)e);
            throw;
        }
    }

    /// <summary>
    /// The error of a failed write naming the file the user asked for: the runtime's message ("No space left on
    /// device : 'x.png.123.tmp'") names only the temporary file.
    /// </summary>
    public static IOException Failed(string target, IOException e) => new($"cannot write {target}: {e.Message}", e);

    /// <summary>Deletes a temporary file, ignoring failure (the error that made it useless is the one to report).</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Deletes the temporary files a killed process left in <paramref name="folder"/> (NAME.PID.tmp and
    /// NAME.PID.GUID.tmp, as written here and by checkpoints). Call only while no other writer uses the folder
    /// (for a run folder: while holding its lock). Returns the files deleted.
    /// </summary>
    public static IReadOnlyList<string> DeleteOrphans(string folder)
    {
        var deleted = new List<string>();
        if (!Directory.Exists(folder)) return deleted;
        foreach (var file in Directory.EnumerateFiles(folder, "*.tmp"))
        {
            var parts = Path.GetFileName(file).Split('.');
            // ... NAME . PID [. GUID] . tmp
            bool ours = parts.Length >= 3 && (IsPid(parts[^2]) || (parts.Length >= 4 && IsPid(parts[^3]) && parts[^2].Length == 32));
            if (!ours) continue;
            TryDelete(file);
            if (!File.Exists(file)) deleted.Add(file);
        }
        return deleted;
    }

    static bool IsPid(string s) => s.Length is > 0 and < 11 && s.All(char.IsAsciiDigit);

    /// <summary>
    /// Fills a new folder beside <paramref name="dir"/> and renames it into place, so a failure leaves no half-filled
    /// folder and the old one (replaced only when <paramref name="overwrite"/>) stays until the new one is complete.
    /// A non-empty <paramref name="dir"/> without <paramref name="overwrite"/> is refused with <paramref name="refusal"/>.
    /// </summary>
    public static void ReplaceFolder(string dir, bool overwrite, Action<string> fill, string refusal)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        var old = $"{full}.{Environment.ProcessId}.old";
        try
        {
            Directory.CreateDirectory(temp);
            fill(temp);
            if (Directory.Exists(full))
            {
                if (!overwrite && Directory.EnumerateFileSystemEntries(full).Any()) throw new DepthKitDataException(dir, refusal);
                Directory.Move(full, old);
            }
            Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            if (Directory.Exists(old) && Directory.Exists(full)) Directory.Delete(old, recursive: true);
            else if (Directory.Exists(old)) Directory.Move(old, full);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}
