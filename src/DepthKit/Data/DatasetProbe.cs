namespace DepthKit.Data;

/// <summary>One way a dataset can arrive on disk: how to recognise it, and how to open it.</summary>
public interface IDatasetFormat
{
    /// <summary>Short name, e.g. <c>densedepth-zip</c>.</summary>
    string Name { get; }
    /// <summary>What it reads, for messages and help (e.g. "nyu_data.zip (DenseDepth)").</summary>
    string Summary { get; }
    /// <summary>Position in the order formats are tried (lower first): the more specific layouts come first.</summary>
    int Order { get; }
    /// <summary>The dataset when <paramref name="probe"/> is of this format; null to let the next format try.</summary>
    DepthDatasetSource? TryOpen(DatasetProbe probe, DatasetSplit split, DatasetOptions options);
}

/// <summary>What the formats look at: a folder's file names, or a file's first bytes and (for a zip) its entry names.</summary>
public sealed class DatasetProbe
{
    readonly Lazy<IReadOnlyList<string>> _files, _zipEntries;
    readonly Lazy<byte[]> _head;

    public DatasetProbe(string fullPath)
    {
        FullPath = fullPath;
        IsFolder = Directory.Exists(fullPath);
        _files = new(() => IsFolder
            ? [.. Directory.EnumerateFiles(fullPath, "*", SearchOption.TopDirectoryOnly).Select(f => System.IO.Path.GetFileName(f))]
            : []);
        _head = new(() => !IsFolder && File.Exists(fullPath) ? Datasets.Head(fullPath) : []);
        _zipEntries = new(() => IsZip ? Datasets.ZipEntryNames(fullPath) : []);
    }

    public string FullPath { get; }
    public bool IsFolder { get; }
    public bool IsFile => !IsFolder && File.Exists(FullPath);
    /// <summary>Lower-case extension of a file (".zip"), empty for a folder.</summary>
    public string Extension => IsFolder ? "" : System.IO.Path.GetExtension(FullPath).ToLowerInvariant();
    /// <summary>Names of the files directly in the folder.</summary>
    public IReadOnlyList<string> Files => _files.Value;
    /// <summary>The file's first bytes (up to 2 kB).</summary>
    public byte[] Head => _head.Value;
    public bool IsZip => Head.Length >= 4 && Head[0] == 'P' && Head[1] == 'K';
    public IReadOnlyList<string> ZipEntries => _zipEntries.Value;
}
