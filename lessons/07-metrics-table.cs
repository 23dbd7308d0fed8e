// %% [markdown]
// # 07 · Table 1: δ < 1.25, Abs rel diff, RMSE
//
// The slides close with a table of three metrics for the four models. This notebook explains each metric, reproduces
// the table for the models of notebook 06, and shows what went wrong with the slides' "Abs rel diff" column.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using DepthKit;
using DepthKit.Data;
using DepthKit.Metrics;
using DepthKit.Experiments;
using DepthKit.Training;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;
using Microsoft.Data.Analysis;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;
var data = LessonData.ForReproduce(profile);
var models = LessonRuns.TrainedOrTrain(profile, data);    // the four models of notebook 06 (trained now if 06 has not run)
Show(string.Join(", ", models.Select(m => m.Name)));

// %% [markdown]
// ## The metrics
//
// For every image, over its **valid** pixels only (ground truth finite and between 1 mm and 10 m; the prediction
// clamped to that range), with `gt` the true depth and `pred` the prediction, both in metres (Eigen et al. 2014):
//
// | metric | formula | good is |
// |---|---|---|
// | δ < 1.25 (`d1`) | fraction of pixels with max(gt/pred, pred/gt) < 1.25 | high (1 = all within 25 %) |
// | δ < 1.25², δ < 1.25³ (`d2`, `d3`) | the same with 1.25² and 1.25³ | high |
// | Abs rel diff (`abs_rel`) | mean(\|gt − pred\| / gt) | low (0.1 = 10 % off on average) |
// | Sq rel (`sq_rel`) | mean((gt − pred)² / gt) | low |
// | RMSE (`rmse`) | sqrt(mean((gt − pred)²)), metres | low |
// | RMSE log (`rmse_log`) | sqrt(mean((log gt − log pred)²)) | low |
// | log10 | mean(\|log10 gt − log10 pred\|) | low |
// | SILog | 100 · sqrt(mean(d²) − mean(d)²), d = log pred − log gt | low; blind to a global scale |
//
// Each metric is computed per image and then averaged over the images (the monodepth2/BTS convention).
// `DepthErrors` in `src/DepthKit/Metrics` has them one line each.
//
// ## Table 1 reproduced
//
// The four models on the test split, next to a model that predicts the training set's mean depth everywhere:
// anything worth its name must beat it.

// %%
var evalOptions = profile.Reproduce.TrainOptions(false).Eval.ToEvalOptions();
var rows = new List<(string Name, DepthMetrics Metrics)>
{
    ("constant (train mean)", Reproduction.ConstantBaseline(data.Test, Reproduction.MeanDepth(data.Train), evalOptions)),
};
foreach (var (name, model) in models)
    rows.Add((name, Evaluation.Evaluate(model, data.Test, evalOptions, profile.Height, profile.Width, profile.Reproduce.BatchSize, device: DepthKitNotebook.Device).Metrics));
Show(DepthMetrics.ToDataFrame(rows));

// %% [markdown]
// ## The slides' Table 1
//
// As printed on the slide:

// %%
Show(new DataFrame(
    new StringDataFrameColumn("model", NaiveMetrics.SlidesTable1.Select(r => r.Model)),
    new DoubleDataFrameColumn("δ < 1.25", NaiveMetrics.SlidesTable1.Select(r => r.Delta1)),
    new DoubleDataFrameColumn("Abs rel diff", NaiveMetrics.SlidesTable1.Select(r => r.AbsRelDiff)),
    new DoubleDataFrameColumn("RMSE", NaiveMetrics.SlidesTable1.Select(r => r.Rmse))));

// %% [markdown]
// An "Abs rel diff" of 23,500 to 1,200,000 would mean predictions off by a factor of ten thousand or more, while the
// same models have RMSEs around a metre. Relative errors of real models are around 0.1. What happened?
//
// ## The masking mistake
//
// NYU's Kinect ground truth has holes: pixels where the sensor got no return (windows, dark or shiny surfaces, edges)
// are stored as depth **0**. Dividing by the ground truth without removing them first gives |0 − pred| / 0: infinite,
// or, with the usual "+ ε" that silences the error, pred / ε, around 10⁵ to 10⁶ for ε = 10⁻⁶. A few percent of such
// pixels are enough to produce the slides' numbers.
//
// SynthRooms can simulate the Kinect's holes (`SensorNoise`). The same models on test images with holes:

// %%
var holes = SynthRooms.Open(new SynthRoomsOptions
{
    Seed = profile.Reproduce.Seed, Height = profile.Height, Width = profile.Width,
    TrainCount = 0, ValCount = 0, TestCount = data.Test.Count, SensorNoise = true,
}).Test;
var samples = Enumerable.Range(0, holes.Count).Select(holes.Get).ToList();
double invalid = samples.Average(s => s.Depth.Count(d => !DepthSample.IsValidDepth(d)) / (double)s.Depth.Length);
Console.WriteLine($"{samples.Count} test images with sensor holes: {invalid:P1} of the pixels have depth 0 on average");

// %% [markdown]
// For each model: the correct (masked) Abs rel diff, and the slides' unmasked computation (`NaiveMetrics.AbsRel`,
// kept in the kit only for this lesson) with ε = 10⁻⁶ and with no ε at all, each averaged over the images:

// %%
var names = new List<string>(); var masked = new List<double>(); var naive = new List<double>(); var naiveNoEpsilon = new List<double>();
foreach (var (name, model) in models)
{
    var predictions = samples.Select(s => Predictor.Predict(model, s, profile.Height, profile.Width, s.Height, s.Width, DepthKitNotebook.Device)).ToList();
    var accumulator = new MetricAccumulator(evalOptions);
    for (int i = 0; i < samples.Count; i++) accumulator.Add(predictions[i], samples[i].Height, samples[i].Width, samples[i].Depth, samples[i].Height, samples[i].Width);
    names.Add(name);
    masked.Add(accumulator.Result().AbsRel);
    naive.Add(samples.Select((s, i) => NaiveMetrics.AbsRel(predictions[i], s.Depth)).Average());
    naiveNoEpsilon.Add(samples.Select((s, i) => NaiveMetrics.AbsRel(predictions[i], s.Depth, epsilon: 0)).Average());
}
Show(new DataFrame(
    new StringDataFrameColumn("model", names),
    new DoubleDataFrameColumn("Abs rel diff (masked, correct)", masked),
    new DoubleDataFrameColumn("unmasked, ε = 1e-6 (the slides)", naive),
    new DoubleDataFrameColumn("unmasked, no ε", naiveNoEpsilon)));

// %% [markdown]
// The masked column is what the models really do. The unmasked ones are dominated by the holes: with ε they land in the
// slides' range of 10⁴–10⁶, and the model ranking they suggest says nothing about depth (it depends on what each
// model happens to predict where the sensor saw nothing). Without ε they are infinite.
//
// The fix is one line: evaluate only where `gt > 0` (DepthKit's metrics always do, and also apply NYU's 1 mm–10 m
// range and, on real NYU, the Eigen crop). The slides' δ < 1.25 and RMSE are less affected, but were computed on the
// same unmasked pixels and are not comparable with published numbers either.
