using Cbi.Workbench.IO;
using System.Diagnostics;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Data;

/// <summary>Builds data/warehouse.duckdb from data/raw: hash check → strict loaders → joins → quality gate →
/// tables → roll calendar, back-adjusted ZL and targets in SQL. Deterministic (same raw files, same rows),
/// idempotent, and atomic: it is built in a temporary file that replaces the previous warehouse only when
/// complete, so a failed build leaves the old one intact.
/// <para>Tables: market_daily, series_daily, cot_weekly, wasde_calendar, pinksheet_monthly, zl_contracts,
/// zl_roll, zl_daily, zl_targets, quality_report, raw_manifest, build_info.</para></summary>
public static class Warehouse
{
    /// <summary>What <see cref="Build"/> produced.</summary>
    /// <param name="Path">Full path of the written warehouse file.</param>
    /// <param name="DataVersion">Raw data version it was built from (<see cref="RawManifest.DataVersion"/>).</param>
    /// <param name="MarketRows">Rows written to market_daily from the sources (excluding the derived ZL_BACKADJ rows).</param>
    /// <param name="SeriesRows">Rows written to series_daily.</param>
    /// <param name="CotRows">Rows written to cot_weekly.</param>
    /// <param name="Errors">Quality findings with severity "error".</param>
    /// <param name="Warnings">Quality findings with severity "warning".</param>
    /// <param name="Seconds">Wall-clock build time, seconds.</param>
    public sealed record BuildReport(string Path, string DataVersion, long MarketRows, long SeriesRows, long CotRows,
        int Errors, int Warnings, double Seconds);

    /// <summary>Horizons (ZL trading days) of the targets ret_fwd_&lt;N&gt;d / target_date_&lt;N&gt;d.</summary>
    public static readonly int[] TargetHorizons = [1, 5, 20, 21, 63, 126, 252];

