using System.Globalization;

namespace DepthKit.Diagnostics;

/// <summary>Resident set size of this process (Linux /proc/self/status), including native (libtorch) memory.</summary>
public static class ProcessMemory
{
    public const string StatusFile = "/proc/self/status";

    /// <summary>VmRSS in bytes, or null where /proc is not available (not Linux).</summary>
    public static long? ResidentBytes()
    {
        if (!File.Exists(StatusFile)) return null;
        return ParseVmRss(File.ReadAllText(StatusFile));
    }

    /// <summary>The VmRSS line of a /proc/PID/status text ("VmRSS:   123456 kB") in bytes; null when absent.</summary>
    public static long? ParseVmRss(string statusText)
    {
        foreach (var line in statusText.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var parts = line[6..].Split(' ', '\t').Where(p => p.Length > 0).ToArray();
            if (parts.Length < 1 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw new FormatException($"{StatusFile}: cannot read the VmRSS line '{line.Trim()}'");
            string unit = parts.Length > 1 ? parts[1] : "kB";
            return unit switch
            {
                "kB" => value * 1024,
                "mB" or "MB" => value * 1024 * 1024,
                "B" => value,
                _ => throw new FormatException($"{StatusFile}: unknown VmRSS unit '{unit}'"),
            };
        }
        return null;
    }
}
