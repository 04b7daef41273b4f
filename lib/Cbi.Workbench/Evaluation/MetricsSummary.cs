using System.Globalization;
using System.Text;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Evaluation;

/// <summary>Scores of one model at one horizon over one split. Log-return scores use y and the quantiles;
/// price scores compare the price forecast C₀·e^{q50} with the realised C₀·e^{y} (MAPE/sMAPE need no C₀;
/// MAE/RMSE in cents per pound need the frame's origin closes). Skill and tests are against the reference
/// model (rw) on the origins both models share; NaN when the reference is absent. <c>QuantileScore</c> is the
/// three-quantile score (2/3)·Σ_{τ∈{0.1,0.5,0.9}} pinball_τ (see <see cref="Metrics.QuantileScore(IReadOnlyList{double}, IReadOnlyList{double}, IReadOnlyList{double}, IReadOnlyList{double})"/>),
/// a coarse stand-in for the CRPS that is not comparable with a closed-form CRPS; <c>QuantileScoreSkill</c> is its
/// skill over the reference. <c>DirectionalAccuracy</c> and <c>PtPValue</c> drop pairs whose outcome or P50 is
/// exactly 0 and are NaN when none remain (the random walk, whose P50 is 0, has no direction). <c>DmEffectiveN</c> = paired origins / h is the number of non-overlapping h-day
/// periods behind the Diebold–Mariano test: overlapping h-day losses are MA(h−1), and with few such periods the
/// HAC variance with h−1 lags is badly estimated (its size distortion is large; Harvey, Leybourne &amp; Newbold 1997
/// show it even after their correction). Below <see cref="MetricsSummary.MinDmEffectiveN"/> periods the test is
/// reported as not reliable: <c>DmReliable</c> false and <c>DmPValue</c> NaN (the statistic is kept as a
/// description). At h = 252 on the 2020-01 → 2023-06 validation span (~880 origins) N/h ≈ 3.5.</summary>
public sealed record SummaryRow(string Model, int Horizon, string Split, int N,
    double MaeLog, double RmseLog, double MapePrice, double SmapePrice, double MaePrice, double RmsePrice,
    double Pinball10, double Pinball50, double Pinball90, double QuantileScore, double Coverage80, double Sharpness80,
    double IntervalScore80, double DirectionalAccuracy, double QuantileScoreSkill, double MaeSkill, double DmStatistic,
    double DmPValue, double DmEffectiveN, bool DmReliable, double PtPValue);

public static class MetricsSummary
{
    /// <summary>Fewest non-overlapping h-day periods (paired origins / h) for which a Diebold–Mariano p-value is
    /// reported. 10 is a rule of thumb: the HAC variance then rests on at least ten roughly independent blocks.</summary>
    public const double MinDmEffectiveN = 10;

    /// <summary>One row per model × horizon × split.</summary>
    public static IReadOnlyList<SummaryRow> Compute(IEnumerable<PredictionRow> rows, Frame? frame = null, string reference = "rw")
    {
        var all = rows.ToList();
        Dictionary<DateOnly, double>? close = frame?.Dates.Select((d, i) => (d, c: frame.Close[i])).ToDictionary(x => x.d, x => x.c);
        var refRows = all.Where(r => r.Model == reference)
            .ToDictionary(r => (r.Horizon, r.Split, r.OriginDate));
        var result = new List<SummaryRow>();
        foreach (var g in all.GroupBy(r => (r.Model, r.Horizon, r.Split)).OrderBy(g => g.Key.Model).ThenBy(g => g.Key.Horizon).ThenBy(g => g.Key.Split))
        {
            var xs = g.OrderBy(r => r.OriginDate).ToList();
            var y = xs.Select(r => r.Y).ToArray();
            var q10 = xs.Select(r => r.Q10).ToArray();
            var q50 = xs.Select(r => r.Q50).ToArray();
            var q90 = xs.Select(r => r.Q90).ToArray();
            var py = y.Select(Math.Exp).ToArray();
            var pf = q50.Select(Math.Exp).ToArray();
            double maeP = double.NaN, rmseP = double.NaN;
            if (close != null)
            {
                var c0 = xs.Select(r => close.TryGetValue(r.OriginDate, out var c) ? c : double.NaN).ToArray();
                if (c0.All(double.IsFinite))
                {
                    var a = c0.Select((c, i) => c * py[i]).ToArray();
                    var f = c0.Select((c, i) => c * pf[i]).ToArray();
                    maeP = Metrics.Mae(a, f); rmseP = Metrics.Rmse(a, f);
                }
            }
            var qs = Metrics.QuantileScore(y, q10, q50, q90);
            var mae = Metrics.Mae(y, q50);
            double qsSkill = double.NaN, maeSkill = double.NaN, dmStat = double.NaN, dmP = double.NaN, dmEffN = double.NaN;
            var dmReliable = false;
            if (g.Key.Model != reference)
            {
                var paired = xs.Where(r => refRows.ContainsKey((r.Horizon, r.Split, r.OriginDate)))
                    .Select(r => (m: r, rf: refRows[(r.Horizon, r.Split, r.OriginDate)])).ToList();
                dmEffN = (double)paired.Count / g.Key.Horizon;
                if (paired.Count > g.Key.Horizon + 2)
                {
                    double Qs(PredictionRow r) => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90);
                    var lm = paired.Select(p => Qs(p.m)).ToArray();
                    var lr = paired.Select(p => Qs(p.rf)).ToArray();
                    qsSkill = Metrics.Skill(lm.Average(), lr.Average());
                    maeSkill = Metrics.Skill(paired.Average(p => Math.Abs(p.m.Y - p.m.Q50)), paired.Average(p => Math.Abs(p.rf.Y - p.rf.Q50)));
                    try
                    {
                        var dm = Metrics.DieboldMariano(lm, lr, g.Key.Horizon);
                        dmStat = dm.Statistic;
                        dmReliable = dmEffN >= MinDmEffectiveN;
                        dmP = dmReliable ? dm.PValue : double.NaN;
                    }
                    catch (ArgumentException) { /* identical losses: no test possible, stays NaN */ }
                }
            }
            double pt = double.NaN;
            try { pt = Metrics.PesaranTimmermann(y, q50).PValue; } catch (ArgumentException) { /* no direction (rw's P50 is exactly 0) or one-sided signs: undefined, NaN */ }
            result.Add(new SummaryRow(g.Key.Model, g.Key.Horizon, g.Key.Split, xs.Count,
                mae, Metrics.Rmse(y, q50), Metrics.Mape(py, pf), Metrics.Smape(py, pf), maeP, rmseP,
                Metrics.Pinball(y, q10, 0.1), Metrics.Pinball(y, q50, 0.5), Metrics.Pinball(y, q90, 0.9), qs,
                Metrics.Coverage(y, q10, q90), Metrics.Sharpness(q10, q90), Metrics.IntervalScore(y, q10, q90, 0.2),
                Metrics.DirectionalAccuracy(y, q50), qsSkill, maeSkill, dmStat, dmP, dmEffN, dmReliable, pt));
        }
        return result;
    }

    /// <summary>Writes the summary as CSV (invariant culture) atomically.</summary>
    public static void WriteCsv(IReadOnlyList<SummaryRow> summary, string path)
    {
        var props = typeof(SummaryRow).GetProperties();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", props.Select(p => p.Name)));
        foreach (var r in summary)
            sb.AppendLine(string.Join(",", props.Select(p => Convert.ToString(p.GetValue(r), CultureInfo.InvariantCulture))));
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
