using System.Data.Common;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Data;

/// <summary>Every SQL statement the workbench issues to a warehouse engine (DuckDB, BigQuery), in one place, so the
/// portability test (<c>SqlPortabilityTests</c>) can enumerate them: each is run on DuckDB against the real warehouse,
/// parsed with a BigQuery grammar and checked against the constructs known to differ. A test fails when a .cs file
/// under lib/ holds SQL outside this class (the study store, <c>Search/Study.cs</c>, is engine-specific by design and
/// listed there with its reason).
/// <para>Statements are <see cref="Portability.Portable"/> (the same text runs on both engines),
/// <see cref="Portability.DuckDb"/> (DuckDB-only by design, with the reason) or <see cref="Portability.BigQuery"/>
/// (the BigQuery backend's own statement, with the reason).</para></summary>
internal static class WarehouseSql
{
    /// <summary>Which engines a statement is written for.</summary>
    internal enum Portability
    {
        /// <summary>Accepted by DuckDB and BigQuery alike.</summary>
        Portable,
        /// <summary>DuckDB only (reason given).</summary>
        DuckDb,
        /// <summary>BigQuery only (reason given).</summary>
        BigQuery,
    }

    /// <summary>A catalogue entry: an instance of the statement (templates filled with representative arguments).</summary>
    /// <param name="Name">Stable name, e.g. <c>snapshot.market_daily</c>.</param>
    /// <param name="Sql">The statement text as issued.</param>
    /// <param name="Engines">Where it runs.</param>
    /// <param name="Reason">Why it is engine-specific; null for portable statements.</param>
    internal sealed record Statement(string Name, string Sql, Portability Engines, string? Reason = null);

    const string NoTypes = "DDL with DuckDB type names (VARCHAR, DOUBLE): BigQuery gets its tables from load jobs with the schema of BigQueryTypes";
    const string LocalFile = "reads or writes a local file (read_parquet, COPY … TO) or a local database (ATTACH), which BigQuery cannot";
    const string DuckDbCatalog = "DuckDB's catalogue function duckdb_tables(); BigQuery's is INFORMATION_SCHEMA.TABLES";

    // ---------------------------------------------------------------- the point-in-time snapshot (Snapshot.Full.Read)

    internal static string BuildInfo(string key) => $"SELECT value FROM build_info WHERE key = '{key}'";
    internal const string MarketDaily = "SELECT symbol, date, open, high, low, close, volume FROM market_daily ORDER BY symbol, date";
    internal const string SeriesDaily = "SELECT name, date, available_date, value FROM series_daily ORDER BY name, date";
    internal const string CotWeekly = """
        SELECT market, as_of_date, release_date, available_date, open_interest, noncomm_long, noncomm_short, noncomm_spread,
               comm_long, comm_short, nonrept_long, nonrept_short, source FROM cot_weekly ORDER BY market, as_of_date
        """;
    internal const string PinkSheet = "SELECT code, month, available_date, value FROM pinksheet_monthly ORDER BY code, month";
    internal const string WasdeDates = "SELECT DISTINCT release_date FROM wasde_calendar ORDER BY 1";
    internal const string ZlContracts = "SELECT contract, contract_month, last_trading_day FROM zl_contracts ORDER BY last_trading_day";
    internal const string RollDays = "SELECT roll_date FROM zl_roll WHERE roll_date IS NOT NULL ORDER BY 1";
    internal const string MeasuredRollDays = "SELECT roll_date FROM zl_roll WHERE roll_date IS NOT NULL AND gap_measured ORDER BY 1";
    internal const string QualityReport = "SELECT check_name, severity, symbol, source, date, detail FROM quality_report ORDER BY severity, symbol, date";

    // ---------------------------------------------------------------- the training export

    /// <summary>The export's rows: ZL targets joined with the roll flag, targets whose date is after the cut nulled.</summary>
    internal static string TrainingRows(DateOnly? asOf)
    {
        var cutoff = asOf is { } a ? $"DATE '{a:yyyy-MM-dd}'" : "DATE '9999-12-31'";
        var select = new List<string> { "t.date", "t.close", "d.is_roll_day" };
        select.AddRange(Warehouse.TargetHorizons.Select(n => $"CASE WHEN t.target_date_{n}d <= {cutoff} THEN t.ret_fwd_{n}d END AS ret_fwd_{n}d"));
        select.AddRange(Warehouse.TargetHorizons.Select(n => $"CASE WHEN t.target_date_{n}d <= {cutoff} THEN t.target_date_{n}d END AS target_date_{n}d"));
        return $"SELECT {string.Join(", ", select)} FROM zl_targets t JOIN zl_daily d ON d.date = t.date WHERE t.date <= {cutoff} ORDER BY t.date";
    }

