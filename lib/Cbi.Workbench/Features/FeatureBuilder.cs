using Cbi.Workbench.Data;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Features;

/// <summary>What the feature builder reads: exactly the point-in-time view a <c>Snapshot</c> gives (bars dated
/// ≤ as-of, observations and COT rows available ≤ as-of, calendars known in advance).</summary>
internal interface IFeatureSource
{
    IReadOnlyList<Bar> Bars(string symbol);
    IReadOnlyList<Observation> Series(string name);
    IReadOnlyList<CotRow> Cot(string market);
    IReadOnlyList<DateOnly> WasdeDates { get; }
}

/// <summary>Sample weights by the seeds' calendar regimes. The seeds proposed large multipliers (×50 … ×5000)
/// without evidence; the default here is uniform (1) and a notebook or search sets its own.</summary>
public sealed record RegimeWeights
{
    /// <summary>Weight of rows in no other regime (2000–2007, 2009–2016, 2026 on).</summary>
    public double Base { get; init; } = 1;
    /// <summary>Weight of rows before 2000.</summary>
    public double Historical { get; init; } = 1;   // < 2000
    /// <summary>Weight of rows in 2008 and 2020.</summary>
    public double Crisis { get; init; } = 1;       // 2008, 2020
    /// <summary>Weight of rows in 2017–2019.</summary>
    public double TradeWar { get; init; } = 1;     // 2017–2019
    /// <summary>Weight of rows in 2021–2022.</summary>
    public double Inflation { get; init; } = 1;    // 2021–2022
    /// <summary>Weight of rows in 2023–2025.</summary>
    public double Recent { get; init; } = 1;       // 2023–2025

    /// <summary>All weights 1 (the default).</summary>
    public static RegimeWeights Uniform { get; } = new();

    /// <summary>The calendar regime of a date, by its year: historical (&lt; 2000), crisis (2008, 2020), trade_war
    /// (2017–2019), inflation (2021–2022), recent (2023–2025) or base (any other year).</summary>
    public static string RegimeOf(DateOnly d) => d.Year switch
    {
        < 2000 => "historical",
        2008 or 2020 => "crisis",
        >= 2017 and <= 2019 => "trade_war",
        2021 or 2022 => "inflation",
        >= 2023 and <= 2025 => "recent",
        _ => "base",
    };

    /// <summary>The sample weight of a row dated <paramref name="d"/>: the property of its <see cref="RegimeOf"/> regime.</summary>
    /// <exception cref="ArgumentException">That weight is negative, NaN or infinite.</exception>
    public double WeightOf(DateOnly d)
    {
        var w = RegimeOf(d) switch
        {
            "historical" => Historical, "crisis" => Crisis, "trade_war" => TradeWar,
            "inflation" => Inflation, "recent" => Recent, _ => Base,
        };
        if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentException($"regime weight for {RegimeOf(d)} is {w}; weights must be finite and ≥ 0.");
        return w;
    }
}

/// <summary>What <see cref="FeatureBuilder.Build(Snapshot, FeatureOptions?)"/> builds: which features and which sample weights.</summary>
public sealed record FeatureOptions
{
    /// <summary>Subset of <see cref="FeatureCatalogue.Names"/> (null = all); output keeps the locked order.</summary>
    public IReadOnlyList<string>? Features { get; init; }
    /// <summary>Sample weights by calendar regime, stored in <see cref="Frame.Weights"/> (default uniform 1).</summary>
    public RegimeWeights Weights { get; init; } = RegimeWeights.Uniform;
    /// <summary>The exchange calendar ZL's trading days are counted on (default <see cref="SessionCalendar.Cbot"/>):
    /// a feature computed over N trading days is missing where its span would cross a session the data lacks, and a
    /// value is carried forward at most its staleness in sessions.</summary>
    public SessionCalendar Calendar { get; init; } = SessionCalendar.Cbot;
}

