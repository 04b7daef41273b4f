namespace Cbi.Workbench.Data;

/// <summary>One quality finding. Severity "error" stops the export; "warning" is shown and kept.</summary>
/// <param name="Check">Check name: duplicate_date, non_monotonic_date, gap, stale_bar, stale_run, non_positive_price,
/// ohlc_inconsistent, flat_bar, spike, extreme_move or intraday_last_bar.</param>
/// <param name="Severity">"error" or "warning".</param>
/// <param name="Symbol">Symbol or series name checked.</param>
/// <param name="Source">Source tag or file of the checked series.</param>
/// <param name="Date">The bar the finding is about (the first one for summary findings); null when there is none.</param>
/// <param name="Detail">Human-readable description (prefixed "acknowledged:" for accepted errors).</param>
public sealed record QualityFinding(string Check, string Severity, string Symbol, string Source, DateOnly? Date, string Detail);

/// <summary>Checks a daily price series (in source order) before it enters the export.
/// Errors (export fails): duplicate dates, dates out of order, a gap of more than
/// <see cref="Options.ErrorGapBusinessDays"/> missing business days, a run of ≥ <see cref="Options.ErrorStaleRun"/>
/// identical bars, a non-positive price that is not a known real event, and an isolated spike (a move beyond
/// <see cref="Options.SigmaLimit"/> σ that reverses by more than that the next day: the signature of a bad print).
/// Warnings: shorter gaps (holidays, closures such as Hurricane Sandy), single repeated bars, one-way extreme
/// moves (contract rolls of the unadjusted Yahoo series, real shocks), known real negative prices
/// (WTI 2020-04-20), high/low inconsistent with open/close, single-price bars (<c>flat_bar</c>, counted per symbol
/// and year) and a suspected intraday last bar.</summary>
internal static class QualityGate
{
    /// <summary>Thresholds of <see cref="Check"/>; the defaults are those the warehouse build uses.</summary>
    public sealed record Options
    {
        /// <summary>A gap of more than this many missing weekdays between consecutive bars is a warning (default 3).</summary>
        public int WarnGapBusinessDays { get; init; } = 3;
        /// <summary>A gap of more than this many missing weekdays between consecutive bars is an error (default 20).</summary>
        public int ErrorGapBusinessDays { get; init; } = 20;
        /// <summary>This many identical consecutive bars (all of OHLCV equal) make an error (default 5); two already give a warning.</summary>
        public int ErrorStaleRun { get; init; } = 5;
        /// <summary>Extreme-move threshold in multiples of the trailing σ of daily close-to-close log returns (default 8).</summary>
        public double SigmaLimit { get; init; } = 8;
        /// <summary>Trailing window of log returns for σ (at least 60 are needed before σ is trusted).</summary>
        public int SigmaWindow { get; init; } = 250;
        /// <summary>Non-positive prices that are real: (symbol, date).</summary>
        public IReadOnlySet<(string, DateOnly)> KnownNonPositive { get; init; } =
            new HashSet<(string, DateOnly)> { ("CL", new DateOnly(2020, 4, 20)), ("CL", new DateOnly(2020, 4, 21)) };
        /// <summary>Errors found in the real files, looked at and accepted with a reason: (symbol, check, date) →
        /// reason. They are reported as warnings prefixed "acknowledged"; the data stay as they are.</summary>
        public IReadOnlyDictionary<(string, string, DateOnly), string> Acknowledged { get; init; } = RealDataAcknowledged;
    }

    static readonly Dictionary<(string, string, DateOnly), string> RealDataAcknowledged = new()
    {
        [("ZL", "gap", new DateOnly(2003, 12, 29))] = "Yahoo ZL=F (ubitron) has no bars 2003-11-24…2003-12-26 and no other front-month ZL " +
            "source covers them; left missing (never filled). Targets and lagged features do not span it (its sessions are missing on the CBOT calendar)",
        [("ZM", "gap", new DateOnly(2003, 12, 29))] = "same Yahoo hole as ZL (2003-11-24…2003-12-26); left missing",
        [("ZS", "spike", new DateOnly(2008, 9, 12))] = "Yahoo ZS=F on the Sep-2008 contract's last trading day closes 1490 " +
            "(Quandl #2 1202) and falls back next day: an expiring-contract print in delivery; kept as quoted, use ZS with care at expiries",
    };

