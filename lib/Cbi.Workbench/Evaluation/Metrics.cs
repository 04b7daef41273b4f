using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Evaluation;

/// <summary>Forecast scores and forecast-comparison tests. Point scores take actuals and forecasts of equal
/// length; NaN pairs are rejected (a score over silently dropped rows is a different score). Percent scores
/// (MAPE, sMAPE) are returned in percent.</summary>
public static class Metrics
{
    /// <summary>Mean absolute error, mean |y − f|, in the units of the inputs.</summary>
    /// <param name="actual">Outcomes y.</param>
    /// <param name="forecast">Point forecasts f, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, or a value is NaN.</exception>
    public static double Mae(IReadOnlyList<double> actual, IReadOnlyList<double> forecast)
    {
        Check(actual, forecast);
        double s = 0;
        for (var i = 0; i < actual.Count; i++) s += Math.Abs(actual[i] - forecast[i]);
        return s / actual.Count;
    }

    /// <summary>Root mean squared error, √mean (y − f)², in the units of the inputs.</summary>
    /// <param name="actual">Outcomes y.</param>
    /// <param name="forecast">Point forecasts f, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, or a value is NaN.</exception>
    public static double Rmse(IReadOnlyList<double> actual, IReadOnlyList<double> forecast)
    {
        Check(actual, forecast);
        double s = 0;
        for (var i = 0; i < actual.Count; i++) s += (actual[i] - forecast[i]) * (actual[i] - forecast[i]);
        return Math.Sqrt(s / actual.Count);
    }

