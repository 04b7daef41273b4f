namespace Cbi.Workbench.Data;

/// <summary>The warehouse as known at a date: everything a forecaster standing at <see cref="AsOf"/> (after that
/// day's ZL close) could have had. Bars whose close was known by then (<see cref="Availability.DailyClose"/>: Date ≤ as-of,
/// Date &lt; as-of for markets that close after ZL such as CL, HO, DX); series values and COT rows with AvailableDate ≤ as-of;
/// the WASDE calendar and the ZL contract calendar in full (both are published in advance).
/// <para>Symbols: ZL (continuous Yahoo ZL=F, quoted, unadjusted — the target series), ZL_BACKADJ (the same,
/// ratio back-adjusted at the rolls whose gap was measured, re-anchored at the snapshot's last bar so it
/// uses no later roll gap), ZS ZM ZC CL HO BZ DX FCPO (continuous Yahoo/TradingView), ZL2 ZS2 ZM2 ZC2 CL2 HO2
/// (Quandl CHRIS second contract, 2000 → 2019-11-05).</para>
/// The whole warehouse is read once per file version and shared by all snapshots of it.</summary>
public sealed class Snapshot
{
    /// <summary>The as-of date (the forecaster stands after that day's ZL close); null = everything in the warehouse.</summary>
    public DateOnly? AsOf { get; }
    /// <summary>Raw data version the warehouse was built from (SHA-256 of data/raw/MANIFEST.tsv, see <see cref="RawManifest.DataVersion"/>).</summary>
    public string DataVersion { get; }
    readonly Full full;
    readonly Dictionary<string, IReadOnlyList<Bar>> bars = new(StringComparer.Ordinal);
    readonly Dictionary<string, IReadOnlyList<Observation>> series = new(StringComparer.Ordinal);
    readonly Dictionary<string, IReadOnlyList<CotRow>> cot = new(StringComparer.Ordinal);

    Snapshot(Full f, DateOnly? asOf)
    {
        full = f; AsOf = asOf; DataVersion = f.DataVersion;
        var cutoff = asOf ?? DateOnly.MaxValue;
        foreach (var (k, v) in f.Bars)
        {
            var n = Availability.CountOnOrBefore(v, b => Availability.DailyClose(k, b.Date), cutoff);
            IReadOnlyList<Bar> list = n == v.Length ? v : new ArraySegment<Bar>(v, 0, n);
            if (k == "ZL_BACKADJ" && asOf is not null && n > 0) list = Reanchor(list, f.Bars["ZL"]);
            bars[k] = list;
        }
        foreach (var (k, v) in f.Series) series[k] = v.Where(o => o.AvailableDate <= cutoff).ToArray();
        foreach (var (k, v) in f.Cot) cot[k] = v.Where(c => c.AvailableDate <= cutoff).ToArray();
        foreach (var (k, v) in f.Monthly) monthly[k] = v.Where(o => o.AvailableDate <= cutoff).ToArray();
    }

    readonly Dictionary<string, IReadOnlyList<Observation>> monthly = new(StringComparer.Ordinal);

    /// <summary>World Bank Pink Sheet codes (SOYBEAN_OIL, PALM_OIL, CRUDE_BRENT, …).</summary>
    public IReadOnlyList<string> MonthlyNames => full.Monthly.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>A World Bank Pink Sheet monthly series (nominal USD; Date = first day of the month), only values
    /// with AvailableDate ≤ as-of (rule: the 10th of the following month, see <see cref="Availability.PinkSheet"/>).</summary>
    /// <param name="code">A Pink Sheet code from <see cref="MonthlyNames"/> (case-sensitive).</param>
    /// <returns>Observations ascending by month.</returns>
    /// <exception cref="KeyNotFoundException"><paramref name="code"/> is not in the warehouse.</exception>
    public IReadOnlyList<Observation> Monthly(string code) =>
        monthly.TryGetValue(code, out var m) ? m : throw new KeyNotFoundException($"no Pink Sheet code '{code}'; known: {string.Join(", ", MonthlyNames)}.");

