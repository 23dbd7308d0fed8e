using DepthKit.Training;
using DepthKit.Visualization;
using static TorchSharp.torch;

namespace DepthKit.Tests.Architecture;

/// <summary>The library sits at the centre: hosts and machine workarounds depend on it, never the other way.</summary>
public class LayeringTests
{
    static readonly System.Reflection.Assembly Library = typeof(Trainer).Assembly;

    [Fact]
    public void TheLibraryReferencesNoHostWorkaroundOrChartingAssembly()
    {
        var references = Library.GetReferencedAssemblies().Select(a => a.Name).ToList();
        foreach (var edge in new[] { "DepthKit.Native", "DepthKit.Diagnostics", "DepthKit.Cli", "DepthKit.Notebooks", "DepthKit.Labs", "Plotly.NET", "FSharp.Core" })
            Assert.DoesNotContain(edge, references);
        Assert.DoesNotContain(Library.GetTypes(), t => t.Namespace is "DepthKit.Diagnostics" or "DepthKit.Interop" or "DepthKit.Native");
    }

    [Fact]
    public void EveryLibraryNamespaceMatchesItsFolder()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var wrong = new List<string>();
        foreach (var project in new[] { "src/DepthKit", "src/DepthKit.Native", "src/DepthKit.Cli", "src/DepthKit.Notebooks", "src/DepthKit.Labs", "benchmarks/DepthKit.Diagnostics" })
        {
            string dir = Path.Combine(root, project);
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(dir, Path.GetDirectoryName(file)!);
                if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "obj" or "bin")) continue;
                string expected = Path.GetFileName(project) + (relative == "." ? "" : "." + relative.Replace(Path.DirectorySeparatorChar, '.'));
                var declared = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("namespace ", StringComparison.Ordinal));
                if (declared is not null && declared != $"namespace {expected};")
                    wrong.Add($"{Path.GetRelativePath(root, file)}: {declared} (expected {expected})");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>The library's layers, lowest first: a layer may use the layers before it, never one after it.</summary>
    public static readonly string[] LayerOrder =
        ["Losses", "Data", "Onnx.Format", "Transforms", "Models", "Metrics", "Training", "Onnx", "Visualization", "Experiments"];

    [Fact]
    public void EveryLayerOfTheLibraryUsesOnlyTheLayersBelowIt()
    {
        string root = Path.Combine(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..")), "src", "DepthKit");
        var violations = LayerViolations(root);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheLayerCheckSeesAnUpwardReference()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"depthkit-layers-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "Data"));
            Directory.CreateDirectory(Path.Combine(dir, "Training"));
            File.WriteAllText(Path.Combine(dir, "Training", "Fine.cs"), "using DepthKit.Data;\nnamespace DepthKit.Training;\nclass Fine { }\n");
            File.WriteAllText(Path.Combine(dir, "Data", "Up.cs"),
                "namespace DepthKit.Data;\n// Training.Trainer in a comment is not a use\nclass Up { object X => Training.Trainer.Seed; }\n");
            var violations = LayerViolations(dir);
            Assert.Equal(["Data/Up.cs (Data) uses Training"], violations);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>
    /// Uses of another layer in the .cs files under <paramref name="root"/>: <c>using DepthKit.X</c>, <c>DepthKit.X.</c>
    /// and, inside the library's namespace, the short form <c>X.Type</c>; comments are skipped.
    /// </summary>
    static List<string> LayerViolations(string root)
    {
        int Rank(string ns)
        {
            // the longest layer name that prefixes the namespace (Models.Pretrained is Models, Onnx.Format is its own)
            var layer = LayerOrder.Where(l => ns == l || ns.StartsWith(l + ".", StringComparison.Ordinal)).MaxBy(l => l.Length);
            return layer is null ? -1 : Array.IndexOf(LayerOrder, layer);
        }
        string LayerOf(string ns) => LayerOrder[Rank(ns)];
        var shortForm = new System.Text.RegularExpressions.Regex(
            @"(?<![\w.])(?:DepthKit\.)?(" + string.Join("|", LayerOrder.Select(l => l.Replace(".", @"\."))) + @")\.[A-Z]\w*");
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.Split('/').Any(p => p is "obj" or "bin")) continue;
            string own = Path.GetDirectoryName(relative)!.Replace('/', '.');
            int ownRank = Rank(own);
            if (ownRank < 0) continue; // files at the root of the project belong to no layer
            var used = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var raw in File.ReadLines(file))
            {
                var line = raw.TrimStart();
                if (line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith("namespace ", StringComparison.Ordinal)) continue;
                int comment = line.IndexOf("//", StringComparison.Ordinal);
                if (comment >= 0) line = line[..comment];
                var usingDirective = System.Text.RegularExpressions.Regex.Match(line, @"^using (?:static )?DepthKit\.([\w.]+);");
                if (usingDirective.Success && Rank(usingDirective.Groups[1].Value) > ownRank) used.Add(LayerOf(usingDirective.Groups[1].Value));
                foreach (System.Text.RegularExpressions.Match m in shortForm.Matches(line))
                {
                    // "Onnx.Format.X" and "Onnx.OnnxExporter": try the longer layer name first
                    var full = m.Value.StartsWith("DepthKit.", StringComparison.Ordinal) ? m.Value["DepthKit.".Length..] : m.Value;
                    if (Rank(full) > ownRank) used.Add(LayerOf(full));
                }
            }
            violations.AddRange(used.Select(layer => $"{relative} ({LayerOrder[ownRank]}) uses {layer}"));
        }
        return violations;
    }

    [Fact]
    public void PlotlyJsIsEmbeddedInTheLibrary()
    {
        var js = HtmlReport.PlotlyJs();
        Assert.True(js.Length > 1_000_000, $"plotly.min.js is {js.Length} characters");
        Assert.Contains("plotly.js", js[..Math.Min(js.Length, 2000)], StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Changes the process-wide hook, so it runs alone.</summary>
[Collection(nameof(Models.GlobalTorchSeed))]
public class InferenceRegionTests
{
    [Fact]
    public void TheInferenceRegionIsNoGradPlusTheHostsHook()
    {
        var before = Inference.HostRegion;
        int entered = 0, left = 0;
        try
        {
            Inference.HostRegion = () => { entered++; return new Disposer(() => left++); };
            using (Inference.Region())
            {
                Assert.False(is_grad_enabled());
                Assert.Equal((1, 0), (entered, left));
            }
            Assert.True(is_grad_enabled());
            Assert.Equal((1, 1), (entered, left));
            Inference.HostRegion = null;
            using (Inference.Region()) Assert.False(is_grad_enabled());
            Assert.Equal((1, 1), (entered, left));
        }
        finally { Inference.HostRegion = before; }
    }

    sealed class Disposer(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