/// <summary>Builds the point-in-time feature <see cref="Frame"/> on the ZL trading-day grid. Every slower or
/// foreign source is as-of joined on its available date, carried forward at most its stated staleness (in ZL
/// trading days), and NaN beyond. Nothing at row t reads anything available after t, which the leakage guard
/// checks by rebuilding from truncated snapshots.</summary>
public static partial class FeatureBuilder
{
    /// <summary>Features from the warehouse as known at <paramref name="asOf"/> (null = full history).</summary>
    /// <param name="warehousePath">The DuckDB warehouse; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="asOf">The as-of date; null = everything.</param>
    /// <param name="options">Features and weights; null = all catalogue features, uniform weights.</param>
    /// <returns>As <see cref="Build(Snapshot, FeatureOptions?)"/>.</returns>
    /// <exception cref="FileNotFoundException">There is no warehouse file.</exception>
    /// <exception cref="InvalidDataException">The warehouse is stale (see <see cref="Snapshot.Load(string?, DateOnly?)"/>).</exception>
    /// <exception cref="ArgumentException">An unknown, repeated or empty feature selection, or an invalid regime weight.</exception>
    /// <exception cref="InvalidOperationException">The snapshot has no ZL bars.</exception>
    public static Frame Build(string? warehousePath = null, DateOnly? asOf = null, FeatureOptions? options = null) =>
        Build(Snapshot.Load(warehousePath, asOf), options);

    /// <summary>Features from a snapshot (its as-of cut is the point in time).</summary>
    /// <param name="snapshot">The point-in-time warehouse view.</param>
    /// <param name="options">Features and weights; null = all catalogue features, uniform weights.</param>
    /// <returns>One row per ZL bar with a close, ascending by date; <see cref="Frame.Close"/> is the quoted ZL close
    /// (US cents per pound); one column per selected feature in catalogue order (units in <see cref="FeatureCatalogue.All"/>),
    /// NaN where missing or stale; <see cref="Frame.Weights"/> from <see cref="FeatureOptions.Weights"/>.</returns>
    /// <exception cref="ArgumentException">An unknown, repeated or empty feature selection, or an invalid regime weight.</exception>
    /// <exception cref="InvalidOperationException">The snapshot has no ZL bars.</exception>
    /// <exception cref="KeyNotFoundException">A symbol, series or COT market a selected feature needs is not in the snapshot.</exception>
    public static Frame Build(Snapshot snapshot, FeatureOptions? options = null) => Build(new SnapshotSource(snapshot), options);

    internal sealed class SnapshotSource(Snapshot s) : IFeatureSource
    {
        public IReadOnlyList<Bar> Bars(string symbol) => s.Bars(symbol);
        public IReadOnlyList<Observation> Series(string name) => s.Series(name);
        public IReadOnlyList<CotRow> Cot(string market) => s.Cot(market);
        public IReadOnlyList<DateOnly> WasdeDates => s.WasdeDates;
    }

    internal static Frame Build(IFeatureSource src, FeatureOptions? options = null)
    {
        options ??= new FeatureOptions();
        var names = FeatureCatalogue.Select(options.Features);
        var zl = src.Bars("ZL").Where(b => !double.IsNaN(b.Close)).OrderBy(b => b.Date).ToArray();
        if (zl.Length == 0) throw new InvalidOperationException("the snapshot has no ZL bars: nothing to build features on.");
        var ctx = new Context(src, zl, options.Calendar);
        var cols = new double[names.Length][];
        for (var j = 0; j < names.Length; j++) cols[j] = ctx.Compute(names[j]);
        var weights = ctx.Dates.Select(options.Weights.WeightOf).ToArray();
        foreach (var (j, col) in cols.Index())
            for (var i = 0; i < col.Length; i++)
                if (double.IsInfinity(col[i]))
                    throw new InvalidDataException($"feature {names[j]} is {col[i]} on {ctx.Dates[i]:yyyy-MM-dd}: an input is out of range (the quality gate should have stopped it).");
        return new Frame(ctx.Dates, ctx.Close, names, cols, weights, options.Calendar);
    }

