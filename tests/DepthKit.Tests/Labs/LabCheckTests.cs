using DepthKit.Labs;
using DepthKit.Labs.Checks;

namespace DepthKit.Tests.Labs;

/// <summary>Every check passes a right answer, reports a stub as not done, and names the mistake in a wrong answer.</summary>
// the checks seed torch's global generator before building their reference models, as a notebook cell does; run alone,
// a test on another thread drawing from that generator cannot shift the weights between the reference and the answer
[Collection(nameof(DepthKit.Tests.Models.GlobalTorchSeed))]
public class LabCheckTests
{
    public static TheoryData<string, Delegate> RightAnswers => new()
    {
        { "flip-pair", LabAnswers.FlipPair },
        { "random-flip", LabAnswers.RandomFlip },
        { "loader", LabAnswers.MakeLoader },
        { "bn-forward", LabAnswers.BatchNormTrain },
        { "bn-running", LabAnswers.UpdateRunning },
        { "bn-eval", LabAnswers.BatchNormEval },
        { "identity-block", LabAnswers.IdentityForward },
        { "conv-block", LabAnswers.ConvolutionalForward },
        { "block-params", LabAnswers.BottleneckParameters },
        { "unpool", LabAnswers.Unpool },
        { "up-projection", LabAnswers.UpProjectionForward },
        { "delta1", LabAnswers.Delta1 },
        { "absrel", LabAnswers.AbsRel },
        { "rmse", LabAnswers.Rmse },
        { "slides-absrel", LabAnswers.SlidesAbsRel },
        { "invalid-share", LabAnswers.InvalidShare },
        { "train-step", LabAnswers.TrainStep },
        { "train-loop", LabAnswers.TrainEpochs },
        { "berhu", LabAnswers.BerHu },
        { "median-scale", LabAnswers.MedianScale },
    };

    [Theory]
    [MemberData(nameof(RightAnswers))]
    public void RightAnswerPasses(string task, Delegate answer)
    {
        var result = Lab.Run(task, answer);
        Assert.True(result.Passed, result.Describe());
        Assert.True(result.Seconds < 30, $"{task} took {result.Seconds} s");
    }

    [Fact]
    public void EveryCheckHasARightAnswerHere() =>
        Assert.Equal(CheckCatalog.All.Select(c => c.Id).Order(), RightAnswers.Select(r => (string)r[0]).Order());

