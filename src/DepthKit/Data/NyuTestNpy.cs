using System.IO.Compression;

namespace DepthKit.Data;

/// <summary>
/// DenseDepth's NYU test set <c>nyu_test.zip</c>: <c>eigen_test_rgb.npy</c> (654x480x640x3 uint8),
/// <c>eigen_test_depth.npy</c> (654x480x640 float32 metres) and <c>eigen_test_crop.npy</c> ([20, 460, 24, 616]:
/// DenseDepth's evaluation crop, not the Eigen crop; see <c>Transforms.NyuCrops</c>). Reads the zip or an
/// extracted folder. A deflated zip entry cannot seek, so it is extracted once to a cache folder
/// (<see cref="DatasetOptions.CacheDirectory"/>, default the system temp folder) and read from there;
/// a stored (uncompressed) entry is read in place through <see cref="StoredZipEntry"/>.
/// </summary>
public sealed class NyuTestNpy : DepthDatasetSource
{
    public const string RgbFile = "eigen_test_rgb.npy", DepthFile = "eigen_test_depth.npy", CropFile = "eigen_test_crop.npy";

    readonly NpyFile _rgb, _depth;
    readonly object _lock = new(); // NpyFile seeks one stream
    readonly string _location;
    readonly double _depthScale; // metres per stored unit

    public override string Format => "nyu-test-npy";
    public override string Name => "NYU test .npy (DenseDepth)";
    public override int Count => (int)_rgb.Shape[0];
    public int Height => (int)_rgb.Shape[1];
    public int Width => (int)_rgb.Shape[2];
    /// <summary>eigen_test_crop.npy as (top, bottom, left, right), or null when the file is absent.</summary>
    public (int Top, int Bottom, int Left, int Right)? Crop { get; }
    /// <summary>Files extracted to the cache (empty when read in place).</summary>
    public IReadOnlyList<string> CachedFiles { get; }

    public NyuTestNpy(string path, DatasetOptions options) : base(options)
    {
        _location = Path.GetFullPath(path);
        var cached = new List<string>();
        if (Directory.Exists(_location))
        {
            _rgb = NpyFile.Open(FindInFolder(RgbFile));
            _depth = NpyFile.Open(FindInFolder(DepthFile));
            var crop = Directory.EnumerateFiles(_location, CropFile, SearchOption.AllDirectories).FirstOrDefault();
            if (crop is not null) { using var c = NpyFile.Open(crop); Crop = ToCrop(c.ReadAllAsFloat(), crop); }
        }
        else
        {
            using var zip = OpenZip(_location);
            _rgb = OpenEntry(zip, RgbFile, options, cached);
            _depth = OpenEntry(zip, DepthFile, options, cached);
            var crop = FindEntry(zip, CropFile, required: false);
            if (crop is not null)
            {
                using var s = new MemoryStream();
                using (var e = crop.Open()) e.CopyTo(s);
                s.Position = 0;
                using var c = NpyFile.Open(s, $"{_location}!{crop.FullName}");
                Crop = ToCrop(c.ReadAllAsFloat(), $"{_location}!{crop.FullName}");
            }
        }
        CachedFiles = cached;
        if (_rgb.Shape.Length != 4 || _rgb.Shape[3] != 3 || _rgb.ItemSize != 1)
            throw new DepthKitDataException(_location, $"{RgbFile} has shape ({string.Join(", ", _rgb.Shape)}) of {_rgb.DType}; expected (N, H, W, 3) uint8");
        if (_depth.Shape.Length != 3 || _depth.Shape[0] != _rgb.Shape[0] || _depth.Shape[1] != _rgb.Shape[1] || _depth.Shape[2] != _rgb.Shape[2])
            throw new DepthKitDataException(_location, $"{DepthFile} has shape ({string.Join(", ", _depth.Shape)}); expected ({_rgb.Shape[0]}, {_rgb.Shape[1]}, {_rgb.Shape[2]}) to match {RgbFile}");
        // DenseDepth's depth is float metres; integers (uint8 0-255, uint16 millimetres) read as metres would be off by
        // up to 255x without a word, so an integer file needs its scale given explicitly
        if (!_depth.DType.Contains('f') && options.DepthUnitsPerMetre is null)
            throw new DepthKitDataException(_location, $"{DepthFile} holds integers ({_depth.DType}), not float metres as DenseDepth's does; " +
                "give its scale (DatasetOptions.DepthUnitsPerMetre, --depth-scale: 1000 for millimetres, 25.5 for v/255*10 m) or convert it to float32 metres");
        _depthScale = _depth.DType.Contains('f') ? 1.0 : 1.0 / options.DepthUnitsPerMetre!.Value;
    }