    /// <summary>Lazily computed inputs shared by several features.</summary>
    sealed class Context(IFeatureSource src, Bar[] zl, SessionCalendar calendar)
    {
        public readonly DateOnly[] Dates = zl.Select(b => b.Date).ToArray();
        // Session numbers of the rows, and the runs of consecutive sessions between gaps (sessions the data lacks).
        readonly int[] session = zl.Select(b => calendar.IsSession(b.Date) ? calendar.SessionNumber(b.Date)
            : throw new InvalidDataException($"ZL bar on {b.Date:yyyy-MM-dd}, which is not a {calendar.Name} session ({calendar.ClosureReason(b.Date) ?? b.Date.DayOfWeek.ToString()}).")).ToArray();
        IEnumerable<Range> Runs()
        {
            var start = 0;
            for (var i = 1; i <= session.Length; i++)
                if (i == session.Length || session[i] - session[i - 1] != 1) { yield return start..i; start = i; }
        }

        /// <summary>A feature computed over a span of trading days, computed on each run of consecutive sessions on
        /// its own, so no value spans a gap: the first rows of a run are missing until the span fits.</summary>
        double[] PerRun(Func<Range, double[]> f)
        {
            var r = new double[N];
            foreach (var run in Runs()) f(run).CopyTo(r, run.Start.Value);
            return r;
        }
        public readonly double[] Close = zl.Select(b => b.Close).ToArray();
        // A single-price bar (QualityGate.IsFlatBar: the thin 2000–2006 prints) has no range: its open/high/low are
        // missing for the range indicators (hl_range, oc_range, ATR, ADX, CCI); its close stays.
        readonly double[] open = zl.Select(b => QualityGate.IsFlatBar(b) ? double.NaN : b.Open).ToArray();
        readonly double[] high = zl.Select(b => QualityGate.IsFlatBar(b) ? double.NaN : b.High).ToArray();
        readonly double[] low = zl.Select(b => QualityGate.IsFlatBar(b) ? double.NaN : b.Low).ToArray();
        readonly Dictionary<string, double[]> cache = new();
        int N => Dates.Length;

        double[] Cached(string key, Func<double[]> f) => cache.TryGetValue(key, out var v) ? v : cache[key] = f();

        // Bars join on the date their close became usable (Availability.DailyClose: the next day for markets that
        // settle after ZL, e.g. CL, HO, DX); series carry their own AvailableDate (VIX's applies the same rule).
        double[] Bar(string symbol, int staleness) => Cached($"bar:{symbol}:{staleness}", () =>
            AsOfJoin(Dates, src.Bars(symbol).Where(b => !double.IsNaN(b.Close)).Select(b => (Availability.DailyClose(symbol, b.Date), b.Date, b.Close)), staleness, session: session));

        double[] Series(string name, int staleness) => Cached($"series:{name}:{staleness}", () =>
            AsOfJoin(Dates, src.Series(name).Where(o => !double.IsNaN(o.Value)).Select(o => (o.AvailableDate, o.Date, o.Value)), staleness, session: session));

        double[] Spec(string feature) => Cached(feature, () => Compute(feature));
        static int Stale(string feature) => FeatureCatalogue.Get(feature).StalenessDays;

