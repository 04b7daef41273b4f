using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cbi.Workbench.Data;
using Cbi.Workbench.Data.BigQuery;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;
using DuckDB.NET.Data;
using static Cbi.Workbench.Data.WarehouseSql;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Every SQL statement the workbench issues (the catalogue <see cref="WarehouseSql"/>) runs on DuckDB against
/// the real warehouse, and every statement meant for BigQuery parses with a BigQuery grammar (node-sql-parser 5.4.0,
/// pinned in tests/sqlcheck) and avoids the constructs known to differ between the two engines.</summary>
public class SqlPortabilityTests
{
    /// <summary>Constructs DuckDB accepts and BigQuery rejects or reads differently, with what BigQuery says instead.</summary>
    static readonly (string Pattern, string Why)[] Differs =
    [
        (@"\bINSERT\s+OR\s+(REPLACE|IGNORE)\b", "INSERT OR REPLACE/IGNORE is DuckDB/SQLite; BigQuery uses MERGE"),
        (@"::", ":: casts are DuckDB/PostgreSQL; BigQuery uses CAST(x AS T)"),
        (@"\b(GROUP|ORDER)\s+BY\s+ALL\b", "GROUP/ORDER BY ALL is DuckDB; BigQuery needs the columns"),
        (@"\bFILTER\s*\(\s*WHERE\b", "aggregate FILTER (WHERE …) is not BigQuery; use COUNTIF or IF inside the aggregate"),
        (@"(?<![\w'])\$\w+", "$name parameters are DuckDB's; BigQuery's are @name"),
        (@"\b(strftime|strptime)\s*\(", "strftime/strptime are DuckDB; BigQuery has FORMAT_DATE/PARSE_DATE with other argument order"),
        (@"\b(list|list_value|list_\w+)\s*\(", "DuckDB list functions; BigQuery has ARRAY and its own functions"),
        (@"\bILIKE\b", "ILIKE is DuckDB/PostgreSQL; BigQuery uses LOWER(x) LIKE"),
        (@"\b(date_diff|datediff|date_sub|date_add)\s*\(", "DATE_DIFF argument order and units differ (DuckDB date_diff('day', a, b); BigQuery DATE_DIFF(b, a, DAY))"),
        (@"\bepoch(_ms|_us)?\s*\(", "epoch() is DuckDB; BigQuery uses UNIX_SECONDS/UNIX_MICROS"),
        (@"\bDISTINCT\s+ON\b", "DISTINCT ON is DuckDB/PostgreSQL; BigQuery uses QUALIFY ROW_NUMBER() … = 1"),
        (@"\bCREATE\s+(TEMP|TEMPORARY)\s+TABLE\b", "BigQuery has temporary tables only inside a script session"),
        (@"\b(read_parquet|read_csv|read_json)\w*\s*\(", "DuckDB file readers; BigQuery loads files with load jobs"),
        (@"^\s*COPY\b|\bATTACH\b|\bDETACH\b|\bPRAGMA\b|\bCHECKPOINT\b", "DuckDB file and database commands"),
        (@"\b(VARCHAR|DOUBLE|HUGEINT|UBIGINT|UINTEGER|TINYINT)\b", "DuckDB type names; BigQuery's are STRING, FLOAT64, INT64"),
        (@"\bSELECT\s+\*\s+EXCLUDE\b", "SELECT * EXCLUDE is DuckDB; BigQuery says SELECT * EXCEPT"),
        ("\"", "double quotes are identifiers in DuckDB but string literals in BigQuery"),
        (@"\bduckdb_\w+\s*\(", "DuckDB catalogue functions"),
        (@"\bDELETE\s+FROM\s+\w+(\s+\w+)?\s*;?\s*$", "BigQuery refuses DELETE without WHERE"),
        (@"\bUSING\s+SAMPLE\b", "USING SAMPLE is DuckDB; BigQuery has TABLESAMPLE SYSTEM"),
    ];

    static IEnumerable<string> Problems(string sql) =>
        Differs.Where(d => Regex.IsMatch(StripComments(sql), d.Pattern, RegexOptions.IgnoreCase | RegexOptions.Multiline)).Select(d => d.Why);

    static string StripComments(string sql) => Regex.Replace(sql, "--[^\n]*", "");

    /// <summary>Single-quoted literals holding a path (real temp paths or the catalogue's /tmp examples) become one token.</summary>
    static string Normal(string sql) => Regex.Replace(sql, @"'[^']*/[^']*'", "'<path>'");

