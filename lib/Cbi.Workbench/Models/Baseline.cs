using Cbi.Workbench.Models.Baselines;

namespace Cbi.Workbench.Models;

/// <summary>The statistical baselines every model is compared with. Each call returns a fresh forecaster for
/// one horizon; <see cref="Factory"/> gives the <c>Func&lt;int, IForecaster&gt;</c> the walk-forward backtester takes.</summary>
public static class Baseline
{
    /// <summary>The four fast baselines (empirical quantiles, no optimisation).</summary>
    public static IReadOnlyList<string> Fast { get; } = ["rw", "rw_drift", "snaive", "mean"];

    /// <summary>Every baseline: the fast four plus ETS, auto-ARIMA and GARCH(1,1) Gaussian / Student-t.</summary>
    public static IReadOnlyList<string> All { get; } = ["rw", "rw_drift", "snaive", "mean", "ets", "arima", "garch_n", "garch_t"];

    /// <summary>Trailing window (trading days) of the empirical spread of the fast baselines: 1260 ≈ 5 years.</summary>
    public const int DefaultWindow = 1260;

    public static IForecaster RandomWalk(int window = DefaultWindow) => new RandomWalk(window);
    public static IForecaster RandomWalkWithDrift(int window = DefaultWindow) => new RandomWalkWithDrift(window);
    public static IForecaster SeasonalNaive(int window = DefaultWindow) => new SeasonalNaive(window);
    public static IForecaster HistoricalMean() => new HistoricalMean();
    public static IForecaster Ets() => new Ets();
    public static IForecaster Arima() => new AutoArima();
    public static IForecaster Garch(bool studentT = false) => new Garch11(studentT);

    public static IForecaster Create(string name) => name switch
    {
        "rw" => RandomWalk(),
        "rw_drift" => RandomWalkWithDrift(),
        "snaive" => SeasonalNaive(),
        "mean" => HistoricalMean(),
        "ets" => Ets(),
        "arima" => Arima(),
        "garch_n" => Garch(false),
        "garch_t" => Garch(true),
        _ => throw new ArgumentException($"unknown baseline '{name}'; known: {string.Join(", ", All)}.", nameof(name)),
    };

    /// <summary>A factory for the walk-forward backtester (one fresh instance per horizon and fold).</summary>
    public static Func<int, IForecaster> Factory(string name)
    {
        Create(name); // fail now on an unknown name, not inside the backtest
        return _ => Create(name);
    }

    /// <summary>GARCH(1,1) volatility forecast of the h-day log return at each origin next to the realised
    /// volatility √Σr² of the h daily log returns that followed (NaN beyond the data).</summary>
    public static IReadOnlyList<(DateOnly Origin, double Forecast, double Realised)> GarchVolatility(Frame frame, IReadOnlyList<int> trainRows,
        IReadOnlyList<int> originRows, int horizon, bool studentT = false)
    {
        var g = new Garch11(studentT);
        g.Fit(frame, trainRows, horizon);
        var list = new List<(DateOnly, double, double)>(originRows.Count);
        foreach (var o in originRows)
        {
            var f = Math.Sqrt(g.HorizonVariance(frame, o, horizon));
            double rv = double.NaN;
            if (frame.TargetRow(o, horizon) >= 0)
            {
                rv = 0;
                for (var k = 1; k <= horizon; k++) { var r = Math.Log(frame.Close[o + k] / frame.Close[o + k - 1]); rv += r * r; }
                rv = Math.Sqrt(rv);
            }
            list.Add((frame.Dates[o], f, rv));
        }
        return list;
    }
}
