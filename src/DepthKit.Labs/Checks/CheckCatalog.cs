namespace DepthKit.Labs.Checks;

/// <summary>Every check, in lab order.</summary>
public static class CheckCatalog
{
    public static IReadOnlyList<LabCheck> All { get; } =
    [
        new FlipPairCheck(), new RandomFlipCheck(), new LoaderCheck(),
        new BnForwardCheck(), new BnRunningCheck(), new BnEvalCheck(),
        new IdentityBlockCheck(), new ConvolutionalBlockCheck(), new BlockParametersCheck(),
        new UnpoolCheck(), new UpProjectionCheck(),
        new Delta1Check(), new AbsRelCheck(), new RmseCheck(), new SlidesAbsRelCheck(), new InvalidShareCheck(),
        new TrainStepCheck(), new TrainLoopCheck(),
        new BerHuCheck(), new MedianScaleCheck(),
    ];
}
