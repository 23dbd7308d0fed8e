namespace DepthKit.Visualization;

/// <summary>
/// Depth to colour. Convention everywhere in DepthKit: <b>near = dark</b>, as on the slides. For <c>gray</c> near
/// is black and far is white; for <c>plasma</c>, <c>viridis</c> and <c>magma</c> near is the colormap's dark end
/// (matplotlib's value 0) and far its bright end (value 1). Pixels without depth are drawn black.
/// The tables are matplotlib's colormaps sampled at 17 points (entries 0, 16, ..., 240, 255 of 256) and
/// interpolated linearly in between (within about 1/255 of the full table).
/// </summary>
public static class Colormap
{
    public static IReadOnlyList<string> Names { get; } = ["plasma", "viridis", "magma", "gray"];

    static readonly double[][] Plasma =
    [
        [0.050383, 0.029803, 0.527975], [0.193374, 0.018354, 0.590330], [0.299855, 0.009561, 0.631624], [0.399411, 0.000859, 0.656133],
        [0.494877, 0.011990, 0.657865], [0.584391, 0.068579, 0.632812], [0.665129, 0.138566, 0.585582], [0.736019, 0.209439, 0.527908],
        [0.798216, 0.280197, 0.469538], [0.853319, 0.351553, 0.413734], [0.901807, 0.425087, 0.359688], [0.942598, 0.502639, 0.305816],
        [0.973416, 0.585761, 0.251540], [0.991365, 0.675355, 0.198453], [0.993033, 0.771720, 0.154808], [0.974443, 0.874622, 0.144061],
        [0.940015, 0.975158, 0.131326],
    ];

    static readonly double[][] Viridis =
    [
        [0.267004, 0.004874, 0.329415], [0.282327, 0.094955, 0.417331], [0.278826, 0.175490, 0.483397], [0.258965, 0.251537, 0.524736],
        [0.229739, 0.322361, 0.545706], [0.199430, 0.387607, 0.554642], [0.172719, 0.448791, 0.557885], [0.149039, 0.508051, 0.557250],
        [0.127568, 0.566949, 0.550556], [0.120638, 0.625828, 0.533488], [0.157851, 0.683765, 0.501686], [0.246070, 0.738910, 0.452024],
        [0.369214, 0.788888, 0.382914], [0.515992, 0.831158, 0.294279], [0.678489, 0.863742, 0.189503], [0.845561, 0.887322, 0.099702],
        [0.993248, 0.906157, 0.143936],
    ];

    static readonly double[][] Magma =
    [
        [0.001462, 0.000466, 0.013866], [0.039608, 0.031090, 0.133515], [0.113094, 0.065492, 0.276784], [0.211718, 0.061992, 0.418647],
        [0.316654, 0.071690, 0.485380], [0.414709, 0.110431, 0.504662], [0.512831, 0.148179, 0.507648], [0.613617, 0.181811, 0.498536],
        [0.716387, 0.214982, 0.475290], [0.816914, 0.255895, 0.436461], [0.904281, 0.319610, 0.388137], [0.960949, 0.418323, 0.359630],
        [0.986700, 0.535582, 0.382210], [0.996096, 0.653659, 0.446213], [0.996727, 0.776795, 0.541039], [0.992440, 0.884330, 0.640099],
        [0.987053, 0.991438, 0.749504],
    ];

    /// <summary>Positions (0..1) of the 17 samples: table entries 0, 16, ..., 240, 255.</summary>
    static readonly double[] Knots = [.. Enumerable.Range(0, 17).Select(k => Math.Min(255, 16 * k) / 255.0)];

    /// <summary>Checks a colormap name (case-insensitive) and returns it in lower case.</summary>
    public static string Check(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        return Names.Contains(n) ? n : throw new ArgumentException($"unknown colormap '{name}': use one of {string.Join(", ", Names)}");
    }

    /// <summary>The colour of position t in [0, 1] (0 = dark end = near).</summary>
    public static (byte R, byte G, byte B) Map(string name, double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        if (Check(name) == "gray") { byte v = ToByte(t); return (v, v, v); }
        var table = name.ToLowerInvariant() switch { "plasma" => Plasma, "viridis" => Viridis, _ => Magma };
        int k = 0;
        while (k < Knots.Length - 2 && t > Knots[k + 1]) k++;
        double u = (t - Knots[k]) / (Knots[k + 1] - Knots[k]);
        double[] a = table[k], b = table[k + 1];
        return (ToByte(a[0] + u * (b[0] - a[0])), ToByte(a[1] + u * (b[1] - a[1])), ToByte(a[2] + u * (b[2] - a[2])));
    }

    /// <summary>
    /// RGB bytes (H x W x 3) of a depth map: <paramref name="near"/> maps to the dark end, <paramref name="far"/> to
    /// the bright end (defaults: the valid minimum and maximum); invalid pixels are black.
    /// </summary>
    public static byte[] Colorize(ReadOnlySpan<float> depth, string name, double? near = null, double? far = null)
    {
        name = Check(name);
        double lo = near ?? double.PositiveInfinity, hi = far ?? double.NegativeInfinity;
        if (near is null || far is null)
            foreach (var d in depth)
                if (float.IsFinite(d) && d > 0)
                {
                    if (near is null) lo = Math.Min(lo, d);
                    if (far is null) hi = Math.Max(hi, d);
                }
        if (!(hi > lo)) hi = lo + 1e-6;
        var lut = new (byte R, byte G, byte B)[TableSize];
        for (int i = 0; i < lut.Length; i++) lut[i] = Map(name, i / (double)(lut.Length - 1));
        var rgb = new byte[depth.Length * 3];
        for (int i = 0; i < depth.Length; i++)
        {
            float d = depth[i];
            if (!(float.IsFinite(d) && d > 0)) continue;
            var c = lut[(int)Math.Round(Math.Clamp((d - lo) / (hi - lo), 0, 1) * (lut.Length - 1))];
            rgb[3 * i] = c.R; rgb[3 * i + 1] = c.G; rgb[3 * i + 2] = c.B;
        }
        return rgb;
    }

    /// <summary>Entries of the table <see cref="Colorize"/> draws from (a depth goes to the nearest entry).</summary>
    public const int TableSize = 1024;

    static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
}
