namespace Cbi.Workbench.Features;

/// <summary>Technical indicators as pure causal functions over daily arrays: the value at t uses inputs at
/// indices ≤ t only. Warm-up rows are NaN. A NaN input is never filled: every window that contains it gives
/// NaN, and the recursive (Wilder / EMA) indicators restart their warm-up after it, so a gap can never be
/// bridged by a value that was not observed. Prices ≤ 0 are treated as missing for log/ratio transforms
/// (WTI settled at −37.63 on 2020-04-20; a log of it is undefined, not zero).</summary>
internal static class Indicators
{
    /// <summary>ln(x[t]/x[t−n]) (a log return, not percent); NaN when either price is missing or non-positive.</summary>
    /// <param name="x">Daily prices, ascending in time.</param>
    /// <param name="n">Lag in rows (trading days), ≥ 1.</param>
    /// <returns>Same length as <paramref name="x"/>; the first n values are NaN.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static double[] LogReturn(double[] x, int n)
    {
        RequirePeriod(n, nameof(n));
        var r = Nan(x.Length);
        for (var t = n; t < x.Length; t++)
            if (Positive(x[t]) && Positive(x[t - n])) r[t] = Math.Log(x[t] / x[t - n]);
        return r;
    }

    /// <summary>Simple moving average over the last n values; NaN if any of them is missing.</summary>
    /// <param name="x">Daily values, ascending in time.</param>
    /// <param name="n">Window length in rows, ≥ 1.</param>
    /// <returns>Same length as <paramref name="x"/>; first value at index n−1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static double[] Sma(double[] x, int n)
    {
        RequirePeriod(n, nameof(n));
        var r = Nan(x.Length);
        // Recomputed per window (not a running sum) so a NaN cannot poison later windows and the
        // result at t is bit-identical whatever came before the window (the leakage guard compares exactly).
        for (var t = n - 1; t < x.Length; t++)
        {
            double s = 0;
            var ok = true;
            for (var k = t - n + 1; k <= t; k++) { if (double.IsNaN(x[k])) { ok = false; break; } s += x[k]; }
            if (ok) r[t] = s / n;
        }
        return r;
    }

    /// <summary>close[t] / SMA(n)[t] − 1: how far price stands above (+) or below (−) its n-day average, as a
    /// fraction (0.05 = 5 %). NaN when the average is missing or non-positive.</summary>
    /// <param name="close">Daily closes, ascending in time.</param>
    /// <param name="n">Window length in rows, ≥ 1.</param>
    /// <returns>Same length as <paramref name="close"/>; first value at index n−1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static double[] DistanceFromMovingAverage(double[] close, int n)
    {
        var ma = Sma(close, n);
        var r = Nan(close.Length);
        for (var t = 0; t < close.Length; t++)
            if (Positive(ma[t]) && !double.IsNaN(close[t])) r[t] = close[t] / ma[t] - 1;
        return r;
    }