    internal static string CountAndDateRange(string rows) => $"SELECT COUNT(*), MIN(date), MAX(date) FROM ({rows}) x";

    internal static string CopyToParquet(string query, string path, string format = "PARQUET") => $"COPY ({query}) TO '{Quote(path)}' (FORMAT {format})";

    // ---------------------------------------------------------------- warehouse build (DuckDB; BigQuery receives the tables by load jobs)

    internal const string Schema = """
        CREATE TABLE market_daily(symbol VARCHAR, date DATE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, source VARCHAR);
        CREATE TABLE series_daily(name VARCHAR, date DATE, available_date DATE, value DOUBLE, units VARCHAR, source VARCHAR);
        CREATE TABLE cot_weekly(market VARCHAR, as_of_date DATE, release_date DATE, available_date DATE, open_interest DOUBLE,
            noncomm_long DOUBLE, noncomm_short DOUBLE, noncomm_spread DOUBLE, comm_long DOUBLE, comm_short DOUBLE,
            nonrept_long DOUBLE, nonrept_short DOUBLE, source VARCHAR);
        CREATE TABLE wasde_calendar(release_date DATE, source VARCHAR, note VARCHAR);
        CREATE TABLE pinksheet_monthly(code VARCHAR, month DATE, available_date DATE, value DOUBLE, units VARCHAR);
        CREATE TABLE zl_contracts(contract VARCHAR, contract_month DATE, last_trading_day DATE);
        CREATE TABLE quality_report(check_name VARCHAR, severity VARCHAR, symbol VARCHAR, source VARCHAR, date DATE, detail VARCHAR);
        CREATE TABLE raw_manifest(path VARCHAR, repo VARCHAR, commit_sha VARCHAR, repo_path VARCHAR, licence VARCHAR, units VARCHAR, sha256 VARCHAR);
        CREATE TABLE build_info(key VARCHAR, value VARCHAR);
        CREATE TABLE exchange_sessions(exchange VARCHAR, date DATE, session_no INTEGER);
        """;

    /// <summary>Roll calendar, back-adjusted ZL and targets. Standard SQL (window functions, correlated subqueries).</summary>
    internal static string Derived()
    {
        var targets = string.Join(",\n", Warehouse.TargetHorizons.Select(n =>
            $"  CASE WHEN LEAD(session_no, {n}) OVER w = session_no + {n} THEN LN(LEAD(close, {n}) OVER w / close) END AS ret_fwd_{n}d,\n" +
            $"  CASE WHEN LEAD(session_no, {n}) OVER w = session_no + {n} THEN LEAD(date, {n}) OVER w END AS target_date_{n}d"));
        return $"""
            -- Roll days of the Yahoo nearest-contract series: it holds the expiring contract through its last trading
            -- day T and quotes the next contract from the next ZL trading day. The roll gap is measured on T as
            -- (next contract settle, Quandl CHRIS #2) − (expiring contract close, ZL), where Quandl exists (to 2019-11-05).
            CREATE TABLE zl_roll AS
            SELECT c.contract, c.last_trading_day,
                   (SELECT MIN(z2.date) FROM market_daily z2 WHERE z2.symbol = 'ZL' AND z2.date > c.last_trading_day) AS roll_date,
                   z.close AS expiring_close, q.close AS next_close,
                   q.close - z.close AS roll_gap,
                   CASE WHEN q.close > 0 AND z.close > 0 THEN LN(q.close / z.close) END AS roll_log_ratio,
                   q.close IS NOT NULL AND z.close IS NOT NULL AS gap_measured
            FROM zl_contracts c
            LEFT JOIN market_daily z ON z.symbol = 'ZL' AND z.date = c.last_trading_day
            LEFT JOIN market_daily q ON q.symbol = 'ZL2' AND q.date = c.last_trading_day
            WHERE c.last_trading_day >= (SELECT MIN(date) FROM market_daily WHERE symbol = 'ZL')
              AND c.last_trading_day < (SELECT MAX(date) FROM market_daily WHERE symbol = 'ZL');

            -- Ratio back-adjustment anchored at the latest price: a date d ≤ T is multiplied by next/expiring of every
            -- later measured roll, so log returns across a measured roll are the new contract's own return.
            INSERT INTO market_daily
            SELECT 'ZL_BACKADJ', m.date, m.open * f, m.high * f, m.low * f, m.close * f, m.volume,
                   'derived: ZL ratio back-adjusted with measured roll gaps'
            FROM (SELECT z.*, EXP(COALESCE((SELECT SUM(r.roll_log_ratio) FROM zl_roll r
                                            WHERE r.gap_measured AND r.last_trading_day >= z.date), 0)) AS f
                  FROM market_daily z WHERE z.symbol = 'ZL') m;

            CREATE TABLE zl_daily AS
            SELECT z.date, z.close, b.close AS close_backadj,
                   (SELECT MIN(c.contract) FROM zl_contracts c WHERE c.last_trading_day = (
                        SELECT MIN(c2.last_trading_day) FROM zl_contracts c2 WHERE c2.last_trading_day >= z.date)) AS contract,
                   EXISTS (SELECT 1 FROM zl_roll r WHERE r.roll_date = z.date) AS is_roll_day
            FROM market_daily z JOIN market_daily b ON b.symbol = 'ZL_BACKADJ' AND b.date = z.date
            WHERE z.symbol = 'ZL';

            -- Targets on the QUOTED ZL series (roll jumps included; see zl_daily.is_roll_day):
            -- ret_fwd_Nd = ln(close[t+N] / close[t]) with t+N the N-th next CBOT session (exchange_sessions). Where the
            -- data lacks a session in between (a gap: 2000–2001 Yahoo gaps, the 2003 hole, …), the row N rows later is
            -- further than N sessions away, and the target is missing rather than a longer return labelled N days.
            CREATE TABLE zl_targets AS
            SELECT date, close,
            {targets}
            FROM (SELECT z.date, z.close, s.session_no
                  FROM market_daily z LEFT JOIN exchange_sessions s ON s.exchange = 'CBOT' AND s.date = z.date
                  WHERE z.symbol = 'ZL') t
            WINDOW w AS (ORDER BY date);
            """;
    }

