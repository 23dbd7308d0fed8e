using DepthKit.Losses;
using DepthKit.Metrics;
using static TorchSharp.torch;

namespace DepthKit.Labs.Checks;

/// <summary>The berHu loss of Laina et al. (FCRN), masked, with its threshold detached.</summary>
public sealed class BerHuCheck : LabCheck<Func<Tensor, Tensor, Tensor>>
{
    public override string Id => "berhu";
    public override string Lab => "07-berhu-and-scale";
    public override string Title => "The berHu loss over the valid pixels";
    public override string Signature => "Tensor BerHu(Tensor pred, Tensor gt)";

    static Tensor Variant(Tensor pred, Tensor gt, bool maskC = true, bool detach = true, bool huber = false, bool plusC = true, bool maskMean = true)
    {
        var valid = gt.gt(0);
        var r = (pred - gt).abs();
        var c = 0.2 * (maskC ? r.masked_select(valid) : r).max();
        if (detach) c = c.detach();
        var big = plusC ? (r.square() + c.square()) / (2 * c) : r.square() / (2 * c);
        var b = huber ? where(r <= c, r.square() / (2 * c), r) : where(r <= c, r, big);
        return maskMean ? b.masked_select(valid).mean() : b.mean();
    }

    protected override string Evaluate(Func<Tensor, Tensor, Tensor> student)
    {
        var (pred0, gt) = MetricInputs.Pair(81);
        // two invalid pixels get a far-off prediction, so an unmasked threshold c is visibly larger
        pred0 = pred0.clone();
        var invalidIdx = gt.flatten().le(0).nonzero().flatten();
        pred0.view(-1)[invalidIdx[..2]] = tensor(40f);
        var refPred = pred0.clone().requires_grad_(true);
        var expected = new BerHuLoss().Compute(refPred, gt);
        expected.backward();
        var pred = pred0.clone().requires_grad_(true);
        var got = Call(() => student(pred, gt.clone()));
        if (got is null) throw Fail("you returned null: return the loss as a scalar tensor");
        if (got.numel() != 1) throw Fail($"the loss has shape {Compare.Shape(got)}: return one number (the mean), a scalar tensor");
        using (no_grad())
            Compare.Tensors(got.reshape(1), expected.reshape(1), 1e-5, 1e-4, "your loss",
            [
                new("c comes from every pixel's residual: take c = 0.2 * max |r| over the valid pixels only",
                    () => Variant(pred0, gt, maskC: false).reshape(1)),
                new("that is the Huber loss (L2 for small residuals, L1 for large ones); berHu is the reverse: L1 up to c, then (r^2 + c^2) / (2c)",
                    () => Variant(pred0, gt, huber: true).reshape(1)),
                new("the L2 branch is (r^2 + c^2) / (2c): without + c^2 the loss jumps at |r| = c", () => Variant(pred0, gt, plusC: false).reshape(1)),
                new("mask missing: the mean runs over every pixel; average over the valid pixels (gt > 0) only", () => Variant(pred0, gt, maskMean: false).reshape(1)),
                new("that is the plain L1 loss: residuals above c = 0.2 * max |r| take the L2 branch", () => (pred0 - gt).abs().masked_select(gt.gt(0)).mean().reshape(1)),
            ]);
        if (!got.requires_grad) throw Fail("the loss is not connected to pred: do not detach pred or call .item() inside the loss");
        got.backward();
        if (pred.grad is null) throw Fail("no gradient reached pred: compute the loss from pred itself");
        var g = pred.grad;
        var detachless = pred0.clone().requires_grad_(true);
        Variant(detachless, gt, detach: false).backward();
        using (no_grad())
        {
            if (Compare.Close(g, detachless.grad!, 1e-6, 1e-4) && !Compare.Close(g, refPred.grad!, 1e-6, 1e-4))
                throw Fail("the value is right but the gradient is not: c is a constant of the step, so detach it (c.detach())");
            Compare.Tensors(g, refPred.grad!, 1e-6, 1e-4, "the gradient of your loss",
                nanHint: "the invalid pixels must get a zero gradient: select the valid pixels before any division");
        }
        return $"loss {expected.item<float>():F5} and its gradient match the kit's BerHuLoss (tolerance 1e-5)";
    }
}

