using System.IO.Compression;

namespace DepthKit.Data;

/// <summary>
/// Opens NYU Depth V2 (or a folder of pairs) in whichever form it arrives, deciding the format from the path:
/// <list type="bullet">
/// <item><c>nyu_data.zip</c> or its extracted folder (DenseDepth CSVs, read in place), or a single .csv;</item>
/// <item>a folder with <c>index.csv</c> (written by <c>depthkit synth</c>);</item>
/// <item><c>nyu_depth_v2_labeled.mat</c> (HDF5) with <c>splits.mat</c> or the built-in Eigen split;</item>
/// <item><c>nyu_test.zip</c> or a folder with <c>eigen_test_rgb.npy</c> (test split only);</item>
/// <item>any folder with <see cref="DatasetOptions.RgbGlob"/> and <see cref="DatasetOptions.DepthGlob"/> set.</item>
/// </list>
/// </summary>
public static class Datasets
{
    public static DepthDatasetSource Open(string path, DatasetSplit split = DatasetSplit.Train, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        if (options.DepthUnitsPerMetre is { } scale && !(double.IsFinite(scale) && scale > 0))
            throw new ArgumentException($"the depth scale (units per metre) must be a positive number, got {scale}");
        var full = Path.GetFullPath(path);
        if (options.RgbGlob is not null || options.DepthGlob is not null)
        {
            if (options.RgbGlob is null || options.DepthGlob is null) throw new DepthKitDataException(full, "a folder of pairs needs both RgbGlob and DepthGlob");
            return new PairFolderDataset(full, options.RgbGlob, options.DepthGlob, options);
        }
        if (Directory.Exists(full)) return OpenFolder(full, split, options);
        if (!File.Exists(full)) throw new DepthKitDataException(full, "no such file or folder");
        var ext = Path.GetExtension(full).ToLowerInvariant();
        var head = Head(full);
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K')
        {
            var entries = ZipEntryNames(full);
            if (entries.Any(e => e.EndsWith(NyuTestNpy.RgbFile, StringComparison.Ordinal)))
                return OnlyTest(new NyuTestNpy(full, options), split, full);
            var csv = FindCsv(entries, split, full);
            return new DenseDepthDataset(new ZipStore(full), csv, options, $"DenseDepth zip/{SplitName(split)}");
        }
        if (NyuLabeledMat.IsHdf5(head)) return new NyuLabeledMat(full, split, options);
        if (ext == ".csv")
        {
            // DenseDepth's CSVs sit in data/ and list paths starting with data/: read from the folder above
            var dir = Path.GetDirectoryName(full)!;
            return Path.GetFileName(dir) == "data" && Path.GetDirectoryName(dir) is { } parent
                ? new DenseDepthDataset(new FolderStore(parent), $"data/{Path.GetFileName(full)}", options)
                : new DenseDepthDataset(new FolderStore(dir), Path.GetFileName(full), options);
        }
        if (ext == ".mat")
            throw new DepthKitDataException(full, "this .mat is not HDF5 (MATLAB v7.3); if it is splits.mat, open nyu_depth_v2_labeled.mat and pass it as SplitsPath");
        throw new DepthKitDataException(full, "cannot tell the dataset format: expected nyu_data.zip, nyu_test.zip, a DenseDepth .csv, nyu_depth_v2_labeled.mat (HDF5), or a folder of these");
    }

    static DepthDatasetSource OpenFolder(string folder, DatasetSplit split, DatasetOptions options)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly).Select(Path.GetFileName).ToList();
        var data = Path.Combine(folder, "data");
        string[] csvNames = [CsvName(split)];
        if (split != DatasetSplit.All && File.Exists(Path.Combine(data, csvNames[0])))
            return new DenseDepthDataset(new FolderStore(folder), $"data/{csvNames[0]}", options, $"DenseDepth folder/{SplitName(split)}");
        if (split != DatasetSplit.All && files.Contains(csvNames[0]))
        {
            // the data/ folder itself: its CSV rows start with data/, so read from the parent
            return Path.GetFileName(folder) == "data"
                ? new DenseDepthDataset(new FolderStore(Path.GetDirectoryName(folder)!), $"data/{csvNames[0]}", options, $"DenseDepth folder/{SplitName(split)}")
                : new DenseDepthDataset(new FolderStore(folder), csvNames[0], options, $"DenseDepth folder/{SplitName(split)}");
        }
        if (files.Contains("index.csv")) return new DenseDepthDataset(new FolderStore(folder), "index.csv", options, $"{Path.GetFileName(folder)}/index.csv");
        if (files.Contains(NyuTestNpy.RgbFile)) return OnlyTest(new NyuTestNpy(folder, options), split, folder);
        if (files.Contains("nyu_depth_v2_labeled.mat")) return new NyuLabeledMat(Path.Combine(folder, "nyu_depth_v2_labeled.mat"), split, options);
        if (split == DatasetSplit.Test && files.Contains("nyu_test.zip")) return Open(Path.Combine(folder, "nyu_test.zip"), split, options);
        if (files.Contains("nyu_data.zip")) return Open(Path.Combine(folder, "nyu_data.zip"), split, options);
        throw new DepthKitDataException(folder, $"cannot tell the dataset format of this folder: no data/{CsvName(split)}, index.csv, {NyuTestNpy.RgbFile}, nyu_depth_v2_labeled.mat, nyu_data.zip or nyu_test.zip (for a folder of pairs give RgbGlob and DepthGlob)");
    }

    static DepthDatasetSource OnlyTest(NyuTestNpy npy, DatasetSplit split, string path)
    {
        if (split == DatasetSplit.Train)
        {
            npy.Dispose();
            throw new DepthKitDataException(path, "DenseDepth's nyu_test.zip holds only the 654 test frames; use split test (train frames are in nyu_data.zip)");
        }
        return npy;
    }

    static string CsvName(DatasetSplit split) => split == DatasetSplit.Test ? "nyu2_test.csv" : "nyu2_train.csv";
    static string SplitName(DatasetSplit split) => split.ToString().ToLowerInvariant();

    static string FindCsv(IReadOnlyList<string> entries, DatasetSplit split, string zip)
    {
        if (split == DatasetSplit.All) throw new DepthKitDataException(zip, "nyu_data.zip has a train and a test CSV; choose split train or test");
        var name = CsvName(split);
        return entries.FirstOrDefault(e => e == $"data/{name}") ?? entries.FirstOrDefault(e => e.EndsWith(name, StringComparison.Ordinal))
            ?? entries.FirstOrDefault(e => e.EndsWith("index.csv", StringComparison.Ordinal))
            ?? throw new DepthKitDataException(zip, $"cannot tell the dataset format of this zip: no data/{name}, index.csv or {NyuTestNpy.RgbFile} inside");
    }

    static List<string> ZipEntryNames(string path)
    {
        try { using var zip = ZipFile.OpenRead(path); return zip.Entries.Select(e => e.FullName).ToList(); }
        catch (InvalidDataException e) { throw new DepthKitDataException(path, $"not a readable zip file ({e.Message})", e); }
    }

    static byte[] Head(string path)
    {
        using var s = File.OpenRead(path);
        var head = new byte[Math.Min(s.Length, 2056)];
        s.ReadExactly(head);
        return head;
    }
}