    /// <summary>Mean absolute percentage error, 100·mean(|y−f|/|y|), in percent. Undefined for y = 0 (throws).</summary>
    /// <param name="actual">Outcomes y (non-zero; use prices, not returns).</param>
    /// <param name="forecast">Point forecasts f, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, a value is NaN, or some y is 0.</exception>
    public static double Mape(IReadOnlyList<double> actual, IReadOnlyList<double> forecast)
    {
        Check(actual, forecast);
        double s = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            if (actual[i] == 0) throw new ArgumentException($"MAPE is undefined: actual[{i}] is 0.", nameof(actual));
            s += Math.Abs((actual[i] - forecast[i]) / actual[i]);
        }
        return 100 * s / actual.Count;
    }

    /// <summary>Symmetric MAPE as in Hyndman &amp; Koehler (2006): 100·mean(2|y−f|/(|y|+|f|)), in percent (0–200); pairs with
    /// y = f = 0 count as 0.</summary>
    /// <param name="actual">Outcomes y.</param>
    /// <param name="forecast">Point forecasts f, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, or a value is NaN.</exception>
    public static double Smape(IReadOnlyList<double> actual, IReadOnlyList<double> forecast)
    {
        Check(actual, forecast);
        double s = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            var d = Math.Abs(actual[i]) + Math.Abs(forecast[i]);
            if (d > 0) s += 2 * Math.Abs(actual[i] - forecast[i]) / d;
        }
        return 100 * s / actual.Count;
    }

    /// <summary>Mean absolute scaled error (Hyndman &amp; Koehler 2006): MAE divided by the in-sample MAE of
    /// the no-change forecast at lag <paramref name="seasonLag"/> on <paramref name="inSample"/>.</summary>
    /// <param name="actual">Outcomes y.</param>
    /// <param name="forecast">Point forecasts f, same length.</param>
    /// <param name="inSample">The training series the scale is computed on (no NaN).</param>
    /// <param name="seasonLag">Lag of the no-change forecast, ≥ 1 (1 = random walk).</param>
    /// <returns>Unit-free ratio; &lt; 1 means better than the in-sample no-change forecast.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonLag"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="inSample"/> has ≤ seasonLag values, a NaN, or zero no-change
    /// error; or <paramref name="actual"/>/<paramref name="forecast"/> differ in length, are empty or hold NaN.</exception>
    public static double Mase(IReadOnlyList<double> actual, IReadOnlyList<double> forecast, IReadOnlyList<double> inSample, int seasonLag = 1)
    {
        if (seasonLag < 1) throw new ArgumentOutOfRangeException(nameof(seasonLag), seasonLag, "must be ≥ 1.");
        if (inSample.Count <= seasonLag)
            throw new ArgumentException($"MASE needs more than {seasonLag} in-sample values, got {inSample.Count}.", nameof(inSample));
        double s = 0;
        for (var t = seasonLag; t < inSample.Count; t++)
        {
            if (double.IsNaN(inSample[t]) || double.IsNaN(inSample[t - seasonLag]))
                throw new ArgumentException($"inSample[{t}] or inSample[{t - seasonLag}] is NaN.", nameof(inSample));
            s += Math.Abs(inSample[t] - inSample[t - seasonLag]);
        }
        var scale = s / (inSample.Count - seasonLag);
        if (scale == 0) throw new ArgumentException("MASE is undefined: the in-sample series is constant (no-change error 0).", nameof(inSample));
        return Mae(actual, forecast) / scale;
    }

    /// <summary>Pinball (quantile) loss of one quantile forecast q at level tau for outcome y:
    /// τ(y − q) if y ≥ q, else (1 − τ)(q − y). In the units of y; NaN propagates.</summary>
    /// <param name="y">Outcome.</param>
    /// <param name="q">Quantile forecast.</param>
    /// <param name="tau">Quantile level, strictly between 0 and 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tau"/> is not in (0, 1).</exception>
    public static double Pinball(double y, double q, double tau)
    {
        if (!(tau > 0 && tau < 1)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "quantile level must be in (0,1).");
        return y >= q ? tau * (y - q) : (1 - tau) * (q - y);
    }

    /// <summary>Mean pinball loss over a sample.</summary>
    /// <param name="actual">Outcomes.</param>
    /// <param name="quantile">Quantile forecasts at level <paramref name="tau"/>, same length.</param>
    /// <param name="tau">Quantile level, strictly between 0 and 1.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, or a value is NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tau"/> is not in (0, 1).</exception>
    public static double Pinball(IReadOnlyList<double> actual, IReadOnlyList<double> quantile, double tau)
    {
        Check(actual, quantile);
        double s = 0;
        for (var i = 0; i < actual.Count; i++) s += Pinball(actual[i], quantile[i], tau);
        return s / actual.Count;
    }

    /// <summary>CRPS approximated from a set of quantiles: CRPS = 2∫₀¹ pinball_τ dτ (Gneiting &amp; Raftery 2007,
    /// eq. 21 via the quantile representation of Laio &amp; Tamea 2007), the integral replaced by the mean over
    /// the given levels. It approaches the CRPS only with many levels; with P10/P50/P90 use
    /// <see cref="QuantileScore(IReadOnlyList{double}, IReadOnlyList{double}, IReadOnlyList{double}, IReadOnlyList{double})"/>, which is named for what it is.</summary>
    /// <param name="y">Outcome.</param>
    /// <param name="levels">Quantile levels, each in (0, 1).</param>
    /// <param name="quantiles">Quantile forecasts, one per level, same order.</param>
    /// <exception cref="ArgumentException">The lists are empty or differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A level is not in (0, 1).</exception>
    public static double CrpsFromQuantiles(double y, IReadOnlyList<double> levels, IReadOnlyList<double> quantiles)
    {
        if (levels.Count == 0 || levels.Count != quantiles.Count)
            throw new ArgumentException($"need matching non-empty levels and quantiles ({levels.Count} vs {quantiles.Count}).");
        double s = 0;
        for (var k = 0; k < levels.Count; k++) s += Pinball(y, quantiles[k], levels[k]);
        return 2 * s / levels.Count;
    }

    /// <summary>Three-quantile score of P10/P50/P90 forecasts: QS = mean over rows of
    /// (2/3)·[pinball₀.₁(y, q10) + pinball₀.₅(y, q50) + pinball₀.₉(y, q90)], i.e. <see cref="CrpsFromQuantiles"/>
    /// with the levels 0.1, 0.5, 0.9. It is a proper score for those three quantiles, but only a coarse
    /// approximation of the CRPS (the integral over τ replaced by three points): its values are not comparable
    /// with a closed-form CRPS (e.g. <see cref="CrpsGaussian"/>) or a CRPS from many quantiles, only with the
    /// same three-quantile score of another model.</summary>
    /// <param name="actual">Outcomes y.</param>
    /// <param name="q10">P10 forecasts, same length.</param>
    /// <param name="q50">P50 forecasts, same length.</param>
    /// <param name="q90">P90 forecasts, same length.</param>
    /// <returns>Mean score in the units of y (lower is better).</returns>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, or a value is NaN.</exception>
    public static double QuantileScore(IReadOnlyList<double> actual, IReadOnlyList<double> q10, IReadOnlyList<double> q50, IReadOnlyList<double> q90)
    {
        Check(actual, q10); Check(actual, q50); Check(actual, q90);
        double s = 0;
        for (var i = 0; i < actual.Count; i++)
            s += QuantileScore(actual[i], q10[i], q50[i], q90[i]);
        return s / actual.Count;
    }

    /// <summary>Three-quantile score of one P10/P50/P90 forecast (see the list overload for the definition).</summary>
    /// <param name="y">Outcome.</param>
    /// <param name="q10">P10 forecast.</param>
    /// <param name="q50">P50 forecast.</param>
    /// <param name="q90">P90 forecast.</param>
    public static double QuantileScore(double y, double q10, double q50, double q90) =>
        2 * (Pinball(y, q10, 0.1) + Pinball(y, q50, 0.5) + Pinball(y, q90, 0.9)) / 3;

    /// <summary>Closed-form CRPS of N(mu, sigma²) at y (Gneiting, Raftery, Westveld &amp; Goldman 2005, eq. 5):
    /// σ[z(2Φ(z)−1) + 2φ(z) − 1/√π], z = (y−μ)/σ. In the units of y; NaN when y, μ or σ is NaN.</summary>
    /// <param name="y">Outcome.</param>
    /// <param name="mu">Forecast mean.</param>
    /// <param name="sigma">Forecast standard deviation, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sigma"/> is ≤ 0.</exception>
    public static double CrpsGaussian(double y, double mu, double sigma)
    {
        if (double.IsNaN(y) || double.IsNaN(mu) || double.IsNaN(sigma)) return double.NaN;
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be > 0.");
        var z = (y - mu) / sigma;
        return sigma * (z * (2 * Normal.CDF(0, 1, z) - 1) + 2 * Normal.PDF(0, 1, z) - 1 / Math.Sqrt(Math.PI));
    }

    /// <summary>Share of outcomes inside [lower, upper], bounds included, as a fraction (P10–P90 nominal 0.80).</summary>
    /// <param name="actual">Outcomes.</param>
    /// <param name="lower">Lower bounds, same length.</param>
    /// <param name="upper">Upper bounds, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, a value is NaN, or a lower bound
    /// exceeds its upper bound (the message names the row).</exception>
    public static double Coverage(IReadOnlyList<double> actual, IReadOnlyList<double> lower, IReadOnlyList<double> upper)
    {
        Check(actual, lower); Check(actual, upper); CheckBounds(lower, upper);
        var n = 0;
        for (var i = 0; i < actual.Count; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) n++;
        return (double)n / actual.Count;
    }

    /// <summary>Sharpness: mean interval width, mean(upper − lower), in the units of the bounds.</summary>
    /// <param name="lower">Lower bounds.</param>
    /// <param name="upper">Upper bounds, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, a value is NaN, or a lower bound
    /// exceeds its upper bound (the message names the row).</exception>
    public static double Sharpness(IReadOnlyList<double> lower, IReadOnlyList<double> upper)
    {
        Check(lower, upper); CheckBounds(lower, upper);
        double s = 0;
        for (var i = 0; i < lower.Count; i++) s += upper[i] - lower[i];
        return s / lower.Count;
    }

    /// <summary>Interval score of a central (1−alpha) interval (Gneiting &amp; Raftery 2007, eq. 43):
    /// (u−l) + (2/α)(l−y)·1{y&lt;l} + (2/α)(y−u)·1{y&gt;u}. For P10–P90, alpha = 0.2. In the units of y; NaN
    /// when y or a bound is NaN, like every scalar score here.</summary>
    /// <param name="y">Outcome.</param>
    /// <param name="lower">Lower bound l.</param>
    /// <param name="upper">Upper bound u, ≥ l.</param>
    /// <param name="alpha">Nominal non-coverage α, in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException"><paramref name="lower"/> &gt; <paramref name="upper"/> (swapped bounds).</exception>
    public static double IntervalScore(double y, double lower, double upper, double alpha)
    {
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "must be in (0,1).");
        // The comparisons below are false for NaN, which would score a NaN outcome as a hit.
        if (double.IsNaN(y) || double.IsNaN(lower) || double.IsNaN(upper)) return double.NaN;
        if (lower > upper) throw new ArgumentException($"interval score: lower bound {lower} exceeds upper bound {upper} (swapped bounds?).", nameof(lower));
        var s = upper - lower;
        if (y < lower) s += 2 / alpha * (lower - y);
        if (y > upper) s += 2 / alpha * (y - upper);
        return s;
    }

    /// <summary>Mean <see cref="IntervalScore(double, double, double, double)"/> over a sample, in the units of the outcomes.</summary>
    /// <param name="actual">Outcomes.</param>
    /// <param name="lower">Lower bounds, same length.</param>
    /// <param name="upper">Upper bounds, same length.</param>
    /// <param name="alpha">Nominal non-coverage α, in (0, 1); 0.2 for P10–P90.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, a value is NaN, or a lower bound
    /// exceeds its upper bound (the message names the row).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public static double IntervalScore(IReadOnlyList<double> actual, IReadOnlyList<double> lower, IReadOnlyList<double> upper, double alpha = 0.2)
    {
        Check(actual, lower); Check(actual, upper); CheckBounds(lower, upper);
        double s = 0;
        for (var i = 0; i < actual.Count; i++) s += IntervalScore(actual[i], lower[i], upper[i], alpha);
        return s / actual.Count;
    }

    /// <summary>Share of forecasts whose sign matches the realised sign (returns, not prices). Pairs where the
    /// outcome or the forecast is exactly 0 carry no direction and are excluded; NaN if none remain.</summary>
    /// <param name="actual">Realised returns.</param>
    /// <param name="forecast">Forecast returns, same length.</param>
    /// <returns>A fraction in [0, 1], or NaN.</returns>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, or a value is NaN.</exception>
    public static double DirectionalAccuracy(IReadOnlyList<double> actual, IReadOnlyList<double> forecast)
    {
        Check(actual, forecast);
        int hit = 0, n = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            if (actual[i] == 0 || forecast[i] == 0) continue;
            n++;
            if (Math.Sign(actual[i]) == Math.Sign(forecast[i])) hit++;
        }
        return n == 0 ? double.NaN : (double)hit / n;
    }

    /// <summary>Skill of a loss relative to a reference (the random walk): 1 − model/reference. Positive = better.</summary>
    /// <param name="modelLoss">The model's mean loss.</param>
    /// <param name="referenceLoss">The reference's mean loss on the same rows, &gt; 0.</param>
    /// <returns>A fraction: 0 = as good as the reference, 1 = zero loss (for non-negative losses), negative = worse.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="referenceLoss"/> is not &gt; 0.</exception>
    public static double Skill(double modelLoss, double referenceLoss)
    {
        if (!(referenceLoss > 0)) throw new ArgumentOutOfRangeException(nameof(referenceLoss), referenceLoss, "reference loss must be > 0.");
        return 1 - modelLoss / referenceLoss;
    }

    /// <summary>QLIKE loss of a variance forecast f against a realised variance proxy r (Patton 2011), in the form
    /// r/f + ln f, averaged. It differs from r/f − ln(r/f) − 1 only by terms free of the forecast, so it ranks
    /// forecasts identically, and it stays defined when the proxy is 0 (a day without a price change).</summary>
    /// <param name="realisedVariance">Realised variance proxies r, ≥ 0 (e.g. squared log returns).</param>
    /// <param name="forecastVariance">Variance forecasts f, &gt; 0, same length and units.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty, a value is NaN, some f ≤ 0 or some r &lt; 0.</exception>
    public static double QLike(IReadOnlyList<double> realisedVariance, IReadOnlyList<double> forecastVariance)
    {
        Check(realisedVariance, forecastVariance);
        double s = 0;
        for (var i = 0; i < realisedVariance.Count; i++)
        {
            if (!(forecastVariance[i] > 0)) throw new ArgumentException($"QLIKE needs a positive variance forecast (row {i}).");
            if (realisedVariance[i] < 0) throw new ArgumentException($"QLIKE needs a non-negative realised variance (row {i}).");
            s += realisedVariance[i] / forecastVariance[i] + Math.Log(forecastVariance[i]);
        }
        return s / realisedVariance.Count;
    }

    /// <summary>Diebold–Mariano test of equal predictive accuracy from two loss series (model 1 minus model 2;
    /// negative statistic = model 1 better). Long-run variance from autocovariances up to lag h−1 with
    /// rectangular weights (Diebold &amp; Mariano 1995), falling back to Bartlett weights if that estimate is
    /// not positive; Harvey, Leybourne &amp; Newbold (1997) small-sample correction; two-sided p from t(n−1), computed
    /// as the tail probability itself (regularised incomplete beta), so p-values far below 1e-16 keep their digits.
    /// A loss differential that is constant up to rounding (equal losses, or a constant offset) is refused, as
    /// <c>forecast::dm.test</c> refuses it ("Variance of DM statistic is zero").</summary>
    /// <param name="loss1">Per-origin losses of model 1.</param>
    /// <param name="loss2">Per-origin losses of model 2 on the same origins, same order.</param>
    /// <param name="horizon">Forecast horizon h in trading days (≥ 1); sets the autocovariance lags.</param>
    /// <returns>The corrected statistic, its two-sided p-value and n.</returns>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty or hold NaN, fewer than h + 2 pairs, or the
    /// loss differential is constant (spread within 64 ulps of the largest loss), so it has zero variance.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> &lt; 1.</exception>
    public static TestResult DieboldMariano(IReadOnlyList<double> loss1, IReadOnlyList<double> loss2, int horizon) =>
        ComparisonTests.DieboldMariano(loss1, loss2, horizon);

    /// <summary>Test that a band's coverage equals its nominal level when the outcomes of neighbouring origins overlap:
    /// the hit sequence x_i ∈ {0, 1} (outcome inside the band) minus the nominal level is tested for zero mean exactly as
    /// <see cref="DieboldMariano"/> tests a loss differential — long-run variance from autocovariances up to lag h−1
    /// (rectangular, Bartlett if not positive), Harvey, Leybourne &amp; Newbold (1997) correction, two-sided p from t(n−1).
    /// With h = 1 it is the one-sample t test of the hit rate, asymptotically equivalent to Kupiec's (1995) likelihood-ratio
    /// test of unconditional coverage (they differ in small samples; the variance here is the sample's, not the null's);
    /// for h &gt; 1 the h-day outcomes of
    /// consecutive origins share h − 1 days, so n hits carry about n/h independent ones and an iid binomial test would
    /// overstate the evidence. Negative statistic = coverage below nominal.</summary>
    /// <param name="inside">Per-origin hits (true = the outcome fell inside the band), in origin order.</param>
    /// <param name="nominal">Nominal coverage in (0, 1), e.g. 0.8 for P10–P90.</param>
    /// <param name="horizon">Forecast horizon h in trading days (≥ 1); sets the autocovariance lags.</param>
    /// <returns>The corrected statistic, its two-sided p-value and n.</returns>
    /// <exception cref="ArgumentException">Fewer than h + 2 hits, or every hit is the same (all inside or all outside: the hit
    /// sequence has no variance and the test is undefined).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nominal"/> outside (0, 1) or <paramref name="horizon"/> &lt; 1.</exception>
    public static TestResult CoverageTest(IReadOnlyList<bool> inside, double nominal, int horizon)
    {
        ArgumentNullException.ThrowIfNull(inside);
        if (!(nominal > 0 && nominal < 1)) throw new ArgumentOutOfRangeException(nameof(nominal), nominal, "must be in (0, 1).");
        if (inside.Count < horizon + 2)
            throw new ArgumentException($"the coverage test needs more than h + 1 = {horizon + 1} outcomes, got {inside.Count}.", nameof(inside));
        if (inside.All(x => x == inside[0]))
            throw new ArgumentException($"the coverage test is undefined: all {inside.Count} outcomes fell {(inside[0] ? "inside" : "outside")} the band, so the hits have no variance.", nameof(inside));
        return ComparisonTests.DieboldMariano(inside.Select(x => x ? 1.0 : 0.0).ToArray(), Enumerable.Repeat(nominal, inside.Count).ToArray(), horizon);
    }

    /// <summary>Pesaran–Timmermann (1992) test that forecast directions carry information about realised
    /// directions; one-sided p-value (H1: better than independent signs) from the N(0,1) upper tail (½·erfc(S/√2),
    /// accurate far into the tail). As in
    /// <see cref="DirectionalAccuracy"/>, pairs whose outcome or forecast is exactly 0 are dropped (N counts the
    /// rest); throws if none remain or all remaining outcomes or forecasts share one sign.</summary>
    /// <param name="actual">Realised returns.</param>
    /// <param name="forecast">Forecast returns, same length.</param>
    /// <exception cref="ArgumentException">Lengths differ, the lists are empty or hold NaN, no pair has a direction, or
    /// the test variance is not positive (one-signed outcomes or forecasts).</exception>
    public static TestResult PesaranTimmermann(IReadOnlyList<double> actual, IReadOnlyList<double> forecast) =>
        ComparisonTests.PesaranTimmermann(actual, forecast);

    static void CheckBounds(IReadOnlyList<double> lower, IReadOnlyList<double> upper)
    {
        for (var i = 0; i < lower.Count; i++)
            if (lower[i] > upper[i])
                throw new ArgumentException($"lower bound {lower[i]} exceeds upper bound {upper[i]} at row {i} (swapped bounds?).");
    }

    internal static void Check(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"series lengths differ: {a.Count} vs {b.Count}.");
        if (a.Count == 0) throw new ArgumentException("series are empty.");
        for (var i = 0; i < a.Count; i++)
            if (double.IsNaN(a[i]) || double.IsNaN(b[i])) throw new ArgumentException($"NaN at row {i}.");
    }
}

/// <summary>Statistic, p-value and the sample size it was computed on.</summary>
/// <param name="Statistic">Test statistic.</param>
/// <param name="PValue">p-value in [0, 1].</param>
/// <param name="N">Number of pairs the test used.</param>
public readonly record struct TestResult(double Statistic, double PValue, int N);