    /// <summary>Builds the warehouse unconditionally (see the class summary). Quality errors are recorded in
    /// quality_report, not thrown: the export refuses them later.</summary>
    /// <param name="rawDir">The raw data directory; null = <see cref="Workbench.RawDir"/>.</param>
    /// <param name="warehousePath">The DuckDB file to (re)place; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="log">Progress lines; null = <see cref="Log.Writer"/>.</param>
    /// <exception cref="RawDataException">A raw file is missing, changed (hash mismatch) or malformed, or two
    /// sources of the same series disagree.</exception>
    /// <exception cref="IOException">a store still writes the old warehouse after 10 minutes (the build waits for it so
    /// that its rows are carried over), or the old warehouse cannot be read; the old warehouse is kept.</exception>
    public static BuildReport Build(string? rawDir = null, string? warehousePath = null, TextWriter? log = null)
    {
        rawDir ??= Incoming.EffectiveRawDir(Workbench.RawDir, Incoming.DefaultDir);
        warehousePath ??= Workbench.WarehousePath;
        log ??= Log.Writer;
        var sw = Stopwatch.StartNew();
        void Step(string s) => log.WriteLine($"[warehouse {sw.Elapsed.TotalSeconds,5:F1}s] {s}");

        Step("verifying raw files against MANIFEST.tsv");
        var dataVersion = RawManifest.Verify(rawDir);
        var manifest = RawManifest.Read(rawDir);

        Step("loading sources");
        var inputs = RawInputs.Load(rawDir);

        Step("quality gate");
        var findings = new List<QualityFinding>();
        // Ranges per file, where each value has a line to point at; the joined markets are made of these bars.
        foreach (var pf in inputs.Files)
            findings.AddRange(QualityGate.Check(pf.Symbol, pf.File, pf.Bars)
                .Where(q => q.Check is "duplicate_date" or "non_monotonic_date")
                .Concat(QualityGate.CheckRanges(pf.Symbol, pf.File, pf.Bars, pf.Lines, pf.Columns)));
        // Series: order and duplicates only (levels such as yields, premiums or negative spot prices are not bars).
        foreach (var sf in inputs.SeriesFiles)
            findings.AddRange(QualityGate.Check(sf.Name, sf.File, sf.Values.Select(v => new Bar(v.Date, v.Value, v.Value, v.Value, v.Value, double.NaN)).ToList())
                .Where(q => q.Check is "duplicate_date" or "non_monotonic_date"));
        foreach (var (symbol, (bars, sources)) in inputs.Market)
            findings.AddRange(QualityGate.Check(symbol, string.Join("+", sources.Distinct()), bars)
                .Where(q => q.Check is not ("duplicate_date" or "non_monotonic_date" or "out_of_range")));
        findings.AddRange(inputs.Findings);
        foreach (var symbol in RawInputs.CbotMarkets)
            findings.AddRange(QualityGate.MissingSessions(symbol, inputs.Market[symbol].Bars, SessionCalendar.Cbot));
        findings.AddRange(QualityGate.CheckSeries(inputs.SeriesCopies));
        var errors = findings.Where(f => f.Severity == "error").ToList();
        if (errors.Count > 0)
            throw new InvalidDataException($"quality gate: {errors.Count} error(s); the warehouse was not replaced. " +
                string.Join(" | ", errors.GroupBy(e => (e.Check, e.Symbol)).Select(g =>
                    $"{g.Key.Check} {g.Key.Symbol} {g.First().Date:yyyy-MM-dd} ({g.First().Source}): {g.First().Detail}" + (g.Count() > 1 ? $" (and {g.Count() - 1} more)" : ""))));

        var full = Path.GetFullPath(warehousePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = AtomicFile.TempPath(full);
        StoreLock? gate = null;
        try
        {
            Step("writing tables");
            using (var db = new DuckDBConnection("Data Source=" + tmp))
            {
                db.Open();
                Exec(db, WarehouseSql.Schema);
                WriteTables(db, inputs, findings, manifest, dataVersion, rawDir);
                Step("roll calendar, back-adjusted ZL, targets (SQL)");
                Exec(db, WarehouseSql.Derived());
                // From the carry-over to the replacement no store may write the old file: its rows would go with it.
                gate = StoreLock.Acquire(full);
                CarryOver(db, full, Step);
                Exec(db, WarehouseSql.Checkpoint);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            gate?.Dispose();
            if (File.Exists(tmp)) File.Delete(tmp);
            if (File.Exists(tmp + ".wal")) File.Delete(tmp + ".wal");
        }
        var report = new BuildReport(full, dataVersion,
            inputs.Market.Sum(m => (long)m.Value.Bars.Count), inputs.Series.Sum(s => (long)s.Value.Count), inputs.Cot.Count,
            findings.Count(f => f.Severity == "error"), findings.Count(f => f.Severity == "warning"), sw.Elapsed.TotalSeconds);
        Step($"done: {report.MarketRows} market rows, {report.SeriesRows} series values, {report.CotRows} COT rows, " +
             $"quality {report.Errors} errors / {report.Warnings} warnings → {Workbench.Relative(full)}");
        return report;
    }

    /// <summary>Identity of the code that built a warehouse (the library's deterministic module version id): the
    /// availability rules, joins and SQL live in code, so a warehouse built by other code is stale even when the
    /// raw data are unchanged (e.g. a corrected COT release rule must not leave old, leaky availability dates).</summary>
    /// <summary>Tables a rebuild must not lose: results written by later stages, not derived from data/raw.</summary>
    internal static readonly string[] CarriedTables = ["predictions", "forecasts"];

    /// <summary>Copies <see cref="CarriedTables"/> from the warehouse being replaced into the new one, so a rebuild of the
    /// data never drops results (a predictions table without the profile column is migrated:
    /// <see cref="Evaluation.PredictionStore.MigrateWarehouseTable"/>). An old file that cannot be read (locked by another
    /// process) stops the build.</summary>
    static void CarryOver(DuckDBConnection db, string oldPath, Action<string> step)
    {
        if (!File.Exists(oldPath)) return;
        try
        {
            Exec(db, WarehouseSql.AttachReadOnly(oldPath, "old"));
        }
        catch (DuckDBException e)
        {
            // Replacing it anyway would lose its predictions: refuse, and keep it.
            throw new IOException($"cannot read the warehouse being replaced ({oldPath}) to carry over its results: {e.Message.Split('\n')[0]}. " +
                                  "Close the process that holds it, or move it away to start without its predictions.", e);
        }
        try
        {
            foreach (var t in CarriedTables)
            {
                if (Convert.ToInt64(WarehouseSql.Scalar(db, WarehouseSql.TableExistsIn("old", t))) == 0) continue;
                Exec(db, WarehouseSql.CopyTable("old", t));
                step($"carried over {t}: {WarehouseSql.Scalar(db, WarehouseSql.CountRows(t))} rows");
            }
        }
        finally { Exec(db, WarehouseSql.Detach("old")); }
        // A predictions table from before the profile column cannot say whose its rows are: the store migrates it.
        Evaluation.PredictionStore.MigrateWarehouseTable(db, step);
    }

    internal static string BuildCode => typeof(Warehouse).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    /// <summary>Builds the warehouse unless it exists and was built from the current raw data version by this
    /// build of the code (an unreadable warehouse is rebuilt too).</summary>
    /// <param name="rawDir">The raw data directory; null = <see cref="Workbench.RawDir"/>.</param>
    /// <param name="warehousePath">The DuckDB file; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="log">Progress lines; null = <see cref="Log.Writer"/>.</param>
    /// <returns><paramref name="warehousePath"/> (or the default path), now current.</returns>
    /// <exception cref="RawDataException">A raw file is missing, changed or malformed (see <see cref="Build"/>).</exception>
    public static string EnsureBuilt(string? rawDir = null, string? warehousePath = null, TextWriter? log = null)
    {
        rawDir ??= Incoming.EffectiveRawDir(Workbench.RawDir, Incoming.DefaultDir);
        warehousePath ??= Workbench.WarehousePath;
        if (File.Exists(warehousePath))
        {
            var current = RawManifest.Verify(rawDir);
            try
            {
                using var db = new DuckDBConnection($"Data Source={warehousePath};ACCESS_MODE=READ_ONLY");
                db.Open();
                var data = WarehouseSql.Scalar(db, WarehouseSql.BuildInfo("data_version")) as string;
                var code = WarehouseSql.Scalar(db, WarehouseSql.BuildInfo("build_code")) as string;
                if (data == current && code == BuildCode) return warehousePath;
                (log ?? Log.Writer).WriteLine(data != current
                    ? "[warehouse] raw data changed since the last build: rebuilding"
                    : "[warehouse] built by a different version of the code: rebuilding");
            }
            catch (DuckDBException) { /* unreadable or old schema: rebuild */ }
        }
        Build(rawDir, warehousePath, log);
        return warehousePath;
    }

    internal static void Exec(DuckDBConnection db, string sql) => WarehouseSql.Exec(db, sql);

    static void WriteTables(DuckDBConnection db, RawInputs inputs, List<QualityFinding> findings, IReadOnlyList<RawFile> manifest, string dataVersion, string rawDir)
    {
        using (var a = db.CreateAppender("market_daily"))
            foreach (var (symbol, (bars, sources)) in inputs.Market.OrderBy(k => k.Key, StringComparer.Ordinal))
                for (var i = 0; i < bars.Count; i++)
                {
                    var b = bars[i];
                    a.CreateRow().AppendValue(symbol).AppendValue((DateOnly?)b.Date).AppendValue(N(b.Open)).AppendValue(N(b.High))
                        .AppendValue(N(b.Low)).AppendValue(N(b.Close)).AppendValue(N(b.Volume)).AppendValue(sources[i]).EndRow();
                }
        using (var a = db.CreateAppender("series_daily"))
            foreach (var (name, obs) in inputs.Series.OrderBy(k => k.Key, StringComparer.Ordinal))
                foreach (var (o, units, source) in obs)
                    a.CreateRow().AppendValue(name).AppendValue((DateOnly?)o.Date).AppendValue((DateOnly?)o.AvailableDate)
                        .AppendValue((double?)o.Value).AppendValue(units).AppendValue(source).EndRow();
        using (var a = db.CreateAppender("cot_weekly"))
            foreach (var c in inputs.Cot)
                a.CreateRow().AppendValue(c.Market).AppendValue((DateOnly?)c.AsOfDate).AppendValue((DateOnly?)c.ReleaseDate)
                    .AppendValue((DateOnly?)c.AvailableDate).AppendValue(N(c.OpenInterest)).AppendValue(N(c.NonCommercialLong))
                    .AppendValue(N(c.NonCommercialShort)).AppendValue(N(c.NonCommercialSpread)).AppendValue(N(c.CommercialLong))
                    .AppendValue(N(c.CommercialShort)).AppendValue(N(c.NonReportableLong)).AppendValue(N(c.NonReportableShort))
                    .AppendValue(c.Source).EndRow();
        using (var a = db.CreateAppender("wasde_calendar"))
            foreach (var w in inputs.Wasde)
                a.CreateRow().AppendValue((DateOnly?)w.Date).AppendValue(w.Source).AppendValue(w.Note).EndRow();
        using (var a = db.CreateAppender("pinksheet_monthly"))
            foreach (var p in inputs.PinkSheet)
                a.CreateRow().AppendValue(p.Code).AppendValue((DateOnly?)p.Month).AppendValue((DateOnly?)Availability.PinkSheet(p.Month))
                    .AppendValue((double?)p.Value).AppendValue(p.Unit).EndRow();
        using (var a = db.CreateAppender("zl_contracts"))
            foreach (var c in inputs.ZlContracts)
                a.CreateRow().AppendValue(c.Code).AppendValue((DateOnly?)c.Month).AppendValue((DateOnly?)c.LastTradingDay).EndRow();
        using (var a = db.CreateAppender("exchange_sessions"))
        {
            // Far enough past the last bar for every target date (252 sessions ≈ one year).
            var zl = inputs.Market["ZL"].Bars;
            foreach (var d in SessionCalendar.Cbot.Sessions(zl[0].Date, zl[^1].Date.AddYears(2)))
                a.CreateRow().AppendValue("CBOT").AppendValue((DateOnly?)d).AppendValue(SessionCalendar.Cbot.SessionNumber(d)).EndRow();
        }
        using (var a = db.CreateAppender("quality_report"))
            foreach (var q in findings)
                a.CreateRow().AppendValue(q.Check).AppendValue(q.Severity).AppendValue(q.Symbol).AppendValue(q.Source)
                    .AppendValue(q.Date).AppendValue(q.Detail).EndRow();
        using (var a = db.CreateAppender("raw_manifest"))
            foreach (var m in manifest)
                a.CreateRow().AppendValue(m.Path).AppendValue(m.Repo).AppendValue(m.Commit).AppendValue(m.RepoPath)
                    .AppendValue(m.Licence).AppendValue(m.Units).AppendValue(m.Sha256).EndRow();
        using (var a = db.CreateAppender("build_info"))
        {
            a.CreateRow().AppendValue("data_version").AppendValue(dataVersion).EndRow();
            a.CreateRow().AppendValue("build_code").AppendValue(BuildCode).EndRow();
            a.CreateRow().AppendValue("quality_errors").AppendValue(findings.Count(f => f.Severity == "error").ToString(System.Globalization.CultureInfo.InvariantCulture)).EndRow();
            a.CreateRow().AppendValue("zl_quoted").AppendValue("ZL: Yahoo ZL=F nearest contract, unadjusted (ubitron to 2021-06-08, omar from 2021-06-09)").EndRow();
            a.CreateRow().AppendValue("zl_backadj").AppendValue("ZL_BACKADJ: ZL × exp(sum of later measured roll log-ratios); gaps measured with Quandl CHRIS #2 to 2019-11-05 only").EndRow();
        }
    }

    static double? N(double x) => double.IsNaN(x) ? null : x;
}
