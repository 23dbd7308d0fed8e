namespace DepthKit.Cli.Commands;

/// <summary>The <c>--option key=value,key=value</c> list of architecture options (train, summary).</summary>
static class ArchitectureOptions
{
    public static Dictionary<string, string> Parse(string? list)
    {
        var options = new Dictionary<string, string>();
        if (list is null) return options;
        foreach (var pair in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length != 2 || kv[0].Length == 0) throw new CliUsageException($"--option '{pair}' is not key=value");
            options[kv[0]] = kv[1];
        }
        return options;
    }
}