    /// <summary>Loads the warehouse (default data/warehouse.duckdb) as of a date (null = everything). Throws
    /// <see cref="InvalidDataException"/> naming the file when the warehouse is stale — built by other code (its
    /// build_info.build_code) or from raw files whose MANIFEST.tsv has changed since — rather than hand out data made
    /// by old rules; rebuild with <c>cbi warehouse</c>, or load through <see cref="Warehouse.EnsureBuilt"/>.</summary>
    /// <param name="warehousePath">The DuckDB file; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="asOf">The as-of date; null = no cut.</param>
    /// <exception cref="FileNotFoundException">There is no warehouse file.</exception>
    /// <exception cref="InvalidDataException">The warehouse is stale (see above).</exception>
    public static Snapshot Load(string? warehousePath = null, DateOnly? asOf = null) =>
        new(Full.Get(warehousePath ?? Workbench.WarehousePath), asOf);

    /// <summary>Loads the warehouse of a backend as of a date: a DuckDB file as <see cref="Load(string?, DateOnly?)"/>
    /// (cached per file version), a BigQuery dataset by the same queries, read anew each time.</summary>
    /// <exception cref="InvalidDataException">The warehouse is stale (see <see cref="Load(string?, DateOnly?)"/>).</exception>
    /// <exception cref="BigQuery.BigQueryException">BigQuery refused a query or could not be reached.</exception>
    internal static Snapshot Load(IWarehouseBackend backend, DateOnly? asOf = null) =>
        new(backend is DuckDbWarehouse d ? Full.Get(d.Path) : Full.Get(backend), asOf);

    /// <summary>Price symbols in the warehouse (ordinal order), e.g. ZL, ZL_BACKADJ, ZS, CL, ZL2; keys of <see cref="Bars"/>.</summary>
    public IReadOnlyList<string> Symbols => full.Bars.Keys.Order(StringComparer.Ordinal).ToArray();
    /// <summary>Daily series names (ordinal order): DGS10, DEXBZUS, VIX, …; keys of <see cref="Series"/>.</summary>
    public IReadOnlyList<string> SeriesNames => full.Series.Keys.Order(StringComparer.Ordinal).ToArray();
    /// <summary>COT market names (ordinal order): SBM, SBO, SOYBEANS; keys of <see cref="Cot"/>.</summary>
    public IReadOnlyList<string> CotMarkets => full.Cot.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Daily bars of a symbol, ascending, those usable at the as-of ZL close:
    /// <c>Availability.DailyClose(symbol, Date) ≤ as-of</c> (Date ≤ as-of; Date &lt; as-of for CL, HO, BZ, DX, …).</summary>
    /// <param name="symbol">A symbol from <see cref="Symbols"/> (case-sensitive).</param>
    /// <exception cref="KeyNotFoundException"><paramref name="symbol"/> is not in the warehouse.</exception>
    public IReadOnlyList<Bar> Bars(string symbol) =>
        bars.TryGetValue(symbol, out var b) ? b : throw new KeyNotFoundException($"no symbol '{symbol}'; known: {string.Join(", ", Symbols)}.");

    /// <summary>Values of a series (DGS10, DEXBZUS, VIX, WTI_SPOT, BRENT_SPOT, USDMYR, RIN_D4), ascending by
    /// date, only those with AvailableDate ≤ as-of.</summary>
    /// <param name="name">A name from <see cref="SeriesNames"/> (case-sensitive).</param>
    /// <exception cref="KeyNotFoundException"><paramref name="name"/> is not in the warehouse.</exception>
    public IReadOnlyList<Observation> Series(string name) =>
        series.TryGetValue(name, out var s) ? s : throw new KeyNotFoundException($"no series '{name}'; known: {string.Join(", ", SeriesNames)}.");

