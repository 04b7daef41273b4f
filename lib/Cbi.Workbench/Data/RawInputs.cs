namespace Cbi.Workbench.Data;

/// <summary>Everything the warehouse holds, loaded from data/raw and joined in memory (before SQL).</summary>
internal sealed class RawInputs
{
    public List<PriceFile> Files { get; } = [];
    public List<SeriesFile> SeriesFiles { get; } = [];
    public Dictionary<string, (List<Bar> Bars, List<string> Sources)> Market { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<(Observation Obs, string Units, string Source)>> Series { get; } = new(StringComparer.Ordinal);
    public List<CotRow> Cot { get; } = [];
    public List<WasdeRelease> Wasde { get; private set; } = [];
    public List<PinkValue> PinkSheet { get; private set; } = [];
    public List<ZlContract> ZlContracts { get; private set; } = [];

    /// <summary>Quandl CHRIS history before this date is not loaded: only the roll gaps of the Yahoo era
    /// (2000 →) use it, and the 1960s files have 63-day gaps the quality gate would rightly reject.</summary>
    static readonly DateOnly QuandlFrom = new(2000, 1, 1);

    const double OverlapTolerance = 0.005;

    public static RawInputs Load(string rawDir)
    {
        var r = new RawInputs();
        PriceFile U(string file, string sym, string units) => r.Add(RawLoaders.YahooOhlcv(rawDir, "yahoo_commodities_ubitron/" + file, sym, units));
        PriceFile E(string sym, string units) => r.Add(RawLoaders.OpenClose(rawDir, $"yahoo_openclose_edwin/price_{sym}_F.csv", sym, units));

        var zlU = U("Soybean Oil.csv", "ZL", "US cents/lb");
        var zlO = r.Add(RawLoaders.LowerOhlcv(rawDir, "palm_fcpo_omar/soybean_oil.csv", "ZL", "yahoo_omar", "US cents/lb"));
        var zlE = E("ZL", "US cents/lb");
        r.Join("ZL", zlU, zlO);
        CrossCheck(r.Market["ZL"].Bars, zlE);

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
            var q = r.Add(RawLoaders.QuandlChris(rawDir, $"quandl_chris_sergejgorev/{sym}.csv", sym + "2", units));
            var keep = Enumerable.Range(0, q.Bars.Count).Where(i => q.Bars[i].Date >= QuandlFrom).ToList();
            r.Single(sym + "2", q with { Bars = keep.Select(i => q.Bars[i]).ToList(), Lines = keep.Select(i => q.Lines[i]).ToList() });
        }

        var zlDays = r.Market["ZL"].Bars.Select(b => b.Date).ToList();

        // Series with their availability rules (see Availability).
        r.AddSeries(RawLoaders.Dated(rawDir, "fred_dgs10_carpet155/DGS10.csv", "observation_date", "DGS10", "DGS10", "fred_carpet155", "percent"), Availability.NextBusinessDay);
        var brl1 = RawLoaders.Dated(rawDir, "fred_dexbzus_joshgainer/DEXBZUS.csv", "DATE", "DEXBZUS", "DEXBZUS", "fred_joshgainer", "BRL per USD");
        var brl2 = RawLoaders.Dated(rawDir, "fred_dexbzus_wygong/DEXBZUS.csv", "observation_date", "DEXBZUS", "DEXBZUS", "fred_wygong", "BRL per USD");
        r.AddSeries(JoinSeries(brl1, brl2, 1e-9), Availability.NextBusinessDay, brl2.Values[0].Date, brl1.Source, brl2.Source);
        r.AddSeries(RawLoaders.Dated(rawDir, "vix_cboe_datasets/vix-daily.csv", "DATE", "CLOSE", "VIX", "cboe_datasets", "index points"), d => Availability.DailyClose("VIX", d));
        r.AddSeries(RawLoaders.Dated(rawDir, "eia_oil_datasets/wti-daily.csv", "Date", "Price", "WTI_SPOT", "eia_datasets", "USD/bbl"), Availability.EiaWeekly);
        r.AddSeries(RawLoaders.Dated(rawDir, "eia_oil_datasets/brent-daily.csv", "Date", "Price", "BRENT_SPOT", "eia_datasets", "USD/bbl"), Availability.EiaWeekly);
        r.AddSeries(RawLoaders.Dated(rawDir, "palm_fcpo_omar/usdmyr.csv", "date", "close", "USDMYR", "yahoo_omar", "MYR per USD"), Availability.NextBusinessDay);
        r.AddSeries(RawLoaders.RefinitivColumn(rawDir, "rin-d4-us", "RIN_D4", "US cents/RIN (inferred)"), Availability.NextBusinessDay);

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
    void Join(string symbol, PriceFile primary, PriceFile secondary)
    {
        var switchDate = primary.Bars.Max(b => b.Date);
        var p = primary.Bars.ToDictionary(b => b.Date, b => b.Close);
        for (var i = 0; i < secondary.Bars.Count; i++)
        {
            var b = secondary.Bars[i];
            if (b.Date < switchDate && p.TryGetValue(b.Date, out var pc) && Math.Abs(pc - b.Close) > OverlapTolerance)
                throw new RawDataException(secondary.File, secondary.Lines[i], "close",
                    $"{symbol} close {b.Close} on {b.Date:yyyy-MM-dd} disagrees with {primary.File} ({pc}); the files cannot be joined.");
        }
        var bars = new List<Bar>();
        var sources = new List<string>();
        foreach (var b in primary.Bars.Where(b => b.Date < switchDate).OrderBy(b => b.Date)) { bars.Add(b); sources.Add(primary.Source); }
        foreach (var b in secondary.Bars.Where(b => b.Date >= switchDate).OrderBy(b => b.Date)) { bars.Add(b); sources.Add(secondary.Source); }
        Market[symbol] = (bars, sources);
    }

    /// <summary>A third file of the same symbol must agree with the joined series wherever both have a close.</summary>
    static void CrossCheck(List<Bar> joined, PriceFile other)
    {
        var j = new Dictionary<DateOnly, double>();
        foreach (var b in joined) j[b.Date] = b.Close;
        for (var i = 0; i < other.Bars.Count; i++)
            if (j.TryGetValue(other.Bars[i].Date, out var c) && Math.Abs(c - other.Bars[i].Close) > OverlapTolerance)
                throw new RawDataException(other.File, other.Lines[i], "close",
                    $"{other.Symbol} close {other.Bars[i].Close} on {other.Bars[i].Date:yyyy-MM-dd} disagrees with the joined series ({c}).");
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
