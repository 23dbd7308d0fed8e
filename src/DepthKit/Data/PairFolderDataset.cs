using System.Text.RegularExpressions;

namespace DepthKit.Data;

/// <summary>
/// Any folder of RGB / depth-PNG pairs given two glob patterns relative to the folder ("*" within a name,
/// "**" across folders, "?" one character), e.g. TUM RGB-D: "rgb/*.png", "depth/*.png" with
/// DepthUnitsPerMetre 5000. Pairs are the two sorted file lists matched in order, so both lists must have the
/// same length (TUM's timestamp association must be done beforehand). A depth of 0 is invalid.
/// </summary>
public sealed class PairFolderDataset : DepthDatasetSource
{
    readonly FolderStore _store;
    readonly (string Rgb, string Depth)[] _pairs;

    public override string Format => "pair-folder";
    public override string Name { get; }
    public override int Count => _pairs.Length;

    public PairFolderDataset(string folder, string rgbGlob, string depthGlob, DatasetOptions options) : base(options)
    {
        if (!Directory.Exists(folder)) throw new DepthKitDataException(folder, "folder not found");
        _store = new FolderStore(folder);
        var files = _store.Files().Order(StringComparer.Ordinal).ToList();
        Regex rgbPattern = Glob(rgbGlob), depthPattern = Glob(depthGlob);
        var rgb = files.Where(f => rgbPattern.IsMatch(f)).ToList();
        var depth = files.Where(f => depthPattern.IsMatch(f)).ToList();
        if (rgb.Count == 0) throw new DepthKitDataException(_store.Location, $"no file matches the RGB pattern '{rgbGlob}'");
        if (depth.Count == 0) throw new DepthKitDataException(_store.Location, $"no file matches the depth pattern '{depthGlob}'");
        if (rgb.Count != depth.Count)
            throw new DepthKitDataException(_store.Location, $"'{rgbGlob}' matches {rgb.Count} files but '{depthGlob}' matches {depth.Count}; pairs are matched in sorted order so the counts must agree");
        if (rgb.Intersect(depth).Any()) throw new DepthKitDataException(_store.Location, $"'{rgbGlob}' and '{depthGlob}' match the same files");
        _pairs = rgb.Zip(depth).ToArray();
        Name = $"pairs {Path.GetFileName(_store.Location)} ({rgbGlob} | {depthGlob})";
    }

    public (string Rgb, string Depth) Paths(int index) => (_store.Describe(_pairs[index].Rgb), _store.Describe(_pairs[index].Depth));

    public override DepthSample Get(int index)
    {
        CheckIndex(index);
        var (rgbPath, depthPath) = Paths(index);
        var (h, w, rgb) = RgbImage.Decode(_store.ReadAllBytes(_pairs[index].Rgb), rgbPath);
        var png = DepthPng.Read(new MemoryStream(_store.ReadAllBytes(_pairs[index].Depth)), depthPath);
        return MakeSample(depthPath, h, w, rgb, png.Height, png.Width, PngToMetres(png));
    }

    /// <summary>A glob on '/'-separated relative paths as a regex: ** any folders, * and ? within one name.</summary>
    public static Regex Glob(string pattern)
    {
        var p = pattern.Replace('\\', '/').TrimStart('.', '/');
        var regex = "^" + Regex.Escape(p).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
        return new Regex(regex, RegexOptions.CultureInvariant);
    }

    public override void Dispose() { _store.Dispose(); base.Dispose(); }
}
