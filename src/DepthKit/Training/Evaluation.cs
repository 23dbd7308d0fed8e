using DepthKit.Data;
using DepthKit.Losses;
using DepthKit.Metrics;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// Runs a model over a dataset and scores it. The model sees each image resized to its input size; the prediction
/// is resized back (bilinear) to the ground truth's own resolution, so metrics are at the dataset's resolution.
/// </summary>
public static class Evaluation
{
    /// <summary>Metrics (and the mean loss when <paramref name="loss"/> is given) of a model on a dataset.</summary>
    /// <remarks>height: model input height (0: the sample's)</remarks>
    /// <remarks>flipTta: average with the un-mirrored prediction of the mirrored image</remarks>
    public static (DepthMetrics Metrics, double Loss) Evaluate(nn.Module<Tensor, Tensor> model, IDepthDataset dataset, EvalOptions options,
        int height, int width, int batchSize = 8, bool flipTta = false, Device? device = null, DepthLoss? loss = null,
        CancellationToken cancel = default, IProgress<(int Done, int Total)>? progress = null)
    {
        if (dataset.Count == 0) throw new ArgumentException($"{dataset.Name} has no images to evaluate");
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1 (got {batchSize})");
        device ??= CPU;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var forwardOnly = Inference.Region();
            var accumulator = new MetricAccumulator(options);
            double lossSum = 0;
            int lossCount = 0;
            for (int start = 0; start < dataset.Count; start += batchSize)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(start, Math.Min(batchSize, dataset.Count - start)).ToArray();
                var samples = new DepthSample[indices.Length];
                Parallel.For(0, samples.Length, i => samples[i] = dataset.Get(indices[i]));
                int h = height > 0 ? height : samples[0].Height, w = width > 0 ? width : samples[0].Width;
                var rgb = stack(samples.Select(s => Batches.ImageTensor(s.Rgb, s.Height, s.Width, h, w))).to(device);
                var pred = flipTta ? TestTimeFlip.Predict(x => model.call(x), rgb) : model.call(rgb);
                pred = pred.to(float32).cpu();
                for (int i = 0; i < samples.Length; i++)
                {
                    var s = samples[i];
                    var p = pred[i].unsqueeze(0);
                    var gt = tensor(s.Depth, [1, 1, s.Height, s.Width]).nan_to_num(0, 0, 0);
                    var full = Resize(p, s.Height, s.Width);
                    if (loss is not null)
                    {
                        double l = loss.Compute(full, gt).item<float>();
                        if (double.IsFinite(l)) { lossSum += l; lossCount++; }
                    }
                    accumulator.Add(full.data<float>().ToArray(), s.Height, s.Width, gt.data<float>().ToArray(), s.Height, s.Width);
                }
                progress?.Report((start + indices.Length, dataset.Count));
            }
            var result = accumulator.Result();
            // with no valid pixel every metric is NaN and the loss 0: a validation split like that would make every
            // epoch look equally good and the test split score nothing, silently
            if (result.Images == 0)
                throw new DepthKitDataException(dataset.Name, FormattableString.Invariant(
                    $"none of its {dataset.Count} images has a valid depth pixel in ({options.MinDepth}, {options.MaxDepth}) m inside the {options.Crop.ToString().ToLowerInvariant()} crop; check the depth files, their scale and the crop"));
            return (result, lossCount == 0 ? double.NaN : lossSum / lossCount);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>A depth map [B,1,h,w] resized (bilinear) to height x width; returned as is when it already fits.</summary>
    public static Tensor Resize(Tensor depth, int height, int width) =>
        depth.shape[^2] == height && depth.shape[^1] == width ? depth
            : nn.functional.interpolate(depth, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
}
