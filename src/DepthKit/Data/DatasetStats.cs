namespace DepthKit.Data;

/// <summary>
/// Summary of a dataset from at most <c>maxImages</c> evenly spaced samples: size, depth min/median/max over valid
/// pixels and the fraction of invalid pixels. The median comes from a 1 mm histogram (0..100 m), so it is exact
/// to 1 mm without keeping every pixel.
/// </summary>
public sealed record DatasetStats(int Width, int Height, int ImagesRead, double DepthMin, double DepthMedian, double DepthMax, double InvalidFraction)
{
    const double BinWidth = 0.001, MaxBinned = 100.0;

    public static DatasetStats Compute(IDepthDataset dataset, int maxImages, bool skipBad = false, CancellationToken cancel = default)
    {
        if (dataset.Count == 0) throw new DepthKitDataException(dataset.Name, "dataset is empty");
        int take = Math.Min(maxImages, dataset.Count);
        var histogram = new long[(int)(MaxBinned / BinWidth) + 1]; // last bin: everything at or beyond 100 m
        long valid = 0, total = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        int width = 0, height = 0, read = 0;
        for (int k = 0; k < take; k++)
        {
            cancel.ThrowIfCancellationRequested();
            int index = (int)((long)k * dataset.Count / take);
            DepthSample s;
            try { s = dataset.Get(index); }
            catch (DepthKitDataException e) when (skipBad && dataset is DepthDatasetSource source) { source.BadSamples.Record(e); continue; }
            if (read == 0) (width, height) = (s.Width, s.Height);
            read++;
            total += s.Depth.Length;
            foreach (var d in s.Depth)
            {
                if (!DepthSample.IsValidDepth(d)) continue;
                valid++;
                min = Math.Min(min, d);
                max = Math.Max(max, d);
                histogram[Math.Min(histogram.Length - 1, (int)(d / BinWidth))]++;
            }
        }
        if (read == 0) throw new DepthKitDataException(dataset.Name, "no sample could be read");
        double median = double.NaN;
        if (valid > 0)
        {
            long half = (valid + 1) / 2, seen = 0;
            for (int b = 0; b < histogram.Length; b++)
                if ((seen += histogram[b]) >= half) { median = Math.Clamp((b + 0.5) * BinWidth, min, max); break; }
        }
        return new DatasetStats(width, height, read, valid > 0 ? min : double.NaN, median, valid > 0 ? max : double.NaN, 1.0 - (double)valid / total);
    }
}
