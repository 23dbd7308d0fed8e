using DepthKit.Native;

namespace DepthKit.Tests.Foundation;

/// <summary>A fact that only means something on Linux (ELF files, glibc); reported as skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute() { if (!OperatingSystem.IsLinux()) Skip = "needs Linux (ELF, glibc)"; }
}

public class ElfVersionNeedsTests
{
    static string BridgeInBuildOutput() =>
        Path.Combine(Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!, "libLibTorchSharp.so");

    [LinuxFact]
    public void BridgeAsShippedRequiresGlibcxx3432Strongly()
    {
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(BridgeInBuildOutput()));
        var glibcxx = needs.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", glibcxx.Library);
        Assert.False(glibcxx.Weak);
        Assert.Contains(needs, n => n.Version.StartsWith("GLIBC_2.", StringComparison.Ordinal));
    }

    [LinuxFact]
    public void MarkWeakChangesOneFlagByteAndNothingElse()
    {
        var original = File.ReadAllBytes(BridgeInBuildOutput());
        var patched = (byte[])original.Clone();
        int changed = ElfVersionNeeds.MarkWeak(patched, v => ElfVersionNeeds.IsGlibcxxNewerThan(v, 30));

        Assert.Equal(1, changed);
        int differing = Enumerable.Range(0, original.Length).Count(i => original[i] != patched[i]);
        Assert.Equal(1, differing);
        var after = ElfVersionNeeds.Read(patched);
        Assert.True(after.Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
        Assert.All(after.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.Weak));
        Assert.Equal(0, ElfVersionNeeds.MarkWeak(patched, v => ElfVersionNeeds.IsGlibcxxNewerThan(v, 30)));
    }

    [Fact]
    public void NonElfInputHasNoRequirements()
    {
        Assert.Empty(ElfVersionNeeds.Read("not an ELF file at all, just text long enough to pass the size check....."u8));
        Assert.Empty(ElfVersionNeeds.Read([]));
    }

    [Theory]
    [InlineData("GLIBCXX_3.4.32", 30, true)]
    [InlineData("GLIBCXX_3.4.30", 30, false)]
    [InlineData("GLIBCXX_3.4.9", 30, false)]
    [InlineData("GLIBC_2.34", 30, false)]
    [InlineData("CXXABI_1.3.15", 30, false)]
    public void OnlyNewerGlibcxxVersionsAreWeakened(string version, int newest, bool expected) =>
        Assert.Equal(expected, ElfVersionNeeds.IsGlibcxxNewerThan(version, newest));

    [LinuxFact]
    public void LoaderPatchesOnlyWhenHostLibstdcxxIsTooOldAndNeverTheShippedFiles()
    {
        var bridge = Runtime.Info!.Bridge;
        bool hostTooOld = NativeLoader.NewestGlibcxxMinor() < 32;
        Assert.Equal(hostTooOld, bridge.Patched);
        if (!bridge.Patched) return;
        Assert.StartsWith(NativeLoader.CacheRoot(), bridge.LibraryPath);
        Assert.True(ElfVersionNeeds.Read(File.ReadAllBytes(bridge.LibraryPath)).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
        // the copy that shipped in the build output (and the NuGet cache it came from) is untouched
        Assert.False(ElfVersionNeeds.Read(File.ReadAllBytes(BridgeInBuildOutput())).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
    }
}
