using Cbi.Workbench.Features;

namespace Cbi.Workbench.Tests.Features;

/// <summary>Reference values are hand calculations on small constructed series (shown in each comment),
/// using short periods so every step can be checked on paper; the default periods (14, 12/26/9, 20) run
/// the same code path with a different n.</summary>
public class IndicatorTests
{
    const double Tol = 1e-9;
    static readonly double N = double.NaN;

    [Fact]
    public void log_return_is_nan_in_warm_up_and_for_non_positive_prices()
    {
        // ln(110/100) = 0.0953101798; WTI-style negative price (−37.63) has no log: NaN, not zero.
        var r = Indicators.LogReturn([100, 110, -37.63, 50], 1);
        Assert.True(double.IsNaN(r[0]));
        Assert.Equal(0.0953101798043249, r[1], Tol);
        Assert.True(double.IsNaN(r[2]));
        Assert.True(double.IsNaN(r[3]));
    }

    [Fact]
    public void rsi_matches_wilder_smoothing_by_hand()
    {
        // n=3, closes 10, 11, 10.5, 11.5, 11, 12 → changes +1, −0.5, +1, −0.5, +1.
        // t=3: avg gain (1+0+1)/3 = 2/3, avg loss 0.5/3 = 1/6, RS 4 → RSI 80.
        // t=4: gain (2/3·2+0)/3 = 4/9, loss (1/6·2+0.5)/3 = 5/18, RS 1.6 → 100 − 100/2.6 = 61.538461538.
        // t=5: gain (4/9·2+1)/3 = 17/27, loss (5/18·2)/3 = 5/27, RS 3.4 → 100 − 100/4.4 = 77.272727273.
        var r = Indicators.Rsi([10, 11, 10.5, 11.5, 11, 12], 3);
        Assert.All(r[..3], v => Assert.True(double.IsNaN(v)));
        Assert.Equal(80, r[3], Tol);
        Assert.Equal(100 - 100 / 2.6, r[4], Tol);
        Assert.Equal(100 - 100 / 4.4, r[5], Tol);
    }

    [Fact]
    public void rsi_is_100_when_prices_only_rise()
    {
        // No losses: RS is infinite and Wilder defines RSI = 100.
        var up = Enumerable.Range(0, 30).Select(i => 50.0 + i).ToArray();
        var r = Indicators.Rsi(up);
        Assert.True(double.IsNaN(r[13]));
        Assert.Equal(100, r[14], Tol);
    }

    [Fact]
    public void ema_and_macd_match_hand_calculation()
    {
        // EMA n=3 (α=0.5) of 1,2,3,4,6: seed mean(1,2,3)=2 at t=2; t=3: 2+0.5·2 = 3; t=4: 3+0.5·3 = 4.5.
        var e = Indicators.Ema([1, 2, 3, 4, 6], 3);
        Assert.True(double.IsNaN(e[1]));
        Assert.Equal(2, e[2], Tol); Assert.Equal(3, e[3], Tol); Assert.Equal(4.5, e[4], Tol);
        // MACD(2,3,2): EMA2 (α=2/3): seed 1.5 at t=1, 2.5, 3.5, 3.5+2/3·2.5 = 31/6.
        // line = EMA2 − EMA3: t2 0.5, t3 0.5, t4 31/6 − 4.5 = 2/3.
        // signal = EMA2 of line: seed mean(0.5,0.5)=0.5 at t3; t4: 0.5 + 2/3·(2/3 − 0.5) = 0.6111…
        var (line, signal) = Indicators.Macd([1, 2, 3, 4, 6], 2, 3, 2);
        Assert.True(double.IsNaN(line[1]));
        Assert.Equal(0.5, line[2], Tol); Assert.Equal(0.5, line[3], Tol); Assert.Equal(2.0 / 3, line[4], Tol);
        Assert.True(double.IsNaN(signal[2]));
        Assert.Equal(0.5, signal[3], Tol); Assert.Equal(0.5 + 2.0 / 3 * (2.0 / 3 - 0.5), signal[4], Tol);
    }

