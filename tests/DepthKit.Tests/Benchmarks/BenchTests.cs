using System.Text.Json;
using DepthKit.Data;
using DepthKit.Diagnostics;
using DepthKit.Tests.Foundation;

namespace DepthKit.Tests.Benchmarks;

[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))] // runs alone: parallel tests allocate and free memory while it reads RSS
public class BenchHarnessTests
{
    [Fact]
    public void StatsHaveTheInterpolatedMedianAndQuartiles()
    {
        // sorted 1,2,3,4: median at position 1.5 -> 2.5; Q1 at 0.75 -> 1.75; Q3 at 2.25 -> 3.25
        var s = Stats.Of([4, 1, 3, 2]);
        Assert.Equal(2.5, s.Median, 12);
        Assert.Equal(1.75, s.Q1, 12);
        Assert.Equal(3.25, s.Q3, 12);
        Assert.Equal(1, s.Min);
        Assert.Equal(4, s.Max);
        Assert.Equal(4, s.N);
        Assert.Equal((3.25 - 1.75) / 2.5, s.RelativeIqr, 12);
        // odd count: the middle value
        Assert.Equal(5, Stats.Of([9, 5, 1]).Median);
    }

    [Fact]
    public void StatsIgnoreNonFiniteValuesAndRefuseEmptyInput()
    {
        var s = Stats.Of([2, double.NaN, 6, double.PositiveInfinity]);
        Assert.Equal(2, s.N);
        Assert.Equal(4, s.Median, 12);
        Assert.Throws<ArgumentException>(() => Stats.Of([double.NaN]));
    }

    [Fact]
    public void InverseTurnsSecondsIntoRatesAndSwapsTheEnds()
    {
        // 8 images taking 2, 4 or 8 s: 4, 2 and 1 images/s
        var r = Stats.Of([2, 4, 8]).Inverse(8);
        Assert.Equal(2, r.Median, 12);
        Assert.Equal(1, r.Min, 12);
        Assert.Equal(4, r.Max, 12);
        var ms = Stats.Of([0.5, 1.5]).Scaled(1000);
        Assert.Equal(1000, ms.Median, 9);
        Assert.Equal(500, ms.Min, 9);
    }

    [Fact]
    public void PairedTimingAlternatesTheOrderAndWarmsBothUp()
    {
        var calls = new List<char>();
        var times = Timing.Paired(() => calls.Add('s'), () => calls.Add('b'), warmup: 1, rounds: 3);
        // warm-up s b, then round 0 s b, round 1 b s, round 2 s b
        Assert.Equal("sbsbbssb", new string([.. calls]));
        Assert.Equal(3, times.Subject.Length);
        Assert.Equal(3, times.Baseline.Length);
        Assert.All(times.Subject.Concat(times.Baseline), t => Assert.True(t >= 0));
        Assert.Equal([2.0, 0.5], new PairedTimes([4, 1], [2, 2]).Ratios);
    }

    [Fact]
    public void RotatedTimingStartsEachRoundWithTheNextArm()
    {
        var calls = new List<char>();
        var times = Timing.Rotated([() => calls.Add('a'), () => calls.Add('b'), () => calls.Add('c')], warmup: 1, rounds: 3);
        // warm-up abc, then round 0 abc, round 1 bca, round 2 cab
        Assert.Equal("abcabcbcacab", new string([.. calls]));
        Assert.Equal(3, times.Length);
        Assert.All(times, t => Assert.Equal(3, t.Length));
    }

    [Fact]
    public void MemoryTrendIsTheLeastSquaresSlopeFromEpochTwo()
    {
        // epoch 1 (optimiser state, caches) is left out; a steady leak of 2 per epoch
        Assert.Equal(2.0, BenchSuite.Slope([100, 10, 12, 14, 16]), 12);
        // swings without growth have no trend; one high last epoch moves the two-point drift by 20%
        Assert.Equal(0.0, BenchSuite.Slope([0, 10, 12, 8, 12, 10]), 12);
        Assert.Equal(0.0, BenchSuite.Drift([0, 10, 12, 8, 12, 10]), 12);
        Assert.Equal(0.2, BenchSuite.Drift([0, 10, 12, 8, 12, 12]), 12);
        Assert.True(double.IsNaN(BenchSuite.Slope([5, 6])));
    }

