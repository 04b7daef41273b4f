using Cbi.Workbench.Data;

namespace Cbi.Workbench.Operations;

/// <summary>The correlation of ZL daily log returns with one market as of a date, and its break test.</summary>
/// <param name="AsOf">The as-of date (only values available by then are used).</param>
/// <param name="Market">Warehouse symbol or daily series.</param>
/// <param name="LastCommonDate">Latest date with both a ZL close and a market value (older than the as-of date when the
/// market stopped updating: the window then ends there).</param>
/// <param name="N">Return days in the latest window (at most the rule's window).</param>
/// <param name="Correlation">Pearson correlation over the latest window.</param>
/// <param name="ReferenceN">Return days in the reference window before it.</param>
/// <param name="ReferenceCorrelation">Correlation over the reference window.</param>
/// <param name="Z">Fisher's z statistic of equal correlations, (atanh r − atanh r_ref) / √(1/(N − 3) + 1/(N_ref − 3)); NaN
/// unless both windows are full.</param>
public sealed record CorrelationPoint(DateOnly AsOf, string Market, DateOnly LastCommonDate, int N, double Correlation, int ReferenceN,
    double ReferenceCorrelation, double Z);

/// <summary>Rolling correlations of ZL returns with related markets (palm oil, crude, heating oil, soybean meal, the real),
/// point in time, with a break test against their own recent history.</summary>
public static class CorrelationMonitor
{
    /// <summary>The correlation of ZL with <paramref name="market"/> as of the snapshot's date: log returns between
    /// consecutive dates on which both have a value (no value is carried or filled), the latest
    /// <see cref="CorrelationRule.Window"/> of them against the <see cref="CorrelationRule.Reference"/> before them (two
    /// windows without common days, so Fisher's test of two independent correlations applies; Fisher 1921, e.g. Cohen et
    /// al. 2003 §2.8).</summary>
    /// <param name="snapshot">The warehouse as of a date (<see cref="Snapshot.Load(string?, DateOnly?)"/>).</param>
    /// <param name="market">A symbol of <see cref="Snapshot.Symbols"/> (its close) or a daily series of
    /// <see cref="Snapshot.SeriesNames"/>.</param>
    /// <param name="rule">Window sizes.</param>
    /// <returns>The point, or null when fewer than 20 common return days exist.</returns>
    /// <exception cref="KeyNotFoundException">the market is neither a symbol nor a series.</exception>
    public static CorrelationPoint? At(Snapshot snapshot, string market, CorrelationRule rule)
    {
        var zl = snapshot.Bars("ZL").Where(b => double.IsFinite(b.Close) && b.Close > 0).ToDictionary(b => b.Date, b => b.Close);
        IEnumerable<(DateOnly Date, double Value)> other = snapshot.Symbols.Contains(market)
            ? snapshot.Bars(market).Select(b => (b.Date, b.Close))
            : snapshot.SeriesNames.Contains(market) ? snapshot.Series(market).Select(o => (o.Date, o.Value))
            : throw new KeyNotFoundException($"no market '{market}': neither a symbol ({string.Join(", ", snapshot.Symbols)}) nor a daily series ({string.Join(", ", snapshot.SeriesNames)}).");
        var common = other.Where(x => double.IsFinite(x.Value) && x.Value > 0 && zl.ContainsKey(x.Date)).OrderBy(x => x.Date)
            .Select(x => (x.Date, Zl: zl[x.Date], x.Value)).ToList();
        var need = rule.Window + rule.Reference + 1;
        if (common.Count > need) common = common.GetRange(common.Count - need, need);
        var a = new List<double>();
        var b = new List<double>();
        for (var i = 1; i < common.Count; i++)
        {
            a.Add(Math.Log(common[i].Zl / common[i - 1].Zl));
            b.Add(Math.Log(common[i].Value / common[i - 1].Value));
        }
        if (a.Count < 20) return null;
        var n = Math.Min(rule.Window, a.Count);
        var r = Pearson(a.TakeLast(n).ToArray(), b.TakeLast(n).ToArray());
        var nr = a.Count - n;
        var rr = nr >= 20 ? Pearson(a.Take(nr).ToArray(), b.Take(nr).ToArray()) : double.NaN;
        var z = n == rule.Window && nr == rule.Reference
            ? (Math.Atanh(r) - Math.Atanh(rr)) / Math.Sqrt(1.0 / (n - 3) + 1.0 / (nr - 3))
            : double.NaN;
        return new CorrelationPoint(snapshot.AsOf ?? common[^1].Date, market, common[^1].Date, n, r, nr, rr, z);
    }

    static double Pearson(double[] x, double[] y) => MathNet.Numerics.Statistics.Correlation.Pearson(x, y);
}