    internal static string AttachReadOnly(string path, string alias) => $"ATTACH '{Quote(path)}' AS {alias} (READ_ONLY)";
    internal static string Detach(string alias) => $"DETACH {alias}";
    internal static string TableExistsIn(string database, string table) =>
        $"SELECT count(*) FROM duckdb_tables() WHERE database_name = '{database}' AND table_name = '{table}'";
    internal static string TableExists(string table) => $"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{table}'";
    internal static string CopyTable(string source, string table) => $"CREATE TABLE {table} AS SELECT * FROM {source}.{table}";
    internal static string CountRows(string table) => $"SELECT count(*) FROM {table}";
    internal const string Checkpoint = "CHECKPOINT;";

    /// <summary>The warehouse's tables and their columns in order (the BigQuery load plan), from the standard
    /// INFORMATION_SCHEMA, which both engines have.</summary>
    internal const string TableColumns = """
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'main' ORDER BY table_name, ordinal_position
        """;

    // ---------------------------------------------------------------- the prediction store, abstentions and forecasts

    internal static string CreateTable(string table, string columns) => $"CREATE TABLE {table} ({columns})";
    internal static string CreateTableIfMissing(string table, string columns) => $"CREATE TABLE IF NOT EXISTS {table} ({columns})";
    internal static string CreateTempTable(string table, string columns) => $"CREATE TEMP TABLE {table} ({columns})";
    internal static string DropTable(string table) => $"DROP TABLE {table}";
    internal static string InsertFromParquet(string table, string columns, string path) => $"INSERT INTO {table} SELECT {columns} FROM read_parquet('{Quote(path)}')";
    internal static string InsertAllFrom(string table, string source) => $"INSERT INTO {table} SELECT * FROM {source}";
    internal static string OrderedRows(string table, string order) => $"SELECT * FROM {table} ORDER BY {order}";
    internal static string AllRows(string table) => $"SELECT * FROM {table}";

    /// <summary>Deletes the rows of <paramref name="table"/> whose key (model, horizon, split, origin_date) a row of
    /// <paramref name="incoming"/> carries. No table aliases: BigQuery's DELETE grammar (as node-sql-parser has it)
    /// takes none after FROM, and both engines resolve the qualified outer columns.</summary>
    internal static string DeleteReplacedKeys(string table, string incoming) =>
        $"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM {incoming} WHERE {incoming}.model = {table}.model AND {incoming}.horizon = {table}.horizon " +
        $"AND {incoming}.split = {table}.split AND {incoming}.origin_date = {table}.origin_date)";

    /// <summary>As <see cref="DeleteReplacedKeys"/>, for the warehouse table, whose key also holds the profile: only
    /// <paramref name="profile"/>'s rows are replaced (the other profile's rows with the same key stay).</summary>
    internal static string DeleteReplacedKeysOfProfile(string table, string incoming, string profile) =>
        $"{DeleteReplacedKeys(table, incoming)} AND {table}.profile = '{Quote(profile)}'";