    [Fact]
    public void the_catalogue_names_every_statement_once_and_gives_each_engine_specific_one_a_reason()
    {
        var all = All().ToList();
        Assert.True(all.Count >= 40, $"{all.Count} statements");
        Assert.Equal(all.Count, all.Select(s => s.Name).Distinct().Count());
        Assert.All(all.Where(s => s.Engines != Portability.Portable), s => Assert.False(string.IsNullOrWhiteSpace(s.Reason), s.Name));
        Assert.All(all.Where(s => s.Engines == Portability.Portable), s => Assert.Null(s.Reason));
    }

    [Fact]
    public void every_duckdb_statement_runs_on_duckdb_in_the_real_workflows()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-sql-");
        var issued = new List<string>();
        try
        {
            Issued.Value = issued;
            var wh = Path.Combine(dir.FullName, "warehouse.duckdb");
            Warehouse.Build(warehousePath: wh, log: TextWriter.Null);
            Warehouse.EnsureBuilt(warehousePath: wh, log: TextWriter.Null);
            var snapshot = Snapshot.Load(wh);
            TrainingExport.Write(Path.Combine(dir.FullName, "training.parquet"), warehousePath: wh, log: TextWriter.Null);
            TrainingExport.Write(Path.Combine(dir.FullName, "training_asof.parquet"), new DateOnly(2010, 12, 31), wh, TextWriter.Null);

            // Real predictions (the random walk on the ZL series) and the smoke run's real abstentions and forecasts.
            var frame = ModelComparison.PriceFrame(snapshot.Bars("ZL"));
            var rows = Backtest.Run(ModelCatalog.Get("rw"), frame, WalkForwardSplit.Create(frame, new WalkForwardOptions { Horizon = 5, Folds = 1, Step = 20 }), [5], progress: false).Rows;
            // In a profile's folder, as in artifacts/: the warehouse rows carry that profile (the catalogue's examples say smoke).
            var predictions = Path.Combine(dir.FullName, "smoke", "predictions.parquet");
            // A warehouse from before the profile column: the first write migrates its table.
            using (var old = new DuckDBConnection($"Data Source={wh}"))
            {
                old.Open();
                Exec(old, CreateTable("predictions", PredictionStore.Columns));
            }
            PredictionStore.Write(rows, predictions, wh);
            PredictionStore.Write(rows, predictions, wh);
            // The Parquet table alone gains a model (as --no-warehouse does): the next write repairs the warehouse from it.
            PredictionStore.WriteParquet(rows.Select(r => r with { Model = "rw_copy" }).ToList(), predictions);
            PredictionStore.Write(rows, predictions, wh);
            PredictionStore.ReadParquet(predictions, "rw", "mean");
            PredictionStore.WriteAbstentions(SmokeAbstentions(), Path.Combine(dir.FullName, "abstentions.parquet"));
            PredictionStore.WriteAbstentions(SmokeAbstentions(), Path.Combine(dir.FullName, "abstentions.parquet"));
            var forecasts = BigQuery.BigQueryClientTests.ForecastRows();
            ForecastExport.Append(forecasts, wh, Path.Combine(dir.FullName, "forecasts.parquet"));
            ForecastExport.Append(forecasts, wh, Path.Combine(dir.FullName, "forecasts.parquet"));   // the copy it had is read back
            ForecastExport.Read(wh);
            var ledger = Path.Combine(dir.FullName, "operations.parquet");
            var operational = forecasts.Select(f => new Cbi.Workbench.Operations.OperationalForecast(f.OriginDate, f.Horizon, f.TargetDate, "released",
                f.ModelVersion.Split('@')[0], f.ModelVersion.Split('@')[1], f.P50, Math.Log(f.P10 / f.P50), 0, Math.Log(f.P90 / f.P50), "r", f.CreatedAt)).ToList();
            Cbi.Workbench.Operations.OperationsStore.Append(operational, ledger);
            Cbi.Workbench.Operations.OperationsStore.Append(operational, ledger);
            Assert.Equal(operational.Count, Cbi.Workbench.Operations.OperationsStore.Read(ledger).Count);
            Warehouse.Build(warehousePath: wh, log: TextWriter.Null);   // carries predictions and forecasts over
            BigQueryWarehouse.Plan(wh, Path.Combine(dir.FullName, "plan"));
            using (var db = new DuckDBConnection($"Data Source={wh};ACCESS_MODE=READ_ONLY"))
            {
                db.Open();
                // Portable statements only the BigQuery backend issues run here on the same real tables.
                Assert.Equal(forecasts.Count(f => f.ModelVersion is "ensemble@1a2b3c" or "lgbm@4d5e6f"),
                    Read(db, ForecastKeys(["ensemble@1a2b3c", "lgbm@4d5e6f"]), r => r.GetString(0)).Count);
                Assert.Equal(forecasts.Count, Read(db, ForecastKeys(forecasts.Select(f => f.ModelVersion).Distinct().ToList()), r => r.GetString(0)).Count);
                Exec(db, LockDown);   // cbi sql's session settings
                CheckOneQuery(db, "SELECT count(*) FROM quality_report");   // and its one-query check
            }
        }
        finally
        {
            Issued.Value = null;
            dir.Delete(recursive: true);
        }

