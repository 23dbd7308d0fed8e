using DepthKit.Data;
using DepthKit.Labs;
using DepthKit.Losses;
using DepthKit.Models;
using DepthKit.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace DepthKit.Tests.Labs;

/// <summary>Answers to every lab task as a student would write them: right ones, and the usual wrong ones.</summary>
static class LabAnswers
{
    // ---- 01 transforms
    public static DepthSample FlipPair(DepthSample s)
    {
        var rgb = new byte[s.Rgb.Length];
        var depth = new float[s.Depth.Length];
        for (int y = 0; y < s.Height; y++)
            for (int x = 0; x < s.Width; x++)
            {
                int to = y * s.Width + x, from = y * s.Width + (s.Width - 1 - x);
                depth[to] = s.Depth[from];
                for (int c = 0; c < 3; c++) rgb[3 * to + c] = s.Rgb[3 * from + c];
            }
        return s with { Rgb = rgb, Depth = depth };
    }

    public static DepthSample FlipRgbOnly(DepthSample s) => FlipPair(s) with { Depth = s.Depth };

    public static DepthSample FlipInPlace(DepthSample s)
    {
        var f = FlipPair(s);
        f.Rgb.CopyTo(s.Rgb, 0);
        f.Depth.CopyTo(s.Depth, 0);
        return s;
    }

    public static DepthSample RandomFlip(DepthSample s, Random random) => random.NextDouble() < 0.5 ? FlipPair(s) : s;

    public static DepthSample RandomFlipTwoDraws(DepthSample s, Random random)
    {
        var f = FlipPair(s);
        return s with { Rgb = random.NextDouble() < 0.5 ? f.Rgb : s.Rgb, Depth = random.NextDouble() < 0.5 ? f.Depth : s.Depth };
    }

    public static DepthSample RandomFlipShared(DepthSample s, Random random) => Random.Shared.NextDouble() < 0.5 ? FlipPair(s) : s;