    /// <summary>Inserts every row of <paramref name="source"/> (the contract columns) into the warehouse table under
    /// <paramref name="profile"/>; the target columns are named, so the column order of the table does not matter.</summary>
    internal static string InsertWithProfile(string table, string source, string profile) =>
        $"INSERT INTO {table} (profile, {PredictionColumnNames}) SELECT '{Quote(profile)}', {PredictionColumnNames} FROM {source}";

    /// <summary>The prediction contract's column names, in order (<see cref="Evaluation.PredictionStore.Columns"/>).</summary>
    internal const string PredictionColumnNames = "model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split";

    /// <summary>Whether a table of the open database has a column (1) or not (0).</summary>
    internal static string ColumnExists(string table, string column) =>
        $"SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' AND table_name = '{table}' AND column_name = '{column}'";

    /// <summary>How many rows differ between the warehouse rows of <paramref name="profile"/> and the Parquet table at
    /// <paramref name="path"/>: the rows of each that the other lacks (as multisets), 0 when they hold the same rows.</summary>
    internal static string ProfileRowsDiffer(string profile, string path)
    {
        var warehouse = $"SELECT {PredictionColumnNames} FROM predictions WHERE profile = '{Quote(profile)}'";
        var parquet = $"SELECT {PredictionColumnNames} FROM read_parquet('{Quote(path)}')";
        return $"SELECT count(*) FROM (({warehouse} EXCEPT ALL {parquet}) UNION ALL ({parquet} EXCEPT ALL {warehouse})) d";
    }

    /// <summary>Whether a profile's warehouse rows and the Parquet file hold the same multiset of rows, by a fingerprint
    /// (row count and the sum of 64-bit row hashes; a sum, unlike XOR, counts a duplicated row): about 15 ms on the smoke
    /// table's 200k rows against 240 ms for the exact comparison (<see cref="ProfileRowsDiffer"/>), which runs only when
    /// the fingerprints differ.</summary>
    internal static string ProfileRowsMatch(string profile, string path) =>
        $"SELECT (SELECT count(*) || ':' || coalesce(sum(hash({PredictionColumnNames})::HUGEINT), 0) FROM predictions WHERE profile = '{Quote(profile)}') = " +
        $"(SELECT count(*) || ':' || coalesce(sum(hash({PredictionColumnNames})::HUGEINT), 0) FROM read_parquet('{Quote(path)}'))";

    internal static string CountProfileRows(string profile) => $"SELECT count(*) FROM predictions WHERE profile = '{Quote(profile)}'";
    internal static string DeleteProfileRows(string profile) => $"DELETE FROM predictions WHERE profile = '{Quote(profile)}'";
    internal static string InsertProfileFromParquet(string profile, string path) => InsertWithProfile("predictions", $"read_parquet('{Quote(path)}')", profile);

    internal static string ReadPredictions(string path, IReadOnlyCollection<string> models) =>
        $"SELECT model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split FROM read_parquet('{Quote(path)}')" +
        (models.Count > 0 ? $" WHERE model IN ({string.Join(", ", models.Select(x => $"'{Quote(x)}'"))})" : "") + " ORDER BY model, horizon, origin_date";

    internal static readonly string FreshForecasts = "CREATE TEMP TABLE fresh AS SELECT DISTINCT ON (model_version, origin_date, horizon) * FROM incoming i WHERE NOT EXISTS " +
                                                     $"(SELECT 1 FROM forecasts f WHERE {SameForecast("f", "i")})";

    /// <summary>The forecasts' key, (model_version, origin_date, horizon), equal in two aliased rows.</summary>
    static string SameForecast(string a, string b) =>
        $"{a}.model_version = {b}.model_version AND {a}.origin_date = {b}.origin_date AND {a}.horizon = {b}.horizon";
    internal const string ReadForecasts = "SELECT origin_date, horizon, target_date, model_version, p10, p50, p90, created_at FROM forecasts ORDER BY model_version, horizon, origin_date";

    /// <summary>The rows of the forecasts table a Parquet copy holds: those whose (model_version, origin_date, horizon) key is
    /// in <paramref name="incoming"/> (this export) or, when <paramref name="previousCopy"/> is given, already in that copy —
    /// so each profile's copy keeps the rows it exported (put back into the table first, <see cref="ForecastsFromCopy"/>), with
    /// the table's first-exported values, and not the rows only another profile exported to the same warehouse (a row both
    /// exported, such as one random-walk fit's, is in both).</summary>
    internal static string ForecastsOfCopy(string incoming, string? previousCopy)
    {
        static string Same(string source) => $"EXISTS (SELECT 1 FROM {source} k WHERE {SameForecast("k", "f")})";
        return $"SELECT f.* FROM forecasts f WHERE {Same(incoming)}" + (previousCopy is null ? "" : $" OR {Same($"read_parquet('{Quote(previousCopy)}')")}") +
               " ORDER BY f.model_version, f.horizon, f.origin_date";
    }

