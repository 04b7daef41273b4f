using Cbi.Workbench.Reporting;
using Cbi.Workbench.Models;
using Plotly.NET;
using Plotly.NET.CSharp;
using Frame = Cbi.Workbench.Models.Frame;
using Chart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Features;

/// <summary>Diagnostics of a feature frame for notebook 02: coverage over time, correlations on training rows,
/// and a Kolmogorov–Smirnov drift preview between two row sets. All of them read only the rows they are given.</summary>
public static class FeatureReport
{
    /// <summary>Coverage of one feature in one calendar year.</summary>
    /// <param name="Feature">Feature name.</param>
    /// <param name="Year">Calendar year.</param>
    /// <param name="Rows">Rows (ZL trading days) of the frame in that year.</param>
    /// <param name="Present">Fraction (0–1) of those rows with a non-NaN value; 0 when <paramref name="Rows"/> is 0.</param>
    public sealed record Coverage(string Feature, int Year, int Rows, double Present);

    /// <summary>Fraction of non-missing values per feature and calendar year.</summary>
    /// <param name="frame">The feature frame (all rows are read).</param>
    /// <returns>Feature-major (frame feature order), then ascending year: features × distinct years entries.</returns>
    public static IReadOnlyList<Coverage> CoverageByYear(Frame frame)
    {
        var years = frame.Dates.Select(d => d.Year).Distinct().Order().ToArray();
        var list = new List<Coverage>();
        for (var j = 0; j < frame.FeatureNames.Length; j++)
            foreach (var y in years)
            {
                int n = 0, present = 0;
                for (var i = 0; i < frame.Rows; i++)
                    if (frame.Dates[i].Year == y) { n++; if (!double.IsNaN(frame.Features[j][i])) present++; }
                list.Add(new Coverage(frame.FeatureNames[j], y, n, n == 0 ? 0 : (double)present / n));
            }
        return list;
    }

    /// <summary>Heatmap of <see cref="CoverageByYear"/>: one row per feature, one column per year, colour = fraction present.</summary>
    /// <param name="frame">The feature frame (all rows are read).</param>
    public static GenericChart CoverageChart(Frame frame)
    {
        var cov = CoverageByYear(frame);
        var years = cov.Select(c => c.Year).Distinct().Order().Select(y => y.ToString()).ToArray();
        var z = frame.FeatureNames.Select(f => cov.Where(c => c.Feature == f).OrderBy(c => c.Year).Select(c => c.Present).ToArray()).ToArray();
        return Chart.Heatmap<double, string, string, string>(zData: z, X: years, Y: frame.FeatureNames)
            .WithSize(1000, 1100).Titled("Share of ZL trading days with a value, per feature and year");
    }

    /// <summary>Pearson correlations over <paramref name="rows"/>, each pair on the rows where both are present
    /// (NaN with fewer than 3 such rows or a constant column).</summary>
    /// <param name="frame">The feature frame.</param>
    /// <param name="rows">Row indices into <paramref name="frame"/> (e.g. the training rows of a fold); only these are read.</param>
    /// <returns>A symmetric p × p matrix, p = number of features, indices in <see cref="Frame.FeatureNames"/> order;
    /// values in [−1, 1] or NaN.</returns>
    public static double[,] Correlation(Frame frame, IReadOnlyList<int> rows)
    {
        var p = frame.FeatureNames.Length;
        var c = new double[p, p];
        for (var a = 0; a < p; a++)
            for (var b = a; b < p; b++)
            {
                double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0; var n = 0;
                foreach (var r in rows)
                {
                    double x = frame.Features[a][r], y = frame.Features[b][r];
                    if (double.IsNaN(x) || double.IsNaN(y)) continue;
                    n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
                }
                var v = double.NaN;
                if (n >= 3)
                {
                    var cov = sxy - sx * sy / n; var vx = sxx - sx * sx / n; var vy = syy - sy * sy / n;
                    if (vx > 0 && vy > 0) v = Math.Clamp(cov / Math.Sqrt(vx * vy), -1, 1);
                }
                c[a, b] = c[b, a] = v;
            }
        return c;
    }

