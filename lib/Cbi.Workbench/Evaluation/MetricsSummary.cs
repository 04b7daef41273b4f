using Cbi.Workbench.IO;
using System.Globalization;
using System.Text;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Validation;

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
/// description). On the 2020-01 → 2023-06 validation folds (measured: 752 origins at h = 126, 626 at h = 252) N/h is
/// 6.0 and 2.5. <c>Mase</c> is the
/// mean absolute scaled error of P50 (Hyndman &amp; Koehler 2006): each error |y − q50| is divided by the in-sample
/// mean absolute h-step no-change error, mean |ln(C[t+h]/C[t])| over the training rows of the row's fold, then
/// averaged; NaN unless the folds are passed to <see cref="MetricsSummary.Compute"/>.</summary>
/// <param name="Model">Model spec name.</param>
/// <param name="Horizon">Forecast horizon h in ZL trading days.</param>
/// <param name="Split">"validation" or "holdout".</param>
/// <param name="N">Number of forecast origins scored.</param>
/// <param name="MaeLog">MAE of P50 against y, log-return units.</param>
/// <param name="RmseLog">RMSE of P50 against y, log-return units.</param>
/// <param name="MapePrice">MAPE of the price forecast, percent.</param>
/// <param name="SmapePrice">sMAPE of the price forecast, percent.</param>
/// <param name="MaePrice">MAE of the price forecast, US cents per pound; NaN without the frame or when an origin close is missing.</param>
/// <param name="RmsePrice">RMSE of the price forecast, US cents per pound; NaN as <paramref name="MaePrice"/>.</param>
/// <param name="Pinball10">Mean pinball loss of P10 (τ = 0.1), log-return units.</param>
/// <param name="Pinball50">Mean pinball loss of P50 (τ = 0.5), log-return units.</param>
/// <param name="Pinball90">Mean pinball loss of P90 (τ = 0.9), log-return units.</param>
/// <param name="QuantileScore">Mean three-quantile score, log-return units (lower is better).</param>
/// <param name="Coverage80">Fraction of y inside [P10, P90] (nominal 0.80).</param>
/// <param name="Sharpness80">Mean P90 − P10 width, log-return units.</param>
/// <param name="IntervalScore80">Mean interval score of [P10, P90] with α = 0.2, log-return units.</param>
/// <param name="DirectionalAccuracy">Fraction of origins where sign(P50) = sign(y), zeros excluded; NaN if none remain.</param>
/// <param name="QuantileScoreSkill">1 − QS(model)/QS(reference) on the shared origins; NaN for the reference itself, without it,
/// or with at most h + 2 shared origins.</param>
/// <param name="MaeSkill">1 − MAE(model)/MAE(reference) of P50 on the shared origins; NaN as <paramref name="QuantileScoreSkill"/>.</param>
/// <param name="DmStatistic">Diebold–Mariano statistic on per-origin three-quantile scores, model minus reference (negative = model
/// better); NaN when not computable.</param>
/// <param name="DmPValue">Two-sided DM p-value; NaN unless <paramref name="DmReliable"/>.</param>
/// <param name="DmEffectiveN">Shared origins / h (0 when the reference has no rows; NaN for the reference itself).</param>
/// <param name="DmReliable">True when the DM test was computed and <paramref name="DmEffectiveN"/> ≥ <see cref="MetricsSummary.MinDmEffectiveN"/>.</param>
/// <param name="PtPValue">One-sided Pesaran–Timmermann p-value of P50 directions; NaN when undefined.</param>
/// <param name="Mase">MASE of P50 (see above); NaN unless folds are given.</param>
public sealed record SummaryRow(string Model, int Horizon, string Split, int N,
    double MaeLog, double RmseLog, double MapePrice, double SmapePrice, double MaePrice, double RmsePrice,
    double Pinball10, double Pinball50, double Pinball90, double QuantileScore, double Coverage80, double Sharpness80,
    double IntervalScore80, double DirectionalAccuracy, double QuantileScoreSkill, double MaeSkill, double DmStatistic,
    double DmPValue, double DmEffectiveN, bool DmReliable, double PtPValue, double Mase);

/// <summary>Turns the long prediction table (<see cref="PredictionRow"/>) into one <see cref="SummaryRow"/> per
/// model × horizon × split, and writes it as CSV.</summary>
public static class MetricsSummary
{
    /// <summary>Fewest non-overlapping h-day periods (paired origins / h) for which a Diebold–Mariano p-value is
    /// reported. 10 is a rule of thumb: the HAC variance then rests on at least ten roughly independent blocks.</summary>
    public const double MinDmEffectiveN = 10;

    /// <summary>Two-sided Diebold–Mariano p-value of <paramref name="loss1"/> against <paramref name="loss2"/> (same origins,
    /// <see cref="Metrics.DieboldMariano"/>), or NaN where it means nothing: fewer than <paramref name="minPeriods"/>
    /// (default <see cref="MinDmEffectiveN"/>) non-overlapping h-day periods (n/h), or a constant loss differential
    /// (identical forecasts).</summary>
    internal static double ReliableDmPValue(IReadOnlyList<double> loss1, IReadOnlyList<double> loss2, int horizon, double minPeriods = MinDmEffectiveN) =>
        Reliable(loss1.Count, horizon, minPeriods, () => Metrics.DieboldMariano(loss1, loss2, horizon));

