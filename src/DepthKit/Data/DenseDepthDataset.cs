namespace DepthKit.Data;

/// <summary>
/// DenseDepth's NYU layout (Alhashim and Wonka 2018): <c>data/nyu2_train.csv</c> and <c>data/nyu2_test.csv</c>,
/// lines <c>rgb_path,depth_path</c> without header, read from <c>nyu_data.zip</c> in place or from the extracted
/// folder. Also reads the <c>index.csv</c> written by <c>depthkit synth</c>. Train depth PNGs are 8-bit
/// (metres = v / 255 * 10), test depth PNGs 16-bit millimetres (metres = v / 1000); the scale follows the PNG
/// bit depth unless <see cref="DatasetOptions.DepthUnitsPerMetre"/> overrides it.
/// </summary>
public sealed class DenseDepthDataset : DepthDatasetSource
{
    readonly FileStore _store;
    readonly (string Rgb, string Depth)[] _pairs;
    readonly string _csvName;

    public override string Format => _store is ZipStore ? "densedepth-zip" : "densedepth-folder";
    public override string Name { get; }
    public override int Count => _pairs.Length;
    /// <summary>Where the files are read from: the folder, or the zip read in place.</summary>
    public FileStore Store => _store;
    /// <summary>The CSV that listed the pairs (zip!entry or path).</summary>
    public string CsvPath => _csvName;

    /// <summary>Opens a CSV inside a store; <paramref name="csv"/> is relative to the store root.</summary>
    public DenseDepthDataset(FileStore store, string csv, DatasetOptions options, string? name = null) : base(options)
    {
        _store = store;
        _csvName = store.Describe(csv);
        Name = name ?? $"DenseDepth {Path.GetFileName(csv)}";
        var rows = ReadCsv(Text(store.ReadAllBytes(csv)), _csvName);
        var csvDir = csv.Contains('/') ? csv[..csv.LastIndexOf('/')] : "";
        var pairs = new List<(string, string)>();
        string? basePath = null;
        foreach (var (line, rgb, depth) in rows)
        {
            try
            {
                var where = $"{_csvName} line {line}";
                // paths are relative to the CSV's folder (synth index.csv) or to the root holding data/ (DenseDepth)
                // decided by the first row whose RGB exists, then kept for every row
                basePath ??= new[] { csvDir, "", ParentOf(csvDir) }.Distinct()
                    .FirstOrDefault(b => store.Exists(FileStore.Normalize(Join(b, rgb), where)));
                var rowBase = basePath ?? csvDir;
                var rgbPath = FileStore.Normalize(Join(rowBase, rgb), where);
                var depthPath = FileStore.Normalize(Join(rowBase, depth), where);
                if (!store.Exists(rgbPath)) throw new DepthKitDataException(store.Describe(rgbPath), $"file listed in {where} not found");
                if (!store.Exists(depthPath)) throw new DepthKitDataException(store.Describe(depthPath), $"file listed in {where} not found");
                pairs.Add((rgbPath, depthPath));
            }
            catch (DepthKitDataException e) when (options.SkipBadSamples) { options.BadSamples.Record(e); }
        }
        if (pairs.Count == 0) throw new DepthKitDataException(_csvName, $"no usable rows ({options.BadSamples.Count} skipped: {options.BadSamples.Summary()})");
        _pairs = [.. pairs];
    }

    public override DepthSample Get(int index)
    {
        CheckIndex(index);
        var (rgbPath, depthPath) = _pairs[index];
        var (h, w, rgb) = RgbImage.Decode(_store.ReadAllBytes(rgbPath), _store.Describe(rgbPath));
        var png = DepthPng.Read(new MemoryStream(_store.ReadAllBytes(depthPath)), _store.Describe(depthPath));
        return MakeSample(_store.Describe(depthPath), h, w, rgb, png.Height, png.Width, PngToMetres(png));
    }

    /// <summary>Relative paths (inside the store) of sample <paramref name="index"/>.</summary>
    public (string Rgb, string Depth) Paths(int index) => _pairs[index];

    /// <summary>Parses CSV rows (line number, rgb, depth); blank lines are ignored, an optional header is skipped.</summary>
    static List<(int Line, string Rgb, string Depth)> ReadCsv(string text, string name)
    {
        var rows = new List<(int, string, string)>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length < 2 || fields[0].Trim().Length == 0 || fields[1].Trim().Length == 0)
                throw new DepthKitDataException(name, $"line {i + 1}: expected 'rgb_path,depth_path', found '{line}'");
            if (rows.Count == 0 && !fields[0].Contains('.') && !fields[1].Contains('.')) continue; // a header such as rgb,depth
            rows.Add((i + 1, fields[0].Trim(), fields[1].Trim()));
        }
        if (rows.Count == 0) throw new DepthKitDataException(name, "CSV is empty (expected lines 'rgb_path,depth_path')");
        return rows;
    }

    static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
    static string Join(string a, string b) => a.Length == 0 ? b : $"{a}/{b}";
    static string ParentOf(string dir) => dir.Contains('/') ? dir[..dir.LastIndexOf('/')] : "";

    public override void Dispose() { _store.Dispose(); base.Dispose(); }
}