    /// <summary>Puts back into the forecasts table the rows of a profile's Parquet copy whose key it lacks (a fresh clone's
    /// new warehouse, or one moved away): the copy is that profile's record, with its first-exported values and times.</summary>
    internal static string ForecastsFromCopy(string copy) =>
        $"INSERT INTO forecasts SELECT p.* FROM read_parquet('{Quote(copy)}') p WHERE NOT EXISTS (SELECT 1 FROM forecasts f WHERE {SameForecast("f", "p")})";

    /// <summary>The (model_version, origin_date, horizon) keys already in the forecasts table for some model versions.</summary>
    internal static string ForecastKeys(IReadOnlyCollection<string> modelVersions) =>
        "SELECT model_version, origin_date, horizon FROM forecasts WHERE model_version IN (" +
        string.Join(", ", modelVersions.Select(v => $"'{Quote(v)}'")) + ")";

    // ---------------------------------------------------------------- the operations ledger (Operations/OperationsStore)

    /// <summary>Adds the rows of <paramref name="incoming"/> whose key (model, version, horizon, origin_date) is not in
    /// <paramref name="table"/> yet (the first filing of a forecast stays).</summary>
    internal static string InsertNewOperationalForecasts(string table, string incoming) =>
        $"INSERT INTO {table} SELECT DISTINCT ON (model, version, horizon, origin_date) * FROM {incoming} i WHERE NOT EXISTS " +
        $"(SELECT 1 FROM {table} x WHERE x.model = i.model AND x.version = i.version AND x.horizon = i.horizon AND x.origin_date = i.origin_date)";

    internal static string ReadOperationalForecasts(string path, string exAnte = "ex_ante") =>
        $"SELECT origin_date, horizon, target_date, role, model, version, origin_close, q10, q50, q90, release, created_at, {exAnte} " +
        $"FROM read_parquet('{Quote(path)}') ORDER BY horizon, role, model, version, origin_date";

    /// <summary>1 when the Parquet file has a column of that name, else 0.</summary>
    internal static string ParquetHasColumn(string path, string column) =>
        $"SELECT count(*) FROM parquet_schema('{Quote(path)}') WHERE name = '{Quote(column)}'";

    // ---------------------------------------------------------------- BigQuery backend only

    /// <summary>Replaces a prediction run's keys in one BigQuery transaction (a multi-statement query): the staged rows'
    /// keys are deleted and the staged rows inserted, or nothing changes.</summary>
    internal static string BigQueryReplacePredictions(string staging, string profile) =>
        $"BEGIN TRANSACTION;\n{DeleteReplacedKeysOfProfile("predictions", staging, profile)};\n{InsertWithProfile("predictions", staging, profile)};\nCOMMIT TRANSACTION;";

    // ---------------------------------------------------------------- CLI `cbi sql`

    /// <summary>Makes a DuckDB session read-only for the file system too (no COPY … TO, no reading other files).</summary>
    internal const string LockDown = "SET enable_external_access = false; SET lock_configuration = true;";

    /// <summary>DuckDB's parse of the text in <c>$q</c> as JSON: one entry per statement, or an error object for a
    /// statement that is not a query (json_serialize_sql serialises SELECT statements only) or does not parse.</summary>
    internal const string ParseQuery = "SELECT json_serialize_sql($q::VARCHAR)";

    /// <summary>Refuses anything but a single query before <c>cbi sql</c> runs it. A read-only connection still ran
    /// CHECKPOINT, SET, PRAGMA and several statements separated by ';' (printing only the last one's rows); DuckDB's
    /// own parser decides here (<see cref="ParseQuery"/>), so SHOW and DESCRIBE, which it reads as queries, pass.</summary>
    /// <exception cref="ArgumentException">a statement that is not a query, more than one statement, or text that does
    /// not parse (the message quotes DuckDB's parser).</exception>
    internal static void CheckOneQuery(DuckDBConnection db, string sql)
    {
        using var cmd = Command(db, ParseQuery);
        cmd.Parameters.Add(new DuckDBParameter("q", sql));
        using var parsed = System.Text.Json.JsonDocument.Parse((string)cmd.ExecuteScalar()!);
        var root = parsed.RootElement;
        if (root.TryGetProperty("error", out var error) && error.GetBoolean())
        {
            var why = root.TryGetProperty("error_message", out var m) ? m.GetString() : "unknown";
            throw new ArgumentException(why != null && why.Contains("Only SELECT", StringComparison.OrdinalIgnoreCase)
                ? "runs one read-only query (SELECT, WITH … SELECT, VALUES); other statements (CHECKPOINT, SET, PRAGMA, INSERT, COPY, …) are refused."
                : $"the statement does not parse: {why}");
        }
        var n = root.GetProperty("statements").GetArrayLength();
        if (n != 1) throw new ArgumentException($"runs exactly one query; this text holds {n} statements (separated by ';'). Run them one at a time.");
    }