    /// <summary>Heatmap of <see cref="Correlation"/> over <paramref name="rows"/>, features on both axes.</summary>
    /// <param name="frame">The feature frame.</param>
    /// <param name="rows">Row indices into <paramref name="frame"/>; only these are read.</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart CorrelationChart(Frame frame, IReadOnlyList<int> rows, string title = "Feature correlations (training rows only)")
    {
        var c = Correlation(frame, rows);
        var p = frame.FeatureNames.Length;
        var z = Enumerable.Range(0, p).Select(a => Enumerable.Range(0, p).Select(b => c[a, b]).ToArray()).ToArray();
        return Chart.Heatmap<double, string, string, string>(zData: z, X: frame.FeatureNames, Y: frame.FeatureNames)
            .WithSize(1100, 1100).Titled(title);
    }

    /// <summary>Kolmogorov–Smirnov comparison of one feature between two row sets.</summary>
    /// <param name="Feature">Feature name.</param>
    /// <param name="TrainValues">Non-missing values among the first (training) rows.</param>
    /// <param name="OtherValues">Non-missing values among the other rows.</param>
    /// <param name="KsStatistic">Two-sample KS D in [0, 1]; NaN when either side has no values.</param>
    /// <param name="PValue">Asymptotic p-value (see <see cref="KsDrift"/>); NaN when either side has no values.</param>
    public sealed record Drift(string Feature, int TrainValues, int OtherValues, double KsStatistic, double PValue);

    /// <summary>Two-sample Kolmogorov–Smirnov D per feature between <paramref name="train"/> and
    /// <paramref name="other"/> rows (missing values ignored), largest D first. The p-value is the asymptotic one
    /// (Numerical Recipes §14.3 with the Stephens correction); daily features are autocorrelated, so it
    /// overstates significance — read D as a ranking of drift, not as a test.</summary>
    /// <param name="frame">The feature frame.</param>
    /// <param name="train">Row indices of the reference set.</param>
    /// <param name="other">Row indices of the set compared with it.</param>
    /// <returns>One entry per feature, D descending, features without values on either side last.</returns>
    public static IReadOnlyList<Drift> KsDrift(Frame frame, IReadOnlyList<int> train, IReadOnlyList<int> other)
    {
        var list = new List<Drift>();
        for (var j = 0; j < frame.FeatureNames.Length; j++)
        {
            var a = train.Select(r => frame.Features[j][r]).Where(v => !double.IsNaN(v)).ToArray();
            var b = other.Select(r => frame.Features[j][r]).Where(v => !double.IsNaN(v)).ToArray();
            if (a.Length == 0 || b.Length == 0) { list.Add(new Drift(frame.FeatureNames[j], a.Length, b.Length, double.NaN, double.NaN)); continue; }
            var d = KsStatistic(a, b);
            var ne = a.Length * (double)b.Length / (a.Length + b.Length);
            var sq = Math.Sqrt(ne);
            list.Add(new Drift(frame.FeatureNames[j], a.Length, b.Length, d, KolmogorovQ((sq + 0.12 + 0.11 / sq) * d)));
        }
        return list.OrderByDescending(x => double.IsNaN(x.KsStatistic) ? -1 : x.KsStatistic).ToList();
    }

    /// <summary>sup |F_a(x) − F_b(x)| over the pooled sample.</summary>
    internal static double KsStatistic(double[] a, double[] b)
    {
        var x = (double[])a.Clone(); var y = (double[])b.Clone();
        Array.Sort(x); Array.Sort(y);
        int i = 0, j = 0; double d = 0;
        while (i < x.Length && j < y.Length)
        {
            var v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v) i++;
            while (j < y.Length && y[j] <= v) j++;
            d = Math.Max(d, Math.Abs((double)i / x.Length - (double)j / y.Length));
        }
        return d;
    }

    /// <summary>Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²).</summary>
    internal static double KolmogorovQ(double lambda)
    {
        if (lambda < 1e-3) return 1;
        double sum = 0, sign = 1;
        for (var k = 1; k <= 100; k++)
        {
            var term = sign * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12) break;
            sign = -sign;
        }
        return Math.Clamp(2 * sum, 0, 1);
    }
}