    // Bars used by ATR and ADX (high, low, close):
    // t0 10.0  9.0  9.5
    // t1 10.6  9.5 10.0   TR max(1.1, |10.6−9.5|, |9.5−9.5|) = 1.1   +DM 0.6 (up 0.6 > down −0.5)  −DM 0
    // t2 11.0 10.2 10.8   TR max(0.8, 1.0, 0.2) = 1.0               +DM 0.4                        −DM 0
    // t3 10.6  9.6 10.0   TR max(1.0, 0.2, 1.2) = 1.2               +DM 0                          −DM 0.6
    // t4 10.4  9.4  9.8   TR max(1.0, 0.4, 0.6) = 1.0               +DM 0 (up −0.2)                −DM 0.2 (down 0.2)
    static readonly double[] H = [10.0, 10.6, 11.0, 10.6, 10.4];
    static readonly double[] L = [9.0, 9.5, 10.2, 9.6, 9.4];
    static readonly double[] C = [9.5, 10.0, 10.8, 10.0, 9.8];

    [Fact]
    public void atr_matches_wilder_by_hand()
    {
        // n=2: t2 (1.1+1.0)/2 = 1.05; t3 (1.05+1.2)/2 = 1.125; t4 (1.125+1.0)/2 = 1.0625.
        var a = Indicators.Atr(H, L, C, 2);
        Assert.True(double.IsNaN(a[1]));
        Assert.Equal(1.05, a[2], Tol); Assert.Equal(1.125, a[3], Tol); Assert.Equal(1.0625, a[4], Tol);
    }

    [Fact]
    public void adx_matches_wilder_by_hand()
    {
        // n=2 Wilder averages: t2 TR 1.05, +DM 0.5, −DM 0 → DI+ 47.6, DI− 0, DX 100.
        // t3 TR 1.125, +DM 0.25, −DM 0.3 → DX = 100·0.05/0.55 = 9.0909…; ADX = (100 + 9.0909)/2 = 54.5454…
        // t4 +DM (0.25+0)/2 = 0.125, −DM (0.3+0.2)/2 = 0.25 → DX = 100·0.125/0.375 = 33.333…;
        //    ADX = (54.5454… + 33.333…)/2 = 43.9393…
        var a = Indicators.Adx(H, L, C, 2);
        Assert.True(double.IsNaN(a[2]));
        Assert.Equal((100 + 100.0 / 11) / 2, a[3], Tol);
        Assert.Equal(((100 + 100.0 / 11) / 2 + 100.0 / 3) / 2, a[4], Tol);
    }

    [Fact]
    public void bollinger_uses_population_sigma()
    {
        // n=3, k=2 on 1,2,3: mean 2, population variance 2/3, σ = 0.8164965809;
        // upper 2 + 1.6329931619 = 3.6329931619, lower 0.3670068381, width 3.2659863238/2 = 1.6329931619.
        var (u, l, w) = Indicators.Bollinger([1, 2, 3], 3, 2);
        Assert.Equal(2 + 2 * Math.Sqrt(2.0 / 3), u[2], Tol);
        Assert.Equal(2 - 2 * Math.Sqrt(2.0 / 3), l[2], Tol);
        Assert.Equal(2 * Math.Sqrt(2.0 / 3), w[2], Tol);
        Assert.True(double.IsNaN(u[1]));
    }

    [Fact]
    public void cci_matches_lambert_by_hand()
    {
        // n=3 with high=low=close so TP = close = 1,2,6: SMA 3, mean deviation (2+1+3)/3 = 2,
        // CCI = (6−3)/(0.015·2) = 100.
        double[] x = [1, 2, 6];
        var c = Indicators.Cci(x, x, x, 3);
        Assert.Equal(100, c[2], Tol);
    }

    [Fact]
    public void realised_volatility_is_annualised_sample_sigma()
    {
        // closes 100, 110, 99: returns ln 1.1 = 0.0953102, ln 0.9 = −0.1053605; sample σ of two values is
        // |a−b|/√2 = 0.2006707/1.4142136 = 0.1418955; × √252 (15.8745079) = 2.252523.
        var v = Indicators.RealisedVolatility([100, 110, 99], 2);
        Assert.Equal(Math.Abs(Math.Log(1.1) - Math.Log(0.9)) / Math.Sqrt(2) * Math.Sqrt(252), v[2], Tol);
        Assert.Equal(2.252523, v[2], 1e-5);
    }

    [Fact]
    public void ranges_and_distance_from_average_by_hand()
    {
        // (12−9)/10 = 0.3; ln(10/8) = 0.2231435513; 10/mean(8,10) − 1 = 1/9.
        Assert.Equal(0.3, Indicators.HighLowRange([12], [9], [10])[0], Tol);
        Assert.Equal(Math.Log(1.25), Indicators.OpenCloseRange([8], [10])[0], Tol);
        Assert.Equal(1.0 / 9, Indicators.DistanceFromMovingAverage([8, 10], 2)[1], Tol);
    }