    /// <summary>Runs every check of the class summary on one series.</summary>
    /// <param name="symbol">Symbol reported in the findings and key into <see cref="Options.KnownNonPositive"/> and <see cref="Options.Acknowledged"/>.</param>
    /// <param name="source">Source tag reported in the findings.</param>
    /// <param name="bars">The bars in source order (not re-sorted: out-of-order dates are themselves a finding).</param>
    /// <param name="options">Thresholds; null = the defaults.</param>
    /// <returns>The findings grouped by check (not sorted by date); acknowledged errors come back as warnings.</returns>
    public static List<QualityFinding> Check(string symbol, string source, IReadOnlyList<Bar> bars, Options? options = null)
    {
        var o = options ?? new Options();
        var f = new List<QualityFinding>();
        void Add(string check, string sev, DateOnly? d, string detail) => f.Add(new QualityFinding(check, sev, symbol, source, d, detail));

        for (var i = 1; i < bars.Count; i++)
        {
            var (prev, cur) = (bars[i - 1].Date, bars[i].Date);
            if (cur == prev) Add("duplicate_date", "error", cur, $"date appears twice (rows {i} and {i + 1})");
            else if (cur < prev) Add("non_monotonic_date", "error", cur, $"follows {prev:yyyy-MM-dd} (row {i + 1})");
            else
            {
                var missing = Availability.WeekdaysAfterThrough(prev, cur.AddDays(-1)); // weekdays strictly between
                if (missing > o.ErrorGapBusinessDays) Add("gap", "error", cur, $"{missing} business days missing after {prev:yyyy-MM-dd}");
                else if (missing > o.WarnGapBusinessDays) Add("gap", "warning", cur, $"{missing} business days missing after {prev:yyyy-MM-dd}");
            }
        }

        var run = 1;
        for (var i = 1; i < bars.Count; i++)
        {
            if (SameBar(bars[i], bars[i - 1]))
            {
                run++;
                if (run == 2) Add("stale_bar", "warning", bars[i].Date, $"bar identical to {bars[i - 1].Date:yyyy-MM-dd}");
                if (run == o.ErrorStaleRun) Add("stale_run", "error", bars[i].Date, $"{run} identical bars in a row");
            }
            else run = 1;
        }

        var inconsistent = new List<DateOnly>();
        foreach (var b in bars)
        {
            if (b.Close <= 0 || b.Open <= 0 || b.Low <= 0)
            {
                var known = o.KnownNonPositive.Contains((symbol, b.Date));
                Add("non_positive_price", known ? "warning" : "error", b.Date,
                    $"open {b.Open}, low {b.Low}, close {b.Close}" + (known ? " — known real event, kept and flagged; log returns undefined" : ""));
            }
            if (b.High < Math.Max(b.Open, b.Close) - 1e-9 || b.Low > Math.Min(b.Open, b.Close) + 1e-9) inconsistent.Add(b.Date);
        }
        // Common in Yahoo grain bars (high/low from a different session than open/close): one summary line.
        if (inconsistent.Count > 0)
            Add("ohlc_inconsistent", "warning", inconsistent[0],
                $"{inconsistent.Count} bars with high/low not containing open/close, {inconsistent[0]:yyyy-MM-dd} … {inconsistent[^1]:yyyy-MM-dd}");

        // Single-price bars: in 2000–2006 Yahoo ZL=F holds many electronic-session prints of a lot or two with
        // open = high = low = close (not settlements; later ones are mostly expiring-contract prints). They carry no
        // range, so the feature builder treats their open/high/low as missing. One summary line per symbol and year.
        foreach (var g in bars.Where(IsFlatBar).GroupBy(b => b.Date.Year))
        {
            var vols = g.Select(b => b.Volume).Where(v => !double.IsNaN(v)).Order().ToArray();
            var median = vols.Length == 0 ? double.NaN : vols.Length % 2 == 1 ? vols[vols.Length / 2] : (vols[vols.Length / 2 - 1] + vols[vols.Length / 2]) / 2;
            Add("flat_bar", "warning", g.First().Date,
                $"{g.Count()} bars in {g.Key} with open = high = low = close (median volume {median}), {g.First().Date:yyyy-MM-dd} … {g.Last().Date:yyyy-MM-dd}: single prints, no range; range indicators treat their open/high/low as missing");
        }

        // Extreme moves: |log return| beyond SigmaLimit × trailing σ. Returns touching a non-positive price
        // are undefined and skipped (reported above).
        var r = new double[bars.Count];
        r[0] = double.NaN;
        for (var i = 1; i < bars.Count; i++)
            r[i] = bars[i].Close > 0 && bars[i - 1].Close > 0 ? Math.Log(bars[i].Close / bars[i - 1].Close) : double.NaN;
        var sigma = TrailingSigma(r, o.SigmaWindow);
        for (var i = 1; i < bars.Count; i++)
        {
            if (double.IsNaN(r[i]) || double.IsNaN(sigma[i]) || Math.Abs(r[i]) <= o.SigmaLimit * sigma[i]) continue;
            var reverses = i + 1 < bars.Count && !double.IsNaN(r[i + 1]) && Math.Abs(r[i + 1]) > o.SigmaLimit * sigma[i]
                           && Math.Sign(r[i + 1]) != Math.Sign(r[i]);
            Add(reverses ? "spike" : "extreme_move", reverses ? "error" : "warning", bars[i].Date,
                $"log return {r[i]:F4} = {r[i] / sigma[i]:F1} σ (σ {sigma[i]:F4})" + (reverses ? $", reversed next day ({r[i + 1]:F4})" : ""));
        }

        // Yahoo's last bar is sometimes an intraday snapshot: its volume repeats the previous day's.
        if (bars.Count >= 2)
        {
            var (last, prevBar) = (bars[^1], bars[^2]);
            if (!double.IsNaN(last.Volume) && last.Volume > 0 && last.Volume == prevBar.Volume)
                Add("intraday_last_bar", "warning", last.Date, $"last bar repeats the previous volume {last.Volume} — probably an intraday snapshot");
        }
        f.AddRange(CheckLevels(symbol, source, bars));
        return f.Select(q => q.Severity == "error" && q.Date is { } d && o.Acknowledged.TryGetValue((symbol, q.Check, d), out var why)
            ? q with { Severity = "warning", Detail = $"acknowledged: {q.Detail} — {why}" } : q).ToList();
    }

