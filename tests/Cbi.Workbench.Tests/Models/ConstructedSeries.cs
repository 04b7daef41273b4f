using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Models;

/// <summary>Constructed (not market) series with known answers for the pure-math tests of the baselines, and
/// expanding-window folds for backtester tests.</summary>
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

    /// <summary>Expanding-window folds from the workbench's split generator: <paramref name="folds"/> blocks of
    /// <paramref name="step"/> scored rows starting at row <paramref name="start"/>, training purged by the horizon.</summary>
    internal static IReadOnlyList<Fold> Expanding(Frame frame, int start, int step, int folds, int horizon) =>
        WalkForwardSplit.Create(frame, new WalkForwardOptions
        { Horizon = horizon, Folds = folds, Step = step, ScoreStart = frame.Dates[start], ScoreEnd = frame.Dates[^1] });
}
