using System.Globalization;
using System.Text.Json.Nodes;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.IO;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Data.BigQuery;

/// <summary>One table of the BigQuery load plan: its columns with DuckDB and BigQuery types, its rows, and the Parquet
/// file (and its size in bytes) that the load job sends.</summary>
/// <param name="Table">Warehouse table name (the BigQuery table id too).</param>
/// <param name="Columns">(name, DuckDB type, BigQuery type) in table order.</param>
/// <param name="Rows">Row count.</param>
/// <param name="ParquetPath">The Parquet file written for the load (a temporary file).</param>
/// <param name="ParquetBytes">Its size, bytes.</param>
/// <param name="Kept">True for tables the load never replaces (<see cref="Warehouse.CarriedTables"/>: written in
/// BigQuery by the prediction and forecast stores, so a local rebuild must not overwrite them).</param>
internal sealed record LoadPlanTable(string Table, IReadOnlyList<(string Name, string DuckDbType, string BigQueryType)> Columns, long Rows,
    string ParquetPath, long ParquetBytes, bool Kept)
{
    /// <summary>The BigQuery schema.</summary>
    public IReadOnlyList<BigQueryField> Schema => Columns.Select(c => new BigQueryField(c.Name, c.BigQueryType)).ToList();
}

/// <summary>The warehouse in a BigQuery dataset. The warehouse is still built locally in DuckDB from data/raw (the
/// same build, quality gate and SQL); <see cref="Load"/> then puts every table into the dataset, and the science reads
/// it back through the same statements as a DuckDB file (<see cref="WarehouseSql"/>, unqualified table names resolved
/// in the dataset through <c>defaultDataset</c>).
/// <para>No half-written table: each table is first loaded into its own staging table (a WRITE_TRUNCATE load job from
/// Parquet); only when every staging load has succeeded is each staging table copied over its final table with a
/// WRITE_TRUNCATE copy job, which replaces that table as a whole or, when it fails, leaves it as it was. build_info goes
/// last, so a run stopped between copies leaves the old build_info beside newer tables and the snapshot's staleness
/// check (build_code, data_version) refuses the mixture rather than hand out a mix. A failed staging load deletes every
/// staging table and leaves all final tables untouched.</para></summary>
internal sealed class BigQueryWarehouse(BigQueryClient client, string dataset) : IWarehouseBackend
{
    /// <summary>The client (project, location, endpoint).</summary>
    public BigQueryClient Client => client;
    /// <summary>The dataset id.</summary>
    public string Dataset => dataset;

    /// <inheritdoc/>
    public string Describe => $"BigQuery {client.Project}.{dataset}" + (client.Location is { } l ? $" ({l})" : "");

    static T Wait<T>(Task<T> t) => t.GetAwaiter().GetResult();
    static void Wait(Task t) => t.GetAwaiter().GetResult();

    /// <inheritdoc/>
    public List<T> Query<T>(string sql, Func<WarehouseRow, T> map) =>
        Wait(client.QueryAsync(sql, dataset)).Rows.Select(r => map(new WarehouseRow.Values(r))).ToList();

