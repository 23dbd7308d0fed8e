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
