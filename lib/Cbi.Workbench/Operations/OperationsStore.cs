using Cbi.Workbench.Data;
using Cbi.Workbench.IO;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Operations;

/// <summary>The operations ledger: artifacts/&lt;profile&gt;/operations/forecasts.parquet, every operational forecast with its
/// role, version, release, log-return quantiles, the origin close (prices follow from them) and whether it was made ex ante
/// (from the last session in the data, as live) or ex post (a replayed day). Appending is idempotent
/// on (model, version, horizon, origin_date): a forecast already filed keeps its first values and time. Writers take
/// turns under a file lock; the file is replaced atomically.</summary>
public static class OperationsStore
{
    internal const string Columns = "origin_date DATE, horizon INTEGER, target_date DATE, role VARCHAR, model VARCHAR, version VARCHAR, origin_close DOUBLE, " +
                           "q10 DOUBLE, q50 DOUBLE, q90 DOUBLE, release VARCHAR, created_at TIMESTAMP, ex_ante BOOLEAN";
    const string Names = "origin_date, horizon, target_date, role, model, version, origin_close, q10, q50, q90, release, created_at";

    /// <summary>&lt;profile dir&gt;/operations/forecasts.parquet.</summary>
    public static string PathIn(string profileDir) => System.IO.Path.Combine(profileDir, "operations", "forecasts.parquet");

    /// <summary>Appends the forecasts whose key is new; returns how many were new.</summary>
    /// <exception cref="ArgumentException">a forecast with non-finite or unordered quantiles, or a non-positive close.</exception>
    public static int Append(IReadOnlyCollection<OperationalForecast> forecasts, string path)
    {
        foreach (var f in forecasts)
            if (!(f.OriginClose > 0 && double.IsFinite(f.Q10) && f.Q10 <= f.Q50 && f.Q50 <= f.Q90 && double.IsFinite(f.Q90)))
                throw new ArgumentException($"operational forecast {f.ModelVersion} {f.OriginDate:yyyy-MM-dd} h {f.Horizon}: close {f.OriginClose}, quantiles {f.Q10}/{f.Q50}/{f.Q90} are not usable.", nameof(forecasts));
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var gate = StoreLock.Acquire(path);
        var added = 0;
        AtomicFile.Write(path, tmp =>
        {
            using var con = Open();
            WarehouseSql.Exec(con, WarehouseSql.CreateTable("f", Columns));
            WarehouseSql.Exec(con, WarehouseSql.CreateTable("n", Columns));
            if (File.Exists(path)) WarehouseSql.Exec(con, WarehouseSql.InsertFromParquet("f", $"{Names}, {ExAnteOf(con, path)}", path));
            using (var app = con.CreateAppender("n"))
                foreach (var x in forecasts)
                    app.CreateRow().AppendValue((DateOnly?)x.OriginDate).AppendValue(x.Horizon).AppendValue((DateOnly?)x.TargetDate).AppendValue(x.Role)
                        .AppendValue(x.Model).AppendValue(x.Version).AppendValue(x.OriginClose).AppendValue(x.Q10).AppendValue(x.Q50).AppendValue(x.Q90)
                        .AppendValue(x.Release).AppendValue(x.CreatedAt).AppendValue(x.ExAnte).EndRow();
            var before = Convert.ToInt32(WarehouseSql.Scalar(con, WarehouseSql.CountRows("f")));
            WarehouseSql.Exec(con, WarehouseSql.InsertNewOperationalForecasts("f", "n"));
            added = Convert.ToInt32(WarehouseSql.Scalar(con, WarehouseSql.CountRows("f"))) - before;
            WarehouseSql.Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.OrderedRows("f", "horizon, role, model, version, origin_date"), tmp, "parquet"));
        });
        Log.Progress($"[operations] {added} new of {forecasts.Count} forecasts filed in {Workbench.Relative(path)}");
        return added;
    }

    /// <summary>Every forecast of the ledger (empty when there is none yet).</summary>
    public static IReadOnlyList<OperationalForecast> Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path)) return [];
        using var con = Open();
        return WarehouseSql.Read(con, WarehouseSql.ReadOperationalForecasts(path, ExAnteOf(con, path)), r => new OperationalForecast(
            r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetFieldValue<DateOnly>(2), r.GetString(3), r.GetString(4), r.GetString(5),
            r.GetDouble(6), r.GetDouble(7), r.GetDouble(8), r.GetDouble(9), r.GetString(10), r.GetDateTime(11), r.GetBoolean(12)));
    }

    /// <summary>The ex_ante column of a ledger file, or <c>false</c> for one written before the column existed (nothing then
    /// said its forecasts were made before their outcomes, so none is claimed to be).</summary>
    static string ExAnteOf(DuckDBConnection con, string path) =>
        Convert.ToInt64(WarehouseSql.Scalar(con, WarehouseSql.ParquetHasColumn(path, "ex_ante"))) > 0 ? "ex_ante" : "false AS ex_ante";

    static DuckDBConnection Open()
    {
        var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        return con;
    }
}
