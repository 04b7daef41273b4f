using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Data;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Evaluation;

/// <summary>The long prediction table: artifacts/&lt;profile&gt;/predictions.parquet and the warehouse table
/// <c>predictions</c>, both with the exact contract columns. A write replaces exactly the keys it carries — (model,
/// horizon, split, origin date) — and keeps every other row, so a narrow run (one model, one horizon) never deletes
/// what it did not compute, and each notebook adds its own models to the same table. The warehouse table survives
/// warehouse rebuilds (<see cref="Data.Warehouse.Build"/> carries it over).</summary>
public static class PredictionStore
{
    /// <summary>The contract columns with their SQL types, in order.</summary>
    public const string Columns =
        "model VARCHAR, horizon INTEGER, origin_date DATE, target_date DATE, y DOUBLE, q10 DOUBLE, q50 DOUBLE, q90 DOUBLE, fold INTEGER, split VARCHAR";

    const string ColumnNames = "model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split";

    /// <summary>artifacts/&lt;active profile&gt;/predictions.parquet.</summary>
    public static string DefaultParquetPath => Path.Combine(Workbench.ProfileDir, "predictions.parquet");

    /// <summary>Writes rows to the Parquet table, replacing exactly the keys they carry — (model, horizon, split,
    /// origin date) — and keeping every other row (other models, other horizons, other origins). Atomic: a temporary
    /// file renamed over the old one.</summary>
    /// <param name="rows">Non-empty; quantiles ordered; split <c>validation</c> or <c>holdout</c>.</param>
    /// <param name="path">Default <see cref="DefaultParquetPath"/>.</param>
    /// <exception cref="ArgumentException">empty rows, a bad split, crossing quantiles, or a key twice.</exception>
    public static void WriteParquet(IReadOnlyCollection<PredictionRow> rows, string? path = null) => Write(rows, path, warehousePath: null);

    /// <summary>Writes rows to the warehouse table <c>predictions</c> (one transaction), replacing exactly their keys.</summary>
    /// <exception cref="FileNotFoundException">no warehouse (it is built by <c>cbi warehouse</c>, never here).</exception>
    public static void WriteWarehouse(IReadOnlyCollection<PredictionRow> rows, string? warehousePath = null)
    {
        Validate(rows);
        using var wh = OpenWarehouse(warehousePath ?? Workbench.WarehousePath);
        using var tx = wh.BeginTransaction();
        Replace(wh, "predictions", rows);
        tx.Commit();
        Log.Progress($"[predictions] {rows.Count} rows of {Models(rows)} written to {Workbench.Relative(wh.DataSource)} (table predictions)");
    }

    /// <summary>Writes rows to both stores, the Parquet table and the warehouse table, so that they never disagree: the
    /// warehouse is opened (and locked) before anything is written, its transaction commits only after the Parquet file
    /// is complete, and the Parquet file is renamed into place only after the commit. Keys as in <see cref="WriteParquet"/>.
    /// Concurrent writers of the same Parquet table (other processes, other threads) take turns under a file lock and
    /// each merges into the latest version, so none loses another's rows; a writer waits up to 10 minutes.</summary>
    /// <exception cref="IOException">another writer still holds the table after the wait (nothing is written).</exception>
    /// <exception cref="FileNotFoundException">no warehouse.</exception>
    /// <exception cref="DuckDB.NET.Data.DuckDBException">the warehouse is locked by another process (nothing is written).</exception>
    public static void Write(IReadOnlyCollection<PredictionRow> rows, string? path = null, string? warehousePath = "") => Write(rows, [], path, warehousePath);

