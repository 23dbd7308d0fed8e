using DepthKit.Models;
using DepthKit.Models.Pretrained;
using DepthKit.Notebooks.Display;
using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Notebooks;

/// <summary>The four-model experiment of notebooks 06-08: run once (06), reused by the notebooks after it.</summary>
public static class LessonRuns
{
    /// <summary>Where 06 writes <c>depthkit reproduce</c>'s outputs for this profile.</summary>
    public static string ReproduceFolder(NotebookProfile profile) => profile.RunFolder("reproduce");

    /// <summary>
    /// <see cref="Reproduction.Run"/> with the profile's reproduce settings (pretrained encoder weights as the CLI
    /// applies them), every model's curves drawn live on <paramref name="live"/>.
    /// </summary>
    public static ReproduceResult Reproduce(NotebookProfile profile, ExperimentData data, LiveTraining? live = null, Action<string>? log = null)
    {
        var p = profile.Reproduce;
        IProgress<TrainProgress>? current = null;
        return Reproduction.Run(p, data, ReproduceFolder(profile), Runtime.Device,
            initialize: (model, config) =>
            {
                current = live?.For(Architectures.Get(config.Name).DisplayName);
                if (p.Pretrained is not null && Architectures.Get(config.Name).Encoders.Count > 0) PretrainedEncoders.Load(model, p.Pretrained);
            },
            progress: new SyncProgress<TrainProgress>(x => current?.Report(x)), log: log);
    }

    /// <summary>
    /// The models 06 trained (best checkpoints), in the slides' order; an empty list when 06 has not run for this
    /// profile yet.
    /// </summary>
    public static IReadOnlyList<(string Name, DepthNet Model)> Trained(NotebookProfile profile)
    {
        var folder = Path.Combine(ReproduceFolder(profile), "checkpoints");
        var models = new List<(string, DepthNet)>();
        foreach (var architecture in profile.Reproduce.Models)
        {
            var runDir = Path.Combine(folder, architecture);
            if (!File.Exists(Path.Combine(runDir, Checkpoint.BestFile))) return [];
            var (model, info) = ModelFactory.LoadForInference(runDir, Runtime.Device);
            models.Add((info.Model.DisplayName, model));
        }
        return models;
    }

    /// <summary><see cref="Trained"/>, or a fresh <see cref="Reproduce"/> run when there is none yet.</summary>
    public static IReadOnlyList<(string Name, DepthNet Model)> TrainedOrTrain(NotebookProfile profile, ExperimentData data, LiveTraining? live = null)
    {
        var trained = Trained(profile);
        if (trained.Count > 0) return trained;
        Reproduce(profile, data, live);
        return Trained(profile);
    }
}
