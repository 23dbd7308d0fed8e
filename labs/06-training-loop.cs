// %% [markdown]
// # Lab 06 · A training loop with a DisposeScope and a loss curve
//
// The slides end with the Train Loss curves of the four models. Behind each is a loop: for every batch, clear the old
// gradients, predict, measure the loss on the valid pixels, back-propagate, step the optimizer. In TorchSharp every
// tensor holds native memory that the .NET garbage collector does not see: a loop that does not dispose its tensors
// grows by megabytes per step. A `DisposeScope` frees every tensor created inside it when it ends.
//
// Each task cell holds a function whose body is `throw Lab.NotDone();`: replace that line with your code, run the
// cell, then run the check cell below it. A check runs your function on fixed, seeded inputs, compares it with the
// kit's own implementation and prints `PASS`, `TODO` (not done yet) or `FAIL` with a hint about what is wrong.
// Keep the function names and signatures: the checks call them.
//
// | task | points |
// |---|---:|
// | `train-step`: one step inside a DisposeScope | 3 |
// | `train-loop`: the epochs, with the mean loss of each | 3 |

// %%
#:project ../src/DepthKit.Labs/DepthKit.Labs.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// %%
using DepthKit.Data;
using DepthKit.Labs;
using DepthKit.Losses;
using DepthKit.Models;
using TorchSharp;
using static TorchSharp.torch;

Lab.Start();

// %% [markdown]
// ## Task 1 · `train-step` (3 points)
//
// One step on one batch: open `using var scope = torch.NewDisposeScope();`, clear the gradients
// (`optimizer.zero_grad()`), predict `model.call(batch.Rgb)`, compute the masked L1 loss
// `new L1Loss().Compute(pred, batch.Depth, batch.Valid)`, `loss.backward()`, `optimizer.step()`, and return the loss as
// a number (`loss.item<float>()`): a number outlives the scope, a tensor would not.

// %%
double TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DepthBatch batch)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("train-step", TrainStep);

// %% [markdown]
// ## Task 2 · `train-loop` (3 points)
//
// Train for `epochs` epochs and return the mean step loss of each. `loader.Epoch(epoch)` gives an epoch's batches in that
// epoch's shuffled order; each batch owns three tensors, so dispose it after its step (`using (batch) ...`).

// %%
List<double> TrainEpochs(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, DataLoader loader, int epochs)
{
    throw Lab.NotDone();
}

// %%
Lab.Check("train-loop", TrainEpochs);

// %% [markdown]
// ## Your Train Loss curve
//
// A small convolution stack (the kit's `ConvStack`) trained with your loop on 32 SynthRooms images at 32x32. The curve
// should fall; the tensor count should stay flat from one epoch to the next.

// %%
Lab.Try(() =>
{
    var rooms = SynthRooms.Open(new SynthRoomsOptions { Seed = 1, Height = 32, Width = 32, TrainCount = 32, ValCount = 1, TestCount = 1 });
    manual_seed(0);
    var model = new ConvStack(layers: 2, channels: 8);
    var optimizer = optim.Adam(model.parameters(), lr: 3e-3);
    var loader = new DataLoader(rooms.Train, new DataLoaderOptions { BatchSize = 8, Seed = 1 });
    long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    var losses = TrainEpochs(model, optimizer, loader, epochs: 8);
    Console.WriteLine(Lab.LossCurve(losses, "Train Loss (masked L1, m)"));
    Console.WriteLine($"tensors left alive by the loop: {DisposeScopeManager.Statistics.ThreadTotalLiveCount - before}");
});
