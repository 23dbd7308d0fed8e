using DepthKit.Models;
using DepthKit.Training;
using static TorchSharp.torch;

namespace DepthKit.Tests.Training;

[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))] // dropout and init draw from torch's global generator
public class TrainerTests
{
    static readonly TinyDataset Train = new(12, 8, 8, seed: 1, "tiny/train");
    static readonly TinyDataset Val = new(4, 8, 8, seed: 2, "tiny/val");

    static TrainOptions Options(int epochs = 3) => new()
    {
        Epochs = epochs, BatchSize = 4, LearningRate = 0.02, Schedule = "cosine", Loss = "l1", Seed = 7,
        Eval = new EvalSettings { Crop = "none" },
    };

    static Trainer NewTrainer(TrainOptions options, string? runDir, TinyNet? net = null, int hidden = 4)
    {
        Trainer.Seed(options.Seed);
        return new Trainer(net ?? new TinyNet(hidden), TinyNet.Identity, Train, Val, options, runDir: runDir);
    }

    [Fact]
    public void TrainingLowersTheLossAndWritesHistory()
    {
        using var dir = new TempDir();
        var trainer = NewTrainer(Options(epochs: 4) with { Schedule = "constant" }, dir.Path);
        var seen = new List<TrainProgress>();
        trainer.Progress = new SyncProgress<TrainProgress>(seen.Add);
        Assert.Equal(StopReason.Completed, trainer.Fit());
        Assert.Equal(4, trainer.History.Epochs.Count);
        Assert.Equal(12, trainer.History.StepLoss.Count); // 12 images / batch 4 = 3 steps x 4 epochs
        Assert.True(trainer.History.Epochs[^1].TrainLoss < trainer.History.Epochs[0].TrainLoss);
        Assert.Equal(12, seen.Count(p => p.Phase == "train"));
        Assert.Equal(4, seen.Count(p => p.Phase == "val" && p.Message!.StartsWith("epoch")));
        var csv = File.ReadAllLines(dir["history.csv"]);
        Assert.Equal(5, csv.Length);
        Assert.StartsWith("model,epoch,step,train_loss,val_loss", csv[0]);
        Assert.StartsWith("TinyNet,4,12,", csv[4]);
        Assert.Equal(13, File.ReadAllLines(dir["steps.csv"]).Length);
        var frame = trainer.History.ToDataFrame("TinyNet");
        Assert.Equal(4, frame.Rows.Count);
        Assert.True(File.Exists(dir["last.ckpt"]) && File.Exists(dir["best.ckpt"]));
    }

    [Fact]
    public void ResumedRunEndsExactlyLikeAnUninterruptedOne()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var straight = NewTrainer(Options(), a.Path);
        straight.Fit();

        // the second run is interrupted (Ctrl+C) in the middle of epoch 2, then resumed in a fresh trainer
        var interrupted = NewTrainer(Options(), b.Path);
        using var cancel = new CancellationTokenSource();
        interrupted.Progress = new SyncProgress<TrainProgress>(p => { if (p.Phase == "train" && p.Step == 4) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => interrupted.Fit(cancel.Token));
        var saved = Checkpoint.ReadInfo(b["last.ckpt"]);
        Assert.Equal((1, 1, 4L), (saved.Epoch, saved.BatchInEpoch, saved.Step)); // saved before the next step
        Trainer.Seed(12345); // disturb the RNG: resume must restore it
        rand(10).Dispose();
        var resumed = Trainer.Resume(b.Path, (_, _) => new TinyNet(), Train, Val);
        resumed.Fit();

        Assert.Equal(straight.Model is TinyNet s ? s.Weights() : null, ((TinyNet)resumed.Model).Weights());
        Assert.Equal(straight.History.StepLoss, resumed.History.StepLoss);
        Assert.Equal(straight.History.Epochs[^1].Val, resumed.History.Epochs[^1].Val);
        Assert.Equal(straight.History.Epochs.Select(e => e.TrainLoss), resumed.History.Epochs.Select(e => e.TrainLoss));
    }