    /// <summary>COT rows of a market (SBO, SOYBEANS, SBM), ascending by as-of date, AvailableDate ≤ as-of.</summary>
    /// <param name="market">A market from <see cref="CotMarkets"/> (case-sensitive).</param>
    /// <exception cref="KeyNotFoundException"><paramref name="market"/> is not in the warehouse.</exception>
    public IReadOnlyList<CotRow> Cot(string market) =>
        cot.TryGetValue(market, out var c) ? c : throw new KeyNotFoundException($"no COT market '{market}'; known: {string.Join(", ", CotMarkets)}.");

    /// <summary>All WASDE release dates (schedule known in advance; contents are not part of the warehouse).</summary>
    public IReadOnlyList<DateOnly> WasdeDates => full.Wasde;

    /// <summary>ZL contracts 2000–2027 with their last trading days (rule-derived, known in advance).</summary>
    public IReadOnlyList<ZlContract> ZlContracts => full.Contracts;

    /// <summary>Dates on which the quoted ZL series moves to the next contract (first ZL trading day after a last
    /// trading day), within the snapshot.</summary>
    public IReadOnlyList<DateOnly> ZlRollDays => full.RollDays.Where(d => d <= (AsOf ?? DateOnly.MaxValue)).ToArray();

    /// <summary>The roll days of which the price gap between the expiring and the next contract was measured (Quandl
    /// CHRIS #2 settlements exist until 2019-11-05), so the back-adjusted series (<c>ZL_BACKADJ</c>) has the new
    /// contract's own return that day; on other roll days the quoted return includes the roll jump.</summary>
    public IReadOnlyList<DateOnly> ZlMeasuredRollDays => full.MeasuredRollDays.Where(d => d <= (AsOf ?? DateOnly.MaxValue)).ToArray();

    /// <summary>Quality findings of the build (shown by 01-export; errors block the export).</summary>
    public IReadOnlyList<QualityFinding> Quality => full.Quality;

    static Bar[] Reanchor(IReadOnlyList<Bar> adj, Bar[] zl)
    {
        var last = adj[^1];
        var i = Availability.CountOnOrBefore(zl, b => b.Date, last.Date) - 1;
        var k = zl[i].Close / last.Close;
        return adj.Select(b => b with { Open = b.Open * k, High = b.High * k, Low = b.Low * k, Close = b.Close * k }).ToArray();
    }

    sealed class Full
    {
        public string DataVersion = "";
        public string? BuildCode, QualityErrors;
        public Dictionary<string, Bar[]> Bars = new(StringComparer.Ordinal);
        public Dictionary<string, Observation[]> Series = new(StringComparer.Ordinal);
        public Dictionary<string, CotRow[]> Cot = new(StringComparer.Ordinal);
        public Dictionary<string, Observation[]> Monthly = new(StringComparer.Ordinal);
        public DateOnly[] Wasde = [];
        public ZlContract[] Contracts = [];
        public DateOnly[] RollDays = [];
        public DateOnly[] MeasuredRollDays = [];
        public QualityFinding[] Quality = [];

        static readonly Dictionary<string, (DateTime Stamp, Full Data)> Cache = new();