    /// <summary>A bar whose open, high, low and close are one price: a single print with no range information
    /// (its close is kept; its open/high/low are not a day's range).</summary>
    /// <summary>Plausible ranges of every market and series, from their units: wide enough for every real value since
    /// 1959 (ZL 6.97–90.6 c/lb, WTI −37.63–145.3 USD/bbl, DGS10 0.52–15.84 %, …), narrow enough that a value in the wrong
    /// unit (×100), a sign error or an overflow is caught.</summary>
    internal static readonly Dictionary<string, (double Low, double High, string Units)> PlausibleRange = new(StringComparer.Ordinal)
    {
        ["ZL"] = (3, 500, "US cents/lb"), ["ZS"] = (50, 5000, "US cents/bu"), ["ZC"] = (50, 5000, "US cents/bu"),
        ["ZM"] = (20, 3000, "USD/short ton"), ["CL"] = (-100, 500, "USD/bbl"), ["BZ"] = (0.5, 500, "USD/bbl"),
        ["HO"] = (0.05, 20, "USD/gal"), ["DX"] = (30, 250, "index points"), ["FCPO"] = (300, 30_000, "MYR/tonne"),
        ["DGS10"] = (-5, 30, "percent"), ["DEXBZUS"] = (0.5, 50, "BRL per USD"), ["USDMYR"] = (1, 20, "MYR per USD"),
        ["VIX"] = (5, 200, "index points"), ["WTI_SPOT"] = (-100, 500, "USD/bbl"), ["BRENT_SPOT"] = (0.5, 500, "USD/bbl"),
        ["RIN_D4"] = (0, 1000, "US cents/RIN"),
    };

    static (double Low, double High, string Units)? RangeOf(string symbol) =>
        PlausibleRange.TryGetValue(symbol, out var r) || (symbol.EndsWith('2') && PlausibleRange.TryGetValue(symbol[..^1], out r)) ? r : null;

    /// <summary>Most contracts a market may trade in a day, or hold open, or a trader category hold: 5·10⁷. Volume and
    /// open interest were not checked at all (a ZL volume of 1e308 passed). The largest real values in data/raw are a
    /// volume of 2,288,230 (CL, Yahoo) and an open interest of 1,041,802 (soybeans, CFTC), so the bound leaves a factor
    /// of 20 and still catches an overflow, an exponent typo or a value in another unit (a notional in dollars).</summary>
    internal const double MaxContracts = 5e7;
    internal const string MaxContractsText = "5E7";