    string FindInFolder(string file)
    {
        var path = Directory.EnumerateFiles(_location, file, SearchOption.AllDirectories).FirstOrDefault()
            ?? throw new DepthKitDataException(_location, $"no {file} in this folder (expected DenseDepth's nyu_test.zip contents)");
        FolderStore.CheckInside(FolderStore.RealPath(_location), _location, path);
        return path;
    }

    static ZipArchive OpenZip(string path)
    {
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new DepthKitDataException(path, $"not a readable zip file ({e.Message})", e); }
        catch (FileNotFoundException) { throw new DepthKitDataException(path, "file not found"); }
    }

    ZipArchiveEntry? FindEntry(ZipArchive zip, string file, bool required)
    {
        var entry = zip.Entries.FirstOrDefault(e => e.Name == file);
        if (entry is null)
            return required ? throw new DepthKitDataException(_location, $"no {file} in the zip (entries: {string.Join(", ", zip.Entries.Take(10).Select(e => e.FullName))})") : null;
        FileStore.Normalize(entry.FullName, _location); // refuses "../x" and absolute entry names
        return entry;
    }

    NpyFile OpenEntry(ZipArchive zip, string file, DatasetOptions options, List<string> cached)
    {
        var entry = FindEntry(zip, file, required: true)!;
        var name = $"{_location}!{entry.FullName}";
        var stored = StoredZipEntry.TryOpen(_location, entry.FullName);
        if (stored is not null) return NpyFile.Open(stored, name);
        var info = new FileInfo(_location);
        var dir = Path.Combine(options.CacheDirectory ?? Path.Combine(Path.GetTempPath(), "depthkit-cache"),
            $"{Path.GetFileNameWithoutExtension(_location)}-{info.Length}-{info.LastWriteTimeUtc.Ticks}");
        var target = Path.Combine(dir, file);
        if (!File.Exists(target) || new FileInfo(target).Length != entry.Length)
        {
            ZipStore.CheckEntrySize(entry, name, 16L << 30); // the full test RGB is 0.6 GB
            try { AtomicFile.Write(target, s => { using var e = entry.Open(); e.CopyTo(s); }); }
            catch (InvalidDataException e) { throw new DepthKitDataException(name, $"zip entry is corrupt ({e.Message})", e); }
        }
        cached.Add(target);
        return NpyFile.Open(target);
    }

    static (int, int, int, int) ToCrop(float[] v, string name) =>
        v.Length == 4 ? ((int)v[0], (int)v[1], (int)v[2], (int)v[3]) : throw new DepthKitDataException(name, $"expected 4 crop values (top, bottom, left, right), found {v.Length}");

    public override DepthSample Get(int index)
    {
        CheckIndex(index);
        byte[] rgb;
        float[] depth;
        lock (_lock)
        {
            rgb = _rgb.ReadSliceBytes(index);
            depth = _depth.ReadSliceAsFloat(index);
        }
        if (_depthScale != 1.0)
            for (int i = 0; i < depth.Length; i++) depth[i] = (float)(depth[i] * _depthScale);
        return MakeSample($"{_location}[{index}]", Height, Width, rgb, Height, Width, depth);
    }

    public override void Dispose() { _rgb.Dispose(); _depth.Dispose(); base.Dispose(); }
}
