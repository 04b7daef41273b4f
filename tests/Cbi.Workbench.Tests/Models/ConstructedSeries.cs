using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Models;

/// <summary>Constructed (not market) series with known answers for the pure-math tests of the baselines, and
/// a minimal expanding-window fold list for backtester tests (the real split generator lives in Validation).</summary>
internal static class ConstructedSeries
{
    /// <summary>Business-day dates from 2000-01-03.</summary>
    internal static DateOnly[] Dates(int n)
    {
        var d = new DateOnly(2000, 1, 3);
        var list = new DateOnly[n];
        for (var i = 0; i < n; i++)
        {
            list[i] = d;
            d = d.AddDays(d.DayOfWeek == DayOfWeek.Friday ? 3 : 1);
        }
        return list;
    }

    internal static Frame FromLogPrice(double[] logPrice) =>
        new(Dates(logPrice.Length), logPrice.Select(Math.Exp).ToArray(), [], []);

    /// <summary>Daily log returns cycling −0.02, −0.01, 0, 0.01, 0.02 (sum 0 per cycle) plus a constant drift.</summary>
    internal static Frame Cycle(int n, double drift = 0)
    {
        double[] cyc = [-0.02, -0.01, 0, 0.01, 0.02];
        var y = new double[n];
        y[0] = Math.Log(50);
        for (var t = 1; t < n; t++) y[t] = y[t - 1] + cyc[(t - 1) % 5] + drift;
        return FromLogPrice(y);
    }

    internal static int[] Range(int from, int toExclusive) => Enumerable.Range(from, toExclusive - from).ToArray();

    /// <summary>Expanding-window folds: fold k trains on [0, start + k·step − h) (purged by h) and scores
    /// [start + k·step, start + (k+1)·step).</summary>
    internal static IEnumerable<Fold> Expanding(int start, int step, int folds, int horizon, string split = "validation")
    {
        for (var k = 0; k < folds; k++)
        {
            var s = start + k * step;
            yield return new Fold(k, horizon, Range(0, s - horizon), Range(s, s + step), split);
        }
    }
}
