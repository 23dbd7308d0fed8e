namespace DepthKit.Training;

/// <summary>
/// Learning rate as a pure function of the global step, so a resumed run needs no scheduler object: the step
/// number in the checkpoint is the whole scheduler state.
/// </summary>
public static class LrSchedule
{
    /// <param name="options">base rate, schedule name and its parameters</param>
    /// <param name="step">global optimiser step, 0-based</param>
    /// <param name="stepsPerEpoch">optimiser steps in one epoch</param>
    public static double At(TrainOptions options, long step, int stepsPerEpoch)
    {
        double lr = options.LearningRate;
        long total = Math.Max(1L, (long)options.Epochs * stepsPerEpoch);
        double t = Math.Clamp((double)step / total, 0, 1);
        return options.Schedule switch
        {
            "constant" => lr,
            // lr * gamma^floor(epoch / step_epochs)
            "step" => lr * Math.Pow(options.StepGamma, step / Math.Max(1, stepsPerEpoch) / Math.Max(1, options.StepEpochs)),
            // lr * (1 + cos(pi t)) / 2
            "cosine" => lr * 0.5 * (1 + Math.Cos(Math.PI * t)),
            "onecycle" => OneCycle(lr, t, options.WarmupFraction),
            _ => throw new ArgumentException($"unknown schedule '{options.Schedule}'"),
        };
    }

    /// <summary>PyTorch's OneCycleLR (cosine annealing, div_factor 25, final_div_factor 1e4).</summary>
    static double OneCycle(double maxLr, double t, double warmup)
    {
        double initial = maxLr / 25, final = initial / 1e4;
        if (t < warmup) return Cosine(initial, maxLr, t / warmup);
        return Cosine(maxLr, final, (t - warmup) / Math.Max(1e-12, 1 - warmup));
    }

    /// <summary>From a to b along half a cosine as u goes 0 to 1.</summary>
    static double Cosine(double a, double b, double u) => b + (a - b) * 0.5 * (1 + Math.Cos(Math.PI * u));
}