    /// <summary>Two-sided p-value of <see cref="Metrics.CoverageTest"/> (coverage = <paramref name="nominal"/>, overlap-aware), or
    /// NaN where it means nothing: fewer than <paramref name="minPeriods"/> non-overlapping h-day periods (n/h, the
    /// Diebold–Mariano floor), or every outcome on one side of the band's edge (all inside or all outside).</summary>
    internal static double ReliableCoverageP(IReadOnlyList<bool> inside, double nominal, int horizon, double minPeriods = MinDmEffectiveN) =>
        Reliable(inside.Count, horizon, minPeriods, () => Metrics.CoverageTest(inside, nominal, horizon));

    /// <summary>A HAC test's p-value, NaN below <paramref name="minPeriods"/> non-overlapping periods (n/h) or where the test
    /// refuses its input (no variance).</summary>
    static double Reliable(int n, int horizon, double minPeriods, Func<TestResult> test)
    {
        if (n / (double)horizon < minPeriods) return double.NaN;
        try { return test().PValue; }
        catch (ArgumentException) { return double.NaN; }
    }

    /// <summary>One row per model × horizon × split. <paramref name="folds"/> (the folds the rows were produced on,
    /// with row indices into <paramref name="frame"/>, e.g. built on <c>Splits.Development(frame)</c>, which keeps
    /// the frame's row numbers) enable MASE; a row whose (horizon, fold, split) has no fold, or whose origin is not
    /// a score row of it, is an error.</summary>
    /// <param name="rows">Prediction rows (log returns); at most one row per model, horizon, split and origin for the reference.</param>
    /// <param name="frame">The frame the forecasts were made on; enables price MAE/RMSE (origin closes) and is required with <paramref name="folds"/>.</param>
    /// <param name="reference">Reference model name; null = <see cref="Models.ModelCatalog.Reference"/> (the random walk).</param>
    /// <param name="folds">The folds the rows came from; null = MASE is NaN.</param>
    /// <returns>Rows ordered by model, horizon, split.</returns>
    /// <exception cref="ArgumentException"><paramref name="folds"/> without <paramref name="frame"/>; a row outside the given folds;
    /// a fold with no usable training target or a zero MASE scale; a NaN in Y or a quantile; or duplicate reference rows.</exception>
    public static IReadOnlyList<SummaryRow> Compute(IEnumerable<PredictionRow> rows, Frame? frame = null, string? reference = null,
        IEnumerable<Fold>? folds = null)
    {
        reference ??= Models.ModelCatalog.Reference.Name;
        var all = rows.ToList();
        Dictionary<(int, int, string), (double Scale, HashSet<DateOnly> Origins)>? scales = null;
        if (folds != null)
        {
            if (frame is null) throw new ArgumentException("MASE needs the frame the folds index into.", nameof(frame));
            scales = folds.ToDictionary(f => (f.Horizon, f.Index, f.Split),
                f => (NoChangeScale(frame, f), f.ScoreRows.Where(r => r < frame.Rows).Select(r => frame.Dates[r]).ToHashSet()));
        }
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
            var mase = double.NaN;
            if (scales != null)
            {
                double sum = 0;
                foreach (var r in xs)
                {
                    if (!scales.TryGetValue((r.Horizon, r.Fold, r.Split), out var sc) || !sc.Origins.Contains(r.OriginDate))
                        throw new ArgumentException($"MASE: {r.Model} h={r.Horizon} origin {r.OriginDate:yyyy-MM-dd} (fold {r.Fold}, {r.Split}) " +
                            "is not a score row of any given fold; pass the folds the rows were produced on.", nameof(folds));
                    sum += Math.Abs(r.Y - r.Q50) / sc.Scale;
                }
                mase = sum / xs.Count;
            }
            double pt = double.NaN;
            try { pt = Metrics.PesaranTimmermann(y, q50).PValue; } catch (ArgumentException) { /* no direction (rw's P50 is exactly 0) or one-sided signs: undefined, NaN */ }
            result.Add(new SummaryRow(g.Key.Model, g.Key.Horizon, g.Key.Split, xs.Count,
                mae, Metrics.Rmse(y, q50), Metrics.Mape(py, pf), Metrics.Smape(py, pf), maeP, rmseP,
                Metrics.Pinball(y, q10, 0.1), Metrics.Pinball(y, q50, 0.5), Metrics.Pinball(y, q90, 0.9), qs,
                Metrics.Coverage(y, q10, q90), Metrics.Sharpness(q10, q90), Metrics.IntervalScore(y, q10, q90, 0.2),
                Metrics.DirectionalAccuracy(y, q50), qsSkill, maeSkill, dmStat, dmP, dmEffN, dmReliable, pt, mase));
        }
        return result;
    }

    /// <summary>MASE scale of one fold: the in-sample mean absolute h-step no-change error, mean |ln(C[t+h]/C[t])|
    /// over the fold's training rows whose target lies inside the frame (Hyndman &amp; Koehler 2006, with the
    /// h-step naive forecast as the scaling benchmark, as for multi-step forecasts).</summary>
    internal static double NoChangeScale(Frame frame, Fold fold)
    {
        double s = 0; var n = 0;
        foreach (var t in fold.TrainRows)
        {
            var y = frame.Target(t, fold.Horizon);
            if (double.IsNaN(y)) continue;
            s += Math.Abs(y); n++;
        }
        if (n == 0) throw new ArgumentException($"MASE: fold {fold.Index} (h={fold.Horizon}) has no training row with a target.");
        if (s == 0) throw new ArgumentException($"MASE is undefined for fold {fold.Index} (h={fold.Horizon}): every in-sample no-change error is 0.");
        return s / n;
    }

    /// <summary>Writes the summary as CSV (invariant culture) atomically: a header of the <see cref="SummaryRow"/>
    /// property names, one line per row.</summary>
    /// <param name="summary">Rows from <see cref="Compute"/>.</param>
    /// <param name="path">Destination file (replaced if it exists).</param>
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
