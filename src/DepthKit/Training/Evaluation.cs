using DepthKit.Data;
using DepthKit.Losses;
using DepthKit.Metrics;
using DepthKit.Transforms;
using DataLoader = DepthKit.Data.DataLoader;
using static TorchSharp.torch;

namespace DepthKit.Training;

/// <summary>
/// Runs a model over a dataset and scores it, through the <see cref="DataLoader"/> like training: the model sees each
/// image resized to its input size by the training transform; the prediction is resized back (bilinear) to the ground
/// truth's own resolution, so metrics are at the dataset's resolution.
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
            int lossCount = 0, done = 0;
            foreach (var batch in new DataLoader(dataset, LoaderOptions(dataset, height, width, batchSize)).Epoch(0, cancel))
            {
                using var scope = NewDisposeScope();
                using var owned = batch;
                var rgb = batch.Rgb.to(device);
                var pred = (flipTta ? TestTimeFlip.Predict(x => model.call(x), rgb) : model.call(rgb)).to(float32).cpu();
                for (int i = 0; i < batch.Size; i++)
                {
                    // scored at the ground truth's own resolution, whatever size the model saw
                    var s = batch.Sources![i];
                    var gt = tensor(s.Depth, [1, 1, s.Height, s.Width]).nan_to_num(0, 0, 0);
                    var full = Resampling.Bilinear(pred[i].unsqueeze(0), s.Height, s.Width);
                    if (loss is not null)
                    {
                        double l = loss.Compute(full, gt).item<float>();
                        if (double.IsFinite(l)) { lossSum += l; lossCount++; }
                    }
                    accumulator.Add(full.data<float>().ToArray(), s.Height, s.Width, gt.data<float>().ToArray(), s.Height, s.Width);
                }
                done += batch.Size;
                progress?.Report((done, dataset.Count));
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

    /// <summary>
    /// The evaluation loader: every image in order, none dropped, resized for the model by the same transform
    /// training uses (<see cref="Resampling.Rgb"/>, nearest depth), each sample also kept as read for scoring.
    /// </summary>
    /// <remarks>height: model input height; 0 takes the first image's size for all</remarks>
    public static DataLoaderOptions LoaderOptions(IDepthDataset dataset, int height, int width, int batchSize)
    {
        if (height <= 0 || width <= 0)
        {
            var first = dataset.Get(0);
            (height, width) = (first.Height, first.Width);
        }
        return new DataLoaderOptions
        {
            BatchSize = batchSize, Shuffle = false, DropLast = false, Workers = 2, Prefetch = 2, KeepSources = true,
            Normalization = Normalization.Unit, Transform = new Transforms.Resize(height, width, RgbResize.Auto),
        };
    }
}
