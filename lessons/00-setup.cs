// %% [markdown]
// # 00 · Setup: DepthKit in a notebook
//
// This series walks through the course deck *Depth Estimation from Single Image Using CNN-Residual Network*
// with DepthKit doing the work: one RGB photo in, a depth map in metres out (near = dark).
//
// | notebook | slide section |
// |---|---|
// | 00-setup | this page: start the kit, pick a device |
// | 01-data-and-preprocessing | Data: NYU Depth V2, SynthRooms, Transforms Image, DataLoader |
// | 02-batch-normalization | Batch Normalization |
// | 03-residual-blocks | Identity Block, Convolutional Block, Up-projection |
// | 04-models | CNN+FC, CNN, CNN+trans, CNN+Res and the model summary |
// | 05-training | training with a live Train Loss chart, checkpoints, resume |
// | 06-loss-curves | the Train Loss plot of the four models |
// | 07-metrics-table | Table 1: delta < 1.25, Abs rel diff, RMSE |
// | 08-predict-your-image | depth of any photo, and a 3D point cloud |
//
// **Before the first run**: build the kit once from the repository root with `dotnet build`.
// Every notebook then loads the build output with one `#r` line. `DepthKit.Notebooks.dll` is the kit plus its
// notebook helpers (pictures, tables, live charts); every dependency and the native libtorch libraries sit beside it.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %% [markdown]
// ## Start the kit
//
// `DepthKit.Native.Runtime.Initialize(device)` must run before the first tensor, in the CLI, the tests and here. It applies
// the native fix-ups the kit needs on some machines (an old libstdc++, CPUs on which oneDNN computes wrong gradients),
// sets the thread count and picks the device:
//
// - `"auto"`: CUDA when a GPU and a CUDA build are there, the CPU otherwise;
// - `"cpu"`, `"cuda"`, `"cuda:1"`: exactly that device (asking for CUDA where there is none is an error, not a silent CPU run).
//
// `DepthKitNotebook.Start(device)` calls `Runtime.Initialize(device)` and then registers how the kit's objects look
// in a notebook (depth maps as pictures, DataFrames as tables, Plotly charts). What it returns is the same report
// as `depthkit doctor`.

// %%
using DepthKit;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;
using TorchSharp;
using static TorchSharp.torch;

var info = DepthKitNotebook.Start("auto");
Show(info);

// %% [markdown]
// The same report as text, as the `doctor` command prints it:

// %%
Console.WriteLine(info);

// %% [markdown]
// ## A first tensor
//
// Models and tensors go on `DepthKitNotebook.Device`, the device chosen above.

// %%
var x = torch.rand(new long[] { 2, 3 }, device: DepthKitNotebook.Device);
Console.WriteLine($"{x.device}, {x.dtype}, shape [{string.Join(", ", x.shape)}]");
Console.WriteLine(x.ToString(TorchSharp.TensorStringStyle.Numpy));

// %% [markdown]
// ## How depth is drawn
//
// A depth map is a picture whose pixels are distances in metres. DepthKit draws it as the slides do, **near = dark**
// (the plasma colormap: dark blue-purple near, yellow far; black where there is no measurement), with a colour bar in metres.
// Here a made-up map: a floor seen from 1.5 m height gets farther towards the top of the image.

// %%
int h = 48, w = 64;
var depth = new float[h * w];
for (int row = 0; row < h; row++)
    for (int col = 0; col < w; col++)
        depth[row * w + col] = 1f + 7f * (h - 1 - row) / (h - 1);   // 1 m at the bottom row, 8 m at the top
Show(Picture.Depth(h, w, depth, "a floor: near (bottom) is dark"));

// %% [markdown]
// ## The profile switch
//
// Each notebook reads its data sizes and epochs from `DepthKitNotebook.Profile`. By default that is the lesson size;
// with the environment variable `DEPTHKIT_PROFILE=smoke` (set by `dotnet test`, which runs every notebook headless)
// everything shrinks so the whole series runs in a few minutes.

// %%
Show(DepthKitNotebook.Profile.ToString());

// %% [markdown]
// ## GPU
//
// The default build uses the CPU package of TorchSharp. On a machine with an NVIDIA GPU, build with
// `dotnet build -p:TorchBackend=cuda` and change the start cell to `DepthKitNotebook.Start("cuda")`
// (or call `DepthKit.Native.Runtime.Initialize("cuda")` yourself). Every later notebook uses `DepthKitNotebook.Device`, so nothing else changes.
