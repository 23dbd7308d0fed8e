using System.Security.Cryptography;

namespace DepthKit.Data;

/// <summary>
/// A short content hash of a dataset: its size and the decoded bytes of a few evenly spaced samples. Stored with a
/// run so that <c>--resume</c> can tell whether the data it reopens is the data the run trained on (a relative path
/// resolved elsewhere, a changed folder, another count), which neither the path nor the size alone can.
/// </summary>
public static class DatasetFingerprint
{
    /// <summary>"N images, sha256 XXXXXXXXXXXXXXXX" over the count and samples 0, N/2 and N-1 (decoding 3 images).</summary>
    public static string Of(IDepthDataset dataset)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(dataset.Count));
        foreach (var i in new[] { 0, dataset.Count / 2, dataset.Count - 1 }.Where(i => i >= 0).Distinct())
        {
            var s = dataset.Get(i);
            sha.AppendData(BitConverter.GetBytes(s.Height));
            sha.AppendData(BitConverter.GetBytes(s.Width));
            sha.AppendData(s.Rgb);
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.Depth.AsSpan()));
        }
        return $"{dataset.Count} images, sha256 {Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant()}";
    }
}
