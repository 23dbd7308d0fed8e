using DepthKit.Models;
using TorchSharp;

namespace DepthKit.Training;

/// <summary>Connects the model registry to training: identities for checkpoints, and rebuilding a model from one.</summary>
public static class ModelFactory
{
    /// <summary>The identity a checkpoint stores for a config.</summary>
    public static ModelIdentity Identity(ModelConfig config) =>
        new(config.Name, Architectures.Get(config.Name).DisplayName, config.ToJson());

    /// <summary>Builds the model a checkpoint identity describes (fresh weights), frozen as the options say.</summary>
    public static DepthNet Build(ModelIdentity identity, TrainOptions options)
    {
        var model = Architectures.Create(ModelConfig.FromJson(identity.ConfigJson));
        if (options.FreezeEncoder) model.FreezeEncoder();
        return model;
    }

    /// <summary>
    /// Loads a trained model for inference from a run folder (best.ckpt, else last.ckpt), a checkpoint file or the
    /// name of a bundled model (<see cref="BundledModels"/>: <c>default</c>).
    /// </summary>
    public static (DepthNet Model, CheckpointInfo Info) LoadForInference(string runDirOrFile, torch.Device? device = null)
    {
        var path = Checkpoint.Resolve(BundledModels.Resolve(runDirOrFile), Checkpoint.BestFile);
        var info = Checkpoint.ReadInfo(path);
        var model = Architectures.Create(ModelConfig.FromJson(info.Model.ConfigJson));
        Checkpoint.Load(path, model, info.Model);
        // one NaN or infinite weight makes every prediction NaN: eval would score 0 and predict write empty maps
        foreach (var (name, tensor) in model.state_dict())
        {
            using var finite = tensor.isfinite().all();
            if (!finite.item<bool>())
                throw new DepthKitCheckpointException(path, $"holds NaN or infinite weights ({name}): every prediction would be NaN; use another checkpoint");
        }
        if (device is not null) model.to(device);
        model.eval();
        return (model, info);
    }
}
