using Cbi.Workbench.Models.Baselines;

namespace Cbi.Workbench.Models;

/// <summary>The statistical baselines' registrations in the catalogue. Every model is compared with these; the
/// random walk is the reference of every skill score.</summary>
internal sealed class BaselineSpecs : IModelProvider
{
    public int Order => 0;
    public IEnumerable<ModelSpec> Specs() => All;

    internal const string RandomWalkName = "rw";
    internal const string RandomWalkGarchName = RandomWalkGarch.ModelName;

    /// <summary>The baselines without an optimiser (empirical quantiles): the <c>fast</c> group of the catalogue.</summary>
    internal static readonly string[] FastNames = [RandomWalkName, "rw_drift", "snaive", "mean"];

    /// <summary>Trailing window (trading days) of the empirical spread of the fast baselines: 1260 ≈ 5 years.</summary>
    internal const int DefaultWindow = 1260;

    static ModelSpec Spec(string name, string description, Func<IForecaster> create, Func<string, IForecaster> load,
        MissingInputRule rule = MissingInputRule.NotRead) => new()
    {
        Name = name, Description = description, Inputs = ModelInputs.Prices, MissingInputs = rule,
        Factory = (_, _, _, _) => create(), Loader = load,
    };

    internal static IEnumerable<ModelSpec> All =>
    [
        Spec(RandomWalkName, "no-change forecast; P10/P90 from the trailing 5-year h-day returns (fast)",
            () => new RandomWalk(DefaultWindow), d => EmpiricalBaseline.Load(d, w => new RandomWalk(w))),
        Spec("rw_drift", "random walk with drift over the training history, FPP3 §5.2 (fast)",
            () => new RandomWalkWithDrift(DefaultWindow), d => EmpiricalBaseline.Load(d, w => new RandomWalkWithDrift(w))),
        Spec("snaive", "seasonal naive, 252-day season (fast)",
            () => new SeasonalNaive(DefaultWindow), d => EmpiricalBaseline.Load(d, w => new SeasonalNaive(w)), MissingInputRule.AbstainWhenPriceMissing),
        Spec("mean", "historical mean h-day return with its empirical P10/P90 (fast)",
            () => new HistoricalMean(), d => EmpiricalBaseline.Load(d, _ => new HistoricalMean())),
        Spec("ets", "additive-error ETS on log price, ANN/AAN/AAdN by AICc as forecast::ets(additive.only = TRUE) (Hyndman et al. 2008)", () => new Ets(), Ets.Load),
        Spec("arima", "auto-ARIMA on log price as forecast::auto.arima: KPSS d, stepwise AICc, exact ML, unit roots rejected (Hyndman & Khandakar 2008)", () => new AutoArima(), AutoArima.Load),
        Spec("garch_n", "GARCH(1,1) with Gaussian innovations (Bollerslev 1986)", () => new Garch11(false), d => Garch11.Load(d, false)),
        Spec("garch_t", "GARCH(1,1) with Student-t innovations, Monte-Carlo h-day quantiles (Bollerslev 1987)", () => new Garch11(true), d => Garch11.Load(d, true)),
        Spec(RandomWalkGarchName, "random walk (P50 = no change) with GARCH(1,1) Gaussian bands: the no-skill distribution", () => new RandomWalkGarch(), RandomWalkGarch.Load),
    ];

    /// <summary>GARCH(1,1) volatility forecast of the h-day log return at each origin next to the realised
    /// volatility √Σr² of the h daily log returns that followed (NaN beyond the data).</summary>
    internal static IReadOnlyList<(DateOnly Origin, double Forecast, double Realised)> GarchVolatility(Frame frame, IReadOnlyList<int> trainRows,
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
