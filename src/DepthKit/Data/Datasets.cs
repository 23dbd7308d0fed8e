using System.IO.Compression;

namespace DepthKit.Data;

/// <summary>
/// Opens NYU Depth V2 (or a folder of pairs) in whichever form it arrives: each <see cref="IDatasetFormat"/> of
/// <see cref="Formats"/> (found by reflection, so a new format is one new file in Data/Formats) is asked in turn
/// whether the path is its kind and opens it. The formats: DenseDepth's <c>nyu_data.zip</c>, its extracted folder or a
/// single CSV; a folder with <c>index.csv</c> (<c>depthkit synth</c>); <c>nyu_depth_v2_labeled.mat</c> (HDF5);
/// <c>nyu_test.zip</c> or a folder with <c>eigen_test_rgb.npy</c> (test split only); any folder of pairs given
/// <see cref="DatasetOptions.RgbGlob"/> and <see cref="DatasetOptions.DepthGlob"/>.
/// </summary>
public static class Datasets
{
    /// <summary>Every dataset format, in the order they are tried.</summary>
    public static IReadOnlyList<IDatasetFormat> Formats { get; } = typeof(Datasets).Assembly.GetTypes()
        .Where(t => typeof(IDatasetFormat).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
        .Select(t => (IDatasetFormat)Activator.CreateInstance(t)!)
        .OrderBy(f => f.Order).ThenBy(f => f.Name, StringComparer.Ordinal)
        .ToList();

    public static DepthDatasetSource Open(string path, DatasetSplit split = DatasetSplit.Train, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        if (options.DepthUnitsPerMetre is { } scale && !(double.IsFinite(scale) && scale > 0))
            throw new ArgumentException($"the depth scale (units per metre) must be a positive number, got {scale}");
        var full = Path.GetFullPath(path);
        if (options.RgbGlob is null && options.DepthGlob is null && !Directory.Exists(full) && !File.Exists(full))
            throw new DepthKitDataException(full, "no such file or folder");
        var probe = new DatasetProbe(full);
        foreach (var format in Formats)
            if (format.TryOpen(probe, split, options) is { } dataset) return dataset;
        throw new DepthKitDataException(full, (probe.IsFolder ? "cannot tell the dataset format of this folder" : "cannot tell the dataset format")
            + ": DepthKit reads " + string.Join("; ", Formats.Select(f => f.Summary)));
    }

    internal static DepthDatasetSource OnlyTest(NyuTestNpy npy, DatasetSplit split, string path)
    {
        if (split == DatasetSplit.Train)
        {
            npy.Dispose();
            throw new DepthKitDataException(path, "DenseDepth's nyu_test.zip holds only the 654 test frames; use split test (train frames are in nyu_data.zip)");
        }
        return npy;
    }

    internal static string CsvName(DatasetSplit split) => split == DatasetSplit.Test ? "nyu2_test.csv" : "nyu2_train.csv";
    internal static string SplitName(DatasetSplit split) => split.ToString().ToLowerInvariant();

    internal static string FindCsv(IReadOnlyList<string> entries, DatasetSplit split, string zip)
    {
        if (split == DatasetSplit.All) throw new DepthKitDataException(zip, "nyu_data.zip has a train and a test CSV; choose split train or test");
        var name = CsvName(split);
        return entries.FirstOrDefault(e => e == $"data/{name}") ?? entries.FirstOrDefault(e => e.EndsWith(name, StringComparison.Ordinal))
            ?? entries.FirstOrDefault(e => e.EndsWith("index.csv", StringComparison.Ordinal))
            ?? throw new DepthKitDataException(zip, $"cannot tell the dataset format of this zip: no data/{name}, index.csv or {NyuTestNpy.RgbFile} inside");
    }

    internal static List<string> ZipEntryNames(string path)
    {
        try { using var zip = ZipFile.OpenRead(path); return zip.Entries.Select(e => e.FullName).ToList(); }
        catch (InvalidDataException e) { throw new DepthKitDataException(path, $"not a readable zip file ({e.Message})", e); }
    }

    internal static byte[] Head(string path)
    {
        using var s = File.OpenRead(path);
        var head = new byte[Math.Min(s.Length, 2056)];
        s.ReadExactly(head);
        return head;
    }
}