    /// <summary>Prices outside the symbol's plausible range and volumes outside 0…<see cref="MaxContracts"/>. With
    /// <paramref name="lines"/> (the bars' 1-based lines in <paramref name="source"/>, a file) each detail starts with
    /// "file line N, column 'X':" so the value can be found; <paramref name="columns"/> gives the file's open, high, low,
    /// close and volume column names.</summary>
    internal static IEnumerable<QualityFinding> CheckRanges(string symbol, string source, IReadOnlyList<Bar> bars,
        IReadOnlyList<int>? lines = null, IReadOnlyList<string?>? columns = null)
    {
        var range = RangeOf(symbol);
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            string At(int field, string name) =>
                lines is null ? name : $"{source} line {lines[i]}, column '{columns?[field] ?? name}': {name}";
            if (range is { } r)
                foreach (var (k, name, x) in new[] { (0, "open", b.Open), (1, "high", b.High), (2, "low", b.Low), (3, "close", b.Close) })
                    if (!double.IsNaN(x) && (x < r.Low || x > r.High))
                        yield return new QualityFinding("out_of_range", "error", symbol, source, b.Date,
                            $"{At(k, name)} {x} outside the plausible range {r.Low}…{r.High} {r.Units}");
            if (b.Volume < 0) yield return new QualityFinding("out_of_range", "error", symbol, source, b.Date, $"{At(4, "volume")} {b.Volume} is negative");
            else if (b.Volume > MaxContracts)
                yield return new QualityFinding("out_of_range", "error", symbol, source, b.Date,
                    $"{At(4, "volume")} {b.Volume} outside the plausible range 0…{MaxContractsText} contracts");
        }
    }

    /// <summary>Prices and volumes outside their plausible ranges (<see cref="CheckRanges"/>), and lasting level shifts
    /// (a close that moves by a factor of 5 or more and stays there for the next 10 bars: a change of units, not a market move).</summary>
    internal static IEnumerable<QualityFinding> CheckLevels(string symbol, string source, IReadOnlyList<Bar> bars)
    {
        foreach (var q in CheckRanges(symbol, source, bars)) yield return q;
        for (var i = 1; i + 10 < bars.Count; i++)
        {
            if (!(bars[i - 1].Close > 0 && bars[i].Close > 0)) continue;
            var jump = bars[i].Close / bars[i - 1].Close;
            if (jump is > 0.2 and < 5) continue;
            var stays = Enumerable.Range(i + 1, 10).All(k => bars[k].Close > 0 && Math.Abs(Math.Log(bars[k].Close / bars[i].Close)) < Math.Log(2));
            if (stays)
                yield return new QualityFinding("unit_switch", "error", symbol, source, bars[i].Date,
                    $"close jumps ×{jump:G4} ({bars[i - 1].Close} → {bars[i].Close}) and stays there: a change of units or scale from this date on");
        }
    }

    /// <summary>Values of dated series outside their plausible range (every series is checked, not only prices), each
    /// named by file, line and column: every file a series is read from is checked, also the parts a join leaves out.</summary>
    internal static IEnumerable<QualityFinding> CheckSeries(IEnumerable<SeriesFile> files)
    {
        foreach (var sf in files.OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.File, StringComparer.Ordinal))
        {
            if (RangeOf(sf.Name) is not { } r)
            {
                yield return new QualityFinding("no_range", "error", sf.Name, sf.Source, null,
                    $"{sf.File}: no plausible range is declared for this series (QualityGate.PlausibleRange)");
                continue;
            }
            foreach (var (date, value, line) in sf.Values)
                if (value < r.Low || value > r.High)
                    yield return new QualityFinding("out_of_range", "error", sf.Name, sf.Source, date,
                        $"{sf.File} line {line}, column '{sf.Column}': value {value} outside the plausible range {r.Low}…{r.High} {sf.Units}");
        }
    }

    /// <summary>Expected sessions (on <paramref name="calendar"/>) between a market's first and last bar that have no
    /// bar: one finding per year, listing them. Targets and lagged features that would span them are missing.</summary>
    internal static IEnumerable<QualityFinding> MissingSessions(string symbol, IReadOnlyList<Bar> bars, SessionCalendar calendar)
    {
        var have = bars.Select(b => b.Date).ToHashSet();
        foreach (var g in calendar.Sessions(bars[0].Date, bars[^1].Date).Where(d => !have.Contains(d)).GroupBy(d => d.Year))
            yield return new QualityFinding("missing_session", "warning", symbol, calendar.Name, g.First(),
                $"{g.Count()} expected {calendar.Name} session(s) in {g.Key} without a bar in any copy: " +
                string.Join(", ", g.Take(12).Select(d => d.ToString("yyyy-MM-dd"))) + (g.Count() > 12 ? ", …" : "") +
                "; targets and lagged features spanning them are missing");
    }

    public static bool IsFlatBar(Bar b) => !double.IsNaN(b.Close) && b.Open == b.Close && b.High == b.Close && b.Low == b.Close;

    static bool SameBar(Bar a, Bar b) => Eq(a.Open, b.Open) && Eq(a.High, b.High) && Eq(a.Low, b.Low) && Eq(a.Close, b.Close) && Eq(a.Volume, b.Volume);
    static bool Eq(double x, double y) => x == y || (double.IsNaN(x) && double.IsNaN(y));

    static double[] TrailingSigma(double[] r, int window)
    {
        var s = new double[r.Length];
        var q = new Queue<double>();
        double sum = 0, sum2 = 0;
        for (var i = 0; i < r.Length; i++)
        {
            s[i] = q.Count >= 60 ? Math.Sqrt(Math.Max(0, (sum2 - sum * sum / q.Count) / (q.Count - 1))) : double.NaN;
            if (double.IsNaN(r[i])) continue;
            q.Enqueue(r[i]); sum += r[i]; sum2 += r[i] * r[i];
            if (q.Count > window) { var x = q.Dequeue(); sum -= x; sum2 -= x * x; }
        }
        return s;
    }
}
