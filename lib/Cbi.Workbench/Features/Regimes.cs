using System.Runtime.CompilerServices;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Features;

/// <summary>Point-in-time regime labels of a ZL frame, from closes at or before each row only.</summary>
public static class Regimes
{
    /// <summary>Trading days of the realised-volatility window (≈ one month).</summary>
    public const int VolatilityWindow = 21;
    /// <summary>Trading days of the trailing reference the current volatility is ranked against (≈ one year).</summary>
    public const int ReferenceWindow = 252;

    static readonly ConditionalWeakTable<Frame, string[]> Cache = [];
    static readonly ConditionalWeakTable<Frame, string[]> MarketCache = [];

    /// <summary>Trading days of the trend window (≈ three months).</summary>
    public const int TrendWindow = 63;
    /// <summary>Trading days of the trailing window the crisis threshold is taken from (≈ three years).</summary>
    public const int CrisisReference = 756;

    /// <summary>The market regime at <paramref name="row"/>, from closes at or before it only: <c>crisis</c> when the
    /// 21-session realised volatility is above the 90th percentile of its values over the previous 756 sessions,
    /// otherwise <c>bull</c> / <c>bear</c> when the 63-session log return is above +10 % / below −10 %, otherwise
    /// <c>normal</c>; <c>unknown</c> while the windows are not filled (start of the data, or spans across a gap).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a row outside the frame.</exception>
    public static string MarketRegime(Frame frame, int row)
    {
        if (row < 0 || row >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"row outside the frame (0..{frame.Rows - 1}).");
        return MarketCache.GetValue(frame, ComputeMarket)[row];
    }

    /// <summary>The calendar regime of the seeds (historical, crisis 2008/2020, trade war 2017–19, inflation 2021–22,
    /// recent 2023–25, base), known in advance.</summary>
    public static string CalendarRegime(DateOnly date) => RegimeWeights.RegimeOf(date);

    static string[] ComputeMarket(Frame f)
    {
        var n = f.Rows;
        var vol = Volatility(f);
        var label = new string[n];
        for (var i = 0; i < n; i++)
        {
            var past = new List<double>(CrisisReference);
            for (var k = Math.Max(0, i - CrisisReference); k < i; k++) if (!double.IsNaN(vol[k])) past.Add(vol[k]);
            var trendRow = f.TargetRow(Math.Max(0, i - TrendWindow), TrendWindow) == i ? i - TrendWindow : -1;
            if (double.IsNaN(vol[i]) || past.Count < CrisisReference / 2 || trendRow < 0) { label[i] = "unknown"; continue; }
            past.Sort();
            var p90 = past[(int)Math.Floor(0.9 * (past.Count - 1))];
            var trend = Math.Log(f.Close[i] / f.Close[trendRow]);
            label[i] = vol[i] > p90 ? "crisis" : trend > 0.10 ? "bull" : trend < -0.10 ? "bear" : "normal";
        }
        return label;
    }

    /// <summary>"high" when the 21-session realised volatility of daily log returns at <paramref name="row"/> exceeds its
    /// median over the previous 252 sessions' values, "low" otherwise, "unknown" while fewer than 126 such values exist
    /// (at the start of the data or after a gap: returns across a session the data lacks are not daily returns).</summary>
    /// <param name="frame">The frame (closes in any positive unit).</param>
    /// <param name="row">Row index, 0 … Rows − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">a row outside the frame.</exception>
    public static string VolatilityRegime(Frame frame, int row)
    {
        if (row < 0 || row >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"row outside the frame (0..{frame.Rows - 1}).");
        return Cache.GetValue(frame, Compute)[row];
    }

    static double[] Volatility(Frame f)
    {
        var n = f.Rows;
        var vol = new double[n];
        for (var i = 0; i < n; i++)
        {
            vol[i] = double.NaN;
            if (i < VolatilityWindow) continue;
            double s = 0, s2 = 0; var ok = true;
            for (var k = i - VolatilityWindow + 1; k <= i && ok; k++)
            {
                if (!f.FollowsWithoutGap(k) || !(f.Close[k] > 0) || !(f.Close[k - 1] > 0)) { ok = false; break; }
                var r = Math.Log(f.Close[k] / f.Close[k - 1]);
                s += r; s2 += r * r;
            }
            if (ok) vol[i] = Math.Sqrt(Math.Max(0, (s2 - s * s / VolatilityWindow) / (VolatilityWindow - 1)));
        }
        return vol;
    }

    static string[] Compute(Frame f)
    {
        var n = f.Rows;
        var vol = Volatility(f);
        var label = new string[n];
        for (var i = 0; i < n; i++)
        {
            var past = new List<double>(ReferenceWindow);
            for (var k = Math.Max(0, i - ReferenceWindow); k < i; k++) if (!double.IsNaN(vol[k])) past.Add(vol[k]);
            if (double.IsNaN(vol[i]) || past.Count < ReferenceWindow / 2) { label[i] = "unknown"; continue; }
            past.Sort();
            var median = past.Count % 2 == 1 ? past[past.Count / 2] : (past[past.Count / 2 - 1] + past[past.Count / 2]) / 2;
            label[i] = vol[i] > median ? "high" : "low";
        }
        return label;
    }
}
