// %% [markdown]
// # 01 · Data and preprocessing
//
// **The problem.** Depth estimation predicts, for every pixel of one RGB image, its distance from the camera in metres.
// A network learns it from pairs of (photo, depth map) recorded by an RGB-D camera. In the slides' pictures, and in
// DepthKit's, **the closer a pixel, the darker** it is drawn.
//
// This notebook covers the slides' *Data* section: the NYU Depth V2 dataset and its file formats, SynthRooms (DepthKit's
// own rendered rooms, so nothing needs downloading), the paired transforms ("Transforms Image") and the DataLoader.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using System.IO;
using DepthKit;
using DepthKit.Data;
using DepthKit.Transforms;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;

// %% [markdown]
// ## One sample
//
// A sample is 8-bit RGB, depth in metres and a *valid* mask: depth 0 means "no measurement" (the Kinect saw nothing
// there). Displaying a `DepthSample` shows the three side by side, with the depth's colour bar.

// %%
var sample = SynthRooms.Render(seed: 1, sceneIndex: 3, height: 240, width: 320, sensorNoise: true);
Show(sample);

// %% [markdown]
// ## NYU Depth V2
//
// The slides train on NYU Depth V2: indoor scenes filmed with a Kinect, RGB and depth at 640x480. It comes in several
// packagings, and DepthKit reads each one as it is distributed (no conversion step):
//
// | format | what it is | `Datasets.Open(path)` reads |
// |---|---|---|
// | DenseDepth `nyu_data.zip` | ~50k training pairs (PNG, depth in mm) + the 654 test images, with CSV indexes | the zip in place, or its unpacked folder |
// | `nyu_depth_v2_labeled.mat` | the official 1449 labelled pairs (MATLAB v7.3 / HDF5), with the Eigen train/test split | the `.mat` file |
// | Eigen test `.npy` | the 654 test images as NumPy arrays (the BTS/AdaBins evaluation files) | the `.npy` files or their zip |
// | a folder of pairs | `index.csv` with `rgb,depth` lines, 16-bit depth PNGs in mm (what `depthkit synth` writes) | the folder |
//
// Where to download them and where to put them: `data/README.md`. Once there, `Datasets.Open("data/nyu_data.zip",
// DatasetSplit.Train)` gives an `IDepthDataset` exactly like SynthRooms below, and every later notebook can use it.

// %%
var dataFolder = Path.GetFullPath("../data");
var found = Directory.Exists(dataFolder)
    ? Directory.EnumerateFileSystemEntries(dataFolder).Where(p => !p.EndsWith("README.md")).ToList()
    : new List<string>();
Console.WriteLine(found.Count == 0
    ? $"no dataset in {dataFolder} yet: the lessons use SynthRooms"
    : $"in {dataFolder}: " + string.Join(", ", found.Select(Path.GetFileName)));

// %% [markdown]
// ## SynthRooms
//
// DepthKit renders its own indoor rooms with exact depth (box rooms with doors and windows, furniture, textures,
// lights and shadows, a Kinect-like camera), deterministically from a seed: sample *i* of a split is always the same
// image. With `SensorNoise` it also makes Kinect-like holes (black in the valid column). A few training samples, all on
// one colour bar:

// %%
var rooms = SynthRooms.Open(new SynthRoomsOptions
{
    Seed = 42, Height = profile.Pick(120, 48), Width = profile.Pick(160, 64),
    TrainCount = 100, ValCount = 10, TestCount = 10, SensorNoise = true,
});
Show(SampleGrid.Of(rooms.Train, count: profile.Pick(6, 2)));

// %% [markdown]
// ## Transforms: before and after
//
// Images are larger than the model's input, so they are resized; training images are also *augmented* (the slides
// used `torchvision.transforms`). In depth estimation every geometric transform must move the RGB and the depth
// together (**paired** transforms), while colour changes touch only the RGB. DepthKit's default training pipeline:

// %%
var pipeline = Augmentations.DefaultTrain(height: 96, width: 128);
Console.WriteLine(pipeline);

// %% [markdown]
// Each step on the same sample (a fixed random seed per step, so the notebook shows the same thing every run):

// %%
var original = SynthRooms.Render(seed: 1, sceneIndex: 3, height: 120, width: 160);
foreach (var step in pipeline.Steps.Prepend(new HorizontalFlip(1.0)).Prepend(new RandomRotation(10)))
{
    var after = step.Apply(original, new Random(7));
    Show(new PictureRow(
    [
        Picture.Rgb(original.Height, original.Width, original.Rgb, "before"),
        Picture.Rgb(after.Height, after.Width, after.Rgb, "after"),
        Picture.Depth(after.Height, after.Width, after.Depth, "depth after"),
    ], step.ToString()));
}

// %% [markdown]
// (The rotation and flip are shown exaggerated first; the pipeline uses ±2.5° and a 50 % flip.) Note that the depth
// *values* never change: a flipped room is exactly as far away. Colour jitter, gamma and channel swap change only RGB.
//
// ## The DataLoader
//
// The `DataLoader` turns a dataset into batches: it shuffles by (seed, epoch), applies the transforms on worker
// threads, normalises the RGB (ImageNet mean and std by default) and stacks tensors, prefetching the next batches
// while the model trains on the current one.

// %%
var loader = new DataLoader(rooms.Train, new DataLoaderOptions
{
    BatchSize = 8, Shuffle = true, Seed = 42, Workers = 2, Transform = Augmentations.DefaultTrain(profile.Height, profile.Width),
});
Console.WriteLine($"{rooms.Train.Count} samples, batch 8: {loader.BatchesPerEpoch} batches per epoch; order of epoch 0 starts {string.Join(", ", loader.Order(0).Take(8))}");
using (var batch = loader.Epoch(0).First())
{
    Console.WriteLine($"rgb   {batch.Rgb.dtype} [{string.Join(", ", batch.Rgb.shape)}], mean {batch.Rgb.mean().item<float>():F3}, std {batch.Rgb.std().item<float>():F3} (normalised)");
    Console.WriteLine($"depth {batch.Depth.dtype} [{string.Join(", ", batch.Depth.shape)}], {batch.Depth.min().item<float>():F2} to {batch.Depth.max().item<float>():F2} m");
    Console.WriteLine($"valid {batch.Valid.dtype} [{string.Join(", ", batch.Valid.shape)}], {batch.Valid.to_type(TorchSharp.torch.ScalarType.Float32).mean().item<float>():P1} of the pixels");
    Show(Picture.FromTensor(batch.Depth[0], "depth of the first sample in the batch"));
}

// %% [markdown]
// Next: `02-batch-normalization`.