    /// <summary>As <see cref="Write(IReadOnlyCollection{PredictionRow}, string?, string?)"/>, and the rows of the
    /// <paramref name="withdrawn"/> keys (origins at which the model now abstains) are deleted from both stores, so a row
    /// an earlier run wrote there is not kept beside the abstention that replaced it.</summary>
    static void Write(IReadOnlyCollection<PredictionRow> rows, IReadOnlyCollection<Abstention> withdrawn, string? path, string? warehousePath)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        if (rows.Count > 0 || withdrawn.Count == 0) Validate(rows);
        // Writers of one Parquet table take turns: each reads, merges and replaces it under the lock (no lost update).
        using var gate = StoreLock.Acquire(path);
        using var wh = warehousePath is null ? null : OpenWarehouse(warehousePath.Length == 0 ? Workbench.WarehousePath : warehousePath);
        using var tx = wh?.BeginTransaction();
        if (wh != null) Replace(wh, "predictions", rows, withdrawn);
        var tmp = AtomicFile.TempPath(path);
        try
        {
            using (var con = Open("DataSource=:memory:"))
            {
                Exec(con, WarehouseSql.CreateTable("p", Columns));
                if (File.Exists(path))
                    Exec(con, WarehouseSql.InsertFromParquet("p", ColumnNames, path));
                Replace(con, "p", rows, withdrawn);
                Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.OrderedRows("p", "model, horizon, origin_date, split"), tmp, "parquet"));
            }
            tx?.Commit();
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        Log.Progress($"[predictions] {rows.Count} rows of {Models(rows)} written to {Workbench.Relative(path)}" + (wh is null ? "" : " and the warehouse") +
                     (withdrawn.Count > 0 ? $"; rows at {withdrawn.Count} origins where the model abstained removed" : ""));
    }

    /// <summary>A backtest's rows (as <see cref="Write(IReadOnlyCollection{PredictionRow}, string?, string?)"/>) and its
    /// abstentions: the origins where a model declined to forecast under its missing-input rule, with the reason, in
    /// artifacts/&lt;profile&gt;/abstentions.parquet (columns model, horizon, origin_date, split, fold, reason; a write
    /// replaces exactly the (model, horizon, split, origin_date) keys it carries). The prediction table's own columns
    /// stay the contract's; the abstentions are its companion, so no origin is silently missing.</summary>
    public static void Write(BacktestResult run, string? path = null, string? warehousePath = "")
    {
        if (run.Rows.Count > 0 || run.Abstentions.Count > 0) Write(run.Rows, run.Abstentions, path, warehousePath);
        WriteAbstentions(run.Abstentions, path is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "abstentions.parquet"));
    }

    /// <summary>artifacts/&lt;active profile&gt;/abstentions.parquet.</summary>
    public static string DefaultAbstentionsPath => Path.Combine(Workbench.ProfileDir, "abstentions.parquet");

    /// <summary>Writes abstentions (see <see cref="Write(BacktestResult, string?, string?)"/>); nothing when there are none.</summary>
    public static void WriteAbstentions(IReadOnlyCollection<Abstention> abstentions, string? path = null)
    {
        if (abstentions.Count == 0) return;
        path = Path.GetFullPath(path ?? DefaultAbstentionsPath);
        const string cols = "model VARCHAR, horizon INTEGER, origin_date DATE, split VARCHAR, fold INTEGER, reason VARCHAR";
        using var gate = StoreLock.Acquire(path);
        AtomicFile.Write(path, tmp =>
        {
            using var con = Open("DataSource=:memory:");
            Exec(con, WarehouseSql.CreateTable("a", cols));
            Exec(con, WarehouseSql.CreateTable("n", cols));
            if (File.Exists(path)) Exec(con, WarehouseSql.InsertFromParquet("a", "model, horizon, origin_date, split, fold, reason", path));
            using (var app = con.CreateAppender("n"))
                foreach (var x in abstentions)
                    app.CreateRow().AppendValue(x.Model).AppendValue(x.Horizon).AppendValue((DateOnly?)x.Origin).AppendValue(x.Split).AppendValue(x.Fold).AppendValue(x.Reason).EndRow();
            Exec(con, WarehouseSql.DeleteReplacedKeys("a", "n"));
            Exec(con, WarehouseSql.InsertAllFrom("a", "n"));
            Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.OrderedRows("a", "model, horizon, split, origin_date"), tmp, "parquet"));
        });
        Log.Progress($"[predictions] {abstentions.Count} abstentions of {string.Join(", ", abstentions.Select(a => a.Model).Distinct())} recorded in {Workbench.Relative(path)}");
    }

    static string Models(IEnumerable<PredictionRow> rows) => string.Join(", ", rows.Select(r => r.Model).Distinct());

    static DuckDBConnection OpenWarehouse(string warehousePath)
    {
        warehousePath = Path.GetFullPath(warehousePath);
        // Creating a warehouse here would leave a file without the data tables; it is built by `cbi warehouse`.
        if (!File.Exists(warehousePath))
            throw new FileNotFoundException($"no warehouse at {Workbench.Relative(warehousePath)}; build it with `cbi warehouse` first.", warehousePath);
        var con = Open($"DataSource={warehousePath}");
        Exec(con, WarehouseSql.CreateTableIfMissing("predictions", Columns));
        return con;
    }

    /// <summary>Deletes the rows whose key (model, horizon, split, origin_date) the new rows carry, then appends them.</summary>
    static void Replace(DuckDBConnection con, string table, IEnumerable<PredictionRow> rows, IReadOnlyCollection<Abstention>? withdrawn = null)
    {
        Exec(con, WarehouseSql.CreateTempTable("incoming", Columns));
        Append(con, "incoming", rows);
        Exec(con, WarehouseSql.DeleteReplacedKeys(table, "incoming"));
        Exec(con, WarehouseSql.InsertAllFrom(table, "incoming"));
        Exec(con, WarehouseSql.DropTable("incoming"));
        if (withdrawn is { Count: > 0 })
        {
            // Keys only: the same key columns as a row, the values unused.
            Exec(con, WarehouseSql.CreateTempTable("withdrawn", Columns));
            Append(con, "withdrawn", withdrawn.Select(a => new PredictionRow(a.Model, a.Horizon, a.Origin, a.Origin, double.NaN, 0, 0, 0, a.Fold, a.Split)));
            Exec(con, WarehouseSql.DeleteReplacedKeys(table, "withdrawn"));
            Exec(con, WarehouseSql.DropTable("withdrawn"));
        }
    }

    /// <summary>Reads the Parquet table (all models, or the ones named).</summary>
    public static IReadOnlyList<PredictionRow> ReadParquet(string? path = null, params string[] models)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"no prediction table at {path}.", path);
        using var con = Open("DataSource=:memory:");
        return WarehouseSql.Read(con, WarehouseSql.ReadPredictions(path, models), rd =>
            new PredictionRow(rd.GetString(0), rd.GetInt32(1), rd.GetFieldValue<DateOnly>(2), rd.GetFieldValue<DateOnly>(3),
                rd.GetDouble(4), rd.GetDouble(5), rd.GetDouble(6), rd.GetDouble(7), rd.GetInt32(8), rd.GetString(9)));
    }

    internal static void Validate(IReadOnlyCollection<PredictionRow> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no prediction rows to write.", nameof(rows));
        var i = 0;
        foreach (var r in rows)
        {
            if (string.IsNullOrWhiteSpace(r.Model)) throw new ArgumentException($"prediction row {i}: empty model name.");
            if (r.Split is not ("validation" or "holdout" or Validation.Splits.HistorySplit)) throw new ArgumentException($"prediction row {i} ({r.Model}): split '{r.Split}' is not 'validation', 'holdout' or '{Validation.Splits.HistorySplit}'.");
            if (!(r.Q10 <= r.Q50 && r.Q50 <= r.Q90)) throw new ArgumentException($"prediction row {i} ({r.Model}, {r.OriginDate:yyyy-MM-dd}, h {r.Horizon}): quantiles cross.");
            i++;
        }
        var twice = rows.GroupBy(r => (r.Model, r.Horizon, r.Split, r.OriginDate)).FirstOrDefault(g => g.Count() > 1);
        if (twice != null)
            throw new ArgumentException($"prediction rows carry the key ({twice.Key.Model}, h {twice.Key.Horizon}, {twice.Key.Split}, {twice.Key.OriginDate:yyyy-MM-dd}) {twice.Count()} times.", nameof(rows));
    }

    static void Append(DuckDBConnection con, string table, IEnumerable<PredictionRow> rows)
    {
        using var app = con.CreateAppender(table);
        foreach (var r in rows)
            app.CreateRow().AppendValue(r.Model).AppendValue(r.Horizon).AppendValue(r.OriginDate).AppendValue(r.TargetDate)
                .AppendValue(r.Y).AppendValue(r.Q10).AppendValue(r.Q50).AppendValue(r.Q90).AppendValue(r.Fold).AppendValue(r.Split).EndRow();
    }

    static DuckDBConnection Open(string cs)
    {
        var con = new DuckDBConnection(cs);
        con.Open();
        return con;
    }

    static void Exec(DuckDBConnection con, string sql) => WarehouseSql.Exec(con, sql);
}
