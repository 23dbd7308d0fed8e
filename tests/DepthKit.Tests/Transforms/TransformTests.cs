using DepthKit.Data;
using DepthKit.Transforms;

namespace DepthKit.Tests.Transforms;

public class TransformTests
{
    /// <summary>RGB encodes the pixel's own depth (R = x, G = y, B = 9), depth = 1 + x + 100y mm: alignment can be read back.</summary>
    static DepthSample Encoded(int h, int w)
    {
        var rgb = new byte[h * w * 3];
        var depth = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                rgb[3 * p] = (byte)x; rgb[3 * p + 1] = (byte)y; rgb[3 * p + 2] = 9;
                depth[p] = DepthOf(x, y);
            }
        return new DepthSample(h, w, rgb, depth, "encoded");
    }

    static float DepthOf(int x, int y) => 1f + x + 100f * y;

    /// <summary>Every valid depth pixel matches the depth its RGB says it came from.</summary>
    static int AssertAligned(DepthSample s)
    {
        int checkedPixels = 0;
        for (int p = 0; p < s.Depth.Length; p++)
        {
            if (!s.IsValid(p)) continue;
            Assert.Equal(DepthOf(s.Rgb[3 * p], s.Rgb[3 * p + 1]), s.Depth[p]);
            checkedPixels++;
        }
        return checkedPixels;
    }

    [Fact]
    public void FlipMirrorsBothAndKeepsThemAligned()
    {
        var s = Encoded(5, 7);
        var f = Geometry.FlipHorizontal(s);
        Assert.Equal(DepthOf(6, 2), f.Depth[2 * 7 + 0]);
        Assert.Equal(6, f.Rgb[(2 * 7 + 0) * 3]);
        Assert.Equal(35, AssertAligned(f));
        Assert.Equal(s.Depth, Geometry.FlipHorizontal(f).Depth);
    }

    [Fact]
    public void CropsCutTheSameWindowFromBoth()
    {
        var s = Encoded(10, 12);
        var c = new CenterCrop(4, 6).Apply(s, new Random(1));
        Assert.Equal((4, 6), (c.Height, c.Width));
        Assert.Equal(DepthOf(3, 3), c.Depth[0]); // top-left of the centre window is (x 3, y 3)
        Assert.Equal(24, AssertAligned(c));
        var r = new RandomCrop(4, 6).Apply(s, new Random(5));
        Assert.Equal(24, AssertAligned(r));
        Assert.Throws<ArgumentException>(() => new RandomCrop(11, 6).Apply(s, new Random(5)));
    }

    [Fact]
    public void NyuCropsAreTheNamedRegions()
    {
        Assert.Equal((426, 560), (NyuCrops.Eigen.Height, NyuCrops.Eigen.Width));
        Assert.Equal(new CropBox(20, 460, 24, 616), NyuCrops.DenseDepthTest);
        Assert.Equal(new CropBox(23, 235, 21, 300), NyuCrops.Eigen.ScaledTo(240, 320)); // pixels wholly inside 22.5:235.5, 20.5:300.5
        Assert.Equal(new CropBox(153, 371, 44, 1197), NyuCrops.Garg(375, 1242)); // KITTI frame size
        var s = Encoded(480, 640);
        var e = new FixedCrop(NyuCrops.Eigen).Apply(s, new Random(0));
        Assert.Equal(DepthOf(41, 45), e.Depth[0]);
        Assert.Equal(DepthOf(600, 470), e.Depth[^1]);
    }

    [Fact]
    public void RotationKeepsAlignmentAndMarksOutsideInvalid()
    {
        var s = Encoded(21, 31);
        var r = Geometry.Rotate(s, 10);
        Assert.Equal(21 * 31, AssertAligned(Geometry.Rotate(s, 360))); // a full turn maps every pixel onto itself
        Assert.Equal(s.Rgb, Geometry.Rotate(s, 360).Rgb);
        // nearest depth vs bilinear RGB: compare where the RGB sample is an exact source pixel (the centre)
        int centre = 10 * 31 + 15;
        Assert.Equal(DepthOf(15, 10), r.Depth[centre]);
        Assert.Equal((15, 10), ((int)r.Rgb[3 * centre], (int)r.Rgb[3 * centre + 1]));
        Assert.False(r.IsValid(0)); // a 10° turn moves the corner's source outside the image
        // 90°: exact pixel mapping, so every pixel can be checked
        var square = Encoded(9, 9);
        var q = Geometry.Rotate(square, 90);
        Assert.Equal(81, AssertAligned(q));
        Assert.Equal(DepthOf(8, 0), q.Depth[0]); // counter-clockwise: the top-right corner comes to the top-left
    }

    [Fact]
    public void ResizeNearestKeepsDepthValuesAndAreaAveragesRgb()
    {
        var s = Encoded(4, 4);
        var r = Geometry.Resize(s, 2, 2, RgbResize.Area, DepthResize.Nearest);
        Assert.Equal([DepthOf(1, 1), DepthOf(3, 1), DepthOf(1, 3), DepthOf(3, 3)], r.Depth); // nearest picks the lower-right of each 2x2 block centre
        Assert.Equal(1, r.Rgb[0]); // R = x: mean of 0, 1, 0, 1 = 0.5, rounded half up
        Assert.Equal(3, r.Rgb[3]); // mean of 2, 3, 2, 3 = 2.5 -> 3
        Assert.Equal(3, r.Rgb[2 * 3 + 1]); // G = y: mean of rows 2, 3 = 2.5 -> 3
    }

    [Fact]
    public void MaskAwareResizeAveragesOnlyValidPixels()
    {
        var depth = new float[] { 2, 0, 0, 4,
                                  4, 0, 0, 0,
                                  1, 1, 3, 3,
                                  1, 1, 3, float.NaN };
        var s = new DepthSample(4, 4, new byte[48], depth);
        var r = Geometry.Resize(s, 2, 2, RgbResize.Area, DepthResize.MaskAware);
        Assert.Equal([3f, 4f, 1f, 3f], r.Depth); // (2+4)/2, 4 alone, mean of ones, mean of threes (NaN ignored)
        var allInvalid = new DepthSample(2, 2, new byte[12], new float[4]);
        Assert.Equal(new float[1], Geometry.Resize(allInvalid, 1, 1, RgbResize.Area, DepthResize.MaskAware).Depth);
    }

    [Fact]
    public void BilinearResizeOfAConstantImageIsConstantAndInterpolatesARamp()
    {
        var s = Encoded(2, 4);
        var r = Geometry.Resize(s, 2, 8, RgbResize.Bilinear, DepthResize.Nearest);
        Assert.All(Enumerable.Range(0, 16), p => Assert.Equal(9, r.Rgb[3 * p + 2]));
        // x in the output maps to (x + 0.5) / 2 - 0.5 in the source: x 3 -> 1.25 -> R 1.25 -> 1
        Assert.Equal(1, r.Rgb[3 * 3]);
        Assert.Equal(3, r.Rgb[3 * 7]); // clamped at the right edge
    }

    [Fact]
    public void PhotometricTransformsTouchRgbOnly()
    {
        var s = Encoded(6, 8);
        foreach (IPairedTransform t in new IPairedTransform[] { new ColorJitter(0.4, 0.4, 0.4, 0.1), new ChannelSwap(1.0), new RandomGamma(0.5, 0.6) })
        {
            var o = t.Apply(s, new Random(3));
            Assert.Same(s.Depth, o.Depth);
            Assert.NotEqual(s.Rgb, o.Rgb);
        }
    }

    [Fact]
    public void ChannelSwapPermutesAndGammaFollowsTheFormula()
    {
        var s = new DepthSample(1, 1, [10, 20, 30], [1f]);
        var swapped = new ChannelSwap(1.0).Apply(s, new Random(0)).Rgb;
        Assert.Equal([10, 20, 30], swapped.Order().Select(b => (int)b));
        Assert.NotEqual([10, 20, 30], swapped.Select(b => (int)b));
        var random = new Random(7);
        double gamma = new Random(7).Uniform(0.5, 2.0);
        var g = new RandomGamma(0.5, 2.0).Apply(new DepthSample(1, 1, [64, 128, 255], [1f]), random).Rgb;
        Assert.Equal((byte)Math.Round(255 * Math.Pow(64 / 255.0, gamma)), g[0]);
        Assert.Equal(255, g[2]);
    }

    [Fact]
    public void ColorJitterWithZeroRangesIsIdentity()
    {
        var s = Encoded(3, 5);
        Assert.Equal(s.Rgb, new ColorJitter(0, 0, 0, 0).Apply(s, new Random(1)).Rgb);
    }

    [Fact]
    public void ComposeIsDeterministicGivenTheSeedAndKeepsAlignment()
    {
        var s = Encoded(24, 32);
        var pipeline = new Compose(new RandomRotation(3), new RandomCrop(16, 24), new HorizontalFlip(), new ChannelSwap(0));
        var a = pipeline.Apply(s, AugmentationRandom.For(1, 2, 3));
        var b = pipeline.Apply(s, AugmentationRandom.For(1, 2, 3));
        Assert.Equal(a.Rgb, b.Rgb);
        Assert.Equal(a.Depth, b.Depth);
        var others = Enumerable.Range(0, 8).Select(i => pipeline.Apply(s, AugmentationRandom.For(1, 2, 10 + i)).Depth).ToList();
        Assert.Contains(others, d => !d.SequenceEqual(a.Depth));
        // without rotation every pixel is exact; with it, the pixels sampled exactly (nearest = bilinear corner) agree
        var exact = new Compose(new RandomCrop(16, 24), new HorizontalFlip(1.0)).Apply(s, new Random(4));
        Assert.Equal(16 * 24, AssertAligned(exact));
    }

    [Fact]
    public void EveryGalleryTransformKeepsRgbAndDepthAligned()
    {
        // 240x320 frame whose RGB encodes its depth; every transform except resampling ones must keep the code exact
        var rgb = new byte[240 * 320 * 3];
        var depth = new float[240 * 320];
        for (int y = 0; y < 240; y++)
            for (int x = 0; x < 320; x++)
            {
                int p = y * 320 + x;
                rgb[3 * p] = (byte)(x % 256); rgb[3 * p + 1] = (byte)y; rgb[3 * p + 2] = (byte)(x / 256);
                depth[p] = 1f + x + 1000f * y;
            }
        var s = new DepthSample(240, 320, rgb, depth);
        foreach (var (name, t) in Augmentations.Gallery(240, 320))
        {
            var o = t.Apply(s, new Random(9));
            int aligned = 0;
            for (int p = 0; p < o.Depth.Length; p++)
            {
                if (!o.IsValid(p)) continue;
                if (name.StartsWith("resize")) Assert.Equal(s.Depth[p], o.Depth[p]); // same size: identity
                else if (name is "colour jitter" or "channel swap" or "gamma 0.7..1.3") Assert.Equal(s.Depth[p], o.Depth[p]);
                else if (name.StartsWith("rotation"))
                {
                    // depth is nearest, RGB bilinear: the RGB code lies within one pixel of the depth's source
                    int x = o.Rgb[3 * p] + 256 * o.Rgb[3 * p + 2], y = o.Rgb[3 * p + 1];
                    float d = o.Depth[p];
                    int dx = (int)((d - 1f) % 1000f), dy = (int)((d - 1f) / 1000f);
                    if (dx >= 250) continue; // bilinear RGB across the x = 255/256 wrap of the R/B code is not a position
                    Assert.True(Math.Abs(dx - x) <= 1 && Math.Abs(dy - y) <= 1, $"{name}: pixel {p} RGB ({x}, {y}) vs depth ({dx}, {dy})");
                }
                else Assert.Equal(1f + (o.Rgb[3 * p] + 256 * o.Rgb[3 * p + 2]) + 1000f * o.Rgb[3 * p + 1], o.Depth[p]);
                aligned++;
            }
            Assert.True(aligned > o.Depth.Length / 2, $"{name}: only {aligned} valid pixels");
        }
    }

    [Fact]
    public void NormalizationPresetsFollowTheirFormulas()
    {
        byte[] rgb = [255, 128, 0];
        var chw = new float[3];
        Normalization.ImageNet.WriteChw(rgb, 1, 1, chw);
        Assert.Equal((1f - 0.485f) / 0.229f, chw[0], 5);
        Assert.Equal((128f / 255f - 0.456f) / 0.224f, chw[1], 5);
        Assert.Equal(-0.406f / 0.225f, chw[2], 5);
        Normalization.CntkResNet18Bgr.WriteChw(rgb, 1, 1, chw);
        Assert.Equal([0f - 103.06f, 128f - 115.90f, 255f - 123.15f], chw); // planes B, G, R
        var (t, d, v) = ToTensor.From(new DepthSample(1, 2, [255, 0, 0, 0, 0, 0], [2f, 0f]), Normalization.Unit);
        using (t) using (d) using (v)
        {
            Assert.Equal([1L, 3, 1, 2], t.shape);
            Assert.Equal(1f, t[0, 0, 0, 0].item<float>());
            Assert.Equal([true, false], v.data<bool>().ToArray());
        }
    }
}