    // ---------------------------------------------------------------- the catalogue

    /// <summary>Every statement with representative arguments (paths under /tmp, the real table names).</summary>
    internal static IEnumerable<Statement> All()
    {
        foreach (var k in new[] { "data_version", "build_code", "quality_errors" })
            yield return new($"build_info.{k}", BuildInfo(k), Portability.Portable);
        yield return new("snapshot.market_daily", MarketDaily, Portability.Portable);
        yield return new("snapshot.series_daily", SeriesDaily, Portability.Portable);
        yield return new("snapshot.cot_weekly", CotWeekly, Portability.Portable);
        yield return new("snapshot.pinksheet_monthly", PinkSheet, Portability.Portable);
        yield return new("snapshot.wasde_dates", WasdeDates, Portability.Portable);
        yield return new("snapshot.zl_contracts", ZlContracts, Portability.Portable);
        yield return new("snapshot.roll_days", RollDays, Portability.Portable);
        yield return new("snapshot.measured_roll_days", MeasuredRollDays, Portability.Portable);
        yield return new("snapshot.quality_report", QualityReport, Portability.Portable);
        yield return new("export.rows_full", TrainingRows(null), Portability.Portable);
        yield return new("export.rows_as_of", TrainingRows(new DateOnly(2010, 12, 31)), Portability.Portable);
        yield return new("export.count", CountAndDateRange(TrainingRows(new DateOnly(2010, 12, 31))), Portability.Portable);
        yield return new("export.copy", CopyToParquet(TrainingRows(null), "/tmp/training.parquet"), Portability.DuckDb, LocalFile);
        yield return new("build.schema", Schema, Portability.DuckDb, NoTypes);
        yield return new("build.derived", Derived(), Portability.DuckDb,
            "the build runs in DuckDB and BigQuery receives its result tables by load jobs; BigQuery may refuse correlated subqueries it cannot de-correlate, which no grammar check can rule out");
        yield return new("build.attach_old", AttachReadOnly("/tmp/warehouse.duckdb", "old"), Portability.DuckDb, LocalFile);
        yield return new("build.old_table_exists", TableExistsIn("old", "predictions"), Portability.DuckDb, DuckDbCatalog);
        yield return new("build.carry_over", CopyTable("old", "predictions"), Portability.DuckDb, "copies from the attached previous warehouse file (build.attach_old)");
        yield return new("build.count", CountRows("predictions"), Portability.Portable);
        yield return new("build.detach_old", Detach("old"), Portability.DuckDb, LocalFile);
        yield return new("plan.table_parquet", CopyToParquet(AllRows("market_daily"), "/tmp/market_daily.parquet"), Portability.DuckDb, LocalFile);
        yield return new("plan.rows", CountRows("market_daily"), Portability.Portable);
        yield return new("build.checkpoint", Checkpoint, Portability.DuckDb, "DuckDB flushes its write-ahead log into the file; BigQuery has no such step");
        yield return new("plan.table_columns", TableColumns, Portability.DuckDb,
            "INFORMATION_SCHEMA is standard, but BigQuery qualifies it by dataset (dataset.INFORMATION_SCHEMA.COLUMNS) and has no schema 'main'; the plan is made from the local DuckDB build");
        yield return new("predictions.exists", TableExists("predictions"), Portability.DuckDb, DuckDbCatalog);
        yield return new("predictions.has_profile", ColumnExists("predictions", "profile"), Portability.DuckDb,
            "INFORMATION_SCHEMA is standard, but BigQuery qualifies it by dataset and has no schema 'main'; the migration of a warehouse without the profile column runs on the DuckDB file");
        yield return new("predictions.drop_unprofiled", DropTable("predictions"), Portability.Portable);
        yield return new("predictions.create_profiled", CreateTable("predictions", Evaluation.PredictionStore.WarehouseColumns), Portability.DuckDb, NoTypes);
        yield return new("predictions.create", CreateTableIfMissing("predictions", Evaluation.PredictionStore.WarehouseColumns), Portability.DuckDb, NoTypes);
        yield return new("predictions.create_bigquery", CreateTableIfMissing("predictions", BigQueryTypes.Columns(Evaluation.PredictionStore.WarehouseColumns)), Portability.BigQuery,
            "the same table with BigQuery type names (BigQueryTypes translates the DuckDB column list)");
        yield return new("predictions.profile_differs", ProfileRowsDiffer("smoke", "/tmp/predictions.parquet"), Portability.DuckDb, LocalFile);
        yield return new("predictions.profile_matches", ProfileRowsMatch("smoke", "/tmp/predictions.parquet"), Portability.DuckDb, "DuckDB's hash(); a fingerprint before the exact comparison");
        yield return new("predictions.profile_count", CountProfileRows("smoke"), Portability.Portable);
        yield return new("predictions.profile_delete", DeleteProfileRows("smoke"), Portability.Portable);
        yield return new("predictions.profile_restore", InsertProfileFromParquet("smoke", "/tmp/predictions.parquet"), Portability.DuckDb, LocalFile);
        yield return new("predictions.create_scratch", CreateTable("p", Evaluation.PredictionStore.Columns), Portability.DuckDb, NoTypes);
        yield return new("predictions.create_incoming", CreateTempTable("incoming", Evaluation.PredictionStore.Columns), Portability.DuckDb,
            "TEMP tables exist in BigQuery only inside a script session; the BigQuery backend stages rows in a real table loaded from Parquet");
        yield return new("predictions.read_old_parquet", InsertFromParquet("p", "model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split", "/tmp/predictions.parquet"), Portability.DuckDb, LocalFile);
        yield return new("predictions.delete_replaced", DeleteReplacedKeysOfProfile("predictions", "incoming", "smoke"), Portability.Portable);
        yield return new("predictions.insert", InsertWithProfile("predictions", "incoming", "smoke"), Portability.Portable);
        yield return new("predictions.drop_incoming", DropTable("incoming"), Portability.Portable);
        yield return new("predictions.copy", CopyToParquet(OrderedRows("p", "model, horizon, origin_date, split"), "/tmp/predictions.parquet", "parquet"), Portability.DuckDb, LocalFile);
        yield return new("predictions.read_parquet", ReadPredictions("/tmp/predictions.parquet", ["rw", "mean"]), Portability.DuckDb, LocalFile);
        yield return new("abstentions.create", CreateTable("a", "model VARCHAR, horizon INTEGER, origin_date DATE, split VARCHAR, fold INTEGER, reason VARCHAR"), Portability.DuckDb, NoTypes);
        yield return new("abstentions.read_old_parquet", InsertFromParquet("a", "model, horizon, origin_date, split, fold, reason", "/tmp/abstentions.parquet"), Portability.DuckDb, LocalFile);
        yield return new("abstentions.delete_replaced", DeleteReplacedKeys("a", "n"), Portability.Portable);
        yield return new("abstentions.insert", InsertAllFrom("a", "n"), Portability.Portable);
        yield return new("abstentions.copy", CopyToParquet(OrderedRows("a", "model, horizon, split, origin_date"), "/tmp/abstentions.parquet", "parquet"), Portability.DuckDb, LocalFile);
        yield return new("forecasts.create", CreateTableIfMissing("forecasts", Evaluation.ForecastExport.Columns), Portability.DuckDb, NoTypes);
        yield return new("forecasts.create_bigquery", CreateTableIfMissing("forecasts", BigQueryTypes.Columns(Evaluation.ForecastExport.Columns)), Portability.BigQuery,
            "the same table with BigQuery type names (BigQueryTypes translates the DuckDB column list)");
        yield return new("forecasts.create_incoming", CreateTempTable("incoming", Evaluation.ForecastExport.Columns), Portability.DuckDb, NoTypes);
        yield return new("forecasts.fresh", FreshForecasts, Portability.DuckDb,
            "DISTINCT ON is DuckDB/PostgreSQL; the BigQuery backend reads the existing keys (forecasts.keys) and streams only new rows");
        yield return new("forecasts.count_fresh", CountRows("fresh"), Portability.Portable);
        yield return new("forecasts.insert", InsertAllFrom("forecasts", "fresh"), Portability.Portable);
        yield return new("forecasts.copy", CopyToParquet(ForecastsOfCopy("incoming", "/tmp/forecasts.parquet"), "/tmp/forecasts-new.parquet", "parquet"), Portability.DuckDb, LocalFile);
        yield return new("forecasts.from_copy", ForecastsFromCopy("/tmp/forecasts.parquet"), Portability.DuckDb, LocalFile);
        yield return new("forecasts.copy_first", CopyToParquet(ForecastsOfCopy("incoming", null), "/tmp/forecasts.parquet", "parquet"), Portability.DuckDb, LocalFile);
        yield return new("forecasts.exists", TableExists("forecasts"), Portability.DuckDb, DuckDbCatalog);
        yield return new("forecasts.read", ReadForecasts, Portability.Portable);
        yield return new("forecasts.keys", ForecastKeys(["ensemble@1a2b3c", "lgbm@4d5e6f"]), Portability.Portable);
        yield return new("operations.create", CreateTable("f", Operations.OperationsStore.Columns), Portability.DuckDb, NoTypes);
        yield return new("operations.insert_new", InsertNewOperationalForecasts("f", "n"), Portability.DuckDb, "DISTINCT ON is DuckDB/PostgreSQL; the ledger is a local Parquet file merged in DuckDB");
        yield return new("operations.copy", CopyToParquet(OrderedRows("f", "horizon, role, model, version, origin_date"), "/tmp/operations.parquet", "parquet"), Portability.DuckDb, LocalFile);
        yield return new("operations.read", ReadOperationalForecasts("/tmp/operations.parquet"), Portability.DuckDb, LocalFile);
        yield return new("operations.has_ex_ante", ParquetHasColumn("/tmp/operations.parquet", "ex_ante"), Portability.DuckDb, LocalFile);
        yield return new("predictions.replace_bigquery", BigQueryReplacePredictions("predictions_staging_cbi", "smoke"), Portability.BigQuery,
            "a BigQuery multi-statement transaction; its two statements are predictions.delete_replaced and predictions.insert, which are portable");
        yield return new("cli.sql_lockdown", LockDown, Portability.DuckDb, "DuckDB session settings that keep `cbi sql` from touching files");
        yield return new("cli.sql_parse", ParseQuery, Portability.DuckDb, "DuckDB's own parser (json_serialize_sql) decides that `cbi sql` runs one query");
    }

