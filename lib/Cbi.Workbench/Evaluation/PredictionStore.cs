using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Evaluation;

/// <summary>The long prediction table: artifacts/&lt;profile&gt;/predictions.parquet and the warehouse table
/// <c>predictions</c>, both with the exact contract columns. Writing replaces every row of the models being
/// written and keeps other models' rows, so each notebook adds its own models to the same table.</summary>
public static class PredictionStore
{
    /// <summary>The contract columns with their SQL types, in order.</summary>
    public const string Columns =
        "model VARCHAR, horizon INTEGER, origin_date DATE, target_date DATE, y DOUBLE, q10 DOUBLE, q50 DOUBLE, q90 DOUBLE, fold INTEGER, split VARCHAR";

    /// <summary>artifacts/&lt;active profile&gt;/predictions.parquet.</summary>
    public static string DefaultParquetPath => Path.Combine(Workbench.ProfileDir, "predictions.parquet");

    /// <summary>Replaces the rows of the models in <paramref name="rows"/> in the Parquet file (atomically: a
    /// temporary file renamed over the old one).</summary>
    public static void WriteParquet(IReadOnlyCollection<PredictionRow> rows, string? path = null)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        Validate(rows);
        var models = rows.Select(r => r.Model).Distinct().ToArray();
        AtomicFile.Write(path, tmp =>
        {
            using var con = Open("DataSource=:memory:");
            Exec(con, $"CREATE TABLE p ({Columns})");
            if (File.Exists(path))
                Exec(con, $"INSERT INTO p SELECT model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split FROM read_parquet('{Sql(path)}') WHERE model NOT IN ({InList(models)})");
            Append(con, "p", rows);
            Exec(con, $"COPY (SELECT * FROM p ORDER BY model, horizon, origin_date) TO '{Sql(tmp)}' (FORMAT parquet)");
        });
        Log.Progress($"[predictions] {rows.Count} rows of {string.Join(", ", models)} written to {path}");
    }

    /// <summary>Replaces the rows of the models in <paramref name="rows"/> in the warehouse table
    /// <c>predictions</c> inside one transaction.</summary>
    public static void WriteWarehouse(IReadOnlyCollection<PredictionRow> rows, string? warehousePath = null)
    {
        warehousePath = Path.GetFullPath(warehousePath ?? Workbench.WarehousePath);
        Validate(rows);
        var models = rows.Select(r => r.Model).Distinct().ToArray();
        // Creating a warehouse here would leave a file without the data tables; it is built by `cbi warehouse`.
        if (!File.Exists(warehousePath))
            throw new FileNotFoundException($"no warehouse at {warehousePath}; build it with `cbi warehouse` first.", warehousePath);
        using var con = Open($"DataSource={warehousePath}");
        Exec(con, $"CREATE TABLE IF NOT EXISTS predictions ({Columns})");
        using var tx = con.BeginTransaction();
        Exec(con, $"DELETE FROM predictions WHERE model IN ({InList(models)})");
        Append(con, "predictions", rows);
        tx.Commit();
        Log.Progress($"[predictions] {rows.Count} rows of {string.Join(", ", models)} written to {warehousePath} (table predictions)");
    }

    /// <summary>Reads the Parquet table (all models, or the ones named).</summary>
    public static IReadOnlyList<PredictionRow> ReadParquet(string? path = null, params string[] models)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"no prediction table at {path}.", path);
        using var con = Open("DataSource=:memory:");
        using var cmd = con.CreateCommand();
        cmd.CommandText = $"SELECT model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split FROM read_parquet('{Sql(path)}')" +
                          (models.Length > 0 ? $" WHERE model IN ({InList(models)})" : "") + " ORDER BY model, horizon, origin_date";
        using var rd = cmd.ExecuteReader();
        var list = new List<PredictionRow>();
        while (rd.Read())
            list.Add(new PredictionRow(rd.GetString(0), rd.GetInt32(1), rd.GetFieldValue<DateOnly>(2), rd.GetFieldValue<DateOnly>(3),
                rd.GetDouble(4), rd.GetDouble(5), rd.GetDouble(6), rd.GetDouble(7), rd.GetInt32(8), rd.GetString(9)));
        return list;
    }

    static void Validate(IReadOnlyCollection<PredictionRow> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no prediction rows to write.", nameof(rows));
        var i = 0;
        foreach (var r in rows)
        {
            if (string.IsNullOrWhiteSpace(r.Model)) throw new ArgumentException($"prediction row {i}: empty model name.");
            if (r.Split is not ("validation" or "holdout")) throw new ArgumentException($"prediction row {i} ({r.Model}): split '{r.Split}' is not 'validation' or 'holdout'.");
            if (!(r.Q10 <= r.Q50 && r.Q50 <= r.Q90)) throw new ArgumentException($"prediction row {i} ({r.Model}, {r.OriginDate:yyyy-MM-dd}, h {r.Horizon}): quantiles cross.");
            i++;
        }
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

    static void Exec(DuckDBConnection con, string sql)
    {
        using var cmd = con.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    static string Sql(string s) => s.Replace("'", "''");
    static string InList(IEnumerable<string> xs) => string.Join(", ", xs.Select(x => $"'{Sql(x)}'"));
}
