using System.Diagnostics;
using System.Runtime.InteropServices;
using DepthKit.Data;
using DepthKit.Experiments;
using DepthKit.Tests.Foundation;
using DepthKit.Tests.Training;
using DepthKit.Training;

namespace DepthKit.Tests.Reliability;

/// <summary>Ways a run or a result used to be lost or overwritten, and the kill -9 / full-disk behaviour that must stay.</summary>
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class DataLossTests
{
    static readonly string[] TinyTrain = ["train", "--model", "cnn", "--data", "synth", "--size", "32x32", "--train-count", "8", "--val-count", "2",
        "--batch", "4", "--epochs", "1", "--device", "cpu"];

    [Fact]
    public void TrainIntoAnExistingRunRefusesUnlessResumeOrOverwrite()
    {
        using var dir = new TempDir();
        var (code, _, error) = CliRunner.Run([.. TinyTrain, "--out", dir["run"]]);
        Assert.True(code == 0, error);
        var before = File.ReadAllBytes(dir["run/last.ckpt"]);
        using (RunLock.Acquire(dir["run"])) { } // the finished run released its lock

        var (again, _, error2) = CliRunner.Run([.. TinyTrain, "--lr", "0.01", "--out", dir["run"]]);
        Assert.Equal(1, again);
        Assert.Single(error2.Trim().Split('\n'));
        Assert.Contains("already holds a training run (1 epoch(s) in last.ckpt)", error2);
        Assert.Contains("--resume", error2);
        Assert.Contains("--overwrite", error2);
        Assert.Equal(before, File.ReadAllBytes(dir["run/last.ckpt"]));

        var (replaced, _, error3) = CliRunner.Run([.. TinyTrain, "--lr", "0.01", "--out", dir["run"], "--overwrite"]);
        Assert.True(replaced == 0, error3);
        Assert.Equal(0.01, Checkpoint.ReadInfo(dir["run/last.ckpt"]).Options.LearningRate);
        Assert.Equal(2, File.ReadAllLines(dir["run/history.csv"]).Length); // the old history went with the old run
    }

    [Fact]
    public void ASecondTrainIntoAFolderInUseFailsWithOneLine()
    {
        using var dir = new TempDir();
        using (RunLock.Acquire(dir["run"])) // what a training process holds while it runs
        {
            var (code, _, error) = CliRunner.Run([.. TinyTrain, "--out", dir["run"]]);
            Assert.Equal(1, code);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Contains("another training run is using this run folder", error);
            Assert.Throws<DepthKitRunFolderException>(() => RunLock.Acquire(dir["run"]));
        }
        Assert.False(File.Exists(dir["run/last.ckpt"]));
    }

    [Fact]
    public void PredictGivesSameNamedImagesDistinctOutputs()
    {
        using var dir = new TempDir();
        Fixtures.ConstantModel(dir["run"]);
        Directory.CreateDirectory(dir["images"]);
        RgbImage.WritePng(dir["images/scene.png"], 3, 4, new byte[3 * 4 * 3]);
        File.WriteAllBytes(dir["images/scene.jpg"], RgbImage.EncodeJpeg(5, 6, new byte[5 * 6 * 3]));
        RgbImage.WritePng(dir["images/other.png"], 2, 2, new byte[2 * 2 * 3]);
        var (code, output, error) = CliRunner.Run("predict", "--checkpoint", dir["run"], "--image", dir["images"], "--out", dir["pred"], "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Equal((3, 4), (DepthPng.Read(dir["pred/scene.png_depth.png"]).Height, DepthPng.Read(dir["pred/scene.png_depth.png"]).Width));
        Assert.Equal((5, 6), (DepthPng.Read(dir["pred/scene.jpg_depth.png"]).Height, DepthPng.Read(dir["pred/scene.jpg_depth.png"]).Width));
        Assert.True(File.Exists(dir["pred/other_depth.png"])); // names without a clash stay as they were
        Assert.Contains("scene.jpg -> scene.jpg_depth.png", output);
    }

    [Fact]
    public void FullDiskDuringACheckpointLeavesTheOldOneAndNoTempFile()
    {
        if (!File.Exists("/dev/full")) throw new PlatformNotSupportedException("needs Linux /dev/full to simulate a full disk");
        using var dir = new TempDir();
        var train = new TinyDataset(8, 8, 8, seed: 1);
        var options = new TrainOptions { Epochs = 1, BatchSize = 4, LearningRate = 0.01, Seed = 3, Eval = new EvalSettings { Crop = "none" } };
        Trainer.Seed(3);
        new Trainer(new TinyNet(), TinyNet.Identity, train, train, options, runDir: dir.Path).Fit();
        var good = File.ReadAllBytes(dir["last.ckpt"]);

        Trainer.Seed(3);
        var trainer = Trainer.Resume(dir.Path, (_, _) => new TinyNet(), train, train, epochs: 2);
        using var held = RunLock.Acquire(dir.Path);
        trainer.Lock = held;
        // the checkpoint's temporary file leads to /dev/full: every write fails with ENOSPC, as on a full disk
        File.CreateSymbolicLink(dir[$"last.ckpt.{Environment.ProcessId}.tmp"], "/dev/full");
        var e = Assert.Throws<IOException>(() => trainer.Fit());
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(good, File.ReadAllBytes(dir["last.ckpt"]));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.Equal(1, Checkpoint.ReadInfo(dir["last.ckpt"]).Epoch);
        // what `depthkit train` prints for it: one line naming the file, exit 1, no crash log
        var f = DepthKit.Cli.CliErrors.Describe(e, "train", ["train"]);
        Assert.Equal((1, null), (f.ExitCode, f.LogPath));
        Assert.Single(f.Line.Split('\n'));
        Assert.Contains("No space left on device", f.Line);
        Assert.Contains(dir["last.ckpt"], f.Line);
    }

    [Fact]
    public void SynthOnAFullDiskIsOneLineAndLeavesNoTempFilesOrIndex()
    {
        using var dir = new TempDir();
        // 64 images of 48x64 need about 1 MB; the disk holds 96 kB
        var (code, _, error) = SmallDisk.RunCli(dir.Path, kilobytes: 96, "synth", "--out", "{disk}/set", "--count", "64", "--size", "48x64");
        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("No space left on device", error);
        Assert.Matches(@"cannot write \S+/set/\d{5}_(colors|depth)\.png", error);
        var left = dir["disk-copy/set"];
        Assert.NotEmpty(Directory.GetFiles(left, "*.png")); // it was a real disk that filled up midway
        Assert.Empty(Directory.GetFiles(left, "*.tmp")); // nothing half-written keeps the disk full
        Assert.False(File.Exists(Path.Combine(left, "index.csv"))); // and no index of an incomplete set
    }

    [Fact]
    public void ReproduceIntoAFolderWithResultsRefusesUnlessOverwrite()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["out"]);
        File.WriteAllText(dir["out/metrics.csv"], "the results of an earlier run\n");
        var (code, _, error) = CliRunner.Run("reproduce", "--profile", "smoke", "--out", dir["out"], "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("already holds the results of a reproduce run (metrics.csv)", error);
        Assert.Contains("--overwrite", error);
        Assert.Equal("the results of an earlier run\n", File.ReadAllText(dir["out/metrics.csv"]));
        Assert.False(Directory.Exists(dir["out/checkpoints"]));
        using (RunLock.Acquire(dir["out"])) // a reproduce running into the folder
        {
            var (busy, _, error2) = CliRunner.Run("reproduce", "--profile", "smoke", "--out", dir["out"], "--overwrite", "--device", "cpu");
            Assert.Equal(1, busy);
            Assert.Contains("is using this run folder", error2);
        }
        // --overwrite clears the earlier run, checkpoints included (`reproduce --overwrite` itself: SmokeRun)
        Fixtures.ConstantModel(dir["out/checkpoints/fcrn"]);
        Reproduction.PrepareOutput(dir["out"], overwrite: true);
        Assert.False(File.Exists(dir["out/metrics.csv"]));
        Assert.DoesNotContain(Directory.GetFiles(dir["out/checkpoints/fcrn"]), f => !f.EndsWith(RunLock.FileName, StringComparison.Ordinal));
    }

    [Fact]
    public void TakingTheLockRemovesTempFilesOfDeadRunsOnly()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Path);
        string[] orphans = ["last.ckpt.4242.tmp", "history.csv.4242.0123456789abcdef0123456789abcdef.tmp"];
        string[] kept = ["notes.tmp", "data.v2.tmp", "last.ckpt"];
        foreach (var f in orphans.Concat(kept)) File.WriteAllText(dir[f], "x");
        using var l = RunLock.Acquire(dir.Path);
        Assert.Equal(orphans.Select(f => dir[f]).Order(), l.RemovedOrphans.Order());
        Assert.All(kept, f => Assert.True(File.Exists(dir[f])));
    }

    // ---- real processes: signals and kill -9 ----

    static Process StartTrain(string runDir, int trainCount = 32) => StartCli("train", "--model", "cnn", "--data", "synth", "--size", "32x32",
        "--train-count", $"{trainCount}", "--val-count", "2", "--batch", "4", "--epochs", "1000", "--out", runDir, "--device", "cpu");

    static Process StartCli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DepthKit.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEPTHKIT_THREADS"] = "1";
        return Process.Start(psi)!;
    }

    /// <summary>Reads stdout until a line contains <paramref name="text"/>; the rest of stdout and stderr are collected.</summary>
    static void WaitFor(Process p, string text, List<string> lines)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(4))
        {
            var line = p.StandardOutput.ReadLine();
            if (line is null) break;
            lines.Add(line);
            if (line.Contains(text)) return;
        }
        p.Kill();
        throw new Xunit.Sdk.XunitException($"'{text}' never appeared; output: {string.Join("\n", lines)}\n{p.StandardError.ReadToEnd()}");
    }

    static string CrashLogNamedIn(string error)
    {
        var m = System.Text.RegularExpressions.Regex.Match(error, @"(?:logged to|details in) (\S+\.log)");
        return m.Success && File.Exists(m.Groups[1].Value) ? $"\n{m.Groups[1].Value}:\n{File.ReadAllText(m.Groups[1].Value)}" : "";
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    /// <summary>True when this process ignores <paramref name="signal"/> (SigIgn of /proc/self/status), which children inherit.</summary>
    static bool InheritedAsIgnored(int signal)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    [Theory]
    [InlineData("SIGTERM", 15, 143)]
    [InlineData("SIGHUP", 1, 129)]
    public void TerminationSignalsSaveLikeCtrlC(string name, int signal, int exitCode)
    {
        using var dir = new TempDir();
        using var p = StartTrain(dir["run"]);
        var lines = new List<string>();
        WaitFor(p, "epoch 1/1000", lines);
        Assert.Equal(0, kill(p.Id, signal));
        if (InheritedAsIgnored(signal))
        {
            // started under nohup (or as a background job): the signal stays ignored, as the caller asked, and the run
            // goes on; the child inherited the disposition from this test process
            Assert.False(p.WaitForExit(3_000), $"{name} was ignored by this test process but stopped the run");
            p.Kill();
            p.WaitForExit();
            return;
        }
        var rest = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(120_000));
        // an error on the way out is reported with the signal's exit code as well; it must not happen, and if it does
        // the failure shows the crash log (its stack trace is the evidence of what went wrong)
        Assert.True(p.ExitCode == exitCode && !error.Contains("an error while stopping", StringComparison.Ordinal),
            $"exit {p.ExitCode}, stderr: {error}{CrashLogNamedIn(error)}");
        Assert.Contains($"stopped by {name} (the last checkpoint was saved)", error);
        var info = Checkpoint.ReadInfo(dir["run/last.ckpt"]);
        Assert.True(info.Step >= 8, $"saved at step {info.Step}: after epoch 1 (8 steps), at the moment of the signal");
        Assert.Empty(Directory.GetFiles(dir["run"], "*.tmp"));
    }

    [Fact]
    public void KillMinus9NeverBreaksACheckpointAndTheRunResumes()
    {
        using var dir = new TempDir();
        // one step per epoch: the process spends most of its time writing checkpoints, so a kill at a random moment
        // mostly lands inside a save (weights, optimiser state, manifest, rename, clean-up)
        var random = new Random(9);
        int killed = 0;
        for (int round = 0; round < 3; round++)
        {
            using (var p = round == 0 ? StartTrain(dir["run"], trainCount: 4) : StartCli("train", "--resume", dir["run"], "--device", "cpu"))
            {
                var lines = new List<string>();
                WaitFor(p, round == 0 ? "epoch 2/1000" : "/1000: train loss", lines);
                Thread.Sleep(random.Next(400));
                p.Kill(); // SIGKILL: no handler runs, no finally block
                p.WaitForExit();
            }
            var info = Checkpoint.ReadInfo(dir["run/last.ckpt"]); // the manifest's checksum holds
            Assert.True(info.Epoch > killed, $"round {round}: last.ckpt at epoch {info.Epoch}, the run had reached {killed}");
            killed = info.Epoch;
            var (best, _) = ModelFactory.LoadForInference(dir["run"]); // best.ckpt's weights load and verify
            best.Dispose();
        }
        File.WriteAllText(dir[$"run/last.ckpt.{int.MaxValue - 7}.tmp"], "half a checkpoint of a killed run");
        // the resume verifies last.ckpt's weights and optimiser state; the dead process's lock died with it
        var (code, output, error) = CliRunner.Run("train", "--resume", dir["run"], "--epochs", $"{killed + 1}", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains($"epoch {killed + 1}/{killed + 1}", output);
        Assert.Empty(Directory.GetFiles(dir["run"], "*.tmp"));
    }
}