        public double[] Compute(string name) => name switch
        {
            "ret_1d" => PerRun(r => Indicators.LogReturn(Close[r], 1)),
            "ret_5d" => PerRun(r => Indicators.LogReturn(Close[r], 5)),
            "ret_21d" => PerRun(r => Indicators.LogReturn(Close[r], 21)),
            "ret_63d" => PerRun(r => Indicators.LogReturn(Close[r], 63)),
            "ma_dist_10" => PerRun(r => Indicators.DistanceFromMovingAverage(Close[r], 10)),
            "ma_dist_50" => PerRun(r => Indicators.DistanceFromMovingAverage(Close[r], 50)),
            "ma_dist_200" => PerRun(r => Indicators.DistanceFromMovingAverage(Close[r], 200)),
            "rvol_5" => PerRun(r => Indicators.RealisedVolatility(Close[r], 5)),
            "rvol_21" => Cached("rvol_21", () => PerRun(r => Indicators.RealisedVolatility(Close[r], 21))),
            "rvol_63" => PerRun(r => Indicators.RealisedVolatility(Close[r], 63)),
            "hl_range" => Indicators.HighLowRange(high, low, Close),
            "oc_range" => Indicators.OpenCloseRange(open, Close),
            "rsi_14" => PerRun(r => Indicators.Rsi(Close[r])),
            "macd" => PerClose(PerRun(r => Indicators.Macd(Close[r]).Line)),
            "macd_signal" => PerClose(PerRun(r => Indicators.Macd(Close[r]).Signal)),
            "atr_14" => PerClose(PerRun(r => Indicators.Atr(high[r], low[r], Close[r]))),
            "bb_upper_gap" => Gap(PerRun(r => Indicators.Bollinger(Close[r]).Upper)),
            "bb_lower_gap" => Gap(PerRun(r => Indicators.Bollinger(Close[r]).Lower)),
            "bb_width" => PerRun(r => Indicators.Bollinger(Close[r]).Width),
            "adx_14" => PerRun(r => Indicators.Adx(high[r], low[r], Close[r])),
            "cci_14" => PerRun(r => Indicators.Cci(high[r], low[r], Close[r])),

            "palm_usd" => Cached("palm_usd", () => Zip(Bar("FCPO", Stale("palm_usd")), Series("USDMYR", Stale("palm_usd")),
                (myrPerTonne, myrPerUsd) => myrPerUsd > 0 ? myrPerTonne / myrPerUsd : double.NaN)),
            "palm_ret_21d" => PerRun(r => Indicators.LogReturn(Spec("palm_usd")[r], 21)),
            "palm_soy_spread" => Zip(Spec("palm_usd"), Close, (palm, zlc) => palm - zlc * UsdPerTonnePerCentPerLb),
            "crush_margin" => Zip3(Close, Bar("ZM", Stale("crush_margin")), Bar("ZS", Stale("crush_margin")),
                (oil, meal, beans) => oil * OilLbPerBushel / 100 + meal * MealShortTonsPerBushel - beans / 100),
            "oil_share" => Zip(Close, Bar("ZM", Stale("oil_share")), (oil, meal) =>
            {
                var o = oil * OilLbPerBushel / 100; var m = meal * MealShortTonsPerBushel;
                return o + m > 0 ? o / (o + m) : double.NaN;
            }),
            "wti" => Bar("CL", Stale("wti")),
            "wti_ret_21d" => PerRun(r => Indicators.LogReturn(Bar("CL", Stale("wti_ret_21d"))[r], 21)),
            "zl_wti_log_ratio" => Zip(Close, Bar("CL", Stale("zl_wti_log_ratio")), LogRatio),
            "heating_oil" => Bar("HO", Stale("heating_oil")),
            "zl_ho_log_ratio" => Zip(Close, Bar("HO", Stale("zl_ho_log_ratio")), LogRatio),
            "boho_spread" => Zip(Close, Bar("HO", Stale("boho_spread")), (oil, ho) => oil * SoyOilLbPerGallon / 100 - ho),
            "usdbrl" => Series("DEXBZUS", Stale("usdbrl")),
            "usdbrl_ret_21d" => PerRun(r => Indicators.LogReturn(Series("DEXBZUS", Stale("usdbrl_ret_21d"))[r], 21)),
            "dollar_index" => Bar("DX", Stale("dollar_index")),
            "dollar_index_ret_21d" => PerRun(r => Indicators.LogReturn(Bar("DX", Stale("dollar_index_ret_21d"))[r], 21)),
            "vix" => Series("VIX", Stale("vix")),
            "vix_z_252" => PerRun(r => Indicators.RollingZScore(Series("VIX", Stale("vix_z_252"))[r], 252)),
            "yield_10y" => Series("DGS10", Stale("yield_10y")),
            "yield_10y_chg_21d" => PerRun(r => Diff(Series("DGS10", Stale("yield_10y_chg_21d"))[r], 21)),
            "rin_d4" => Series("RIN_D4", Stale("rin_d4")),

            "cot_comm_net" => CotJoin(name, r => r.CommercialLong - r.CommercialShort, false),
            "cot_noncomm_net" => CotJoin(name, r => r.NonCommercialLong - r.NonCommercialShort, false),
            "cot_comm_net_pct_oi" => CotJoin(name, r => r.OpenInterest > 0 ? (r.CommercialLong - r.CommercialShort) / r.OpenInterest : double.NaN, false),
            "cot_noncomm_net_pct_oi" => CotJoin(name, r => r.OpenInterest > 0 ? (r.NonCommercialLong - r.NonCommercialShort) / r.OpenInterest : double.NaN, false),
            "cot_comm_net_chg_1w" => CotJoin(name, r => r.CommercialLong - r.CommercialShort, true),
            "cot_noncomm_net_chg_1w" => CotJoin(name, r => r.NonCommercialLong - r.NonCommercialShort, true),

            "day_of_week" => Dates.Select(d => (double)(int)d.DayOfWeek).ToArray(),
            "month" => Dates.Select(d => (double)d.Month).ToArray(),
            "day_of_month" => Dates.Select(d => (double)d.Day).ToArray(),
            "wasde_day" => WasdeDay(),
            "days_to_wasde" => DaysToWasde(),
            "days_to_expiry" => Expiry().DaysTo,
            "roll_window" => Expiry().InWindow,
            "vol_regime" => PerRun(r => VolRegime(Spec("rvol_21")[r])),
            _ => throw new ArgumentException($"unknown feature '{name}'.", nameof(name)),
        };