/// <summary>Per-image median scaling over the valid pixels.</summary>
public sealed class MedianScaleCheck : LabCheck<Func<Tensor, Tensor, Tensor>>
{
    public override string Id => "median-scale";
    public override string Lab => "07-berhu-and-scale";
    public override string Title => "Median scaling: pred * median(gt) / median(pred), per image, over the valid pixels";
    public override string Signature => "Tensor MedianScale(Tensor pred, Tensor gt)";

    static double Median(Tensor values) => DepthErrors.Median(values.to(ScalarType.Float64).data<double>().ToArray());

    /// <summary>torch.median's convention: the lower of the two middle values for an even count.</summary>
    static double LowerMedian(Tensor values) => values.to(ScalarType.Float64).median().item<double>();

    static Tensor Scaled(Tensor pred, Tensor gt, Func<Tensor, Tensor, Tensor, double> scale) =>
        cat(Enumerable.Range(0, (int)pred.shape[0]).Select(i => pred[i..(i + 1)] * scale(pred[i], gt[i], gt[i].gt(0))).ToArray(), 0);

    protected override string Evaluate(Func<Tensor, Tensor, Tensor> student)
    {
        using var noGrad = no_grad();
        // odd valid counts per image: both median conventions (mean of the middle two, lower middle) agree
        manual_seed(91);
        var gt = rand(2, 1, 5, 7) * 7 + 0.5;
        gt = gt.masked_fill(rand(2, 1, 5, 7).lt(0.2), 0);
        for (int i = 0; i < 2; i++)
            if (gt[i].gt(0).sum().item<long>() % 2 == 0)
                gt[i, 0, 0, 0] = gt[i, 0, 0, 0].item<float>() > 0 ? tensor(0f) : tensor(3f);
        var pred = (gt.clamp_min(1) * (randn(2, 1, 5, 7) * 0.1).exp()).where(gt.gt(0), rand(2, 1, 5, 7)) * tensor(new float[] { 0.3f, 2.5f }).reshape(2, 1, 1, 1);
        var expected = Scaled(pred, gt, (p, g, v) => Median(g.masked_select(v)) / Median(p.masked_select(v)));
        var got = Call(() => student(pred.clone(), gt.clone()));
        var allValid = gt.gt(0);
        Compare.Tensors(got, expected, 1e-5, 1e-4, "the scaled prediction",
        [
            .. new Func<Tensor, double>[] { Median, LowerMedian }.SelectMany(median => new Mistake<Tensor>[]
            {
                new("one scale for the whole batch: median scaling is per image (each image has its own unknown scale)",
                    () => pred * (median(gt.masked_select(allValid)) / median(pred.masked_select(allValid)))),
                new("the medians include the invalid pixels (gt = 0): take both medians over the valid pixels only",
                    () => Scaled(pred, gt, (p, g, v) => median(g.flatten()) / median(p.flatten()))),
            }),
            new("the median of pred includes the invalid pixels: take both medians over the same valid pixels",
                () => Scaled(pred, gt, (p, g, v) => Median(g.masked_select(v)) / Median(p.flatten()))),
            new("the ratio is upside down: multiply pred by median(gt) / median(pred)",
                () => Scaled(pred, gt, (p, g, v) => Median(p.masked_select(v)) / Median(g.masked_select(v)))),
            new("that is mean scaling; the task uses medians (robust to a few wild pixels)",
                () => Scaled(pred, gt, (p, g, v) => g.masked_select(v).mean().item<float>() / p.masked_select(v).mean().item<float>())),
        ]);
        return "matches per-image median scaling over the valid pixels (2 images at scales 0.3 and 2.5, tolerance 1e-5)";
    }
}
