using System.Buffers.Binary;
using System.IO.Compression;
using DepthKit.Cli;
using DepthKit.Data;
using DepthKit.Tests.Data;
using DepthKit.Tests.Foundation;
using DepthKit.Training;

namespace DepthKit.Tests.Reliability;

/// <summary>Inputs and faults that used to end in a .NET stack trace (exit 134): now one line naming the file or option.</summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class CrashTests
{
    static void OneLine(string error, params string[] mentions)
    {
        Assert.Single(error.Trim().Split('\n'));
        foreach (var m in mentions) Assert.Contains(m, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void UnreadableImageInTheEvaluationSplitIsOneLineNamingIt()
    {
        using var dir = new TempDir();
        Fixtures.SynthFolder(dir["data"], 20);
        Fixtures.Corrupt(dir["data/00019_colors.png"]); // the test part is the last 10%
        Fixtures.ConstantModel(dir["run"]);
        // Evaluation decodes a batch with Parallel.For: the bad image arrives wrapped in an AggregateException
        var (code, _, error) = CliRunner.Run("eval", "--checkpoint", dir["run"], "--data", dir["data"], "--device", "cpu");
        Assert.Equal(1, code);
        OneLine(error, "00019_colors.png", "not a readable image");
    }

    [Fact]
    public void UnreadableValidationImageKeepsTheEpochsTrainingInLastCkpt()
    {
        using var dir = new TempDir();
        Fixtures.SynthFolder(dir["data"], 100);
        // 85 train, 5 validation (85-89), 10 test; 86 is not among the images the data fingerprint decodes up front
        Fixtures.Corrupt(dir["data/00086_colors.png"]);
        var (code, _, error) = CliRunner.Run("train", "--model", "cnn", "--data", dir["data"], "--size", "16x16", "--epochs", "1",
            "--batch", "4", "--out", dir["run"], "--device", "cpu");
        Assert.Equal(1, code);
        OneLine(error, "00086_colors.png");
        var info = Checkpoint.ReadInfo(dir["run/last.ckpt"]); // the trained batches of epoch 1 are not lost
        Assert.Equal((0, 21, 21L), (info.Epoch, info.BatchInEpoch, info.Step));
        Assert.Empty(Directory.GetFiles(dir["run"], "*.tmp"));
    }

    [Fact]
    public void SynthWriteFailureInsideParallelForIsOneLineAndLeavesNoTempFiles()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["out/00003_colors.png"]); // a folder where a file must go: the rename fails on a worker
        var (code, _, error) = CliRunner.Run("synth", "--out", dir["out"], "--count", "6", "--size", "16x16");
        Assert.Equal(1, code);
        OneLine(error, "00003_colors.png");
        Assert.Empty(Directory.GetFiles(dir["out"], "*.tmp"));
        Assert.False(File.Exists(dir["out/index.csv"])); // no index of a half-written set
    }

    [Theory]
    [InlineData("eval", "--batch", "0")]
    [InlineData("summary", "--size", "100000x100000")]
    [InlineData("summary", "--size", "46341x46341")]
    public void OutOfRangeOptionIsAUsageErrorNamingIt(string command, string option, string value)
    {
        string[] rest = command == "eval" ? ["--checkpoint", "x", "--data", "synth"] : ["--model", "cnn"];
        var (code, _, error) = CliRunner.Run([command, .. rest, option, value]);
        Assert.Equal(2, code);
        OneLine(error, option, value);
    }

    [Fact]
    public void PngChunkLengthBeyondTheFileNamesTheFileWithoutAllocating()
    {
        using var dir = new TempDir();
        using (var s = File.Create(dir["gt.png"]))
        {
            var head = Fixtures.Png(("IHDR", Fixtures.Ihdr(4, 4, 16)));
            s.Write(head);
            Fixtures.WriteChunk(s, "IDAT", new byte[2700], 0x7FFFFFF0);
        }
        var e = Assert.Throws<DepthKitDataException>(() => DepthPng.Read(dir["gt.png"]));
        Assert.Contains("claims 2147483632 bytes", e.Message);
        DepthPng.Write16(dir["pred.png"], 4, 4, new ushort[16]);
        var (code, _, error) = CliRunner.Run("metrics", "--pred", dir["pred.png"], "--gt", dir["gt.png"], "--crop", "none");
        Assert.Equal(1, code);
        OneLine(error, "gt.png", "chunk");
    }

    [Fact]
    public void ImageHeaderClaiming60000x60000IsRefusedBeforeDecoding()
    {
        using var dir = new TempDir();
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true)) z.Write(new byte[64]);
        File.WriteAllBytes(dir["huge.png"], Fixtures.Png(("IHDR", Fixtures.Ihdr(60000, 60000, 8, 2)), ("IDAT", idat.ToArray()), ("IEND", [])));
        var e = Assert.Throws<DepthKitDataException>(() => RgbImage.Read(dir["huge.png"]));
        Assert.Contains("implausible image size 60000x60000", e.Message);
        var e2 = Assert.Throws<DepthKitDataException>(() => DepthPng.Read(dir["huge.png"]));
        Assert.EndsWith("huge.png", e2.Path);
    }

    [Fact]
    public void ZipEntryClaiming4GBIsRefusedNamingTheEntry()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir["nyu"]);
        ZipFile.CreateFromDirectory(dir["nyu"], dir["nyu_data.zip"], CompressionLevel.Optimal, includeBaseDirectory: false);
        // patch the central directory: the first colour image of the test split now claims 4 GB uncompressed
        var bytes = File.ReadAllBytes(dir["nyu_data.zip"]);
        var name = "data/nyu2_test/00000_colors.png"u8.ToArray();
        int patched = 0;
        for (int p = 0; p + 46 < bytes.Length; p++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p)) == 0x02014b50
                && bytes.AsSpan(p + 46, Math.Min(name.Length, bytes.Length - p - 46)).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(p + 24), 0xFFFFFF00u);
                patched++;
            }
        Assert.Equal(1, patched);
        File.WriteAllBytes(dir["nyu_data.zip"], bytes);
        using var ds = Datasets.Open(dir["nyu_data.zip"], DatasetSplit.Test);
        var e = Assert.Throws<DepthKitDataException>(() => ds.Get(0));
        Assert.Contains("00000_colors.png", e.Path);
        Assert.Contains("claims 4294967040 bytes", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the first format has no checksum: any edit loads
    public void CheckpointWhoseMetadataSays0x0IsOneLineNamingIt(bool firstFormat)
    {
        using var dir = new TempDir();
        Fixtures.ConstantModel(dir["good"]);
        var info = Checkpoint.ReadInfo(dir["good/best.ckpt"]);
        var config = DepthKit.Models.ModelConfig.FromJson(info.Model.ConfigJson) with { InputHeight = 0, InputWidth = 0 };
        var tampered = info with { Model = info.Model with { ConfigJson = config.ToJson() }, Options = info.Options with { Height = 0, Width = 0 } };
        var (model, _) = ModelFactory.LoadForInference(dir["good"]);
        Directory.CreateDirectory(dir["run"]);
        // written through the kit, so the manifest's checksum covers the 0x0 (an edit followed by a re-hash)
        if (firstFormat) LegacyCheckpoint.Write(dir["run/best.ckpt"], tampered, model, null);
        else Checkpoint.Save(dir["run/best.ckpt"], tampered, model, null);
        Fixtures.SynthFolder(dir["data"], 10);
        RgbImage.WritePng(dir["room.png"], 4, 4, new byte[48]);
        foreach (var args in new[]
                 {
                     new[] { "eval", "--checkpoint", dir["run"], "--data", dir["data"], "--device", "cpu" },
                     ["predict", "--checkpoint", dir["run"], "--image", dir["room.png"], "--out", dir["pred"], "--device", "cpu"],
                 })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 1, $"{args[0]}: exit {code}: {error}");
            OneLine(error, "best.ckpt", "0x0");
        }
        Assert.False(File.Exists(dir["pred/room_depth.png"]));
    }

    [Fact]
    public void AggregateExceptionIsUnwrappedToTheFileItNames()
    {
        var wrapped = new AggregateException(new OperationCanceledException(),
            new AggregateException(new DepthKitDataException("/data/a.png", "image is truncated")));
        var f = CliErrors.Describe(wrapped, "eval", ["eval"]);
        Assert.Equal(1, f.ExitCode);
        Assert.Equal("depthkit eval: error: /data/a.png: image is truncated", f.Line);
        Assert.Null(f.LogPath);
    }

    [Fact]
    public void AnUnexpectedBugSaysSoAndNamesALogWithTheDetails()
    {
        Exception bug;
        try { _ = new BinaryReader(new MemoryStream()).ReadBytes(-1); throw new InvalidOperationException("unreachable"); }
        catch (ArgumentOutOfRangeException e) { bug = e; } // "(Parameter 'count')": names nothing a user knows
        var f = CliErrors.Describe(new AggregateException(bug), "train", ["train", "--model", "cnn"]);
        Assert.Equal(CliErrors.InternalError, f.ExitCode);
        Assert.Contains("internal error (ArgumentOutOfRangeException", f.Line);
        Assert.Contains("This is a bug in DepthKit", f.Line);
        Assert.NotNull(f.LogPath);
        Assert.Contains(f.LogPath!, f.Line);
        var log = File.ReadAllText(f.LogPath!);
        Assert.Contains("command line: depthkit train --model cnn", log);
        Assert.Contains("BinaryReader.ReadBytes", log); // the stack trace is in the log, not on the terminal
        File.Delete(f.LogPath!);
    }

    [Fact]
    public void OutOfMemoryIsOneLineWithAdvice()
    {
        var f = CliErrors.Describe(new AggregateException(new OutOfMemoryException()), "summary", ["summary"]);
        Assert.Equal((1, "depthkit summary: error: out of memory; try a smaller --size, --batch or --count"), (f.ExitCode, f.Line));
    }

    [Fact]
    public void DepthKitsOwnChecksStayUserErrorsWithoutALog()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { BatchSize = 0 }.Validated());
        var f = CliErrors.Describe(e, "train", ["train"]);
        Assert.Equal(1, f.ExitCode);
        Assert.Null(f.LogPath);
        Assert.Contains("batch size must be at least 1", f.Line);
    }
}