    internal static string Quote(string s) => s.Replace("'", "''");

    // ---------------------------------------------------------------- the one DuckDB executor

    /// <summary>While set (tests), every statement issued through <see cref="Exec"/>, <see cref="Scalar"/> and
    /// <see cref="Read{T}"/> on this async flow is added to it.</summary>
    internal static readonly AsyncLocal<List<string>?> Issued = new();

    static DuckDBCommand Command(DuckDBConnection db, string sql)
    {
        if (Issued.Value is { } list) lock (list) list.Add(sql);
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    /// <summary>Runs a statement (or several separated by ';').</summary>
    internal static void Exec(DuckDBConnection db, string sql)
    {
        using var cmd = Command(db, sql);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row (null when no row or SQL NULL).</summary>
    internal static object? Scalar(DuckDBConnection db, string sql)
    {
        using var cmd = Command(db, sql);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    /// <summary>Every row mapped.</summary>
    internal static List<T> Read<T>(DuckDBConnection db, string sql, Func<DbDataReader, T> map)
    {
        using var cmd = Command(db, sql);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }
}

/// <summary>DuckDB type names of the warehouse's columns → BigQuery standard SQL types (the load plan's schemas and
/// the BigQuery DDL of the stores). Only the types the warehouse uses are mapped; others are refused by name.</summary>
internal static class BigQueryTypes
{
    /// <summary>The BigQuery type of a DuckDB column type.</summary>
    /// <param name="duckDbType">As DuckDB names it (VARCHAR, DATE, DOUBLE, INTEGER, BIGINT, BOOLEAN, TIMESTAMP).</param>
    /// <param name="column">The column, for the error message.</param>
    /// <exception cref="NotSupportedException">A type the warehouse does not use.</exception>
    internal static string Of(string duckDbType, string column = "?") => duckDbType.ToUpperInvariant() switch
    {
        "VARCHAR" => "STRING",
        "DATE" => "DATE",
        "DOUBLE" => "FLOAT64",
        "INTEGER" or "BIGINT" or "SMALLINT" or "TINYINT" => "INT64",
        "BOOLEAN" => "BOOL",
        "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE" => "TIMESTAMP",
        var t => throw new NotSupportedException($"column {column}: DuckDB type {t} has no BigQuery mapping in the workbench."),
    };

    /// <summary>A column list "name TYPE, …" with DuckDB types rewritten as BigQuery types.</summary>
    internal static string Columns(string duckDbColumns) => string.Join(", ", duckDbColumns.Split(',').Select(c =>
    {
        var parts = c.Trim().Split(' ', 2);
        return $"{parts[0]} {Of(parts[1].Trim(), parts[0])}";
    }));
}