    [Fact]
    public void a_missing_value_is_never_bridged()
    {
        // The NaN at t=3 breaks the run: RSI(3) needs 3 fresh changes after it, i.e. first value at t=7.
        double[] x = [10, 11, 10.5, N, 11, 12, 11.5, 12.5, 13];
        var r = Indicators.Rsi(x, 3);
        for (var t = 0; t < 7; t++) Assert.True(double.IsNaN(r[t]), $"t={t}");
        Assert.False(double.IsNaN(r[7]));
        var sma = Indicators.Sma(x, 2);
        Assert.True(double.IsNaN(sma[3]) && double.IsNaN(sma[4]));
        Assert.Equal(11.5, sma[5], Tol);
    }

    [Fact]
    public void bad_periods_are_rejected_with_the_parameter_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Indicators.Rsi([1, 2, 3], 0));
        Assert.Equal("n", e.ParamName);
        Assert.Throws<ArgumentException>(() => Indicators.Macd([1, 2, 3], 26, 12));
    }

    /// <summary>Every indicator, as a function of full arrays, evaluated on a constructed OHLC path with
    /// gaps; returns (name, values).</summary>
    static IEnumerable<(string, double[])> All(double[] o, double[] h, double[] l, double[] c)
    {
        yield return ("logret5", Indicators.LogReturn(c, 5));
        yield return ("ma10", Indicators.DistanceFromMovingAverage(c, 10));
        yield return ("vol21", Indicators.RealisedVolatility(c, 21));
        yield return ("hl", Indicators.HighLowRange(h, l, c));
        yield return ("oc", Indicators.OpenCloseRange(o, c));
        yield return ("rsi", Indicators.Rsi(c));
        var (m, s) = Indicators.Macd(c);
        yield return ("macd", m); yield return ("macd_signal", s);
        yield return ("atr", Indicators.Atr(h, l, c));
        var (u, lo, w) = Indicators.Bollinger(c);
        yield return ("bb_upper", u); yield return ("bb_lower", lo); yield return ("bb_width", w);
        yield return ("adx", Indicators.Adx(h, l, c));
        yield return ("cci", Indicators.Cci(h, l, c));
        yield return ("z", Indicators.RollingZScore(c, 30));
    }

    [Fact]
    public void truncating_the_input_at_t_leaves_every_value_up_to_t_unchanged()
    {
        // A constructed path (this tests the math's causality, not market data): a deterministic LCG walk
        // with two missing stretches.
        const int n = 400;
        var o = new double[n]; var h = new double[n]; var l = new double[n]; var c = new double[n];
        ulong seed = 12345;
        double U() { seed = seed * 6364136223846793005UL + 1442695040888963407UL; return (seed >> 11) / (double)(1UL << 53); }
        var p = 40.0;
        for (var t = 0; t < n; t++)
        {
            o[t] = p; p *= Math.Exp(0.02 * (U() - 0.5)); c[t] = p;
            h[t] = Math.Max(o[t], c[t]) * (1 + 0.01 * U()); l[t] = Math.Min(o[t], c[t]) * (1 - 0.01 * U());
        }
        foreach (var t in new[] { 120, 121, 122, 250 }) { o[t] = h[t] = l[t] = c[t] = double.NaN; }

        var full = All(o, h, l, c).ToArray();
        foreach (var cut in new[] { 1, 14, 27, 33, 60, 121, 123, 200, 251, 399 })
        {
            var part = All(o[..(cut + 1)], h[..(cut + 1)], l[..(cut + 1)], c[..(cut + 1)]).ToArray();
            for (var k = 0; k < full.Length; k++)
                for (var t = 0; t <= cut; t++)
                    Assert.True(BitConverter.DoubleToInt64Bits(full[k].Item2[t]) == BitConverter.DoubleToInt64Bits(part[k].Item2[t]),
                        $"{full[k].Item1} differs at t={t} when truncated at {cut}");
        }
        // And the indicators do produce values on this path (the comparison is not over all-NaN columns).
        Assert.All(full, f => Assert.True(f.Item2.Count(v => !double.IsNaN(v)) > 200, f.Item1));
    }
}