    /// <summary>
    /// Where the host routes convolution shapes to the kit's own backward (CPUs whose oneDNN gets them wrong), a model
    /// that is neither a DepthNet nor a ConvStack must take the route too, and a resumed run through it must still end
    /// bit for bit like an uninterrupted one. The rule routes only this test's shapes (hidden width 6, which no
    /// other test or architecture uses) and defers to the host's rule for every other shape, so parallel tests
    /// keep their route.
    /// </summary>
    [Fact]
    public void ATrainedModelOfAnyClassTakesTheRouteAndResumesExactlyThroughIt()
    {
        static bool Mine(ConvShape s) => (s.InChannels == 6 || s.OutChannels == 6) && s.Height == 8 && s.Width == 8;
        int routed = 0;
        var host = ConvolutionRoute.Rule;
        ConvolutionRoute.Rule = s => Mine(s) ? Interlocked.Increment(ref routed) > 0 : host?.Invoke(s) == true;
        try
        {
            using var a = new TempDir();
            using var b = new TempDir();
            var straight = NewTrainer(Options(), a.Path, hidden: 6);
            straight.Fit();
            Assert.True(routed > 0, "the Trainer's model never reached the route");

            var interrupted = NewTrainer(Options(), b.Path, hidden: 6);
            using var cancel = new CancellationTokenSource();
            interrupted.Progress = new SyncProgress<TrainProgress>(p => { if (p.Phase == "train" && p.Step == 4) cancel.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => interrupted.Fit(cancel.Token));
            int before = routed;
            var resumed = Trainer.Resume(b.Path, (_, _) => new TinyNet(hidden: 6), Train, Val);
            resumed.Fit();
            Assert.True(routed > before, "the resumed run's model never reached the route");

            Assert.Equal(((TinyNet)straight.Model).Weights(), ((TinyNet)resumed.Model).Weights());
            Assert.Equal(straight.History.StepLoss, resumed.History.StepLoss);
        }
        finally { ConvolutionRoute.Rule = host; }
    }

    [Fact]
    public void KillBetweenTempWriteAndRenameLeavesThePreviousCheckpointLoadable()
    {
        using var dir = new TempDir();
        var trainer = NewTrainer(Options(epochs: 2) with { Schedule = "constant" }, dir.Path);
        trainer.Fit();
        var weights = ((TinyNet)trainer.Model).Weights();
        trainer.TrainEpoch(); // the state moves on...
        Assert.NotEqual(weights, ((TinyNet)trainer.Model).Weights());
        string? temp = null;
        Assert.Throws<IOException>(() => trainer.Save(dir["last.ckpt"], beforeRename: t => { temp = t; throw new IOException("killed"); }));
        Assert.True(File.Exists(temp)); // ...the new bytes were written, the process died before the rename
        var fresh = new TinyNet();
        var info = Checkpoint.Load(dir["last.ckpt"], fresh, TinyNet.Identity);
        Assert.Equal(2, info.Epoch);
        Assert.Equal(weights, fresh.Weights());
        var resumed = Trainer.Resume(dir.Path, (_, _) => new TinyNet(), Train, Val);
        Assert.Equal(2, resumed.Epoch);
    }

    [Fact]
    public void NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDir();
        var net = new TinyNet { PoisonAfter = 4 }; // steps 1-3 are epoch 1; step 5 is the second of epoch 2
        var trainer = NewTrainer(Options(), dir.Path, net);
        net.PoisonAfter = 4;
        var e = Assert.Throws<DepthKitTrainingException>(() => trainer.Fit());
        Assert.Equal(5, e.FailedStep);
        Assert.Contains("loss became NaN at step 5 (epoch 2, batch 2)", e.Message);
        Assert.Contains("lower learning rate", e.Message);
        Assert.Contains("last.ckpt (epoch 1) is kept", e.Message);
        var info = Checkpoint.ReadInfo(dir["last.ckpt"]);
        Assert.Equal(1, info.Epoch);
        Assert.All(info.History.StepLoss, l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void LoadingIntoAnotherArchitectureNamesTheFileAndBothModels()
    {
        using var dir = new TempDir();
        var config = new ModelConfig("cnn", inputHeight: 32, inputWidth: 32, options: new() { ["width"] = "4" });
        var cnn = Architectures.Create(config);
        var path = dir["last.ckpt"];
        Checkpoint.Save(path, new CheckpointInfo { Model = ModelFactory.Identity(config), Options = new TrainOptions() }, cnn, null);

        var fcConfig = new ModelConfig("cnn-fc", inputHeight: 32, inputWidth: 32);
        var e = Assert.Throws<DepthKitCheckpointException>(() => Checkpoint.Load(path, Architectures.Create(fcConfig), ModelFactory.Identity(fcConfig)));
        Assert.Contains(path, e.Message);
        Assert.Contains("holds a CNN (cnn) model and cannot be loaded into a CNN+FC (cnn-fc) model", e.Message);

        // same architecture, other width: the weights do not fit, and the message says which configs
        var wide = config.With("width", "8");
        var e2 = Assert.Throws<DepthKitCheckpointException>(() => Checkpoint.Load(path, Architectures.Create(wide), ModelFactory.Identity(wide)));
        Assert.Contains("do not fit", e2.Message);
        Assert.Contains("\"width\": \"8\"", e2.Message);
    }

    [Fact]
    public void EarlyStoppingStopsWhenTheMonitorStallsAndKeepsTheBestCheckpoint()
    {
        using var dir = new TempDir();
        // learning rate 0: nothing improves after epoch 1
        var trainer = NewTrainer(Options(epochs: 5) with { LearningRate = 1e-12, EarlyStopPatience = 2, Monitor = "rmse" }, dir.Path);
        Assert.Equal(StopReason.EarlyStopped, trainer.Fit());
        Assert.True(trainer.Epoch < 5);
        Assert.Equal(1, Checkpoint.ReadInfo(dir["best.ckpt"]).Epoch);
    }

    [Theory]
    [InlineData("constant", 0, 1.0)]
    [InlineData("constant", 99, 1.0)]
    [InlineData("cosine", 0, 1.0)]
    [InlineData("cosine", 50, 0.5)]
    [InlineData("cosine", 100, 0.0)]
    [InlineData("step", 19, 1.0)]
    [InlineData("step", 20, 0.1)]
    [InlineData("onecycle", 0, 0.04)]
    [InlineData("onecycle", 30, 1.0)]
    public void LearningRateSchedules(string schedule, long step, double factor)
    {
        // 10 epochs x 10 steps; step schedule: x0.1 every 2 epochs; onecycle warms up for 30% of the steps
        var options = new TrainOptions { Epochs = 10, LearningRate = 1.0, Schedule = schedule, StepEpochs = 2, StepGamma = 0.1 };
        Assert.Equal(factor, LrSchedule.At(options, step, stepsPerEpoch: 10), 6);
    }
}
