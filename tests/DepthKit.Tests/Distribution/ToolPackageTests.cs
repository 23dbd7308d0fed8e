using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using DepthKit.Tests.Onnx;
using Xunit.Abstractions;

namespace DepthKit.Tests.Distribution;

/// <summary>
/// The CLI as users install it: <c>dotnet pack</c> makes the tool package (the outer one naming the runtime-specific
/// ones, and the linux-x64 one with its libtorch), <c>dotnet tool install</c> puts it into a fresh tool path, and the
/// installed <c>depthkit</c> runs <c>doctor</c> and <c>predict</c>, with <c>--checkpoint</c> and without it (the bundled
/// model the package carries). Packs only linux-x64 (the CI's platform).
/// </summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class ToolPackageTests(ITestOutputHelper log)
{
    [Fact]
    public void PackedToolInstallsAndRunsDoctorAndPredict()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dir = Directory.CreateTempSubdirectory("depthkit-tool-").FullName;
        try
        {
            var packages = Path.Combine(dir, "nupkg");
            // a models/ folder with a bundle named default, packed instead of the repository's (which may have none yet)
            var run = ExportCommandTests.SaveRandomRun(Path.Combine(dir, "run"), "cnn", null, "width=4", 24, 32);
            var bundle = DepthKit.Training.ModelBundle.Write(run, Path.Combine(dir, "models", "default"), overwrite: false);
            var clock = Stopwatch.StartNew();
            // the test run built the CLI already: pack what it built (the publish folder goes into the temporary folder)
            Run("dotnet", ["pack", Path.Combine(root, "src", "DepthKit.Cli"), "-c", configuration, "--no-build", "-o", packages,
                "-p:ToolPackageRuntimeIdentifiers=linux-x64", $"-p:DepthKitModels={Path.Combine(dir, "models")}", $"-p:PublishDir={Path.Combine(dir, "publish")}{Path.DirectorySeparatorChar}"], root, TimeSpan.FromMinutes(10));
            log.WriteLine($"pack: {clock.Elapsed.TotalSeconds:F0} s");
            var version = typeof(DepthKit.Training.Checkpoint).Assembly.GetName().Version!.ToString(3);
            var outer = Path.Combine(packages, $"DepthKit.Cli.{version}.nupkg");
            var linux = Path.Combine(packages, $"DepthKit.Cli.linux-x64.{version}.nupkg");
            Assert.True(File.Exists(outer) && File.Exists(linux), $"packages: {string.Join(", ", Directory.GetFiles(packages).Select(Path.GetFileName))}");
            log.WriteLine($"{Path.GetFileName(outer)}: {new FileInfo(outer).Length / 1e3:F0} kB, {Path.GetFileName(linux)}: {new FileInfo(linux).Length / 1e6:F0} MB");

            // the outer package: metadata, readme, licence, and the runtime-specific package it points to
            using (var zip = ZipFile.OpenRead(outer))
            {
                var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
                string? Meta(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                Assert.Contains("monocular depth", Meta("description"));
                Assert.Equal("MIT", Meta("license"));
                Assert.Equal("README.md", Meta("readme"));
                Assert.Contains(zip.Entries, e => e.FullName == "README.md");
                Assert.Contains(zip.Entries, e => e.FullName == "LICENSE");
                var settings = XDocument.Load(zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml").Open());
                Assert.Contains(settings.Descendants().Where(e => e.Name.LocalName == "RuntimeIdentifierPackage"),
                    e => (string?)e.Attribute("RuntimeIdentifier") == "linux-x64" && (string?)e.Attribute("Id") == "DepthKit.Cli.linux-x64");
            }
            // the linux-x64 package carries libtorch for Linux only
            using (var zip = ZipFile.OpenRead(linux))
            {
                Assert.Contains(zip.Entries, e => e.Name == "libtorch_cpu.so");
                Assert.DoesNotContain(zip.Entries, e => e.Name.EndsWith(".dll", StringComparison.Ordinal) && e.Name.StartsWith("torch", StringComparison.Ordinal));
                Assert.DoesNotContain(zip.Entries, e => e.Name.EndsWith(".dylib", StringComparison.Ordinal));
                Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/models/default/model.ckpt", StringComparison.Ordinal));
                Assert.Contains(zip.Entries, e => e.FullName.EndsWith($"/models/default/{bundle.WeightsFile}", StringComparison.Ordinal));
            }

            var tools = Path.Combine(dir, "tools");
            clock.Restart();
            Run("dotnet", ["tool", "install", "DepthKit.Cli", "--tool-path", tools, "--add-source", packages, "--version", version], dir, TimeSpan.FromMinutes(10));
            log.WriteLine($"install: {clock.Elapsed.TotalSeconds:F0} s, {DirectorySize(tools) / 1e6:F0} MB installed");
            var depthkit = Path.Combine(tools, OperatingSystem.IsWindows() ? "depthkit.exe" : "depthkit");

            var doctor = Run(depthkit, ["doctor"], dir, TimeSpan.FromMinutes(5));
            Assert.Contains("libtorch", doctor);
            Assert.Contains("conv2d check         ok", doctor);

            var photo = Path.Combine(dir, "photo.png");
            var rgb = new byte[30 * 40 * 3];
            for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 13 % 253);
            DepthKit.Data.RgbImage.WritePng(photo, 30, 40, rgb);
            var output = Path.Combine(dir, "out");
            var predicted = Run(depthkit, ["predict", "--checkpoint", run, "--image", photo, "--out", output], dir, TimeSpan.FromMinutes(5));
            Assert.Contains("photo.png -> photo_depth.png: 30x40", predicted);
            var depth = DepthKit.Data.DepthPng.Read(Path.Combine(output, "photo_depth.png"));
            Assert.Equal((30, 40, 16), (depth.Height, depth.Width, depth.BitDepth));
            Assert.True(depth.Values.All(v => v > 0), "every pixel has a depth");

            // no --checkpoint: the bundle beside the installed program (float16 weights, so close to the run's, not equal)
            var bundled = Run(depthkit, ["predict", "--image", photo, "--out", Path.Combine(dir, "out-default")], dir, TimeSpan.FromMinutes(5));
            Assert.Contains("photo.png -> photo_depth.png: 30x40", bundled);
            var fromBundle = DepthKit.Data.DepthPng.Read(Path.Combine(dir, "out-default", "photo_depth.png"));
            var relative = fromBundle.Values.Zip(depth.Values, (b, f) => Math.Abs(b - f) / (double)f).Order().ToList();
            log.WriteLine($"bundled vs run depth: median relative difference {relative[relative.Count / 2]:E2}, largest {relative[^1]:E2}");
            // this run's weights are random, so its depth swings more with float16 rounding than a trained model's
            // (ModelBundleTests bounds that); here the point is that the bundle was found and used
            Assert.True(relative[relative.Count / 2] < 1e-2 && relative[^1] < 0.1, $"median {relative[relative.Count / 2]:E2}, largest {relative[^1]:E2}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static long DirectorySize(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    /// <summary>Runs a program, returns its output; fails the test with the output when it exits non-zero.</summary>
    static string Run(string file, string[] args, string workingDirectory, TimeSpan timeout)
    {
        // the test host's MSBuild and runtime settings must not leak into the child dotnet (NotebookRunner drops MSBuild*)
        var (code, text, _) = Notebooks.NotebookRunner.Run(file, args, workingDirectory, timeout, [], unset: ["DOTNET_HOST_PATH", "DEPTHKIT_MODELS"]);
        Assert.True(code != int.MinValue, $"{file} {string.Join(' ', args)} did not finish within {timeout.TotalMinutes:0} min:\n{text}");
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited with {code}:\n{(text.Length > 4000 ? text[^4000..] : text)}");
        return text;
    }
}