    public static TheoryData<string, Delegate, string> WrongAnswers => new()
    {
        { "flip-pair", LabAnswers.FlipRgbOnly, "only the RGB image is flipped" },
        { "flip-pair", LabAnswers.FlipInPlace, "you changed the input sample" },
        { "random-flip", LabAnswers.RandomFlipTwoDraws, "only one of RGB and depth was flipped" },
        { "random-flip", LabAnswers.RandomFlipShared, "draw only from the `random` you are given" },
        { "loader", LabAnswers.MakeLoaderNoShuffle, "not shuffled" },
        { "bn-forward", LabAnswers.BatchNormPerImage, "wrong axes: you took one mean per image" },
        { "bn-forward", LabAnswers.BatchNormUnbiased, "unbiased variance" },
        { "bn-forward", LabAnswers.BatchNormNoEps, "eps" },
        { "bn-forward", LabAnswers.BatchNormNoReshape, "reshape them to [1, C, 1, 1]" },
        { "bn-running", LabAnswers.UpdateRunningBiased, "unbiased batch variance" },
        { "bn-running", LabAnswers.UpdateRunningReversed, "momentum the wrong way round" },
        { "bn-eval", LabAnswers.BatchNormEvalWithBatchStats, "eval mode ignored" },
        { "identity-block", LabAnswers.IdentitySkipAfterRelu, "added after the final ReLU" },
        { "identity-block", LabAnswers.IdentityNoSkip, "no skip connection" },
        { "conv-block", LabAnswers.ConvolutionalIdentityShortcut, "its shortcut is Downsample(x)" },
        { "block-params", LabAnswers.BottleneckParametersNoBn, "BatchNorm layers are missing" },
        { "block-params", LabAnswers.BottleneckParametersWithBias, "no bias" },
        { "unpool", LabAnswers.UnpoolBottomRight, "bottom-right corner" },
        { "unpool", LabAnswers.UnpoolNearest, "nearest-neighbour" },
        { "up-projection", LabAnswers.UpProjectionWrongCorner, "bottom-right corner" },
        { "up-projection", LabAnswers.UpProjectionNoUnpool, "unpool x first" },
        { "up-projection", LabAnswers.UpProjectionReluBeforeSum, "ReLU is applied before the sum" },
        { "delta1", LabAnswers.Delta1Unmasked, "mask missing" },
        { "absrel", LabAnswers.AbsRelUnmasked, "mask missing" },
        { "absrel", LabAnswers.AbsRelUnmaskedEpsilon, "the slides' mistake" },
        { "absrel", LabAnswers.AbsRelAllPixels, "divided by the number of all pixels" },
        { "rmse", LabAnswers.RmseNoSqrt, "square root" },
        { "slides-absrel", LabAnswers.AbsRel, "that is the correct, masked AbsRel" },
        { "slides-absrel", LabAnswers.AbsRelUnmasked, "add 1e-6" },
        { "invalid-share", LabAnswers.InvalidPixelFraction, "share of invalid pixels" },
        { "train-step", LabAnswers.TrainStepNoZeroGrad, "gradients are not freed" },
        { "train-step", LabAnswers.TrainStepNoScope, "NewDisposeScope" },
        { "train-step", LabAnswers.TrainStepUnmasked, "invalid pixels" },
        { "train-step", LabAnswers.TrainStepNoStep, "parameters never change" },
        { "train-loop", LabAnswers.TrainEpochsSameOrder, "loader.Epoch(epoch)" },
        { "train-loop", LabAnswers.TrainEpochsLeaky, "not disposed" },
        { "train-loop", LabAnswers.TrainEpochsLastLoss, "last batch's loss" },
        { "berhu", LabAnswers.BerHuUnmaskedC, "valid pixels only" },
        { "berhu", LabAnswers.BerHuAttachedC, "detach" },
        { "median-scale", LabAnswers.MedianScaleBatch, "per image" },
    };

    [Theory]
    [MemberData(nameof(WrongAnswers))]
    public void WrongAnswerFailsWithItsHint(string task, Delegate answer, string hint)
    {
        var result = Lab.Run(task, answer);
        Assert.True(result.Status == CheckStatus.Failed && result.Message.Contains(hint, StringComparison.Ordinal),
                    $"expected a failure with '{hint}', got: {result.Describe()}");
    }

    [Fact]
    public void EveryCheckHasAWrongAnswerHere() =>
        Assert.Equal(CheckCatalog.All.Select(c => c.Id).Order(), WrongAnswers.Select(r => (string)r[0]).Distinct().Order());

    [Fact]
    public void StubsAreNotDoneYet()
    {
        foreach (var check in CheckCatalog.All)
        {
            // the released stub: the task's signature with `throw Lab.NotDone();` as its body
            var stub = Stub(check.DelegateType);
            var result = check.Run(stub);
            Assert.True(result.Status == CheckStatus.NotDone, $"{check.Id}: {result.Describe()}");
            Assert.Contains("not done yet", result.Describe());
        }
    }

    [Fact]
    public void AWrongSignatureIsNamed()
    {
        var result = Lab.Run("bn-forward", (Func<int, int>)(x => x));
        Assert.Equal(CheckStatus.Failed, result.Status);
        Assert.Contains("expected a function Tensor BatchNormTrain(Tensor x, Tensor gamma, Tensor beta, double eps)", result.Message);
    }

    [Fact]
    public void AnUnknownTaskIsNamed() => Assert.Contains("there is no check 'bn-backward'", Lab.Run("bn-backward", (Func<int>)(() => 1)).Message);

    static Delegate Stub(Type delegateType)
    {
        var invoke = delegateType.GetMethod("Invoke")!;
        var parameters = invoke.GetParameters().Select(p => System.Linq.Expressions.Expression.Parameter(p.ParameterType)).ToArray();
        var body = System.Linq.Expressions.Expression.Throw(
            System.Linq.Expressions.Expression.Call(typeof(Lab).GetMethod(nameof(Lab.NotDone))!), invoke.ReturnType);
        return System.Linq.Expressions.Expression.Lambda(delegateType, body, parameters).Compile();
    }
}