    /// <summary>Runs the query and writes its rows with DuckDB's Parquet writer (column types from the result schema),
    /// so the file has the same shape as a DuckDB export.</summary>
    public void ExportParquet(string sql, string parquetPath)
    {
        var result = Wait(client.QueryAsync(sql, dataset));
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        WarehouseSql.Exec(con, WarehouseSql.CreateTable("x", string.Join(", ", result.Fields.Select(f => $"{f.Name} {DuckDbType(f)}"))));
        using (var app = con.CreateAppender("x"))
            foreach (var row in result.Rows)
            {
                var r = app.CreateRow();
                foreach (var v in row)
                    r = v switch
                    {
                        null => r.AppendNullValue(),
                        string s => r.AppendValue(s),
                        long l => r.AppendValue(l),
                        double d => r.AppendValue(d),
                        bool b => r.AppendValue(b),
                        DateOnly d => r.AppendValue((DateOnly?)d),
                        DateTime t => r.AppendValue(t),
                        _ => throw new NotSupportedException($"value of type {v.GetType().Name}"),
                    };
                r.EndRow();
            }
        WarehouseSql.Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.AllRows("x"), parquetPath));
    }

    static string DuckDbType(BigQueryField f) => f.Type switch
    {
        "STRING" => "VARCHAR",
        "INTEGER" or "INT64" => "BIGINT",
        "FLOAT" or "FLOAT64" => "DOUBLE",
        "BOOLEAN" or "BOOL" => "BOOLEAN",
        "DATE" => "DATE",
        "TIMESTAMP" => "TIMESTAMP",
        var t => throw new NotSupportedException($"column {f.Name}: BigQuery type {t} is not read by the workbench."),
    };

    /// <summary>Stages the rows with a Parquet load job, then deletes their keys of <paramref name="profile"/> and inserts
    /// them under it in one BigQuery transaction (<see cref="WarehouseSql.BigQueryReplacePredictions"/>); the staging
    /// table is deleted either way. A dataset whose table predates the profile column is not migrated here (the DuckDB
    /// store migrates its file): the insert into its missing column is refused.</summary>
    /// <exception cref="ArgumentException">The rows are invalid (see <see cref="PredictionStore.Write(IReadOnlyCollection{PredictionRow}, string?, string?)"/>).</exception>
    /// <exception cref="BigQueryException">A load or the transaction failed; the table is unchanged.</exception>
    public void ReplacePredictions(string profile, IReadOnlyCollection<PredictionRow> rows)
    {
        PredictionStore.Validate(rows);
        var staging = $"predictions_staging_{Guid.NewGuid():N}";
        var dir = Directory.CreateTempSubdirectory("cbi-bq-");
        try
        {
            var parquet = Path.Combine(dir.FullName, "predictions.parquet");
            PredictionStore.WriteParquet(rows, parquet);
            var schema = Fields(PredictionStore.Columns);
            Wait(client.LoadParquetAsync(parquet, dataset, staging, schema));
            // The staged file has the contract columns; the profile is added by the insert (WarehouseSql.InsertWithProfile).
            Wait(client.QueryAsync(WarehouseSql.CreateTableIfMissing("predictions", BigQueryTypes.Columns(PredictionStore.WarehouseColumns)), dataset));
            Wait(client.QueryAsync(WarehouseSql.BigQueryReplacePredictions(staging, profile), dataset));
            Log.Progress($"[predictions] {rows.Count} rows written to {Describe} (table predictions, profile {profile})");
        }
        finally
        {
            dir.Delete(recursive: true);
            Wait(client.DeleteTableAsync(dataset, staging));
        }
    }

    /// <summary>Reads the keys already present for the rows' model versions and streams only new rows with
    /// <c>tabledata.insertAll</c> (insertId = model_version|origin_date|horizon, so a retried request is not
    /// duplicated), in batches of 500.</summary>
    /// <exception cref="ArgumentException">Prices not positive, finite and ordered.</exception>
    /// <exception cref="BigQueryException">A request failed or rows were refused (insertErrors, naming row and column).</exception>
    public int AppendForecasts(IReadOnlyCollection<ForecastRow> rows)
    {
        ForecastExport.Validate(rows);
        if (rows.Count == 0) return 0;
        Wait(client.QueryAsync(WarehouseSql.CreateTableIfMissing("forecasts", BigQueryTypes.Columns(ForecastExport.Columns)), dataset));
        var versions = rows.Select(r => r.ModelVersion).Distinct().ToList();
        var present = Query(WarehouseSql.ForecastKeys(versions), r => Key(r.GetString(0), r.GetDate(1), (int)r.GetInt64(2))).ToHashSet();
        var fresh = rows.DistinctBy(r => Key(r.ModelVersion, r.OriginDate, r.Horizon)).Where(r => !present.Contains(Key(r.ModelVersion, r.OriginDate, r.Horizon))).ToList();
        foreach (var batch in fresh.Chunk(500))
            Wait(client.InsertAllAsync(dataset, "forecasts", batch.Select(r => (Key(r.ModelVersion, r.OriginDate, r.Horizon), Json(r))).ToList()));
        Log.Progress($"[forecasts] {fresh.Count} new of {rows.Count} rows appended to {Describe} (table forecasts)");
        return fresh.Count;
    }

    static string Key(string version, DateOnly origin, int horizon) => $"{version}|{origin:yyyy-MM-dd}|{horizon}";

    /// <summary>A forecast row as insertAll JSON: DATE as yyyy-MM-dd, TIMESTAMP as RFC 3339 UTC.</summary>
    internal static JsonObject Json(ForecastRow r) => new()
    {
        ["origin_date"] = r.OriginDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["horizon"] = r.Horizon,
        ["target_date"] = r.TargetDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["model_version"] = r.ModelVersion,
        ["p10"] = r.P10,
        ["p50"] = r.P50,
        ["p90"] = r.P90,
        ["created_at"] = DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
    };

    static List<BigQueryField> Fields(string duckDbColumns) =>
        BigQueryTypes.Columns(duckDbColumns).Split(", ").Select(c => c.Split(' ')).Select(p => new BigQueryField(p[0], p[1])).ToList();

    // ---------------------------------------------------------------- the warehouse load

    /// <summary>The load plan of a local DuckDB warehouse: every table with its BigQuery schema, row count and the bytes
    /// of its Parquet file (written under <paramref name="workDir"/>). Touches no network.</summary>
    /// <param name="duckDbPath">The built warehouse.</param>
    /// <param name="workDir">Where the Parquet files go.</param>
    /// <exception cref="FileNotFoundException">No warehouse file.</exception>
    /// <exception cref="NotSupportedException">A column type without a BigQuery mapping (named).</exception>
    public static IReadOnlyList<LoadPlanTable> Plan(string duckDbPath, string workDir)
    {
        if (!File.Exists(duckDbPath)) throw new FileNotFoundException($"no warehouse at {Workbench.Relative(duckDbPath)}; build it with `cbi warehouse`.", duckDbPath);
        Directory.CreateDirectory(workDir);
        using var db = new DuckDBConnection($"Data Source={duckDbPath};ACCESS_MODE=READ_ONLY");
        db.Open();
        var columns = WarehouseSql.Read(db, WarehouseSql.TableColumns, r => (Table: r.GetString(0), Name: r.GetString(1), Type: r.GetString(2)));
        var plan = new List<LoadPlanTable>();
        foreach (var t in columns.GroupBy(c => c.Table))
        {
            var parquet = Path.Combine(workDir, t.Key + ".parquet");
            WarehouseSql.Exec(db, WarehouseSql.CopyToParquet(WarehouseSql.AllRows(t.Key), parquet));
            plan.Add(new LoadPlanTable(t.Key, t.Select(c => (c.Name, c.Type, BigQueryTypes.Of(c.Type, $"{t.Key}.{c.Name}"))).ToList(),
                Convert.ToInt64(WarehouseSql.Scalar(db, WarehouseSql.CountRows(t.Key))), parquet, new FileInfo(parquet).Length,
                Warehouse.CarriedTables.Contains(t.Key)));
        }
        return plan;
    }

    /// <summary>The plan as text: one block per table (schema, rows, Parquet bytes), then totals.</summary>
    public static string DescribePlan(IReadOnlyList<LoadPlanTable> plan, string target)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"BigQuery load plan → {target} (dry run: nothing sent)");
        foreach (var t in plan)
        {
            var action = t.Kept ? "kept (written in BigQuery by its store; a load never replaces it)" : $"load → {t.Table}__staging_<run>, then copy WRITE_TRUNCATE → {t.Table}";
            sb.AppendLine(CultureInfo.InvariantCulture, $"table {t.Table}: {t.Rows} rows, {t.ParquetBytes} Parquet bytes, {action}");
            foreach (var c in t.Columns) sb.AppendLine(CultureInfo.InvariantCulture, $"  {c.Name} {c.BigQueryType} (DuckDB {c.DuckDbType})");
        }
        var loaded = plan.Where(t => !t.Kept).ToList();
        sb.AppendLine(CultureInfo.InvariantCulture, $"total: {loaded.Count} tables to load, {loaded.Sum(t => t.Rows)} rows, {loaded.Sum(t => t.ParquetBytes)} Parquet bytes; {plan.Count - loaded.Count} kept");
        return sb.ToString();
    }

    /// <summary>Loads the plan's tables (those not <see cref="LoadPlanTable.Kept"/>) into the dataset: all into staging
    /// tables, then each copied over its final table, build_info last (see the class summary).</summary>
    /// <exception cref="BigQueryException">A load or copy failed (the message names the table and job); staging tables
    /// are deleted, and no final table is partly written.</exception>
    public void Load(IReadOnlyList<LoadPlanTable> plan, TextWriter log)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var tables = plan.Where(t => !t.Kept).OrderBy(t => t.Table == "build_info").ThenBy(t => t.Table, StringComparer.Ordinal).ToList();
        var staged = new List<string>();
        try
        {
            foreach (var t in tables)
            {
                var staging = $"{t.Table}__staging_{run}";
                staged.Add(staging);
                var job = Wait(client.LoadParquetAsync(t.ParquetPath, dataset, staging, t.Schema));
                log.WriteLine($"[bigquery] staged {t.Table}: {t.Rows} rows, {t.ParquetBytes} bytes (job {job})");
            }
            foreach (var t in tables)
            {
                var job = Wait(client.CopyTableAsync(dataset, $"{t.Table}__staging_{run}", t.Table));
                log.WriteLine($"[bigquery] replaced {dataset}.{t.Table} (job {job})");
            }
        }
        finally
        {
            foreach (var s in staged)
                try { Wait(client.DeleteTableAsync(dataset, s)); }
                catch (BigQueryException e) { log.WriteLine($"[bigquery] could not delete staging table {dataset}.{s}: {e.Message}"); }
        }
        log.WriteLine($"[bigquery] loaded {tables.Count} tables into {Describe}" + (client.Retries > 0 ? $" ({client.Retries} retried requests)" : ""));
    }

    /// <inheritdoc/>
    public void Dispose() => client.Dispose();
}