    /// <summary>Annualised (×√252) sample standard deviation of the last n daily log returns, as a fraction
    /// (0.25 = 25 % a year). NaN when any of those returns is missing (n+1 prices needed).</summary>
    /// <param name="close">Daily closes, ascending in time.</param>
    /// <param name="n">Number of returns in the window, ≥ 2.</param>
    /// <returns>Same length as <paramref name="close"/>; first value at index n.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 2.</exception>
    public static double[] RealisedVolatility(double[] close, int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "realised volatility needs a window of at least 2 returns.");
        var ret = LogReturn(close, 1);
        var r = Nan(close.Length);
        for (var t = n; t < close.Length; t++)
        {
            double s = 0, ok = 1;
            for (var k = t - n + 1; k <= t; k++) { if (double.IsNaN(ret[k])) { ok = 0; break; } s += ret[k]; }
            if (ok == 0) continue;
            var m = s / n;
            double ss = 0;
            for (var k = t - n + 1; k <= t; k++) ss += (ret[k] - m) * (ret[k] - m);
            r[t] = Math.Sqrt(ss / (n - 1)) * Math.Sqrt(252);
        }
        return r;
    }

    /// <summary>(high − low) / close: the day's range as a fraction of the close; NaN when an input is missing or
    /// the close is non-positive.</summary>
    /// <param name="high">Daily highs.</param>
    /// <param name="low">Daily lows, same length.</param>
    /// <param name="close">Daily closes, same length.</param>
    /// <returns>Same length as the inputs.</returns>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static double[] HighLowRange(double[] high, double[] low, double[] close)
    {
        SameLength(high, low, close);
        var r = Nan(close.Length);
        for (var t = 0; t < close.Length; t++)
            if (Positive(close[t]) && !double.IsNaN(high[t]) && !double.IsNaN(low[t])) r[t] = (high[t] - low[t]) / close[t];
        return r;
    }

    /// <summary>ln(close/open): the day's body, signed, as a log return; NaN when either price is missing or non-positive.</summary>
    /// <param name="open">Daily opens.</param>
    /// <param name="close">Daily closes, same length.</param>
    /// <returns>Same length as the inputs.</returns>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static double[] OpenCloseRange(double[] open, double[] close)
    {
        SameLength(open, close);
        var r = Nan(close.Length);
        for (var t = 0; t < close.Length; t++)
            if (Positive(open[t]) && Positive(close[t])) r[t] = Math.Log(close[t] / open[t]);
        return r;
    }

    /// <summary>Wilder's RSI (New Concepts in Technical Trading Systems, 1978): the first average gain/loss is
    /// the simple mean of the first n changes, then avg = (avg·(n−1) + current)/n. RSI = 100 − 100/(1+RS);
    /// 100 when the average loss is zero, NaN when both averages are zero (no movement at all).
    /// First value at index n.</summary>
    /// <param name="close">Daily closes, ascending in time.</param>
    /// <param name="n">Averaging period in rows, ≥ 1.</param>
    /// <returns>Same length as <paramref name="close"/>, values in [0, 100] or NaN.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static double[] Rsi(double[] close, int n = 14)
    {
        RequirePeriod(n, nameof(n));
        var r = Nan(close.Length);
        var gain = new double[close.Length];
        var loss = new double[close.Length];
        var valid = new bool[close.Length];
        for (var t = 1; t < close.Length; t++)
        {
            var d = close[t] - close[t - 1];
            valid[t] = !double.IsNaN(d);
            gain[t] = d > 0 ? d : 0;
            loss[t] = d < 0 ? -d : 0;
        }
        var ag = WilderAverage(gain, valid, n);
        var al = WilderAverage(loss, valid, n);
        for (var t = 0; t < close.Length; t++)
        {
            if (double.IsNaN(ag[t]) || double.IsNaN(al[t])) continue;
            if (al[t] == 0) r[t] = ag[t] == 0 ? double.NaN : 100;
            else r[t] = 100 - 100 / (1 + ag[t] / al[t]);
        }
        return r;
    }

    /// <summary>Exponential moving average with α = 2/(n+1), seeded by the simple mean of the first n values
    /// (the usual convention for MACD). Restarts after a missing value.</summary>
    /// <param name="x">Daily values, ascending in time.</param>
    /// <param name="n">Period in rows, ≥ 1.</param>
    /// <returns>Same length as <paramref name="x"/>; first value at index n−1 (n−1 rows after each restart).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static double[] Ema(double[] x, int n)
    {
        RequirePeriod(n, nameof(n));
        var alpha = 2.0 / (n + 1);
        var r = Nan(x.Length);
        int run = 0;
        double seed = 0, prev = double.NaN;
        for (var t = 0; t < x.Length; t++)
        {
            if (double.IsNaN(x[t])) { run = 0; seed = 0; prev = double.NaN; continue; }
            run++;
            if (run < n) { seed += x[t]; continue; }
            if (run == n) { seed += x[t]; prev = seed / n; }
            else prev = prev + alpha * (x[t] - prev);
            r[t] = prev;
        }
        return r;
    }

    /// <summary>Appel's MACD: EMA(fast) − EMA(slow) of the close, and its EMA(signal). Line from index slow−1,
    /// signal from index slow+signal−2. Both in price units.</summary>
    /// <param name="close">Daily closes, ascending in time.</param>
    /// <param name="fast">Fast EMA period, ≥ 1 and &lt; <paramref name="slow"/>.</param>
    /// <param name="slow">Slow EMA period.</param>
    /// <param name="signal">Signal EMA period, ≥ 1.</param>
    /// <returns>Two arrays of the same length as <paramref name="close"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="fast"/> ≥ <paramref name="slow"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A period is &lt; 1.</exception>
    public static (double[] Line, double[] Signal) Macd(double[] close, int fast = 12, int slow = 26, int signal = 9)
    {
        if (fast >= slow) throw new ArgumentException($"MACD fast period ({fast}) must be shorter than slow ({slow}).");
        var f = Ema(close, fast);
        var s = Ema(close, slow);
        var line = Nan(close.Length);
        for (var t = 0; t < close.Length; t++) line[t] = f[t] - s[t];
        return (line, Ema(line, signal));
    }

    /// <summary>True range from t=1: max(high−low, |high−close[t−1]|, |low−close[t−1]|), in price units; NaN when
    /// any of those inputs is missing.</summary>
    /// <param name="high">Daily highs.</param>
    /// <param name="low">Daily lows, same length.</param>
    /// <param name="close">Daily closes, same length.</param>
    /// <returns>Same length as the inputs; index 0 is NaN.</returns>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static double[] TrueRange(double[] high, double[] low, double[] close)
    {
        SameLength(high, low, close);
        var r = Nan(close.Length);
        for (var t = 1; t < close.Length; t++)
            r[t] = Math.Max(high[t] - low[t], Math.Max(Math.Abs(high[t] - close[t - 1]), Math.Abs(low[t] - close[t - 1])));
        // NaN propagates through Max/Abs/subtraction: a day missing any input has no true range.
        for (var t = 1; t < close.Length; t++)
            if (double.IsNaN(high[t]) || double.IsNaN(low[t]) || double.IsNaN(close[t - 1])) r[t] = double.NaN;
        return r;
    }

    /// <summary>Wilder's Average True Range: mean of the first n true ranges (t = 1…n), then
    /// ATR = (ATR·(n−1) + TR)/n. First value at index n. In price units; a missing true range restarts it.</summary>
    /// <param name="high">Daily highs.</param>
    /// <param name="low">Daily lows, same length.</param>
    /// <param name="close">Daily closes, same length.</param>
    /// <param name="n">Averaging period in rows, ≥ 1.</param>
    /// <returns>Same length as the inputs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static double[] Atr(double[] high, double[] low, double[] close, int n = 14)
    {
        RequirePeriod(n, nameof(n));
        var tr = TrueRange(high, low, close);
        return WilderAverage(tr, tr.Select(v => !double.IsNaN(v)).ToArray(), n);
    }

    /// <summary>Bollinger bands: SMA(n) ± k·σ with σ the population standard deviation of the last n closes
    /// (Bollinger's own convention); width = (upper − lower)/middle.</summary>
    /// <param name="close">Daily closes, ascending in time.</param>
    /// <param name="n">Window length in rows, ≥ 1.</param>
    /// <param name="k">Band half-width in σ.</param>
    /// <returns>Upper and lower band (price units) and width (fraction; NaN when the middle is 0), each the same
    /// length as <paramref name="close"/>, first value at index n−1, NaN while a missing close is in the window.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static (double[] Upper, double[] Lower, double[] Width) Bollinger(double[] close, int n = 20, double k = 2)
    {
        RequirePeriod(n, nameof(n));
        var mid = Sma(close, n);
        var up = Nan(close.Length); var lo = Nan(close.Length); var w = Nan(close.Length);
        for (var t = n - 1; t < close.Length; t++)
        {
            if (double.IsNaN(mid[t])) continue;
            double ss = 0;
            for (var j = t - n + 1; j <= t; j++) ss += (close[j] - mid[t]) * (close[j] - mid[t]);
            var sd = Math.Sqrt(ss / n);
            up[t] = mid[t] + k * sd; lo[t] = mid[t] - k * sd;
            if (mid[t] != 0) w[t] = (up[t] - lo[t]) / mid[t];
        }
        return (up, lo, w);
    }

    /// <summary>Wilder's ADX (1978). +DM = high−high[t−1] if it exceeds low[t−1]−low and is positive, else 0;
    /// −DM symmetric. TR, +DM and −DM are Wilder-smoothed (sum of the first n from t=1, then
    /// S = S − S/n + x); DI± = 100·DM±/TR; DX = 100·|DI+ − DI−|/(DI+ + DI−); ADX = mean of the first n DX,
    /// then (ADX·(n−1) + DX)/n. First value at index 2n−1.</summary>
    /// <param name="high">Daily highs.</param>
    /// <param name="low">Daily lows, same length.</param>
    /// <param name="close">Daily closes, same length.</param>
    /// <param name="n">Period in rows, ≥ 1.</param>
    /// <returns>Same length as the inputs, values in [0, 100] or NaN; a missing input restarts the averages.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static double[] Adx(double[] high, double[] low, double[] close, int n = 14)
    {
        RequirePeriod(n, nameof(n));
        SameLength(high, low, close);
        var len = close.Length;
        var tr = TrueRange(high, low, close);
        var pdm = new double[len]; var mdm = new double[len]; var valid = new bool[len];
        for (var t = 1; t < len; t++)
        {
            var up = high[t] - high[t - 1];
            var down = low[t - 1] - low[t];
            valid[t] = !double.IsNaN(tr[t]) && !double.IsNaN(up) && !double.IsNaN(down);
            pdm[t] = up > down && up > 0 ? up : 0;
            mdm[t] = down > up && down > 0 ? down : 0;
        }
        // Wilder's smoothed sums equal n × his smoothed averages; DI is a ratio, so averages serve.
        var str = WilderAverage(tr, valid, n);
        var sp = WilderAverage(pdm, valid, n);
        var sm = WilderAverage(mdm, valid, n);
        var dx = Nan(len);
        var dxValid = new bool[len];
        for (var t = 0; t < len; t++)
        {
            if (double.IsNaN(str[t]) || str[t] == 0) continue;
            var pdi = 100 * sp[t] / str[t];
            var mdi = 100 * sm[t] / str[t];
            var sum = pdi + mdi;
            dx[t] = sum == 0 ? 0 : 100 * Math.Abs(pdi - mdi) / sum;
            dxValid[t] = true;
        }
        return WilderAverage(dx, dxValid, n);
    }

    /// <summary>Lambert's Commodity Channel Index (1980): (TP − SMA(TP,n)) / (0.015 · mean absolute deviation),
    /// TP = (high+low+close)/3. NaN when the mean deviation is zero.</summary>
    /// <param name="high">Daily highs.</param>
    /// <param name="low">Daily lows, same length.</param>
    /// <param name="close">Daily closes, same length.</param>
    /// <param name="n">Window length in rows, ≥ 1.</param>
    /// <returns>Same length as the inputs (unbounded index); first value at index n−1, NaN while a missing input is in the window.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static double[] Cci(double[] high, double[] low, double[] close, int n = 14)
    {
        RequirePeriod(n, nameof(n));
        SameLength(high, low, close);
        var tp = new double[close.Length];
        for (var t = 0; t < close.Length; t++) tp[t] = (high[t] + low[t] + close[t]) / 3;
        var ma = Sma(tp, n);
        var r = Nan(close.Length);
        for (var t = n - 1; t < close.Length; t++)
        {
            if (double.IsNaN(ma[t])) continue;
            double md = 0;
            for (var j = t - n + 1; j <= t; j++) md += Math.Abs(tp[j] - ma[t]);
            md /= n;
            if (md > 0) r[t] = (tp[t] - ma[t]) / (0.015 * md);
        }
        return r;
    }

    /// <summary>Wilder's smoothing over the values flagged valid: a run of n valid values seeds the average
    /// with their simple mean; each further valid value updates avg = (avg·(n−1) + x)/n. An invalid value
    /// gives NaN and restarts the run.</summary>
    internal static double[] WilderAverage(double[] x, bool[] valid, int n)
    {
        var r = Nan(x.Length);
        int run = 0;
        double seed = 0, avg = double.NaN;
        for (var t = 0; t < x.Length; t++)
        {
            if (!valid[t]) { run = 0; seed = 0; avg = double.NaN; continue; }
            run++;
            if (run < n) { seed += x[t]; continue; }
            avg = run == n ? (seed + x[t]) / n : (avg * (n - 1) + x[t]) / n;
            r[t] = avg;
        }
        return r;
    }

    /// <summary>Trailing z-score of x[t] against the last n values (sample σ, window including t); NaN if any is
    /// missing or the window is constant.</summary>
    /// <param name="x">Daily values, ascending in time.</param>
    /// <param name="n">Window length in rows, ≥ 2.</param>
    /// <returns>Same length as <paramref name="x"/>; first value at index n−1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 2.</exception>
    public static double[] RollingZScore(double[] x, int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "a z-score window needs at least 2 values.");
        var r = Nan(x.Length);
        for (var t = n - 1; t < x.Length; t++)
        {
            double s = 0; var ok = true;
            for (var j = t - n + 1; j <= t; j++) { if (double.IsNaN(x[j])) { ok = false; break; } s += x[j]; }
            if (!ok) continue;
            var m = s / n;
            double ss = 0;
            for (var j = t - n + 1; j <= t; j++) ss += (x[j] - m) * (x[j] - m);
            var sd = Math.Sqrt(ss / (n - 1));
            if (sd > 0) r[t] = (x[t] - m) / sd;
        }
        return r;
    }

    internal static bool Positive(double v) => v > 0; // false for NaN too
    internal static double[] Nan(int n) { var a = new double[n]; Array.Fill(a, double.NaN); return a; }

    static void RequirePeriod(int n, string name)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(name, n, "an indicator period must be ≥ 1.");
    }

    static void SameLength(params double[][] xs)
    {
        for (var i = 1; i < xs.Length; i++)
            if (xs[i].Length != xs[0].Length)
                throw new ArgumentException($"input arrays differ in length ({xs[0].Length} vs {xs[i].Length}).");
    }
}
