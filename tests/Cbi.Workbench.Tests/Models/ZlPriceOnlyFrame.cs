using System.Globalization;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Tests.Models;

/// <summary>A small real-data Frame for model tests: ZL closes and opens from data/raw/yahoo_openclose_edwin/
/// price_ZL_F.csv (2006-01-03 on), cut before the holdout (2023-07-01), with price-only features computed
/// from values at or before each row (past log returns, realised volatility, distance from the 250-day
/// high, the day's open→close move). It stands in for the features issue's point-in-time table in tests
/// that only need real, leak-free inputs.</summary>
internal static class ZlPriceOnlyFrame
{
    static readonly Lazy<Frame> Cached = new(Build);
    public static Frame Load() => Cached.Value;
    public static readonly DateOnly HoldoutStart = new(2023, 7, 1);

    static Frame Build()
    {
        var path = Path.Combine(Workbench.RawDir, "yahoo_openclose_edwin", "price_ZL_F.csv");
        var dates = new List<DateOnly>(); var open = new List<double>(); var close = new List<double>();
        foreach (var (line, i) in File.ReadLines(path).Skip(1).Select((l, i) => (l, i + 2)))
        {
            var f = line.Split(',');
            if (f.Length != 3) throw new FormatException($"{path} line {i}: expected date,open,close.");
            var d = DateOnly.ParseExact(f[0], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (d >= HoldoutStart) break;
            dates.Add(d);
            open.Add(double.Parse(f[1], CultureInfo.InvariantCulture));
            close.Add(double.Parse(f[2], CultureInfo.InvariantCulture));
        }
        var n = dates.Count;
        double Ret(int t, int k) => t - k >= 0 ? Math.Log(close[t] / close[t - k]) : double.NaN;
        var names = new[] { "ret_1d", "ret_5d", "ret_20d", "ret_60d", "vol_20d", "dist_high_250d", "open_to_close" };
        var cols = names.Select(_ => new double[n]).ToArray();
        for (var t = 0; t < n; t++)
        {
            cols[0][t] = Ret(t, 1); cols[1][t] = Ret(t, 5); cols[2][t] = Ret(t, 20); cols[3][t] = Ret(t, 60);
            if (t >= 20)
            {
                var r = Enumerable.Range(t - 19, 20).Select(k => Ret(k, 1)).ToArray();
                var m = r.Average();
                cols[4][t] = Math.Sqrt(r.Sum(v => (v - m) * (v - m)) / 19);
            }
            else cols[4][t] = double.NaN;
            cols[5][t] = t >= 249 ? Math.Log(close[t] / Enumerable.Range(t - 249, 250).Max(k => close[k])) : double.NaN;
            cols[6][t] = Math.Log(close[t] / open[t]);
        }
        return new Frame(dates.ToArray(), close.ToArray(), names, cols);
    }

    /// <summary>Rows with origin date in [from, to] whose h-day target is known (inside the pre-holdout data).</summary>
    public static int[] Rows(Frame f, DateOnly from, DateOnly to, int h) =>
        Enumerable.Range(0, f.Rows).Where(r => f.Dates[r] >= from && f.Dates[r] <= to && double.IsFinite(f.Target(r, h))).ToArray();
}
