namespace Cbi.Workbench.Data;

/// <summary>Everything the warehouse holds, loaded from data/raw and joined in memory (before SQL).</summary>
internal sealed class RawInputs
{
    public List<PriceFile> Files { get; } = [];
    public List<SeriesFile> SeriesFiles { get; } = [];
    /// <summary>Every dated-series file as read, before joins (the quality gate checks each value at its file and line).</summary>
    public List<SeriesFile> SeriesCopies { get; } = [];
    public Dictionary<string, (List<Bar> Bars, List<string> Sources)> Market { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<(Observation Obs, string Units, string Source)>> Series { get; } = new(StringComparer.Ordinal);
    public List<CotRow> Cot { get; } = [];
    public List<WasdeRelease> Wasde { get; private set; } = [];
    public List<PinkValue> PinkSheet { get; private set; } = [];
    public List<ZlContract> ZlContracts { get; private set; } = [];
    /// <summary>What loading decided about sessions: bars taken from another copy, bars on closed days left out.</summary>
    public List<QualityFinding> Findings { get; } = [];

    /// <summary>The markets traded on CBOT's calendar (their copies are joined session by session).</summary>
    internal static readonly string[] CbotMarkets = ["ZL", "ZS", "ZM", "ZC"];

    /// <summary>Quandl CHRIS history before this date is not loaded: only the roll gaps of the Yahoo era
    /// (2000 →) use it, and the 1960s files have 63-day gaps the quality gate would rightly reject.</summary>
    static readonly DateOnly QuandlFrom = new(2000, 1, 1);

    const double OverlapTolerance = 0.005;

    public static RawInputs Load(string rawDir)
    {
        var r = new RawInputs();
        // WTI crude is the one instrument here that settled below zero (−37.63 USD/bbl on 2020-04-20).
        static bool CanGoNegative(string sym) => sym == "CL";
        PriceFile U(string file, string sym, string units) => r.Add(RawLoaders.YahooOhlcv(rawDir, "yahoo_commodities_ubitron/" + file, sym, units, CanGoNegative(sym)));
        PriceFile E(string sym, string units) => r.Add(RawLoaders.OpenClose(rawDir, $"yahoo_openclose_edwin/price_{sym}_F.csv", sym, units, CanGoNegative(sym)));

        var zlU = U("Soybean Oil.csv", "ZL", "US cents/lb");
        var zlO = r.Add(RawLoaders.LowerOhlcv(rawDir, "palm_fcpo_omar/soybean_oil.csv", "ZL", "yahoo_omar", "US cents/lb"));
        var zlE = E("ZL", "US cents/lb");
        r.Join("ZL", zlU, zlO, zlE);

        foreach (var (file, sym, units) in new[]
                 {
                     ("Soybean.csv", "ZS", "US cents/bu"), ("Soybean Meal.csv", "ZM", "USD/short ton"), ("Corn.csv", "ZC", "US cents/bu"),
                     ("Crude Oil.csv", "CL", "USD/bbl"), ("Heating Oil.csv", "HO", "USD/gal"),
                 })
            r.Join(sym, U(file, sym, units), E(sym, units));
        r.Single("BZ", U("Brent Crude Oil.csv", "BZ", "USD/bbl"));
        r.Single("DX", E("DX", "index points"));
        r.Single("FCPO", r.Add(RawLoaders.LowerOhlcv(rawDir, "palm_fcpo_omar/fcpo_tradingview_myr.csv", "FCPO", "tradingview_omar", "MYR/tonne")));
        foreach (var (sym, units) in new[] { ("ZL", "US cents/lb"), ("ZS", "US cents/bu"), ("ZM", "USD/short ton"), ("ZC", "US cents/bu"), ("CL", "USD/bbl"), ("HO", "USD/gal") })
        {
            var q = r.Add(RawLoaders.QuandlChris(rawDir, $"quandl_chris_sergejgorev/{sym}.csv", sym + "2", units, CanGoNegative(sym)));
            var keep = Enumerable.Range(0, q.Bars.Count).Where(i => q.Bars[i].Date >= QuandlFrom).ToList();
            var second = q with { Bars = keep.Select(i => q.Bars[i]).ToList(), Lines = keep.Select(i => q.Lines[i]).ToList() };
            if (CbotMarkets.Contains(sym)) second = r.OnSessions(sym + "2", second);
            r.Single(sym + "2", second);
        }

        var zlDays = r.Market["ZL"].Bars.Select(b => b.Date).ToList();

        // Series with their availability rules (see Availability).
        SeriesFile D(SeriesFile sf) { r.SeriesCopies.Add(sf); return sf; }
        r.AddSeries(D(RawLoaders.Dated(rawDir, "fred_dgs10_carpet155/DGS10.csv", "observation_date", "DGS10", "DGS10", "fred_carpet155", "percent")), Availability.NextBusinessDay);
        var brl1 = D(RawLoaders.Dated(rawDir, "fred_dexbzus_joshgainer/DEXBZUS.csv", "DATE", "DEXBZUS", "DEXBZUS", "fred_joshgainer", "BRL per USD"));
        var brl2 = D(RawLoaders.Dated(rawDir, "fred_dexbzus_wygong/DEXBZUS.csv", "observation_date", "DEXBZUS", "DEXBZUS", "fred_wygong", "BRL per USD"));
        r.AddSeries(JoinSeries(brl1, brl2, 1e-9), Availability.NextBusinessDay, brl2.Values[0].Date, brl1.Source, brl2.Source);
        r.AddSeries(D(RawLoaders.Dated(rawDir, "vix_cboe_datasets/vix-daily.csv", "DATE", "CLOSE", "VIX", "cboe_datasets", "index points")), d => Availability.DailyClose("VIX", d));
        r.AddSeries(D(RawLoaders.Dated(rawDir, "eia_oil_datasets/wti-daily.csv", "Date", "Price", "WTI_SPOT", "eia_datasets", "USD/bbl")), Availability.EiaWeekly);
        r.AddSeries(D(RawLoaders.Dated(rawDir, "eia_oil_datasets/brent-daily.csv", "Date", "Price", "BRENT_SPOT", "eia_datasets", "USD/bbl")), Availability.EiaWeekly);
        r.AddSeries(D(RawLoaders.Dated(rawDir, "palm_fcpo_omar/usdmyr.csv", "date", "close", "USDMYR", "yahoo_omar", "MYR per USD")), Availability.NextBusinessDay);
        r.AddSeries(D(RawLoaders.RefinitivColumn(rawDir, "rin-d4-us", "RIN_D4", "US cents/RIN (inferred)")), Availability.NextBusinessDay);

        foreach (var (market, sheet, code, quandl) in new[] { ("SBO", "SBO", "007601", "ZL_cot"), ("SOYBEANS", "Soybeans", "005602", "ZS_cot"), ("SBM", "SBM", "026603", "ZM_cot") })
            r.Cot.AddRange(CotRows(rawDir, market, sheet, code, quandl, zlDays));

        r.Wasde = RawLoaders.Wasde(rawDir);
        r.PinkSheet = RawLoaders.PinkSheet(rawDir);
        r.ZlContracts = ZlCalendar.Contracts(2000, 2027, zlDays);
        return r;
    }

    PriceFile Add(PriceFile pf) { Files.Add(pf); return pf; }

    void Single(string symbol, PriceFile pf) =>
        Market[symbol] = (pf.Bars.OrderBy(b => b.Date).ToList(), Enumerable.Repeat(pf.Source, pf.Bars.Count).ToList());

    /// <summary>One continuous series from two files of the same Yahoo symbol: the primary up to the day before
    /// its last bar (Yahoo's last bar may be an intraday snapshot), the secondary from there on. Their closes
    /// must agree on every other common date.</summary>
    /// <summary>Joins copies of one market's daily series. The primary copy serves dates before its last date, the
    /// secondary from then on; a session that the serving copy lacks (Yahoo leaves early-close sessions such as 3 July,
    /// the day after Thanksgiving and 24 December <c>null</c>) is taken from any other copy that has a priced bar for it,
    /// and recorded (source per row, and a quality finding). Where copies overlap their closes must agree within
    /// <see cref="OverlapTolerance"/>. For CBOT markets, bars on days the exchange was closed (stale Yahoo bars on
    /// holidays) are left out and reported.</summary>
    void Join(string symbol, PriceFile primary, PriceFile secondary, params PriceFile[] others)
    {
        var copies = new[] { primary, secondary }.Concat(others).ToArray();
        if (CbotMarkets.Contains(symbol)) copies = copies.Select(c => OnSessions(symbol, c)).ToArray();
        var byDate = copies.Select(c => c.Bars.Select((b, i) => (b, i)).ToDictionary(x => x.b.Date, x => x.i)).ToArray();
        for (var k = 1; k < copies.Length; k++)
            for (var j = 0; j < k; j++)
                foreach (var (b, line) in copies[k].Bars.Zip(copies[k].Lines))
                    if (byDate[j].TryGetValue(b.Date, out var i) && Math.Abs(copies[j].Bars[i].Close - b.Close) > OverlapTolerance)
                        throw new RawDataException(copies[k].File, line, "close",
                            $"{symbol} close {b.Close} on {b.Date:yyyy-MM-dd} disagrees with {copies[j].File} line {copies[j].Lines[i]} ({copies[j].Bars[i].Close}); the copies cannot be joined.");
        var switchDate = primary.Bars[^1].Date;
        var bars = new List<Bar>();
        var sources = new List<string>();
        foreach (var date in byDate.SelectMany(d => d.Keys).Distinct().Order())
        {
            // Serving order: the primary before the switch, the secondary from it, then the others in turn.
            int[] order = date < switchDate ? [0, 1, .. Enumerable.Range(2, copies.Length - 2)] : [1, 0, .. Enumerable.Range(2, copies.Length - 2)];
            var k = order.First(c => byDate[c].ContainsKey(date));
            bars.Add(copies[k].Bars[byDate[k][date]]);
            sources.Add(copies[k].Source);
            if (k != order[0])
                Findings.Add(new QualityFinding("session_from_other_copy", "info", symbol, copies[k].Source, date,
                    $"{copies[order[0]].File} has no priced bar for this session; taken from {copies[k].File} line {copies[k].Lines[byDate[k][date]]}"));
        }
        Market[symbol] = (bars, sources);
    }

    /// <summary>The copy without its bars on days CBOT was closed (reported as bar_on_closed_day).</summary>
    PriceFile OnSessions(string symbol, PriceFile pf)
    {
        var keep = new List<int>();
        for (var i = 0; i < pf.Bars.Count; i++)
        {
            var d = pf.Bars[i].Date;
            if (d < SessionCalendar.Start || SessionCalendar.Cbot.IsSession(d)) { keep.Add(i); continue; }
            Findings.Add(new QualityFinding("bar_on_closed_day", "warning", symbol, pf.Source, d,
                $"{pf.File} line {pf.Lines[i]}: a bar on a day CBOT was closed ({SessionCalendar.Cbot.ClosureReason(d) ?? d.DayOfWeek.ToString()}); left out"));
        }
        return keep.Count == pf.Bars.Count ? pf : pf with { Bars = keep.Select(i => pf.Bars[i]).ToList(), Lines = keep.Select(i => pf.Lines[i]).ToList() };
    }

    static SeriesFile JoinSeries(SeriesFile a, SeriesFile b, double tol)
    {
        var start = b.Values[0].Date;
        var av = a.Values.ToDictionary(v => v.Date, v => v.Value);
        foreach (var (date, value, line) in b.Values)
            if (av.TryGetValue(date, out var x) && Math.Abs(x - value) > tol)
                throw new RawDataException(b.File, line, b.Name, $"{value} on {date:yyyy-MM-dd} disagrees with {a.File} ({x}).");
        var joined = a.Values.Where(v => v.Date < start).Concat(b.Values).ToList();
        return a with { Values = joined };
    }

    void AddSeries(SeriesFile sf, Func<DateOnly, DateOnly> available, DateOnly? switchDate = null, string? sourceBefore = null, string? sourceAfter = null)
    {
        SeriesFiles.Add(sf);
        if (Series.ContainsKey(sf.Name)) throw new InvalidOperationException($"series {sf.Name} loaded twice");
        Series[sf.Name] = sf.Values.OrderBy(v => v.Date)
            .Select(v => (new Observation(v.Date, available(v.Date), v.Value), sf.Units,
                switchDate is { } s ? (v.Date < s ? sourceBefore! : sourceAfter!) : sf.Source))
            .ToList();
    }

    /// <summary>CFTC legacy rows (2009 →) for one market, preceded by the Quandl commercial-only history
    /// (1987 → 2008). Both must agree on commercial long/short where they overlap.</summary>
    static IEnumerable<CotRow> CotRows(string rawDir, string market, string sheet, string code, string quandl, List<DateOnly> zlDays)
    {
        var legacy = RawLoaders.CotLegacy(rawDir, $"cftc_cot_legacy_vitor/CoT_Disagg_FutsOnly__{sheet}.csv", code, out var legacyFile);
        var q = RawLoaders.CotQuandl(rawDir, $"quandl_chris_sergejgorev/{quandl}.csv", out var qFile);
        var byDate = legacy.ToDictionary(l => l.AsOf, l => l.Values);
        foreach (var (asOf, lo, sh, line) in q)
            if (byDate.TryGetValue(asOf, out var v) && (v[4] != lo || v[5] != sh))
                throw new RawDataException(qFile, line, "Commercial Long", $"{asOf:yyyy-MM-dd} commercial {lo}/{sh} disagrees with {legacyFile} ({v[4]}/{v[5]}).");
        var first = legacy.Min(l => l.AsOf);
        CotRow Row(DateOnly asOf, double[] v, string source)
        {
            var release = Availability.CotRelease(asOf);
            return new CotRow(market, asOf, release, Availability.NextTradingDay(zlDays, release),
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], source);
        }
        var nan = double.NaN;
        return q.Where(x => x.AsOf < first).Select(x => Row(x.AsOf, [nan, nan, nan, nan, x.Long, x.Short, nan, nan], "quandl_cftc"))
            .Concat(legacy.Select(l => Row(l.AsOf, l.Values, "cftc_legacy_vitor")))
            .OrderBy(c => c.AsOfDate).ToList();
    }
}
