namespace Cbi.Workbench.Evaluation;

internal static class ComparisonTests
{
    internal static TestResult DieboldMariano(IReadOnlyList<double> loss1, IReadOnlyList<double> loss2, int horizon)
    {
        Metrics.Check(loss1, loss2);
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "must be ≥ 1.");
        var n = loss1.Count;
        if (n < horizon + 2) throw new ArgumentException($"Diebold–Mariano needs more than h+1 = {horizon + 1} pairs, got {n}.");
        var d = new double[n];
        for (var i = 0; i < n; i++) d[i] = loss1[i] - loss2[i];
        var mean = d.Average();
        // A constant differential has no variance, but d_i = l1_i − l2_i carries rounding of order ε·|l|, so
        // "constant" means: spread within a few ulps of the losses (0.3−0.2 and 0.4−0.3 differ in the last bits).
        double spread = 0, scale = 0;
        for (var i = 0; i < n; i++)
        {
            spread = Math.Max(spread, Math.Abs(d[i] - mean));
            scale = Math.Max(scale, Math.Abs(loss1[i]) + Math.Abs(loss2[i]));
        }
        if (spread <= 64 * Eps * scale)
            throw new ArgumentException(
                $"Diebold–Mariano is undefined: the loss differential is constant ({mean:G6} on all {n} pairs), so its variance is zero.");
        double Gamma(int k)
        {
            double s = 0;
            for (var t = k; t < n; t++) s += (d[t] - mean) * (d[t - k] - mean);
            return s / n;
        }
        var gammas = Enumerable.Range(0, horizon).Select(Gamma).ToArray();
        var lrv = gammas[0] + 2 * gammas.Skip(1).Sum();
        if (!(lrv > 0))
        {
            // The rectangular window can give a negative variance; Bartlett weights cannot.
            lrv = gammas[0];
            for (var k = 1; k < horizon; k++) lrv += 2 * (1 - (double)k / horizon) * gammas[k];
        }
        if (!(lrv > 0)) throw new ArgumentException("Diebold–Mariano is undefined: the loss differential has zero variance.");
        var dm = mean / Math.Sqrt(lrv / n);
        var h = horizon;
        var hln = Math.Sqrt((n + 1 - 2 * h + (double)h * (h - 1) / n) / n);
        var stat = dm * hln;
        return new TestResult(stat, StudentTTwoSided(Math.Abs(stat), n - 1), n);
    }

    internal static TestResult PesaranTimmermann(IReadOnlyList<double> actual, IReadOnlyList<double> forecast)
    {
        Metrics.Check(actual, forecast);
        // Same rule as Metrics.DirectionalAccuracy: a pair whose outcome or forecast is exactly 0 has no direction
        // and is dropped (counting a 0 forecast as "down" would credit the random walk's P50 = 0 with a call).
        var keep = Enumerable.Range(0, actual.Count).Where(i => actual[i] != 0 && forecast[i] != 0).ToArray();
        var n = keep.Length;
        if (n == 0)
            throw new ArgumentException("Pesaran–Timmermann is undefined: no pair has a non-zero outcome and a non-zero forecast.");
        double hits = 0, ya = 0, xf = 0;
        foreach (var i in keep)
        {
            var up = actual[i] > 0; var fu = forecast[i] > 0;
            if (up) ya++;
            if (fu) xf++;
            if (up == fu) hits++;
        }
        var p = hits / n; var py = ya / n; var px = xf / n;
        var pStar = py * px + (1 - py) * (1 - px);
        var vP = pStar * (1 - pStar) / n;
        var vPStar = (2 * py - 1) * (2 * py - 1) * px * (1 - px) / n
                   + (2 * px - 1) * (2 * px - 1) * py * (1 - py) / n
                   + 4 * py * px * (1 - py) * (1 - px) / ((double)n * n);
        var v = vP - vPStar;
        if (!(v > 0))
            throw new ArgumentException("Pesaran–Timmermann is undefined: forecasts or outcomes all have the same sign.");
        var s = (p - pStar) / Math.Sqrt(v);
        return new TestResult(s, NormalUpperTail(s), n);
    }

    /// <summary>Machine epsilon of double (2^−52); double.Epsilon is the smallest subnormal, not this.</summary>
    const double Eps = 2.220446049250313e-16;

    /// <summary>P(|T| ≥ t) for T ~ t(ν), t ≥ 0, as I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz &amp; Stegun 26.7.1 with 26.5.27):
    /// computed from the tail itself, so it stays accurate where 1 − CDF rounds to 0 (below ~1e-16).</summary>
    internal static double StudentTTwoSided(double t, double nu) =>
        t == 0 ? 1 : MathNet.Numerics.SpecialFunctions.BetaRegularized(nu / 2, 0.5, nu / (nu + t * t));

    /// <summary>P(Z ≥ z) for Z ~ N(0,1) as ½·erfc(z/√2), accurate far into the upper tail.</summary>
    internal static double NormalUpperTail(double z) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(z / Math.Sqrt(2));
}