        // A statement counts as run when it was issued alone or inside another (the export's rows inside COPY).
        var seen = issued.Select(Normal).ToList();
        var notRun = All().Where(s => s.Engines != Portability.BigQuery && !seen.Any(x => x.Contains(Normal(s.Sql), StringComparison.Ordinal)))
            .Select(s => s.Name).ToList();
        Assert.True(notRun.Count == 0, "not issued by any workflow: " + string.Join(", ", notRun));
    }

    static List<Abstention> SmokeAbstentions()
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var path = Path.Combine(Workbench.Root, "artifacts", "smoke", "abstentions.parquet");
        var list = Read(db, $"SELECT model, horizon, origin_date, fold, reason, split FROM read_parquet('{path}')",
            r => new Abstention(r.GetString(0), r.GetInt32(1), r.GetFieldValue<DateOnly>(2), r.GetInt32(3), r.GetString(4), r.GetString(5)));
        Assert.NotEmpty(list);
        return list;
    }

    [Fact]
    public void every_statement_for_bigquery_parses_with_the_bigquery_grammar()
    {
        var statements = All().Where(s => s.Engines != Portability.DuckDb)
            .SelectMany(s => Script(s.Sql).Select((sql, i) => new { name = $"{s.Name}#{i}", sql })).ToList();
        var results = ParseWithBigQueryGrammar(statements.Select(s => (s.name, s.sql)).ToList());

        Assert.Equal(statements.Count, results.Count);
        var failed = results.Where(r => !r.Ok).Select(r => $"{r.Name}: {r.Error}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        // The grammar is not a rubber stamp: DuckDB-only statements of the catalogue fail it.
        var duck = ParseWithBigQueryGrammar([("distinct_on", FreshForecasts), ("copy", All().Single(s => s.Name == "export.copy").Sql), ("attach", AttachReadOnly("/tmp/w.duckdb", "old"))]);
        Assert.All(duck, r => Assert.False(r.Ok, r.Name));
    }

    /// <summary>A BigQuery script's statements without its transaction control lines (BEGIN/COMMIT TRANSACTION),
    /// which the grammar does not cover; a plain statement is itself.</summary>
    static IEnumerable<string> Script(string sql) =>
        sql.Split(";\n").Select(x => x.Trim().TrimEnd(';')).Where(x => x.Length > 0 && x is not ("BEGIN TRANSACTION" or "COMMIT TRANSACTION"));

    [Fact]
    public void no_statement_for_bigquery_uses_a_construct_that_differs_between_duckdb_and_bigquery()
    {
        var found = All().Where(s => s.Engines != Portability.DuckDb)
            .SelectMany(s => Problems(s.Sql).Select(p => $"{s.Name}: {p}")).ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
        // The list catches what it names, on the catalogue's own DuckDB-only statements.
        Assert.Contains(Problems(FreshForecasts), p => p.StartsWith("DISTINCT ON"));
        Assert.Contains(Problems(Schema), p => p.StartsWith("DuckDB type names"));
        Assert.Contains(Problems(TableExists("forecasts")), p => p.StartsWith("DuckDB catalogue"));
        Assert.Contains(Problems("SELECT x::DATE FROM t WHERE a = $a GROUP BY ALL"), p => p.StartsWith(":: casts"));
        Assert.Equal(4, Problems("SELECT x::DATE FROM t WHERE a ILIKE $a GROUP BY ALL").Count());
    }

    [Fact]
    public void predictions_and_forecasts_ddl_is_translated_to_bigquery_types()
    {
        Assert.Equal("origin_date DATE, horizon INT64, target_date DATE, model_version STRING, p10 FLOAT64, p50 FLOAT64, p90 FLOAT64, created_at TIMESTAMP",
            BigQueryTypes.Columns(ForecastExport.Columns));
        Assert.Equal("model STRING, horizon INT64, origin_date DATE, target_date DATE, y FLOAT64, q10 FLOAT64, q50 FLOAT64, q90 FLOAT64, fold INT64, split STRING",
            BigQueryTypes.Columns(PredictionStore.Columns));
        var e = Assert.Throws<NotSupportedException>(() => BigQueryTypes.Of("INTERVAL", "zl_roll.gap"));
        Assert.Contains("column zl_roll.gap: DuckDB type INTERVAL", e.Message);
    }

    /// <summary>lib/ paths (a file, or a folder ending in '/') that may hold SQL outside the catalogue, and why.</summary>
    static readonly Dictionary<string, string> EngineSpecific = new()
    {
        // Issue 16 part 2 puts the search study store behind its own interface (DuckDB file, PostgreSQL shared by
        // workers): its statements are the study store's, not the warehouse's, and differ per engine by design.
        ["lib/Cbi.Workbench/Search/"] = "the search study store (Study.cs and its storages): engine-specific by design, its own store interface",
        ["lib/Cbi.Workbench/Data/WarehouseSql.cs"] = "the catalogue itself",
    };

    static string? ExemptBy(string rel) => EngineSpecific.Keys.FirstOrDefault(k => k.EndsWith('/') ? rel.StartsWith(k, StringComparison.Ordinal) : rel == k);

    /// <summary>A string literal (plain, verbatim, interpolated or raw) that starts with an SQL statement keyword, or
    /// any literal assigned to CommandText.</summary>
    static readonly Regex SqlLiteral = new(
        "((?<!\\\\)\\$*@?\"{1,3}\\s*(SELECT|INSERT\\s+INTO|CREATE\\s+(OR\\s+REPLACE\\s+|TEMP\\s+|TEMPORARY\\s+)?(TABLE|VIEW|INDEX)|DELETE\\s+FROM|UPDATE\\s+\\w+\\s+SET|DROP\\s+TABLE|COPY\\s*\\(|ATTACH\\s|DETACH\\s|CHECKPOINT|WITH\\s+\\w+\\s+AS\\s*\\(|SET\\s+\\w+\\s*=|MERGE\\s+|ALTER\\s+TABLE|PRAGMA\\s|BEGIN\\s+TRANSACTION)\\b)|CommandText\\s*=\\s*\\$*@?\"",
        RegexOptions.Compiled);

    [Fact]
    public void no_file_in_lib_holds_sql_outside_the_catalogue()
    {
        var lib = Path.Combine(Workbench.Root, "lib");
        var offenders = new List<string>();
        var exemptWithSql = new HashSet<string>();
        var checkedFiles = 0;
        foreach (var file in Directory.EnumerateFiles(lib, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Workbench.Root, file).Replace('\\', '/');
            if (rel.Contains("/bin/") || rel.Contains("/obj/")) continue;
            var hits = File.ReadAllLines(file).Select((l, i) => (l, i)).Where(x => SqlLiteral.IsMatch(x.l)).ToList();
            if (ExemptBy(rel) is { } exempt) { if (hits.Count > 0) exemptWithSql.Add(exempt); continue; }
            checkedFiles++;
            offenders.AddRange(hits.Select(x => $"{rel}:{x.i + 1}: {x.l.Trim()}"));
        }
        Assert.True(checkedFiles > 100, $"{checkedFiles} files");
        Assert.True(offenders.Count == 0, "SQL outside Data/WarehouseSql.cs (move it into the catalogue):\n" + string.Join("\n", offenders));
        // The detector finds the SQL it is meant to find: every exempt path holds some.
        Assert.Equal(EngineSpecific.Keys.Order(), exemptWithSql.Order());
    }

    internal sealed record Parsed(string Name, bool Ok, string? Error);

    /// <summary>Runs tests/sqlcheck/check.js (node-sql-parser 5.4.0, BigQuery dialect) on the statements.</summary>
    static List<Parsed> ParseWithBigQueryGrammar(IReadOnlyList<(string Name, string Sql)> statements)
    {
        var dir = Path.Combine(Workbench.Root, "tests", "sqlcheck");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "node-sql-parser")),
            $"node-sql-parser is not installed in {dir}: run `npm ci` there (bash tests/run does it when it is missing).");
        var psi = new ProcessStartInfo("node", "check.js") { WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(JsonSerializer.Serialize(statements.Select(s => new { name = s.Name, sql = s.Sql })));
        p.StandardInput.Close();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"node check.js failed: {error.Result}");
        return JsonSerializer.Deserialize<List<Parsed>>(output.Result, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }
}