    public static DataLoader MakeLoader(IDepthDataset data) =>
        new(data, new DataLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 7, Transform = new HorizontalFlip(0.5), Workers = 0 });

    public static DataLoader MakeLoaderNoShuffle(IDepthDataset data) =>
        new(data, new DataLoaderOptions { BatchSize = 4, Shuffle = false, Seed = 7, Transform = new HorizontalFlip(0.5) });

    // ---- 02 batch normalization
    public static Tensor BatchNormTrain(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        var mean = x.mean([0, 2, 3], keepdim: true);
        var variance = x.var([0, 2, 3], unbiased: false, keepdim: true);
        return (x - mean) / (variance + eps).sqrt() * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1);
    }

    public static Tensor BatchNormPerImage(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        var mean = x.mean([1, 2, 3], keepdim: true);
        var variance = x.var([1, 2, 3], unbiased: false, keepdim: true);
        return (x - mean) / (variance + eps).sqrt() * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1);
    }

    public static Tensor BatchNormUnbiased(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        var mean = x.mean([0, 2, 3], keepdim: true);
        var variance = x.var([0, 2, 3], unbiased: true, keepdim: true);
        return (x - mean) / (variance + eps).sqrt() * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1);
    }

    public static Tensor BatchNormNoEps(Tensor x, Tensor gamma, Tensor beta, double eps) => BatchNormTrain(x, gamma, beta, 0);

    public static Tensor BatchNormNoReshape(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        var mean = x.mean([0, 2, 3], keepdim: true);
        var variance = x.var([0, 2, 3], unbiased: false, keepdim: true);
        return (x - mean) / (variance + eps).sqrt() * gamma + beta;
    }

    public static (Tensor Mean, Tensor Var) UpdateRunning(Tensor runningMean, Tensor runningVar, Tensor x, double momentum) =>
        ((1 - momentum) * runningMean + momentum * x.mean([0, 2, 3]),
         (1 - momentum) * runningVar + momentum * x.var([0, 2, 3], unbiased: true));

    public static (Tensor Mean, Tensor Var) UpdateRunningBiased(Tensor runningMean, Tensor runningVar, Tensor x, double momentum) =>
        ((1 - momentum) * runningMean + momentum * x.mean([0, 2, 3]),
         (1 - momentum) * runningVar + momentum * x.var([0, 2, 3], unbiased: false));

    public static (Tensor Mean, Tensor Var) UpdateRunningReversed(Tensor runningMean, Tensor runningVar, Tensor x, double momentum) =>
        (momentum * runningMean + (1 - momentum) * x.mean([0, 2, 3]),
         momentum * runningVar + (1 - momentum) * x.var([0, 2, 3], unbiased: true));

    public static Tensor BatchNormEval(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, double eps) =>
        (x - runningMean.reshape(1, -1, 1, 1)) / (runningVar.reshape(1, -1, 1, 1) + eps).sqrt() * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1);

    public static Tensor BatchNormEvalWithBatchStats(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, double eps) =>
        BatchNormTrain(x, gamma, beta, eps);

    // ---- 03 residual blocks
    public static Tensor IdentityForward(BottleneckLayers l, Tensor x)
    {
        var y = nn.functional.relu(l.Bn1.call(l.Conv1.call(x)));
        y = nn.functional.relu(l.Bn2.call(l.Conv2.call(y)));
        y = l.Bn3.call(l.Conv3.call(y));
        return nn.functional.relu(y + x);
    }

    public static Tensor IdentitySkipAfterRelu(BottleneckLayers l, Tensor x)
    {
        var y = nn.functional.relu(l.Bn1.call(l.Conv1.call(x)));
        y = nn.functional.relu(l.Bn2.call(l.Conv2.call(y)));
        y = l.Bn3.call(l.Conv3.call(y));
        return nn.functional.relu(y) + x;
    }

    public static Tensor IdentityNoSkip(BottleneckLayers l, Tensor x)
    {
        var y = nn.functional.relu(l.Bn1.call(l.Conv1.call(x)));
        y = nn.functional.relu(l.Bn2.call(l.Conv2.call(y)));
        return nn.functional.relu(l.Bn3.call(l.Conv3.call(y)));
    }

    public static Tensor ConvolutionalForward(BottleneckLayers l, Tensor x)
    {
        var y = nn.functional.relu(l.Bn1.call(l.Conv1.call(x)));
        y = nn.functional.relu(l.Bn2.call(l.Conv2.call(y)));
        y = l.Bn3.call(l.Conv3.call(y));
        return nn.functional.relu(y + l.Downsample!.call(x));
    }

    public static Tensor ConvolutionalIdentityShortcut(BottleneckLayers l, Tensor x) => IdentityForward(l, x);

    public static long BottleneckParameters(long inChannels, long planes, bool projection)
    {
        long outChannels = 4 * planes;
        long convs = inChannels * planes + 9 * planes * planes + planes * outChannels;
        long bn = 2 * (planes + planes + outChannels);
        if (projection) { convs += inChannels * outChannels; bn += 2 * outChannels; }
        return convs + bn;
    }

    public static long BottleneckParametersNoBn(long inChannels, long planes, bool projection)
    {
        long outChannels = 4 * planes;
        return inChannels * planes + 9 * planes * planes + planes * outChannels + (projection ? inChannels * outChannels : 0);
    }

    public static long BottleneckParametersWithBias(long inChannels, long planes, bool projection) =>
        BottleneckParameters(inChannels, planes, projection) + planes + planes + 4 * planes + (projection ? 4 * planes : 0);

    // ---- 04 up-projection
    public static Tensor Unpool(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var result = zeros([b, c, 2 * h, 2 * w], dtype: x.dtype);
        result[.., .., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2)] = x;
        return result;
    }

    public static Tensor UnpoolBottomRight(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var result = zeros([b, c, 2 * h, 2 * w], dtype: x.dtype);
        result[.., .., TensorIndex.Slice(1, null, 2), TensorIndex.Slice(1, null, 2)] = x;
        return result;
    }

    public static Tensor UnpoolNearest(Tensor x) => x.repeat_interleave(2, dim: 2).repeat_interleave(2, dim: 3);

    public static Tensor UpProjectionForward(UpProjectionLayers l, Tensor x)
    {
        var u = Unpool(x);
        var branch = l.Bn2.call(l.Conv2.call(nn.functional.relu(l.Bn1.call(l.Conv1.call(u)))));
        return nn.functional.relu(branch + l.ProjectionBn.call(l.Projection.call(u)));
    }

    public static Tensor UpProjectionNoUnpool(UpProjectionLayers l, Tensor x)
    {
        var branch = l.Bn2.call(l.Conv2.call(nn.functional.relu(l.Bn1.call(l.Conv1.call(x)))));
        return nn.functional.relu(branch + l.ProjectionBn.call(l.Projection.call(x)));
    }

    public static Tensor UpProjectionWrongCorner(UpProjectionLayers l, Tensor x)
    {
        var u = UnpoolBottomRight(x);
        var branch = l.Bn2.call(l.Conv2.call(nn.functional.relu(l.Bn1.call(l.Conv1.call(u)))));
        return nn.functional.relu(branch + l.ProjectionBn.call(l.Projection.call(u)));
    }

    public static Tensor UpProjectionReluBeforeSum(UpProjectionLayers l, Tensor x)
    {
        var u = Unpool(x);
        var branch = l.Bn2.call(l.Conv2.call(nn.functional.relu(l.Bn1.call(l.Conv1.call(u)))));
        return nn.functional.relu(branch) + l.ProjectionBn.call(l.Projection.call(u));
    }

    // ---- 05 masked metrics
    public static double Delta1(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        var p = pred.masked_select(valid);
        var g = gt.masked_select(valid);
        return maximum(p / g, g / p).lt(1.25).to(ScalarType.Float64).mean().item<double>();
    }

    public static double Delta1Unmasked(Tensor pred, Tensor gt) =>
        maximum(pred / gt, gt / pred).lt(1.25).to(ScalarType.Float64).mean().item<double>();

    public static double AbsRel(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        var p = pred.masked_select(valid).to(ScalarType.Float64);
        var g = gt.masked_select(valid).to(ScalarType.Float64);
        return ((p - g).abs() / g).mean().item<double>();
    }

    public static double AbsRelUnmasked(Tensor pred, Tensor gt) => ((pred - gt).abs() / gt).mean().item<float>();

    public static double AbsRelUnmaskedEpsilon(Tensor pred, Tensor gt) => ((pred - gt).abs() / (gt + 1e-6)).mean().item<float>();

    public static double AbsRelAllPixels(Tensor pred, Tensor gt) =>
        ((pred - gt).abs() / gt).masked_fill(gt.le(0), 0).sum().item<float>() / gt.numel();

    public static double Rmse(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        var e = (pred.masked_select(valid) - gt.masked_select(valid)).to(ScalarType.Float64);
        return e.square().mean().sqrt().item<double>();
    }

    public static double RmseNoSqrt(Tensor pred, Tensor gt) => Math.Pow(Rmse(pred, gt), 2);

    public static double SlidesAbsRel(Tensor pred, Tensor gt) =>
        ((pred - gt).abs().to(ScalarType.Float64) / (gt.to(ScalarType.Float64) + 1e-6)).mean().item<double>();

    public static double InvalidShare(Tensor pred, Tensor gt)
    {
        var terms = (pred - gt).abs().to(ScalarType.Float64) / (gt.to(ScalarType.Float64) + 1e-6);
        return (terms.masked_select(gt.le(0)).sum() / terms.sum()).item<double>();
    }

    public static double InvalidPixelFraction(Tensor pred, Tensor gt) => gt.le(0).to(ScalarType.Float64).mean().item<double>();

    // ---- 06 training loop
    public static double TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = new L1Loss().Compute(model.call(batch.Rgb), batch.Depth, batch.Valid);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    public static double TrainStepNoZeroGrad(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)
    {
        using var scope = NewDisposeScope();
        var loss = new L1Loss().Compute(model.call(batch.Rgb), batch.Depth, batch.Valid);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    public static double TrainStepNoScope(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)
    {
        optimizer.zero_grad();
        var loss = new L1Loss().Compute(model.call(batch.Rgb), batch.Depth, batch.Valid);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    public static double TrainStepUnmasked(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = (model.call(batch.Rgb) - batch.Depth).abs().mean();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    public static double TrainStepNoStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = new L1Loss().Compute(model.call(batch.Rgb), batch.Depth, batch.Valid);
        loss.backward();
        return loss.item<float>();
    }

    public static List<double> TrainEpochs(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs)
    {
        var curve = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var losses = new List<double>();
            foreach (var batch in loader.Epoch(epoch))
                using (batch) losses.Add(TrainStep(model, optimizer, batch));
            curve.Add(losses.Average());
        }
        return curve;
    }

    public static List<double> TrainEpochsSameOrder(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs)
    {
        var curve = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var losses = new List<double>();
            foreach (var batch in loader.Epoch(0))
                using (batch) losses.Add(TrainStep(model, optimizer, batch));
            curve.Add(losses.Average());
        }
        return curve;
    }

    public static List<double> TrainEpochsLeaky(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs)
    {
        var curve = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var losses = new List<double>();
            foreach (var batch in loader.Epoch(epoch)) losses.Add(TrainStep(model, optimizer, batch));
            curve.Add(losses.Average());
        }
        return curve;
    }

    public static List<double> TrainEpochsLastLoss(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs)
    {
        var curve = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double last = 0;
            foreach (var batch in loader.Epoch(epoch))
                using (batch) last = TrainStep(model, optimizer, batch);
            curve.Add(last);
        }
        return curve;
    }

    // ---- 07 berHu and median scaling
    public static Tensor BerHu(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        var r = (pred.masked_select(valid) - gt.masked_select(valid)).abs();
        var c = (0.2 * r.max()).detach();
        return where(r <= c, r, (r.square() + c.square()) / (2 * c)).mean();
    }

    public static Tensor BerHuUnmaskedC(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        var c = (0.2 * (pred - gt).abs().max()).detach();
        var r = (pred.masked_select(valid) - gt.masked_select(valid)).abs();
        return where(r <= c, r, (r.square() + c.square()) / (2 * c)).mean();
    }

    public static Tensor BerHuAttachedC(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        var r = (pred.masked_select(valid) - gt.masked_select(valid)).abs();
        var c = 0.2 * r.max();
        return where(r <= c, r, (r.square() + c.square()) / (2 * c)).mean();
    }

    public static Tensor MedianScale(Tensor pred, Tensor gt)
    {
        var images = new List<Tensor>();
        for (long i = 0; i < pred.shape[0]; i++)
        {
            var valid = gt[i].gt(0);
            var scale = gt[i].masked_select(valid).median() / pred[i].masked_select(valid).median();
            images.Add(pred[i] * scale);
        }
        return stack(images);
    }

    public static Tensor MedianScaleBatch(Tensor pred, Tensor gt)
    {
        var valid = gt.gt(0);
        return pred * (gt.masked_select(valid).median() / pred.masked_select(valid).median());
    }
}