        // Unit conversions (CBOT contract specs): a bushel of soybeans crushes to ~11 lb oil and 44 lb meal
        // (0.022 short tons); 1 tonne = 2204.62 lb, so c/lb × 22.0462 = USD/t; soybean oil ≈ 7.5 lb/gal.
        const double OilLbPerBushel = 11, MealShortTonsPerBushel = 0.022, UsdPerTonnePerCentPerLb = 22.0462, SoyOilLbPerGallon = 7.5;

        static double LogRatio(double a, double b) => a > 0 && b > 0 ? Math.Log(a / b) : double.NaN;

        double[] PerClose(double[] x) => Zip(x, Close, (v, c) => c > 0 ? v / c : double.NaN);
        double[] Gap(double[] band) => Zip(Close, band, (c, b) => b > 0 ? c / b - 1 : double.NaN);

        static double[] Zip(double[] a, double[] b, Func<double, double, double> f)
        {
            var r = new double[a.Length];
            for (var i = 0; i < a.Length; i++) r[i] = double.IsNaN(a[i]) || double.IsNaN(b[i]) ? double.NaN : f(a[i], b[i]);
            return r;
        }

        static double[] Zip3(double[] a, double[] b, double[] c, Func<double, double, double, double> f)
        {
            var r = new double[a.Length];
            for (var i = 0; i < a.Length; i++)
                r[i] = double.IsNaN(a[i]) || double.IsNaN(b[i]) || double.IsNaN(c[i]) ? double.NaN : f(a[i], b[i], c[i]);
            return r;
        }

        static double[] Diff(double[] x, int n)
        {
            var r = Indicators.Nan(x.Length);
            for (var t = n; t < x.Length; t++) r[t] = x[t] - x[t - n];
            return r;
        }

        double[] CotJoin(string feature, Func<CotRow, double> value, bool weeklyChange)
        {
            var rows = src.Cot("SBO").OrderBy(r => r.AsOfDate).ToArray();
            var obs = new List<(DateOnly, DateOnly, double)>(rows.Length);
            for (var k = 0; k < rows.Length; k++)
            {
                var v = value(rows[k]);
                if (weeklyChange)
                {
                    // The change against the previous report *as published by the time this one was*: after a
                    // shutdown the CFTC released backlog weeks late, so an older report can become available after
                    // a newer one; using it would reach into the future (the leakage guard caught exactly that on
                    // 2013-10-28 and 2026-01-15). Only a genuinely weekly change counts: at most 14 days apart
                    // (pre-1992 reports were twice-monthly).
                    var prev = -1;
                    for (var j = k - 1; j >= 0; j--)
                        if (rows[j].AvailableDate <= rows[k].AvailableDate) { prev = j; break; }
                    v = prev >= 0 && rows[k].AsOfDate.DayNumber - rows[prev].AsOfDate.DayNumber <= 14 ? v - value(rows[prev]) : double.NaN;
                }
                obs.Add((rows[k].AvailableDate, rows[k].AsOfDate, v));
            }
            // A report whose value is missing (e.g. OI before 2009) must not let an older value live on:
            // it is joined as NaN, so the carried value is replaced by "missing".
            return AsOfJoin(Dates, obs, Stale(feature), keepMissing: true, session: session);
        }

