// %% [markdown]
// # 08 · Predict the depth of your own image
//
// A trained model, any RGB photo, a depth map in metres, and the photo lifted into 3D with the camera's intrinsics.

// %%
#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj

// %%
using System.IO;
using DepthKit;
using DepthKit.Data;
using DepthKit.Training;
using DepthKit.Visualization;
using DepthKit.Notebooks;
using static DepthKit.Notebooks.DepthKitNotebook;
using DepthKit.Notebooks.Display;

DepthKitNotebook.Start("auto");
var profile = DepthKitNotebook.Profile;

// %% [markdown]
// ## The model
//
// The CNN+Res trained in notebook 06 (its best checkpoint). Any run folder or `.ckpt` file works:
// `ModelFactory.LoadForInference("runs/train/last-run")`, for example one written by `depthkit train`.

// %%
var models = LessonRuns.TrainedOrTrain(profile, LessonData.ForReproduce(profile));
var (modelName, model) = models[^1];
Console.WriteLine($"{modelName}: {DepthKit.Models.Architectures.CountParameters(model).Total:N0} parameters, input {profile.Height}x{profile.Width}");

// %% [markdown]
// ## Your image
//
// Put the path of a photo (PNG, JPEG, BMP or WebP) in `imagePath`. Indoor scenes work best: the model learned rooms.
// Without one, the notebook renders a SynthRooms room it has never seen and saves it as a PNG to use like a photo.

// %%
string? imagePath = null;   // e.g. "/home/me/Pictures/kitchen.jpg"

if (imagePath is null)
{
    var room = SynthRooms.Render(seed: 2024, sceneIndex: 7, height: 240, width: 320);
    imagePath = Path.Combine(profile.RunFolder("08-predict"), "room.png");
    Directory.CreateDirectory(Path.GetDirectoryName(imagePath)!);
    RgbImage.WritePng(imagePath, room.Height, room.Width, room.Rgb);
}
var (height, width, rgb) = RgbImage.Read(imagePath);
var photo = new DepthSample(height, width, rgb, new float[height * width], imagePath);
Show(Picture.Rgb(height, width, rgb, $"{Path.GetFileName(imagePath)}, {height}x{width}"));

// %% [markdown]
// ## Depth
//
// `Predictor.Predict` resizes the photo to the model's input size, runs the model and resizes the depth map back to the
// photo's size. Near is dark.

// %%
var depth = Predictor.Predict(model, photo, profile.Height, profile.Width, height, width, DepthKitNotebook.Device);
var (near, far) = Montage.Range(depth);
Console.WriteLine($"predicted depth from {near:F2} m to {far:F2} m");
Show(PictureRow.Of(Picture.Rgb(height, width, rgb, "RGB"), Picture.Depth(height, width, depth, $"{modelName} depth (near = dark)")));

// %% [markdown]
// ## A 3D point cloud
//
// A pinhole camera maps a point (X, Y, Z) to the pixel (u, v) = (fx·X/Z + cx, fy·Y/Z + cy). With the depth Z of every
// pixel, the mapping runs backwards: X = (u − cx)·Z/fx, Y = (v − cy)·Z/fy. The intrinsics here are the NYU Kinect's
// (fx 518.86, fy 519.47, cx 325.58, cy 253.74 at 640x480), scaled to the image size; use your camera's for your photos.
// Drag to rotate, scroll to zoom.

// %%
var camera = PinholeCamera.NyuKinect.Scaled(width, height);
var (xyz, colors) = PointCloud.BackProject(depth, rgb, height, width, camera);
Console.WriteLine($"{xyz.Length / 3:N0} points; camera fx {camera.Fx:F1}, fy {camera.Fy:F1}, cx {camera.Cx:F1}, cy {camera.Cy:F1}");
Show(Charts.PointCloud(xyz, colors, maxPoints: profile.Pick(30_000, 2_000), title: $"{Path.GetFileName(imagePath)} in 3D ({modelName})"));

// %% [markdown]
// The same cloud as a PLY file, for MeshLab, CloudCompare or Blender:

// %%
var ply = Path.ChangeExtension(imagePath, ".ply");
PointCloud.WritePly(ply, xyz, colors);
Console.WriteLine($"wrote {ply} ({new FileInfo(ply).Length / 1024} KiB)");
