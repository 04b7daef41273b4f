namespace Cbi.Workbench.Features;

/// <summary>One curated feature: where its inputs come from, when they are usable, how long an as-of joined
/// value may be carried forward, and its unit. <see cref="Lag"/> is stated as a rule in words because the
/// lags differ by source (same-day close, next business day, next trading day after a Friday release…);
/// the rule itself is applied through each observation's available date in the warehouse.</summary>
/// <param name="Name">Column name in the feature frame (e.g. ret_21d).</param>
/// <param name="Family">Group: price, technical, substitution, macro, positioning, calendar or regime.</param>
/// <param name="Source">Where the inputs come from, in words.</param>
/// <param name="Lag">When an input value becomes usable, in words (see the summary).</param>
/// <param name="StalenessDays">How many ZL trading days an as-of joined value may be carried forward before it
/// becomes NaN (0 for features computed on the ZL grid itself).</param>
/// <param name="Units">Unit of the feature value (e.g. "log return", "fraction", "annualised σ", "USD/t").</param>
/// <param name="Description">Definition / formula in words.</param>
public sealed record FeatureSpec(string Name, string Family, string Source, string Lag, int StalenessDays, string Units,
    string Description);

/// <summary>The locked feature order. Adding a feature appends it here (changing the feature hash, which
/// persisted scalers and models check); nothing is ever reordered silently.</summary>
public static class FeatureCatalogue
{
    const string Zl = "ZL (Yahoo ZL=F nearest contract, quoted, not back-adjusted)";
    const string SameDay = "same-day close (t)";
    const string NextDay = "available date = next business day after the observation (data layer rule)";
    const string Cot = "CFTC COT legacy futures-only, soybean oil (SBO); as-of Tuesday, released Friday (the following business day in weeks with a Wed–Fri federal holiday; later after shutdowns), usable from the next ZL trading day";
    const string Calendar = "known in advance (calendar rule)";
    const string AfterZl = "next ZL trading day: its close is struck after the ZL settlement (data layer rule, Availability.DailyClose)";