    [Fact]
    public void VmRssIsParsedFromProcStatusText()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t  999999 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 100 kB\n";
        Assert.Equal(123456L * 1024, ProcessMemory.ParseVmRss(status));
        Assert.Null(ProcessMemory.ParseVmRss("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        Assert.Throws<FormatException>(() => ProcessMemory.ParseVmRss("VmRSS:\t lots kB\n"));
    }

    [Fact]
    public void ResidentSetSizeOfThisProcessIsReadAndSeesA64MiBBuffer()
    {
        Assert.True(OperatingSystem.IsLinux(), "the benchmarks read /proc; this suite runs on Linux");
        long before = ProcessMemory.ResidentBytes()!.Value;
        Assert.InRange(before, 10L << 20, 1L << 40);
        // a fresh anonymous mapping: a managed or malloc'd buffer could reuse pages that are already resident
        using var map = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateNew(null, 64L << 20);
        using var view = map.CreateViewAccessor();
        for (long i = 0; i < 64L << 20; i += 4096) view.Write(i, (byte)1); // touch every page so it becomes resident
        long after = ProcessMemory.ResidentBytes()!.Value;
        Assert.True(after - before >= 48L << 20, $"RSS grew by {(after - before) >> 20} MiB after touching 64 MiB");
    }

    [Fact]
    public void CpuModelIsTheFirstModelNameLine()
    {
        Assert.Equal("AMD EPYC 7B13", MachineInfo.ParseCpuModel("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nmodel name\t: other\n"));
        Assert.Equal("unknown", MachineInfo.ParseCpuModel("processor\t: 0\n"));
    }

    [Fact]
    public void RepeatedDatasetCyclesItsSamplesAndHandsOutCopies()
    {
        var a = new DepthSample(1, 2, [1, 2, 3, 4, 5, 6], [1f, 2f], "a");
        var b = new DepthSample(1, 2, [7, 8, 9, 10, 11, 12], [3f, 4f], "b");
        var data = new RepeatedDataset([a, b], 5);
        Assert.Equal(5, data.Count);
        Assert.Equal("b", data.Get(3).Source);
        Assert.Equal(a.Depth, data.Get(4).Depth);
        var copy = data.Get(0);
        copy.Rgb[0] = 99;
        Assert.Equal(1, data.Get(0).Rgb[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Get(5));
    }
}

public class BenchCommandTests
{
    static readonly string[] TopKeys = ["schema", "mode", "started_utc", "elapsed_seconds", "machine", "trainer_overhead", "loader", "memory", "inference", "synth", "goals"];

    [Fact]
    public void SmokeRunPrintsTheDocumentedJsonKeysWithSaneValues()
    {
        using var dir = new TempDir();
        var (code, output, error) = CliRunner.Run("bench", "--smoke", "--json", "--out", dir["bench.json"]);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        foreach (var key in TopKeys) Assert.True(root.TryGetProperty(key, out _), $"missing key {key}");
        Assert.Equal("depthkit-bench/1", root.GetProperty("schema").GetString());
        Assert.Equal("smoke", root.GetProperty("mode").GetString());
        Assert.Equal(output.Trim(), File.ReadAllText(dir["bench.json"]).Trim());

        var machine = root.GetProperty("machine");
        foreach (var key in new[] { "cpu_model", "logical_cores", "torch_threads", "dotnet", "torchsharp", "libtorch", "onednn", "onednn_reason", "convolution_backward", "cpuid_cache_sizes", "load_average", "configuration", "depthkit_version" })
            Assert.True(machine.TryGetProperty(key, out _), $"missing machine.{key}");
        Assert.True(machine.GetProperty("logical_cores").GetInt32() >= 1);
        var backward = machine.GetProperty("convolution_backward").GetString();
        Assert.Contains(backward, new[] { "libtorch", "kit", MachineInfo.PartialKitBackward });
        // under auto the route follows CPUID: libtorch's kernels wherever it reports cache sizes
        if (Environment.GetEnvironmentVariable("DEPTHKIT_ONEDNN") is null or "" or "auto" && machine.GetProperty("cpuid_cache_sizes").GetBoolean())
            Assert.Equal("libtorch", backward);
        Assert.Equal("0.107.0", machine.GetProperty("torchsharp").GetString());

        var trainer = root.GetProperty("trainer_overhead");
        AssertStats(trainer.GetProperty("kit_step_seconds"));
        AssertStats(trainer.GetProperty("bare_step_seconds"));
        var ratio = trainer.GetProperty("ratio");
        AssertStats(ratio);
        AssertStats(trainer.GetProperty("process_batch_seconds"));
        Assert.True(trainer.GetProperty("wait_seconds").GetProperty("n").GetInt32() >= 1);
        Assert.True(trainer.GetProperty("process_batch_to_bare").GetDouble() > 0);
        // one round: the ratio is exactly kit / bare of that round
        Assert.Equal(trainer.GetProperty("kit_step_seconds").GetProperty("median").GetDouble() / trainer.GetProperty("bare_step_seconds").GetProperty("median").GetDouble(),
            ratio.GetProperty("median").GetDouble(), 9);

        var loader = root.GetProperty("loader");
        AssertStats(loader.GetProperty("step_images_per_second"));
        var workers = loader.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal([1, 2], workers.Select(w => w.GetProperty("workers").GetInt32()));
        foreach (var w in workers)
        {
            AssertStats(w.GetProperty("images_per_second"));
            AssertStats(w.GetProperty("ratio_to_step"));
        }

        var memory = root.GetProperty("memory");
        var rss = memory.GetProperty("rss_bytes_per_epoch").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Equal(3, rss.Count);
        Assert.All(rss, r => Assert.InRange(r, 10L << 20, 1L << 40));
        var rssAfterGc = memory.GetProperty("rss_after_gc_bytes_per_epoch").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Equal(3, rssAfterGc.Count);
        Assert.All(rssAfterGc, r => Assert.InRange(r, 10L << 20, 1L << 40));
        Assert.Equal(3, memory.GetProperty("managed_after_gc_bytes_per_epoch").GetArrayLength());
        // the goal's drift is the after-GC series; the raw one is reported beside it
        Assert.Equal((rssAfterGc[2] - rssAfterGc[1]) / (double)rssAfterGc[1], memory.GetProperty("drift_epoch2_to_last").GetDouble(), 12);
        Assert.Equal((rss[2] - rss[1]) / (double)rss[1], memory.GetProperty("drift_epoch2_to_last_without_gc").GetDouble(), 12);
        // two points (epochs 2 and 3): the slope is their difference
        Assert.Equal(rssAfterGc[2] - rssAfterGc[1], memory.GetProperty("slope_after_gc_bytes_per_epoch").GetDouble(), 3);

        var inference = root.GetProperty("inference").EnumerateArray().Single();
        Assert.Equal("cnn", inference.GetProperty("model").GetString());
        Assert.True(inference.GetProperty("parameters").GetInt64() > 0);
        AssertStats(inference.GetProperty("kit_latency_ms"));
        AssertStats(inference.GetProperty("bare_latency_ms"));
        AssertStats(inference.GetProperty("batch_images_per_second"));

        var synth = root.GetProperty("synth").EnumerateArray().Single();
        Assert.Equal(16, synth.GetProperty("height").GetInt32());
        AssertStats(synth.GetProperty("serial_images_per_second"));

        var goals = root.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("name").GetString()).ToList();
        Assert.Equal(["trainer_overhead", "loader_1_workers", "loader_2_workers", "memory_drift"], goals);
    }

    static void AssertStats(JsonElement s)
    {
        double min = s.GetProperty("min").GetDouble(), median = s.GetProperty("median").GetDouble(), max = s.GetProperty("max").GetDouble();
        Assert.True(min > 0 && double.IsFinite(max), $"stats {s}");
        Assert.InRange(median, min, max);
        Assert.InRange(s.GetProperty("q1").GetDouble(), min, median);
        Assert.InRange(s.GetProperty("q3").GetDouble(), median, max);
        Assert.True(s.GetProperty("n").GetInt32() >= 1);
    }

    [Fact]
    public void UnknownSectionsAndBadRoundsAreUsageErrors()
    {
        var (code, _, error) = CliRunner.Run("bench", "--only", "trainer,nope");
        Assert.Equal(2, code);
        Assert.Contains("--only 'nope'", error);
        (code, _, error) = CliRunner.Run("bench", "--rounds", "0");
        Assert.Equal(2, code);
        Assert.Contains("--rounds", error);
        (code, _, _) = CliRunner.Run("bench", "--quick", "--smoke");
        Assert.Equal(2, code);
    }
}
