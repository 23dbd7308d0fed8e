using System.Globalization;
using DepthKit.Models;
using DepthKit.Training;

namespace DepthKit.Cli.Commands;

/// <summary><c>depthkit train</c>: trains one model, checkpointing each epoch; <c>--resume</c> continues a run exactly.</summary>
public sealed class TrainCommand : ICliCommand
{
    public string Name => "train";
    public string Summary => "Train one depth model (checkpoints every epoch and on Ctrl+C; --resume continues exactly)";
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", $"architecture: {string.Join(", ", Architectures.Names)}"),
        new("data", "synth (SynthRooms rendered on the fly) or a path to NYU Depth V2 / a synth folder"),
        new("out", "run folder for checkpoints and history"),
        new("size", "input size HxW", "96x128"),
        new("epochs", "number of epochs (default 10; with --resume: a new total)"),
        new("batch", "batch size", "8"),
        new("lr", "learning rate", "0.001"),
        new("loss", "l1, l2, berhu, silog, silog-bts, gradient, ssim, densedepth", "l1"),
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
        new("option", "architecture option key=value, comma-separated (e.g. upsampling=bilinear,decoder_width=128)"),
        new("pretrained", "encoder weights: resnet18-imagenet or a torchvision .pth/.safetensors file"),
        new("resume", "continue the run in this folder (model, options and data come from its checkpoint)"),
    ];

    public int Run(CliArgs args, CliContext context)
    {
        var runtime = context.InitTorch(args);
        Trainer trainer;
        ExperimentData data;
        if (args.GetOrNull("resume") is { } resume)
        {
            var info = Checkpoint.ReadInfo(Checkpoint.Resolve(resume));
            var o = info.Options;
            data = DataChoice.Open(args.GetOrNull("data") ?? o.Data, o.Height, o.Width, args.GetInt("train-count"), args.GetInt("val-count"), 0, o.Seed);
            int? epochs = args.GetOrNull("epochs") is null ? null : args.GetInt("epochs");
            trainer = Trainer.Resume(resume, ModelFactory.Build, data.Train, data.Val, runtime.Device, epochs);
            context.Out.WriteLine($"resuming {info.Model.DisplayName} in {resume} at epoch {trainer.Epoch}, step {trainer.Step} of {trainer.TotalSteps}");
        }
        else
        {
            var modelName = args.GetOrNull("model") ?? throw new CliUsageException("--model is required (or --resume RUN_DIR)");
            var dataSpec = args.GetOrNull("data") ?? throw new CliUsageException("--data is required (synth or a path)");
            var outDir = args.GetOrNull("out") ?? throw new CliUsageException("--out is required (the run folder)");
            var (h, w) = args.GetSize("size");
            var arch = Architectures.Get(modelName);
            var options = new TrainOptions
            {
                Epochs = args.GetOrNull("epochs") is null ? 10 : args.GetInt("epochs"),
                BatchSize = args.GetInt("batch"), LearningRate = args.GetDouble("lr"), Loss = args.Get("loss"),
                Optimizer = args.GetChoice("optimizer", "adam", "adamw", "sgd"), Schedule = args.GetChoice("schedule", "constant", "step", "cosine", "onecycle"),
                WeightDecay = args.GetDouble("weight-decay"), GradClipNorm = args.GetDouble("clip"), EarlyStopPatience = args.GetInt("patience"),
                Monitor = args.GetChoice("monitor", "val_loss", "rmse", "abs_rel", "d1"), Seed = args.GetInt("seed"),
                FreezeEncoder = args.Flag("freeze-encoder"), EncoderLearningRateScale = args.GetDouble("encoder-lr-scale"),
                FlipAugmentation = !args.Flag("no-augment"), Height = h, Width = w, Data = dataSpec,
                Eval = new EvalSettings { Crop = "none" },
            }.Validated();
            if (options.FreezeEncoder && arch.Encoders.Count == 0 && args.GetOrNull("pretrained") is null)
                context.Error.WriteLine($"note: {arch.DisplayName} has its own encoder; freezing it leaves only the decoder to train");
            data = DataChoice.Open(dataSpec, h, w, args.GetInt("train-count"), args.GetInt("val-count"), 0, options.Seed, context.Out.WriteLine);
            Trainer.Seed(options.Seed);
            var config = new ModelConfig(arch.Name, arch.Encoders.Count == 0 ? null : PretrainedWeights.EncoderFor(args.GetOrNull("pretrained"), args.GetOrNull("encoder")), h, w,
                ArchitectureOptions.Parse(args.GetOrNull("option")));
            var model = Experiment.BuildModel(config, args.GetOrNull("pretrained"), options.FreezeEncoder);
            trainer = new Trainer(model, ModelFactory.Identity(model.Config), data.Train, data.Val, options, runtime.Device, outDir);
            context.Out.WriteLine($"training {arch.DisplayName} on {data.Description}; {trainer.TotalSteps} steps, run folder {outDir}");
        }
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
