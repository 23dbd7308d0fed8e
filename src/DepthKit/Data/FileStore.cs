using System.IO.Compression;

namespace DepthKit.Data;

/// <summary>
/// Read-only files addressed by '/'-separated paths relative to a root: a folder or a zip read in place.
/// Paths that leave the root ("../x", "/etc/x") are refused, so a crafted CSV or zip cannot read elsewhere.
/// </summary>
public abstract class FileStore : IDisposable
{
    /// <summary>The folder or zip file, for messages.</summary>
    public abstract string Location { get; }
    public abstract bool Exists(string path);
    public abstract byte[] ReadAllBytes(string path);
    /// <summary>Every file, as normalised relative paths.</summary>
    public abstract IEnumerable<string> Files();
    /// <summary>How a file is named in errors: the full path, or zip!entry.</summary>
    public abstract string Describe(string path);
    public virtual void Dispose() { }

    public static FileStore Open(string path) =>
        Directory.Exists(path) ? new FolderStore(path)
        : File.Exists(path) ? new ZipStore(path)
        : throw new DepthKitDataException(path, "no such file or folder");

    /// <summary>
    /// Normalises a relative path ('\' to '/', "." and ".." resolved) and refuses one that escapes the root;
    /// <paramref name="where"/> names the file that contained the path.
    /// </summary>
    public static string Normalize(string path, string where)
    {
        var p = path.Trim().Replace('\\', '/');
        if (p.StartsWith('/') || (p.Length > 1 && p[1] == ':'))
            throw new DepthKitDataException(where, $"path '{path}' is absolute; only paths inside the dataset folder are read");
        var parts = new List<string>();
        foreach (var part in p.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) throw new DepthKitDataException(where, $"path '{path}' escapes the dataset folder");
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(part);
        }
        return string.Join('/', parts);
    }
}

/// <summary>
/// A folder. A symbolic link inside it that leads outside it (a file, or a folder on the way) is refused when read,
/// like a "../" path: the dataset is what is in the folder.
/// </summary>
public sealed class FolderStore(string root) : FileStore
{
    readonly string _root = Path.GetFullPath(root);
    string? _realRoot;
    public override string Location => _root;
    public override string Describe(string path) => Path.Combine(_root, path);
    public override bool Exists(string path) => File.Exists(Describe(path));

    public override byte[] ReadAllBytes(string path)
    {
        _realRoot ??= RealPath(_root);
        CheckInside(_realRoot, _root, Describe(path));
        try { return File.ReadAllBytes(Describe(path)); }
        catch (FileNotFoundException) { throw new DepthKitDataException(Describe(path), "file not found"); }
        catch (DirectoryNotFoundException) { throw new DepthKitDataException(Describe(path), "file not found (no such folder)"); }
    }

    /// <summary>Refuses <paramref name="file"/> when, with every symbolic link resolved, it is not inside <paramref name="realRoot"/>.</summary>
    public static void CheckInside(string realRoot, string root, string file)
    {
        string real;
        try { real = RealPath(file); }
        catch (IOException e) { throw new DepthKitDataException(file, $"symbolic link cannot be resolved ({e.Message})", e); }
        var prefix = realRoot.EndsWith(Path.DirectorySeparatorChar) ? realRoot : realRoot + Path.DirectorySeparatorChar;
        if (!real.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            throw new DepthKitDataException(file, $"is a symbolic link to {real}, outside the dataset folder {root}; only files inside it are read (copy the file in, or open the folder it points to)");
    }

    /// <summary>The path with every symbolic link along it resolved (realpath without requiring the file to exist).</summary>
    public static string RealPath(string path, int depth = 0)
    {
        if (depth > 40) throw new IOException($"too many levels of symbolic links at {path}");
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
                next = RealPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
            current = next;
        }
        return current;
    }

    public override IEnumerable<string> Files() =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_root, f).Replace('\\', '/'));
}

/// <summary>
/// A zip read in place. ZipArchive is not thread-safe, so each concurrent read borrows an archive from a pool
/// (one per thread that reads at the same time; the DataLoader decodes on several threads). Pooling rather than
/// one archive per thread, because the loader starts fresh threads every epoch.
/// </summary>
public sealed class ZipStore : FileStore
{
    readonly string _path;
    readonly HashSet<string> _entries;
    readonly System.Collections.Concurrent.ConcurrentBag<ZipArchive> _pool = [];
    readonly List<ZipArchive> _all = [];

    public ZipStore(string path)
    {
        _path = Path.GetFullPath(path);
        var archive = Rent();
        // entry names are kept raw: a name that escapes is refused when it is read, naming the entry
        _entries = archive.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        _pool.Add(archive);
    }

    ZipArchive Rent()
    {
        if (_pool.TryTake(out var archive)) return archive;
        try { archive = new ZipArchive(File.OpenRead(_path), ZipArchiveMode.Read, leaveOpen: false); }
        catch (InvalidDataException e) { throw new DepthKitDataException(_path, $"not a readable zip file ({e.Message})", e); }
        catch (FileNotFoundException) { throw new DepthKitDataException(_path, "file not found"); }
        lock (_all) _all.Add(archive);
        return archive;
    }

    public override string Location => _path;
    public override string Describe(string path) => $"{_path}!{path}";
    public override bool Exists(string path) => _entries.Contains(path);
    public override IEnumerable<string> Files() => _entries;
    /// <summary>Archives opened so far (at most the number of threads that ever read at once).</summary>
    public int OpenArchives { get { lock (_all) return _all.Count; } }

    public override byte[] ReadAllBytes(string path)
    {
        var archive = Rent();
        try
        {
            var entry = archive.GetEntry(path) ?? throw new DepthKitDataException(Describe(path), "entry not found in the zip");
            CheckEntrySize(entry, Describe(path), MaxEntryBytes);
            var bytes = new byte[entry.Length];
            using var s = entry.Open();
            int read = s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length) throw new DepthKitDataException(Describe(path), $"zip entry is truncated ({read} of {bytes.Length} bytes)");
            return bytes;
        }
        catch (InvalidDataException e) { throw new DepthKitDataException(Describe(path), $"zip entry is corrupt ({e.Message})", e); }
        finally { _pool.Add(archive); }
    }

    /// <summary>Largest entry read into memory whole (an image or a CSV): 1 GiB.</summary>
    public const long MaxEntryBytes = 1L << 30;

    /// <summary>
    /// Refuses an entry whose claimed size is impossible before anything is allocated or extracted: more than
    /// <paramref name="max"/>, or more than deflate can expand its compressed bytes to (about 1032:1).
    /// </summary>
    public static void CheckEntrySize(ZipArchiveEntry entry, string name, long max)
    {
        if (entry.Length < 0 || entry.Length > max)
            throw new DepthKitDataException(name, $"zip entry claims {entry.Length} bytes (more than the {max} this reads; corrupt zip?)");
        if (entry.Length > entry.CompressedLength * 1100L + 4096)
            throw new DepthKitDataException(name, $"zip entry claims {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce: the zip is corrupt");
    }

    public override void Dispose()
    {
        lock (_all) { foreach (var a in _all) a.Dispose(); _all.Clear(); }
    }
}
