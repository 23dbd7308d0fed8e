namespace DepthKit.Data.Synth;

/// <summary>
/// Sin, cos, exp, log and pow written with + and * only. Math.Sin and friends call the C runtime, whose last bit
/// differs between glibc, musl and Windows; these give the same double on every machine, which is what "same seed,
/// same bytes" needs. Accuracy is about 1e-13 relative, far more than rendering needs.
/// </summary>
public static class DetMath
{
    public const double Pi = Math.PI;
    const double TwoPi = 2 * Math.PI;
    const double Ln2 = 0.6931471805599453;

    public static double Sin(double x)
    {
        x -= TwoPi * Math.Round(x / TwoPi); // now in [-pi, pi]
        // fold into [-pi/2, pi/2] where the series converges fast: sin(pi - x) = sin x
        if (x > Pi / 2) x = Pi - x;
        else if (x < -Pi / 2) x = -Pi - x;
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n <= 11; n++)
        {
            term *= -x2 / ((2 * n) * (2 * n + 1));
            sum += term;
        }
        return sum;
    }

    public static double Cos(double x) => Sin(x + Pi / 2);

    public static double Exp(double x)
    {
        if (x > 700) return double.PositiveInfinity;
        if (x < -700) return 0;
        double k = Math.Round(x / Ln2), r = x - k * Ln2; // |r| <= ln2/2
        double term = 1, sum = 1;
        for (int n = 1; n <= 16; n++) { term *= r / n; sum += term; }
        return Math.ScaleB(sum, (int)k);
    }

    public static double Log(double x)
    {
        if (x <= 0) return double.NegativeInfinity;
        int e = Math.ILogB(x);
        double m = Math.ScaleB(x, -e); // [1, 2)
        if (m > 1.4142135623730951) { m *= 0.5; e++; }
        double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
        for (int n = 0; n < 14; n++) { sum += term / (2 * n + 1); term *= s2; }
        return 2 * sum + e * Ln2;
    }

    /// <summary>Arctangent from its series after folding into [0, 2 - sqrt 3] (atan x = pi/6 + atan((x sqrt3 - 1)/(x + sqrt3))).</summary>
    public static double Atan(double x)
    {
        if (x < 0) return -Atan(-x);
        if (x > 1) return Pi / 2 - Atan(1 / x);
        const double Sqrt3 = 1.7320508075688772;
        if (x > 2 - Sqrt3) return Pi / 6 + Atan((x * Sqrt3 - 1) / (x + Sqrt3));
        double x2 = x * x, term = x, sum = 0;
        for (int n = 0; n < 14; n++) { sum += term / (2 * n + 1); term *= -x2; }
        return sum;
    }

    public static double Atan2(double y, double x)
    {
        if (x > 0) return Atan(y / x);
        if (x < 0) return Atan(y / x) + (y >= 0 ? Pi : -Pi);
        return y > 0 ? Pi / 2 : y < 0 ? -Pi / 2 : 0;
    }

    public static double Pow(double x, double y) => x <= 0 ? 0 : Exp(y * Log(x));

    public static double Clamp01(double x) => x < 0 ? 0 : x > 1 ? 1 : x;
    public static double SmoothStep(double a, double b, double x) { double t = Clamp01((x - a) / (b - a)); return t * t * (3 - 2 * t); }
    public static double Frac(double x) => x - Math.Floor(x);
}