    /// <summary>Every feature, in the locked order (the column order of every feature frame).</summary>
    public static IReadOnlyList<FeatureSpec> All { get; } =
    [
        // price / returns (ZL quoted close; returns across a contract roll include the roll gap — see roll_window)
        new("ret_1d", "price", Zl, SameDay, 0, "log return", "ln(close[t]/close[t−1])"),
        new("ret_5d", "price", Zl, SameDay, 0, "log return", "ln(close[t]/close[t−5])"),
        new("ret_21d", "price", Zl, SameDay, 0, "log return", "ln(close[t]/close[t−21])"),
        new("ret_63d", "price", Zl, SameDay, 0, "log return", "ln(close[t]/close[t−63])"),
        new("ma_dist_10", "price", Zl, SameDay, 0, "fraction", "close/SMA10 − 1"),
        new("ma_dist_50", "price", Zl, SameDay, 0, "fraction", "close/SMA50 − 1"),
        new("ma_dist_200", "price", Zl, SameDay, 0, "fraction", "close/SMA200 − 1"),
        new("rvol_5", "price", Zl, SameDay, 0, "annualised σ", "√252 × sample σ of the last 5 daily log returns"),
        new("rvol_21", "price", Zl, SameDay, 0, "annualised σ", "√252 × sample σ of the last 21 daily log returns"),
        new("rvol_63", "price", Zl, SameDay, 0, "annualised σ", "√252 × sample σ of the last 63 daily log returns"),
        new("hl_range", "price", Zl, SameDay, 0, "fraction", "(high − low)/close; NaN on a single-price bar (open = high = low = close)"),
        new("oc_range", "price", Zl, SameDay, 0, "log return", "ln(close/open); NaN on a single-price bar"),
        // technical
        new("rsi_14", "technical", Zl, SameDay, 0, "0–100", "Wilder RSI 14"),
        new("macd", "technical", Zl, SameDay, 0, "fraction of close", "(EMA12 − EMA26)/close"),
        new("macd_signal", "technical", Zl, SameDay, 0, "fraction of close", "EMA9 of (EMA12 − EMA26), divided by close"),
        new("atr_14", "technical", Zl, SameDay, 0, "fraction of close", "Wilder ATR 14 / close; a single-price bar has no true range (restarts the average)"),
        new("bb_upper_gap", "technical", Zl, SameDay, 0, "fraction", "close / Bollinger upper (20, 2σ) − 1"),
        new("bb_lower_gap", "technical", Zl, SameDay, 0, "fraction", "close / Bollinger lower (20, 2σ) − 1"),
        new("bb_width", "technical", Zl, SameDay, 0, "fraction", "(upper − lower)/middle, Bollinger (20, 2σ)"),
        new("adx_14", "technical", Zl, SameDay, 0, "0–100", "Wilder ADX 14; a single-price bar has no range (restarts the averages)"),
        new("cci_14", "technical", Zl, SameDay, 0, "index", "Lambert CCI 14; NaN while a single-price bar is in the window"),
        // substitution / macro
        new("palm_usd", "substitution", "FCPO (Bursa, TradingView, MYR/t) ÷ USDMYR (Yahoo)", "FCPO same-day (Bursa closes before CBOT); USDMYR " + NextDay, 3, "USD/t", "palm oil price in USD per tonne"),
        new("palm_ret_21d", "substitution", "palm_usd", "as palm_usd", 3, "log return", "21-trading-day log change of palm_usd on the ZL grid"),
        new("palm_soy_spread", "substitution", "palm_usd, ZL", "as palm_usd", 3, "USD/t", "palm_usd − ZL in USD/t (ZL c/lb × 22.0462)"),
        new("crush_margin", "substitution", "ZL, ZM, ZS (Yahoo)", SameDay, 3, "USD/bu", "board crush: ZL c/lb × 11 lb /100 + ZM $/short ton × 0.022 − ZS c/bu /100"),
        new("oil_share", "substitution", "ZL, ZM (Yahoo)", SameDay, 3, "fraction", "oil value / (oil + meal value) per bushel crushed"),
        new("wti", "substitution", "CL (Yahoo CL=F)", AfterZl, 3, "USD/bbl", "WTI front-month close (negative on 2020-04-20, kept)"),
        new("wti_ret_21d", "substitution", "CL", AfterZl, 3, "log return", "21-day log change of WTI; NaN when either price ≤ 0"),
        new("zl_wti_log_ratio", "substitution", "ZL, CL", AfterZl, 3, "log", "ln(ZL c/lb ÷ WTI USD/bbl); NaN when WTI ≤ 0"),
        new("heating_oil", "substitution", "HO (Yahoo HO=F)", AfterZl, 3, "USD/gal", "heating oil / ULSD front-month close"),
        new("zl_ho_log_ratio", "substitution", "ZL, HO", AfterZl, 3, "log", "ln(ZL c/lb ÷ HO USD/gal); NaN when HO ≤ 0"),
        new("boho_spread", "substitution", "ZL, HO", AfterZl, 3, "USD/gal", "ZL c/lb × 7.5 lb/gal /100 − HO (biodiesel feedstock spread)"),
        new("usdbrl", "macro", "FRED DEXBZUS", NextDay, 5, "BRL per USD", "US dollar in Brazilian real"),
        new("usdbrl_ret_21d", "macro", "FRED DEXBZUS", NextDay, 5, "log return", "21-trading-day log change of usdbrl on the ZL grid"),
        new("dollar_index", "macro", "DX (ICE dollar index futures, Yahoo DX=F)", AfterZl, 3, "index points", "dollar index futures close"),
        new("dollar_index_ret_21d", "macro", "DX", AfterZl, 3, "log return", "21-trading-day log change of the dollar index"),
        new("vix", "macro", "CBOE VIX close", AfterZl, 5, "index points", "VIX close"),
        new("vix_z_252", "macro", "CBOE VIX close", "as vix", 5, "z-score", "VIX against its trailing 252-ZL-day mean and σ"),
        new("yield_10y", "macro", "FRED DGS10", NextDay, 5, "percent", "10-year Treasury constant-maturity yield"),
        new("yield_10y_chg_21d", "macro", "FRED DGS10", NextDay, 5, "percentage points", "21-trading-day change of yield_10y"),
        new("rin_d4", "macro", "Refinitiv-style panel rin-d4-us (2014-05 → 2025-04)", NextDay, 5, "US cents/RIN (inferred)", "D4 biomass-based diesel RIN price; NaN outside its coverage"),
        // positioning
        new("cot_comm_net", "positioning", Cot, "next ZL trading day after the release (Friday, or later in holiday and shutdown weeks)", 10, "contracts", "commercial long − short"),
        new("cot_noncomm_net", "positioning", Cot, "next ZL trading day after the release (Friday, or later in holiday and shutdown weeks)", 10, "contracts", "non-commercial long − short (from 2009; earlier source has commercials only)"),
        new("cot_comm_net_pct_oi", "positioning", Cot, "next ZL trading day after the release (Friday, or later in holiday and shutdown weeks)", 10, "fraction of OI", "commercial net / open interest"),
        new("cot_noncomm_net_pct_oi", "positioning", Cot, "next ZL trading day after the release (Friday, or later in holiday and shutdown weeks)", 10, "fraction of OI", "non-commercial net / open interest"),
        new("cot_comm_net_chg_1w", "positioning", Cot, "next ZL trading day after the release (Friday, or later in holiday and shutdown weeks)", 10, "contracts", "change of commercial net vs the previous report (≤ 14 days earlier)"),
        new("cot_noncomm_net_chg_1w", "positioning", Cot, "next ZL trading day after the release (Friday, or later in holiday and shutdown weeks)", 10, "contracts", "change of non-commercial net vs the previous report (≤ 14 days earlier)"),
        // known in advance
        new("day_of_week", "calendar", "date", Calendar, 0, "1=Mon … 5=Fri", "day of week"),
        new("month", "calendar", "date", Calendar, 0, "1–12", "calendar month"),
        new("day_of_month", "calendar", "date", Calendar, 0, "1–31", "day of month"),
        new("wasde_day", "calendar", "WASDE release calendar (USDA schedule, published in advance)", Calendar, 0, "0/1", "1 on a WASDE release date"),
        new("days_to_wasde", "calendar", "WASDE release calendar", Calendar, 0, "weekdays", "weekdays from t to the next WASDE release (0 on the day); NaN outside the calendar (before its first date, after its last)"),
        new("days_to_expiry", "calendar", "CBOT ZL contract rule (last trading day = business day before the 15th)", Calendar, 0, "weekdays", "weekdays from t to the front contract's last trading day (holidays not removed: the future holiday calendar is not in the data)"),
        new("roll_window", "calendar", "CBOT ZL contract rule", Calendar, 0, "0/1", "1 from the 1st of the front contract's month to its last trading day (Yahoo ZL=F is then the thin delivery-month contract)"),
        // regimes
        new("vol_regime", "regime", Zl, SameDay, 0, "0–1", "percentile of rvol_21 within its trailing 504 valid values (needs ≥ 252)"),
    ];

    /// <summary>The names of <see cref="All"/>, in the same order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToArray();

    /// <summary>The spec of a feature by exact (case-sensitive) name.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not in the catalogue.</exception>
    public static FeatureSpec Get(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new ArgumentException($"unknown feature '{name}'. Known features: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>The requested features in locked (catalogue) order; an unknown or repeated name is an error.</summary>
    /// <param name="names">Feature names in any order; null = all features.</param>
    /// <exception cref="ArgumentException">A name is unknown or repeated, or <paramref name="names"/> is empty.</exception>
    public static string[] Select(IEnumerable<string>? names)
    {
        if (names is null) return Names.ToArray();
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            Get(n);
            if (!set.Add(n)) throw new ArgumentException($"feature '{n}' requested twice.", nameof(names));
        }
        if (set.Count == 0) throw new ArgumentException("no features requested.", nameof(names));
        return Names.Where(set.Contains).ToArray();
    }
}