        IReadOnlyList<DateOnly> Wasde() => wasde ??= src.WasdeDates.Distinct().Order().ToArray();
        IReadOnlyList<DateOnly>? wasde;

        double[] WasdeDay()
        {
            var w = Wasde(); var set = w.ToHashSet();
            return Dates.Select(d => w.Count == 0 || d < w[0] || d > w[^1] ? double.NaN : set.Contains(d) ? 1.0 : 0.0).ToArray();
        }

        double[] DaysToWasde()
        {
            var w = Wasde();
            var r = Indicators.Nan(N);
            var k = 0;
            for (var i = 0; i < N; i++)
            {
                // Before the calendar's first date the releases of that time are not in it (the 2000 monthly
                // reports): the next known date would be months away, so the value is missing, as for wasde_day.
                if (w.Count == 0 || Dates[i] < w[0]) continue;
                while (k < w.Count && w[k] < Dates[i]) k++;
                if (k < w.Count) r[i] = Availability.WeekdaysAfterThrough(Dates[i], w[k]);
            }
            return r;
        }

        (double[] DaysTo, double[] InWindow) Expiry()
        {
            if (expiry is { } e) return e;
            // Weekday rule only (no trading-day list): a calendar from the ZL series itself would change with
            // the as-of date near its end, and this feature must be known in advance.
            var contracts = ZlCalendar.Contracts(Dates[0].Year - 1, Dates[^1].Year + 1, Array.Empty<DateOnly>())
                .OrderBy(c => c.LastTradingDay).ToArray();
            var days = Indicators.Nan(N); var win = Indicators.Nan(N);
            var k = 0;
            for (var i = 0; i < N; i++)
            {
                while (k < contracts.Length && contracts[k].LastTradingDay < Dates[i]) k++;
                if (k == contracts.Length) continue;
                days[i] = Availability.WeekdaysAfterThrough(Dates[i], contracts[k].LastTradingDay);
                win[i] = Dates[i] >= contracts[k].Month ? 1 : 0;
            }
            return (expiry = (days, win)).Value;
        }
        (double[], double[])? expiry;

        static double[] VolRegime(double[] rv)
        {
            const int window = 504, minValid = 252;
            var r = Indicators.Nan(rv.Length);
            for (var t = 0; t < rv.Length; t++)
            {
                if (double.IsNaN(rv[t])) continue;
                int valid = 0, below = 0;
                for (var j = Math.Max(0, t - window + 1); j <= t; j++)
                {
                    if (double.IsNaN(rv[j])) continue;
                    valid++;
                    if (rv[j] <= rv[t]) below++;
                }
                if (valid >= minValid) r[t] = (double)below / valid;
            }
            return r;
        }
    }

    /// <summary>As-of join onto the ZL grid: row t gets, among the observations whose available date ≤ t, the one
    /// with the latest observation date (a backlog of older observations published late never displaces a newer
    /// one), if it became available at most <paramref name="staleness"/> grid rows ago; otherwise NaN.
    /// Observations must carry real values unless <paramref name="keepMissing"/>, in which case a NaN observation
    /// replaces the carried value.</summary>
    internal static double[] AsOfJoin(DateOnly[] grid, IEnumerable<(DateOnly Available, DateOnly Date, double Value)> observations,
        int staleness, bool keepMissing = false, int[]? session = null)
    {
        var obs = observations.Where(o => keepMissing || !double.IsNaN(o.Value))
            .OrderBy(o => o.Available).ThenBy(o => o.Date).ToArray();
        var r = Indicators.Nan(grid.Length);
        var k = 0;
        var current = double.NaN;
        var currentDate = DateOnly.MinValue;
        var since = -1; // grid row at which the current value became available
        for (var i = 0; i < grid.Length; i++)
        {
            var took = false;
            for (; k < obs.Length && obs[k].Available <= grid[i]; k++)
            {
                if (since >= 0 && obs[k].Date < currentDate) continue; // late backlog: older than what we hold
                current = obs[k].Value; currentDate = obs[k].Date; took = true;
            }
            if (took) since = i;
            // Staleness counts trading days (sessions), so a gap in the data does not stretch it.
            if (since >= 0 && (session is null ? i - since : session[i] - session[since]) <= staleness) r[i] = current;
        }
        return r;
    }
}
