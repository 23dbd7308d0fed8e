using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace DepthKit.Data;

/// <summary>
/// The official labeled NYU Depth V2 file <c>nyu_depth_v2_labeled.mat</c> (Silberman et al. 2012): MATLAB v7.3,
/// that is HDF5, 1449 frames, 2.8 GB. Read lazily with PureHDF: each Get reads one frame's hyperslab.
/// MATLAB writes arrays column-major, so HDF5 (and h5py) see them transposed: <c>images</c> is uint8
/// [N, 3, W, H] and <c>depths</c> float32 metres [N, W, H]; element [n, c, x, y] is row y, column x.
/// The split comes from <c>splits.mat</c> (MATLAB v5, 1-based trainNdxs/testNdxs) or the built-in Eigen split.
/// </summary>
public sealed class NyuLabeledMat : DepthDatasetSource
{
    readonly NativeFile _file;
    readonly IH5Dataset _images, _depths;
    readonly object _lock = new(); // PureHDF reads through one file stream: one frame at a time
    readonly int[] _frames; // 0-based frame numbers of this split
    readonly string _path;

    public override string Format => "nyu-labeled-mat";
    public override string Name { get; }
    public override int Count => _frames.Length;
    public int FrameCount { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>Where the split came from: a splits.mat path, "built-in Eigen split" or "all frames".</summary>
    public string SplitSource { get; }

    public NyuLabeledMat(string path, DatasetSplit split, DatasetOptions options) : base(options)
    {
        _path = Path.GetFullPath(path);
        if (!File.Exists(_path)) throw new DepthKitDataException(_path, "file not found");
        using (var probe = File.OpenRead(_path))
        {
            var head = new byte[Math.Min(probe.Length, 2056)];
            probe.ReadExactly(head);
            if (!IsHdf5(head))
                throw new DepthKitDataException(_path, head.Length >= 6 && head.AsSpan(0, 6).SequenceEqual("MATLAB"u8)
                    ? "this .mat is MATLAB v5, not v7.3 (HDF5); the labeled NYU set is v7.3 (splits.mat is v5 and goes in SplitsPath)"
                    : "not an HDF5 / MATLAB v7.3 file");
        }
        try { _file = H5File.OpenRead(_path); }
        catch (Exception e) when (e is not DepthKitDataException) { throw new DepthKitDataException(_path, $"cannot open as HDF5 ({e.Message})", e); }
        try
        {
            _images = Require("images", 4, H5DataTypeClass.FixedPoint, 1, "uint8 [N, 3, W, H]");
            _depths = Require("depths", 3, H5DataTypeClass.FloatingPoint, 4, "float32 metres [N, W, H]");
            var id = _images.Space.Dimensions;
            var dd = _depths.Space.Dimensions;
            if (id[1] != 3) throw new DepthKitDataException(_path, $"'images' has {id[1]} channels in its second axis, expected 3 ([N, 3, W, H] as MATLAB writes it)");
            if (id[0] != dd[0] || id[2] != dd[1] || id[3] != dd[2])
                throw new DepthKitDataException(_path, $"'images' [{string.Join(", ", id)}] and 'depths' [{string.Join(", ", dd)}] disagree on frames or size");
            FrameCount = (int)id[0];
            Width = (int)id[2];
            Height = (int)id[3];
            (_frames, SplitSource) = SelectFrames(split, options);
            Name = $"NYU labeled .mat/{split.ToString().ToLowerInvariant()}";
        }
        catch { _file.Dispose(); throw; }
    }

    IH5Dataset Require(string name, int rank, H5DataTypeClass type, int size, string expected)
    {
        if (!_file.LinkExists(name))
            throw new DepthKitDataException(_path, $"no '{name}' dataset (found: {string.Join(", ", _file.Children().Select(c => c.Name))}); expected nyu_depth_v2_labeled.mat with 'images' and 'depths'");
        var d = _file.Dataset(name);
        if (d.Space.Dimensions.Length != rank || d.Type.Class != type || d.Type.Size != size)
            throw new DepthKitDataException(_path, $"'{name}' is {d.Type.Class} of {d.Type.Size} bytes with shape [{string.Join(", ", d.Space.Dimensions)}]; expected {expected}");
        return d;
    }

    (int[], string) SelectFrames(DatasetSplit split, DatasetOptions options)
    {
        if (split == DatasetSplit.All) return (Enumerable.Range(0, FrameCount).ToArray(), "all frames");
        var splitsPath = options.SplitsPath ?? Path.Combine(Path.GetDirectoryName(_path)!, "splits.mat");
        int[] oneBased;
        string source;
        if (File.Exists(splitsPath))
        {
            var (train, test) = MatV5.ReadNyuSplits(splitsPath, FrameCount);
            oneBased = split == DatasetSplit.Train ? train : test;
            source = splitsPath;
        }
        else if (options.SplitsPath is not null) throw new DepthKitDataException(options.SplitsPath, "splits file not found");
        else if (FrameCount == NyuEigenSplit.FrameCount)
        {
            oneBased = split == DatasetSplit.Train ? NyuEigenSplit.TrainIndices : NyuEigenSplit.TestIndices;
            source = "built-in Eigen split";
        }
        else throw new DepthKitDataException(_path, $"{FrameCount} frames, not NYU's 1449: give a splits.mat (SplitsPath) or use split All");
        return (oneBased.Select(i => i - 1).ToArray(), source);
    }

    /// <summary>The 0-based .mat frame number of sample <paramref name="index"/>.</summary>
    public int FrameOf(int index) => _frames[index];

    public override DepthSample Get(int index)
    {
        CheckIndex(index);
        int n = _frames[index];
        int w = Width, h = Height;
        byte[] chw;
        float[] depthWH;
        lock (_lock)
        {
            chw = _images.Read<byte[]>(fileSelection: new HyperslabSelection(4, [(ulong)n, 0, 0, 0], [1, 3, (ulong)w, (ulong)h]));
            depthWH = _depths.Read<float[]>(fileSelection: new HyperslabSelection(3, [(ulong)n, 0, 0], [1, (ulong)w, (ulong)h]));
        }
        // MATLAB order [c][x][y] to row-major RGB [y][x][c] and depth [y][x]
        var rgb = new byte[h * w * 3];
        var depth = new float[h * w];
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h; y++)
            {
                int p = y * w + x, s = x * h + y;
                depth[p] = depthWH[s];
                rgb[3 * p] = chw[s];
                rgb[3 * p + 1] = chw[w * h + s];
                rgb[3 * p + 2] = chw[2 * w * h + s];
            }
        return MakeSample($"{_path}[frame {n + 1}]", h, w, rgb, h, w, depth);
    }

    /// <summary>True if an HDF5 signature sits at 0, 512, 1024 or 2048 (MATLAB v7.3 puts a 512-byte header first).</summary>
    public static bool IsHdf5(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];
        foreach (int at in (int[])[0, 512, 1024, 2048])
            if (head.Length >= at + 8 && head.Slice(at, 8).SequenceEqual(signature)) return true;
        return false;
    }

    public override void Dispose() { _file.Dispose(); base.Dispose(); }
}