        public static Full Get(string path)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full)) throw new FileNotFoundException($"no warehouse at {full}; build it with `cbi warehouse` (or Warehouse.Build()).", full);
            var stamp = File.GetLastWriteTimeUtc(full);
            Full data;
            lock (Cache)
            {
                if (Cache.TryGetValue(full, out var c) && c.Stamp == stamp) data = c.Data;
                else Cache[full] = (stamp, data = Read(full));
            }
            EnsureCurrent(full, data);
            return data;
        }

        // Checked on every load, not only on the first read: the raw files can change under a long-lived notebook.
        static void EnsureCurrent(string path, Full f)
        {
            const string Fix = "rebuild it with `cbi warehouse` (or load it through Warehouse.EnsureBuilt())";
            if (f.BuildCode != Warehouse.BuildCode)
                throw new InvalidDataException($"stale warehouse {path}: built by other code (build_code {f.BuildCode ?? "missing"}, " +
                                               $"this library {Warehouse.BuildCode}); {Fix}.");
            if (f.QualityErrors != "0")
                throw new InvalidDataException($"warehouse {path} was built with {f.QualityErrors ?? "an unknown number of"} quality error(s) " +
                                               $"(see its quality_report table); fix the raw data and {Fix}.");
            // Always this checkout's data (data/raw, with any accepted incoming rows): a warehouse copied along with another
            // checkout's data must not pass.
            var raw = Incoming.EffectiveRawDir(Workbench.RawDir, Incoming.DefaultDir);
            var manifest = Path.Combine(raw, RawManifest.FileName);
            var current = File.Exists(manifest) ? RawManifest.DataVersion(raw) : null;
            if (current != f.DataVersion)
                throw new InvalidDataException($"stale warehouse {path}: built from raw data version {f.DataVersion}, but {manifest} " +
                                               (current is null ? "is missing" : $"is now version {current}") + $"; {Fix}.");
        }

        /// <summary>A warehouse of another backend (BigQuery): read on every load, no cache (its tables can be replaced
        /// by another machine at any time), checked like a file.</summary>
        public static Full Get(IWarehouseBackend backend)
        {
            var data = Read(backend);
            EnsureCurrent(backend.Describe, data);
            return data;
        }

        static Full Read(string path)
        {
            using var wh = new DuckDbWarehouse(path);
            return Read(wh);
        }

        // The point-in-time snapshot query: the same statements on every backend (WarehouseSql).
        static Full Read(IWarehouseBackend db)
        {
            var f = new Full();
            string? Info(string key) => db.Query(WarehouseSql.BuildInfo(key), r => r.GetString(0)).FirstOrDefault();
            f.DataVersion = Info("data_version") ?? throw new InvalidDataException($"warehouse {db.Describe}: build_info has no data_version; rebuild it with `cbi warehouse`.");
            f.BuildCode = Info("build_code");
            f.QualityErrors = Info("quality_errors");
            foreach (var g in db.Query(WarehouseSql.MarketDaily,
                         r => (S: r.GetString(0), B: new Bar(r.GetDate(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6)))).GroupBy(x => x.S))
                f.Bars[g.Key] = g.Select(x => x.B).ToArray();
            foreach (var g in db.Query(WarehouseSql.SeriesDaily,
                         r => (S: r.GetString(0), O: new Observation(r.GetDate(1), r.GetDate(2), r.GetDouble(3)))).GroupBy(x => x.S))
                f.Series[g.Key] = g.Select(x => x.O).ToArray();
            foreach (var g in db.Query(WarehouseSql.CotWeekly, r => new CotRow(r.GetString(0), r.GetDate(1), r.GetDate(2), r.GetDate(3), r.GetDouble(4),
                         r.GetDouble(5), r.GetDouble(6), r.GetDouble(7), r.GetDouble(8), r.GetDouble(9), r.GetDouble(10), r.GetDouble(11), r.GetString(12))).GroupBy(x => x.Market))
                f.Cot[g.Key] = g.ToArray();
            foreach (var g in db.Query(WarehouseSql.PinkSheet,
                         r => (S: r.GetString(0), O: new Observation(r.GetDate(1), r.GetDate(2), r.GetDouble(3)))).GroupBy(x => x.S))
                f.Monthly[g.Key] = g.Select(x => x.O).ToArray();
            f.Wasde = db.Query(WarehouseSql.WasdeDates, r => r.GetDate(0)).ToArray();
            f.Contracts = db.Query(WarehouseSql.ZlContracts, r => new ZlContract(r.GetString(0), r.GetDate(1), r.GetDate(2))).ToArray();
            f.RollDays = db.Query(WarehouseSql.RollDays, r => r.GetDate(0)).ToArray();
            f.MeasuredRollDays = db.Query(WarehouseSql.MeasuredRollDays, r => r.GetDate(0)).ToArray();
            f.Quality = db.Query(WarehouseSql.QualityReport,
                r => new QualityFinding(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsNull(4) ? null : r.GetDate(4), r.GetString(5))).ToArray();
            return f;
        }
    }
}
