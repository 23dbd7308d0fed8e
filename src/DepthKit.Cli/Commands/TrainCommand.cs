using System.Globalization;
using DepthKit.Data;
using DepthKit.Models;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Losses;

namespace DepthKit.Cli.Commands;

/// <summary><c>depthkit train</c>: trains one model, checkpointing each epoch; <c>--resume</c> continues a run exactly.</summary>
public sealed class TrainCommand : ICliCommand
{
    public string Name => "train";
    public string Summary => "Train one depth model (checkpoints every epoch and on Ctrl+C; --resume continues exactly)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("recipe", $"train with a named recipe's options (options typed as well win): {string.Join(", ", TrainingRecipes.All.Select(r => r.Name))}"),
        new("model", $"architecture: {string.Join(", ", Architectures.Names)}"),
        new("data", "synth (SynthRooms rendered on the fly) or a path to NYU Depth V2 / a synth folder"),
        new("out", "run folder for checkpoints and history"),
        new("size", "input size HxW", "96x128"),
        new("epochs", "number of epochs (default 10; with --resume: a new total)"),
        new("batch", "batch size", "8"),
        new("lr", "learning rate", "0.001"),
        new("loss", $"training loss: {string.Join(", ", DepthLoss.Names)}", "l1"),
        new("optimizer", "adam, adamw or sgd", "adam"),
        new("schedule", "constant, step, cosine or onecycle", "constant"),
        new("weight-decay", "weight decay", "0"),
        new("clip", "clip the gradient norm to this (0 = off)", "0"),
        new("patience", "early stopping: epochs without improvement (0 = off)", "0"),
        new("monitor", "val_loss, rmse, abs_rel or d1 (best checkpoint and early stopping)", "val_loss"),
        new("encoder", "encoder of the residual models: resnet18, resnet34, resnet50, resnet18-cntk (default with --pretrained resnet18-imagenet)"),
        new("train-count", "training images (synth: how many to render; a path: a cap, 0 = all)", "1000"),
        new("val-count", "validation images", "64"),
        new("device", "auto, cpu, cuda or cuda:N", "auto"),
        new("seed", "seed of weights, data order and dropout", "42"),
        new("freeze-encoder", "keep the encoder's weights fixed", IsFlag: true),
        new("encoder-lr-scale", "learning rate of a trainable encoder relative to --lr (e.g. 0.1 to fine-tune a pretrained one)", "1"),
        new("no-augment", "no random horizontal flips", IsFlag: true),
        new("color-augment", "random brightness, contrast, saturation, gamma and channel order of the training RGB", IsFlag: true),
        new("option", "architecture option key=value, comma-separated (e.g. upsampling=bilinear,decoder_width=128)"),
        new("pretrained", "encoder weights: resnet18-imagenet or a torchvision .pth/.safetensors file"),
        new("resume", "continue the run in this folder (model, options and data come from its checkpoint)"),
        new("overwrite", "replace the training run already in --out (its checkpoints and history are deleted)", IsFlag: true),
    ];

    /// <summary>Options fixed when a run starts: with --resume each must be left out or equal the run's value.</summary>
    static readonly string[] FixedByRun =
        ["model", "size", "batch", "lr", "loss", "optimizer", "schedule", "weight-decay", "clip", "patience", "monitor", "seed",
         "encoder", "pretrained", "freeze-encoder", "train-count", "val-count", "encoder-lr-scale", "no-augment", "color-augment", "option"];

    public int Run(CliArgs args, CliContext context)
    {
        if (args.GetOrNull("recipe") is { } recipeName)
        {
            if (args.IsGiven("resume")) throw new CliUsageException("--recipe starts a new run; --resume continues one with the options it started with (leave --recipe out)");
            TrainingRecipe recipe;
            try { recipe = TrainingRecipes.Get(recipeName); }
            catch (ArgumentException e) { throw new CliUsageException($"--recipe: {e.Message}"); }
            args = args.WithPreset(recipe.Arguments);
            context.Out.WriteLine($"recipe {recipe.Name}: {recipe.Description} ({recipe.ExpectedTime})");
        }
        var runtime = context.InitTorch(args);
        if (args.GetOrNull("resume") is { } resume) return RunResumed(args, context, resume, runtime);
        var modelName = args.GetOrNull("model") ?? throw new CliUsageException("--model is required (or --resume RUN_DIR)");
        var dataArg = args.GetOrNull("data") ?? throw new CliUsageException("--data is required (synth or a path)");
        var outDir = args.GetOrNull("out") ?? throw new CliUsageException("--out is required (the run folder)");
        var (h, w) = args.GetSize("size");
        var arch = Architectures.Get(modelName);
        // an absolute path, so a resume from another folder reopens the same data
        var dataSpec = DataChoice.IsSynth(dataArg) ? "synth" : Path.GetFullPath(dataArg);
        var options = OptionsFrom(args, dataSpec);
        if (options.FreezeEncoder && arch.Encoders.Count == 0 && args.GetOrNull("pretrained") is null)
            context.Error.WriteLine($"note: {arch.DisplayName} has its own encoder; freezing it leaves only the decoder to train");
        // lock first, then look: two runs started at once into one folder cannot both pass the check
        using var runLock = RunLock.Acquire(outDir);
        runLock.PrepareNewRun(args.Flag("overwrite"));
        int trainCount = args.GetInt("train-count"), valCount = args.GetInt("val-count");
        var data = DataChoice.Open(dataSpec, h, w, trainCount, valCount, 0, options.Seed, context.Out.WriteLine);
        options = options with { DataSource = new RunData(dataSpec, trainCount, valCount, DatasetFingerprint.Of(data.Train), DatasetFingerprint.Of(data.Val)) };
        Trainer.Seed(options.Seed);
        var config = new ModelConfig(arch.Name, arch.Encoders.Count == 0 ? null : PretrainedWeights.EncoderFor(args.GetOrNull("pretrained"), args.GetOrNull("encoder")), h, w,
            ArchitectureOptions.Parse(args.GetOrNull("option")));
        var model = Experiment.BuildModel(config, args.GetOrNull("pretrained"), options.FreezeEncoder);
        var trainer = new Trainer(model, ModelFactory.Identity(model.Config), data.Train, data.Val, options, runtime.Device, outDir) { Lock = runLock };
        context.Out.WriteLine($"training {arch.DisplayName} on {data.Description}; {trainer.TotalSteps} steps, run folder {outDir}");
        return Fit(trainer, context);
    }

    /// <summary>The training options a new run gets from these arguments (<paramref name="dataSpec"/>: "synth" or an absolute path).</summary>
    public static TrainOptions OptionsFrom(CliArgs args, string dataSpec)
    {
        var (h, w) = args.GetSize("size");
        return new TrainOptions
        {
            Epochs = args.GetOrNull("epochs") is null ? 10 : args.GetInt("epochs"),
            BatchSize = args.GetInt("batch"), LearningRate = args.GetDouble("lr"), Loss = args.Get("loss"),
            Optimizer = args.GetChoice("optimizer", [.. Optimizers.Names]), Schedule = args.GetChoice("schedule", "constant", "step", "cosine", "onecycle"),
            WeightDecay = args.GetDouble("weight-decay"), GradClipNorm = args.GetDouble("clip"), EarlyStopPatience = args.GetInt("patience"),
            Monitor = args.GetChoice("monitor", "val_loss", "rmse", "abs_rel", "d1"), Seed = args.GetInt("seed"),
            FreezeEncoder = args.Flag("freeze-encoder"), EncoderLearningRateScale = args.GetDouble("encoder-lr-scale"),
            FlipAugmentation = !args.Flag("no-augment"), ColorAugmentation = args.Flag("color-augment"), Height = h, Width = w, Data = dataSpec,
            Eval = new EvalSettings { Crop = "none" },
        }.Validated();
    }

    static int RunResumed(CliArgs args, CliContext context, string resume, RuntimeInfo runtime)
    {
        var checkpoint = Checkpoint.Resolve(resume);
        // before the folder is locked or the data opened: a bundle's folder must not get a lock file
        Checkpoint.CheckResumable(checkpoint);
        var info = Checkpoint.ReadInfo(checkpoint);
        var o = info.Options;
        var conflicts = FixedByRun.Where(args.IsGiven).Select(name => Conflict(name, args, info)).OfType<string>().ToList();
        if (args.IsGiven("out") && Path.GetFullPath(args.Get("out")).TrimEnd('/') != Path.GetFullPath(Directory.Exists(resume) ? resume : Path.GetDirectoryName(Path.GetFullPath(resume))!).TrimEnd('/'))
            conflicts.Add($"--out {args.Get("out")} (a resumed run stays in {resume})");
        if (conflicts.Count > 0)
            throw new CliUsageException($"--resume continues the run with the options it started with; these differ: {string.Join("; ", conflicts)}. " +
                "Leave them out, or start a new run with --out");
        var runDir = Directory.Exists(resume) ? resume : Path.GetDirectoryName(Path.GetFullPath(resume))!;
        using var runLock = RunLock.Acquire(runDir);
        var source = o.DataSource;
        string dataSpec = args.GetOrNull("data") ?? source?.Path ?? o.Data;
        if (!DataChoice.IsSynth(dataSpec)) dataSpec = Path.GetFullPath(dataSpec);
        if (!DataChoice.IsSynth(dataSpec) && !File.Exists(dataSpec) && !Directory.Exists(dataSpec))
            throw new CliUsageException($"the run trained on {o.Data}, which is not there now ({dataSpec}); give its new place with --data");
        if (args.GetOrNull("data") is null && source is null && !DataChoice.IsSynth(o.Data) && !Path.IsPathRooted(o.Data))
            context.Error.WriteLine($"note: this run stored the relative data path '{o.Data}'; it is read from {dataSpec} (the current folder)");
        int trainCount = source?.TrainCount ?? args.GetInt("train-count"), valCount = source?.ValCount ?? args.GetInt("val-count");
        var data = DataChoice.Open(dataSpec, o.Height, o.Width, trainCount, valCount, 0, o.Seed);
        if (source is not null)
        {
            string train = DatasetFingerprint.Of(data.Train), val = DatasetFingerprint.Of(data.Val);
            if (train != source.TrainFingerprint || val != source.ValFingerprint)
                throw new DepthKitRunFolderException(Path.GetFullPath(runDir),
                    $"the data at {dataSpec} is not the data this run trained on (train {train}, val {val}; the run had train {source.TrainFingerprint}, val {source.ValFingerprint}); " +
                    "resuming would silently continue on other images. Give the original data with --data, or start a new run with --out");
        }
        else context.Error.WriteLine("note: this run has no data fingerprint (written by an older DepthKit): the data cannot be checked to be the same");
        int? epochs = args.GetOrNull("epochs") is null ? null : args.GetInt("epochs");
        var trainer = Trainer.Resume(resume, ModelFactory.Build, data.Train, data.Val, runtime.Device, epochs);
        trainer.Lock = runLock;
        context.Out.WriteLine($"resuming {info.Model.DisplayName} in {resume} at epoch {trainer.Epoch}, step {trainer.Step} of {trainer.TotalSteps}");
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reusing the run's options: size {o.Height}x{o.Width}, batch {o.BatchSize}, lr {o.LearningRate:G4} ({o.Schedule}), loss {o.Loss}, optimizer {o.Optimizer}, seed {o.Seed}; " +
            $"data {dataSpec} ({data.Train.Count} train, {data.Val.Count} val{(source is null ? "" : ", same content as when the run started")})"));
        return Fit(trainer, context);
    }

    /// <summary>Null when the given value equals the run's; else "--name given (run: stored)".</summary>
    static string? Conflict(string name, CliArgs args, CheckpointInfo info)
    {
        var o = info.Options;
        string given = args.Get(name);
        string? stored = name switch
        {
            "model" => Architectures.Get(given).Name == info.Model.Architecture ? null : info.Model.Architecture,
            "size" => args.GetSize("size") == (o.Height, o.Width) ? null : $"{o.Height}x{o.Width}",
            "batch" => args.GetInt("batch") == o.BatchSize ? null : $"{o.BatchSize}",
            "lr" => args.GetDouble("lr") == o.LearningRate ? null : o.LearningRate.ToString("G6", CultureInfo.InvariantCulture),
            "loss" => string.Equals(given, o.Loss, StringComparison.OrdinalIgnoreCase) ? null : o.Loss,
            "optimizer" => string.Equals(given, o.Optimizer, StringComparison.OrdinalIgnoreCase) ? null : o.Optimizer,
            "schedule" => string.Equals(given, o.Schedule, StringComparison.OrdinalIgnoreCase) ? null : o.Schedule,
            "weight-decay" => args.GetDouble(name) == o.WeightDecay ? null : o.WeightDecay.ToString(CultureInfo.InvariantCulture),
            "clip" => args.GetDouble(name) == o.GradClipNorm ? null : o.GradClipNorm.ToString(CultureInfo.InvariantCulture),
            "patience" => args.GetInt(name) == o.EarlyStopPatience ? null : $"{o.EarlyStopPatience}",
            "monitor" => string.Equals(given, o.Monitor, StringComparison.OrdinalIgnoreCase) ? null : o.Monitor,
            "seed" => args.GetInt(name) == o.Seed ? null : $"{o.Seed}",
            "freeze-encoder" => args.Flag(name) == o.FreezeEncoder ? null : $"{o.FreezeEncoder}".ToLowerInvariant(),
            "no-augment" => args.Flag(name) == !o.FlipAugmentation ? null : $"{!o.FlipAugmentation}".ToLowerInvariant(),
            "color-augment" => args.Flag(name) == o.ColorAugmentation ? null : $"{o.ColorAugmentation}".ToLowerInvariant(),
            "encoder-lr-scale" => args.GetDouble(name) == o.EncoderLearningRateScale ? null : o.EncoderLearningRateScale.ToString(CultureInfo.InvariantCulture),
            "train-count" => o.DataSource is null || args.GetInt(name) == o.DataSource.TrainCount ? null : $"{o.DataSource.TrainCount}",
            "val-count" => o.DataSource is null || args.GetInt(name) == o.DataSource.ValCount ? null : $"{o.DataSource.ValCount}",
            _ => "set when the run started", // encoder, pretrained, option: they only shape the freshly built model
        };
        return stored is null ? null : $"--{name} {given} (run: {stored})";
    }

    static int Fit(Trainer trainer, CliContext context)
    {
        var reason = TrainingConsole.Run(context, console =>
        {
            trainer.Progress = console.For(trainer.Identity.DisplayName);
            return trainer.Fit(context.Cancel);
        });
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(reason == StopReason.EarlyStopped ? "stopped early" : "done")}: {trainer.Epoch} epochs, best {trainer.Options.Monitor} {trainer.BestValue:F4} at epoch {trainer.BestEpoch}; checkpoints in {trainer.RunDir}"));
        return 0;
    }
}
