using System.Runtime.CompilerServices;

namespace DepthKit.Data.Synth;

/// <summary>
/// Turns linear radiance into 8-bit RGB the way a cheap camera (the Kinect's) does: auto exposure with an error,
/// white balance error, vignetting, a little blur, a soft highlight roll-off, gamma, sensor noise. With effects off
/// only auto exposure, tone curve and gamma remain.
/// </summary>
public static class CameraEffects
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a long loop run a few times: optimise at once, not after tier 0
    public static byte[] Develop(RenderBuffers b, Rng rng, bool effects)
    {
        int n = b.Height * b.Width;
        var img = (double[])b.Radiance.Clone();

        // auto exposure on the log-average luminance (Reinhard et al. 2002), key 0.18 with camera-like error
        double logSum = 0;
        for (int i = 0; i < n; i++) logSum += DetMath.Log(1e-4 + 0.2126 * img[3 * i] + 0.7152 * img[3 * i + 1] + 0.0722 * img[3 * i + 2]);
        double key = effects ? 0.2 * DetMath.Exp(rng.Normal(0, 0.3)) : 0.2;
        double exposure = key / DetMath.Exp(logSum / n);
        var balance = effects ? new Vec3(1 + rng.Normal(0, 0.04), 1, 1 + rng.Normal(0, 0.04)) : Vec3.One;
        double vignette = effects ? rng.Uniform(0.1, 0.4) : 0;
        double blurSigma = effects ? rng.Uniform(0.35, 0.8) : 0;
        double noiseSigma = effects ? rng.Uniform(0.002, 0.01) : 0;
        ulong noiseSeed = rng.Fork();

        double cx = (b.Width - 1) / 2.0, cy = (b.Height - 1) / 2.0, r2Max = cx * cx + cy * cy;
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                int i = y * b.Width + x;
                double r2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2Max;
                double gain = exposure * (1 - vignette * r2);
                img[3 * i] *= gain * balance.X; img[3 * i + 1] *= gain * balance.Y; img[3 * i + 2] *= gain * balance.Z;
            }
        if (blurSigma > 0) Blur(img, b.Height, b.Width, blurSigma);

        var rgb = new byte[3 * n];
        for (int i = 0; i < n; i++)
        {
            double grain = noiseSigma > 0 ? NormalFromHash(noiseSeed, (ulong)i, 0) * noiseSigma : 0;
            for (int c = 0; c < 3; c++)
            {
                double chroma = noiseSigma > 0 ? NormalFromHash(noiseSeed, (ulong)i, 1 + (ulong)c) * noiseSigma * 0.4 : 0;
                double display = Gamma(ToneCurve(img[3 * i + c])) + grain + chroma;
                rgb[3 * i + c] = (byte)Math.Clamp((int)Math.Floor(display * 255 + 0.5), 0, 255);
            }
        }
        return rgb;
    }

    /// <summary>Reinhard's curve with white point 3: linear in the shadows, bright windows roll off instead of clipping hard.</summary>
    static double ToneCurve(double x) => x <= 0 ? 0 : x * (1 + x / 9) / (1 + x);

    static double Gamma(double x) => x <= 0 ? 0 : x >= 1 ? 1 : DetMath.Pow(x, 1 / 2.2);

    static double NormalFromHash(ulong seed, ulong i, ulong c) =>
        (Hash.Unit(seed, i, c * 4) + Hash.Unit(seed, i, c * 4 + 1) + Hash.Unit(seed, i, c * 4 + 2) + Hash.Unit(seed, i, c * 4 + 3) - 2) * 1.7320508075688772;

    /// <summary>Separable Gaussian blur (radius 2), clamped at the borders.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a long loop run a few times: optimise at once, not after tier 0
    static void Blur(double[] img, int h, int w, double sigma)
    {
        var kernel = new double[5];
        double sum = 0;
        for (int k = -2; k <= 2; k++) sum += kernel[k + 2] = DetMath.Exp(-k * k / (2 * sigma * sigma));
        for (int k = 0; k < 5; k++) kernel[k] /= sum;
        var tmp = new double[img.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    double s = 0;
                    for (int k = -2; k <= 2; k++) s += kernel[k + 2] * img[3 * (y * w + Math.Clamp(x + k, 0, w - 1)) + c];
                    tmp[3 * (y * w + x) + c] = s;
                }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    double s = 0;
                    for (int k = -2; k <= 2; k++) s += kernel[k + 2] * tmp[3 * (Math.Clamp(y + k, 0, h - 1) * w + x) + c];
                    img[3 * (y * w + x) + c] = s;
                }
    }
}
