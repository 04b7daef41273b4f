using System.Security.Cryptography;
using Cbi.Workbench.Data;
using Cbi.Workbench.Data.BigQuery;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Validation;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Tests.Data.BigQuery;

/// <summary>The BigQuery backend end to end on the real warehouse: a loopback BigQuery (<see cref="DuckDbBackedBigQuery"/>)
/// holds a scratch copy of the warehouse built from data/raw and runs the statements it receives in DuckDB.</summary>
[Collection("warehouse")]
public class BigQueryWarehouseTests(WarehouseFixture wh)
{
    BigQueryWarehouse Backend(DuckDbBackedBigQuery bq) => new(
        new BigQueryClient("cbi-test-project", "US", new FixedTokenSource(BigQueryClientTests.Token), bq.Server.BaseUrl)
        { FirstDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20), PageSize = 30_000 }, "warehouse");

    static List<object?[]> Rows(string parquet)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM read_parquet('{parquet}')";
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read()) rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? null : r.GetValue(i)).ToArray());
        return rows;
    }

    [Fact]
    public void the_snapshot_read_through_bigquery_equals_the_duckdb_snapshot()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        using var backend = Backend(bq);
        var remote = Snapshot.Load(backend, new DateOnly(2019, 6, 28));
        var local = Snapshot.Load(wh.Path, new DateOnly(2019, 6, 28));

        Assert.Equal(local.DataVersion, remote.DataVersion);
        Assert.Equal(local.Symbols, remote.Symbols);
        foreach (var s in local.Symbols) Assert.Equal(local.Bars(s), remote.Bars(s));
        foreach (var s in local.SeriesNames) Assert.Equal(local.Series(s), remote.Series(s));
        foreach (var m in local.CotMarkets) Assert.Equal(local.Cot(m), remote.Cot(m));
        foreach (var c in local.MonthlyNames) Assert.Equal(local.Monthly(c), remote.Monthly(c));
        Assert.Equal(local.WasdeDates, remote.WasdeDates);
        Assert.Equal(local.ZlContracts, remote.ZlContracts);
        Assert.Equal(local.ZlMeasuredRollDays, remote.ZlMeasuredRollDays);
        Assert.Equal(local.Quality, remote.Quality);
        // market_daily (86,310 rows) came in 3 pages of at most 30,000 and series_daily (57,775) in 2: 3 page tokens followed.
        var followed = bq.Server.Requests.Count(r => r.Method == "GET" && r.QueryValue("pageToken") != null);
        Assert.True(followed >= 3, $"{followed} page tokens followed");
        Assert.True(local.Bars("ZL").Count > 4_000);
    }

    [Fact]
    public void the_training_export_from_bigquery_has_the_rows_of_the_duckdb_export()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        using var backend = Backend(bq);
        var dir = Path.Combine(wh.Dir, "bq-export");
        var remote = TrainingExport.Write(backend, Path.Combine(dir, "remote.parquet"), new DateOnly(2015, 12, 31), TextWriter.Null);
        var local = TrainingExport.Write(Path.Combine(dir, "local.parquet"), new DateOnly(2015, 12, 31), wh.Path, TextWriter.Null);

        Assert.Equal(local.Rows, remote.Rows);
        Assert.Equal(local.Columns, remote.Columns);
        Assert.Equal((local.FirstDate, local.LastDate), (remote.FirstDate, remote.LastDate));
        Assert.Equal(Rows(Path.Combine(dir, "local.parquet")), Rows(Path.Combine(dir, "remote.parquet")));
        Assert.Equal(remote, TrainingExport.Verify(Path.Combine(dir, "remote.parquet")) with { Columns = remote.Columns });
    }

    [Fact]
    public void a_load_sends_each_tables_parquet_bytes_through_a_resumable_upload_and_replaces_it_from_staging()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        using var backend = Backend(bq);
        // The dataset's previous copy lacks the back-adjusted series, so a replacement is visible.
        bq.Scalar("DELETE FROM market_daily WHERE symbol = 'ZL_BACKADJ'");
        var work = Path.Combine(wh.Dir, "bq-load");
        var plan = BigQueryWarehouse.Plan(wh.Path, work);
        var log = new StringWriter();
        backend.Load(plan, log);

        var loaded = plan.Where(t => !t.Kept).ToList();
        // Resumable upload (https://cloud.google.com/bigquery/docs/reference/api-uploads#resumable): POST the Job
        // metadata with uploadType=resumable, then PUT the bytes to the session URI of the Location header.
        var starts = bq.Server.Requests.Where(r => r.Method == "POST" && r.QueryValue("uploadType") == "resumable").ToList();
        var puts = bq.Server.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal(loaded.Count, starts.Count);
        Assert.Equal(loaded.Count, puts.Count);
        foreach (var (t, start, put) in loaded.OrderBy(t => t.Table == "build_info").ThenBy(t => t.Table, StringComparer.Ordinal).Zip(starts, puts))
        {
            var load = start.Json!["configuration"]!["load"]!;
            Assert.Equal("PARQUET", load["sourceFormat"]!.GetValue<string>());
            Assert.StartsWith(t.Table + "__staging_", load["destinationTable"]!["tableId"]!.GetValue<string>());
            Assert.Equal(t.ParquetBytes.ToString(), start.Headers["X-Upload-Content-Length"]);
            Assert.Equal(SHA256.HashData(File.ReadAllBytes(t.ParquetPath)), SHA256.HashData(put.Body));
            Assert.Equal("PAR1"u8.ToArray(), put.Body[..4]);
        }
        Assert.Equal(Convert.ToInt64(bq.Scalar("SELECT count(*) FROM market_daily")), plan.Single(t => t.Table == "market_daily").Rows);
        Assert.True(Convert.ToInt64(bq.Scalar("SELECT count(*) FROM market_daily WHERE symbol = 'ZL_BACKADJ'")) > 4_000);
        Assert.Equal(0L, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%__staging_%'")));
        // Copies run only after every staging load; build_info is the last table replaced.
        var copies = bq.Statements.Where(s => s.StartsWith("CREATE OR REPLACE TABLE") && s.Contains("__staging_") && !s.Contains("read_parquet")).ToList();
        Assert.Equal(loaded.Count, copies.Count);
        Assert.StartsWith("CREATE OR REPLACE TABLE build_info ", copies[^1]);
        Assert.DoesNotContain(BigQueryClientTests.Token, log.ToString());
    }

    [Fact]
    public void a_load_that_fails_midway_leaves_every_previous_table_and_no_staging_table()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        using var backend = Backend(bq);
        bq.Scalar("DELETE FROM market_daily WHERE symbol = 'ZL_BACKADJ'");
        var before = Convert.ToInt64(bq.Scalar("SELECT count(*) FROM market_daily"));
        var plan = BigQueryWarehouse.Plan(wh.Path, Path.Combine(wh.Dir, "bq-load-fail"));
        // The load job of quality_report (the 5th of 12 tables staged) ends DONE with an errorResult
        // (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus).
        bq.FailLoadOf = "quality_report__staging_";
        var e = Assert.Throws<BigQueryException>(() => backend.Load(plan, TextWriter.Null));

        Assert.Contains("into warehouse.quality_report__staging_", e.Message);
        Assert.Contains("failed: invalid at quality_report__staging_", e.Message);
        Assert.Contains("Error while reading data, error message: Parquet column has an unsupported type", e.Message);
        Assert.NotNull(e.JobId);
        Assert.Contains(e.JobId!, e.Message);
        Assert.Equal(before, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM market_daily")));
        Assert.Equal(0L, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM market_daily WHERE symbol = 'ZL_BACKADJ'")));
        Assert.Equal(0L, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%__staging_%'")));
        Assert.DoesNotContain(bq.Server.Requests, r => r.Method == "POST" && r.Path.EndsWith("/jobs") && r.Json!["configuration"]!["copy"] != null);
    }

    [Fact]
    public void predictions_replace_their_keys_through_a_staged_load_and_one_transaction()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        using var backend = Backend(bq);
        var frame = ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL"));
        var folds = WalkForwardSplit.Create(frame, new WalkForwardOptions { Horizon = 5, Folds = 2, Step = 20 });
        var rows = Backtest.Run(ModelCatalog.Get("rw"), frame, folds, [5], progress: false).Rows;
        Assert.NotEmpty(rows);
        backend.ReplacePredictions("smoke", rows);
        backend.ReplacePredictions("smoke", rows);

        Assert.Equal((long)rows.Count, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM predictions WHERE model = 'rw'")));
        Assert.Equal(rows.Sum(r => r.Q50), Convert.ToDouble(bq.Scalar("SELECT sum(q50) FROM predictions")), 9);
        Assert.Contains(bq.Statements, s => s.StartsWith("BEGIN TRANSACTION;") && s.EndsWith("COMMIT TRANSACTION;"));
        Assert.Equal(0L, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'predictions_staging_%'")));
    }

    [Fact]
    public void forecasts_are_streamed_once_per_key()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        using var backend = Backend(bq);
        var rows = BigQueryClientTests.ForecastRows();
        Assert.Equal(rows.Count, backend.AppendForecasts(rows));
        Assert.Equal(0, backend.AppendForecasts(rows));

        Assert.Equal((long)rows.Count, Convert.ToInt64(bq.Scalar("SELECT count(*) FROM forecasts")));
        Assert.Equal((rows.Count + 499) / 500, bq.Server.Requests.Count(r => r.Path.EndsWith("/insertAll")));
        var first = rows[0];
        Assert.Equal(first.P50, Convert.ToDouble(bq.Scalar($"SELECT p50 FROM forecasts WHERE model_version = '{first.ModelVersion}' AND horizon = {first.Horizon} AND origin_date = DATE '{first.OriginDate:yyyy-MM-dd}'")));
    }

    [Fact]
    public void both_backends_keep_the_same_prediction_and_forecast_tables_through_the_one_interface()
    {
        using var bq = new DuckDbBackedBigQuery(wh.Path);
        var dir = Directory.CreateTempSubdirectory("cbi-backends-");
        try
        {
            var copy = Path.Combine(dir.FullName, "warehouse.duckdb");
            File.Copy(wh.Path, copy);
            var frame = ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL"));
            var rows = Backtest.Run(ModelCatalog.Get("rw_drift"), frame, WalkForwardSplit.Create(frame, new WalkForwardOptions { Horizon = 21, Folds = 1, Step = 30 }), [21], progress: false).Rows;
            var forecasts = BigQueryClientTests.ForecastRows();
            var counts = new List<(int, int, long)>();
            foreach (var backend in new IWarehouseBackend[] { new DuckDbWarehouse(copy) { ForecastsParquet = Path.Combine(dir.FullName, "forecasts.parquet") }, Backend(bq) })
                using (backend)
                {
                    backend.ReplacePredictions("smoke", rows);
                    backend.ReplacePredictions("smoke", rows);
                    counts.Add((backend.AppendForecasts(forecasts), backend.AppendForecasts(forecasts),
                        backend.Query(WarehouseSql.CountRows("predictions"), r => r.GetInt64(0)).Single()));
                }
            Assert.Equal((forecasts.Count, 0, (long)rows.Count), counts[0]);
            Assert.Equal(counts[0], counts[1]);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void the_load_plan_covers_every_warehouse_table_with_bigquery_types_rows_and_bytes()
    {
        var plan = BigQueryWarehouse.Plan(wh.Path, Path.Combine(wh.Dir, "bq-plan"));
        using var db = new DuckDBConnection($"Data Source={wh.Path};ACCESS_MODE=READ_ONLY");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT table_name FROM information_schema.tables ORDER BY 1";
        var tables = new List<string>();
        using (var r = cmd.ExecuteReader()) while (r.Read()) tables.Add(r.GetString(0));

        Assert.Equal(tables, plan.Select(t => t.Table).Order(StringComparer.Ordinal));
        Assert.All(plan, t => Assert.True(t.ParquetBytes > 0 && new FileInfo(t.ParquetPath).Length == t.ParquetBytes));
        var zl = plan.Single(t => t.Table == "zl_daily");
        Assert.Equal([("date", "DATE"), ("close", "FLOAT64"), ("close_backadj", "FLOAT64"), ("contract", "STRING"), ("is_roll_day", "BOOL")],
            zl.Columns.Select(c => (c.Name, c.BigQueryType)));
        Assert.Equal(wh.Report.CotRows, plan.Single(t => t.Table == "cot_weekly").Rows);
        var text = BigQueryWarehouse.DescribePlan(plan, "p.d");
        Assert.All(tables, t => Assert.Contains($"table {t}: ", text));
        Assert.Contains("  session_no INT64 (DuckDB INTEGER)", text);
    }
}
