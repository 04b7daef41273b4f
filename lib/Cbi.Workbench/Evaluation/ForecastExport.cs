using Cbi.Workbench.Data;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Evaluation;

/// <summary>A forecast as dashboards read it: ZL prices in US cents per pound.</summary>
/// <param name="OriginDate">The session the forecast was made at (its close is the last price used).</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="TargetDate">The <paramref name="Horizon"/>-th CBOT session after the origin.</param>
/// <param name="ModelVersion">"&lt;model&gt;@&lt;version&gt;" of the saved model (<see cref="ModelStore"/>).</param>
/// <param name="P10">10th percentile of the price at the target date.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="CreatedAt">When the row was first exported (UTC).</param>
public sealed record ForecastRow(DateOnly OriginDate, int Horizon, DateOnly TargetDate, string ModelVersion, double P10, double P50, double P90, DateTime CreatedAt);

/// <summary>The forecast store: the warehouse table <c>forecasts(origin_date DATE, horizon INTEGER, target_date DATE,
/// model_version VARCHAR, p10 DOUBLE, p50 DOUBLE, p90 DOUBLE, created_at TIMESTAMP)</c> and a Parquet copy per profile,
/// artifacts/&lt;profile&gt;/forecasts.parquet, holding the rows that profile exported (a fit's forecasts are the same
/// whichever profile exports them, so the table is shared and keyed by model version; the copy says what this profile
/// released and operated). Appending is idempotent: a (model_version, origin_date, horizon) already present is never
/// written again (the first export's values and time stay). The table survives warehouse rebuilds.</summary>
public static class ForecastExport
{
    /// <summary>The warehouse table's columns, in order.</summary>
    public const string Columns = "origin_date DATE, horizon INTEGER, target_date DATE, model_version VARCHAR, p10 DOUBLE, p50 DOUBLE, p90 DOUBLE, created_at TIMESTAMP";

    /// <summary>artifacts/&lt;active profile&gt;/forecasts.parquet.</summary>
    public static string DefaultParquetPath => Path.Combine(Workbench.ProfileDir, "forecasts.parquet");

    /// <summary>Forecast rows in prices from log-return quantiles at origins of a frame: P = close[origin] · exp(q).</summary>
    /// <param name="frame">The frame the origins belong to (its calendar gives target dates beyond the data).</param>
    /// <param name="originRows">Origin rows.</param>
    /// <param name="forecasts">Quantile forecasts, one per origin (abstentions are skipped).</param>
    /// <param name="horizon">Trading days ahead.</param>
    /// <param name="modelVersion">"model@version".</param>
    public static IReadOnlyList<ForecastRow> InPrices(Frame frame, IReadOnlyList<int> originRows, IReadOnlyList<QuantileForecast> forecasts, int horizon, string modelVersion)
    {
        var now = DateTime.UtcNow;
        var list = new List<ForecastRow>();
        for (var i = 0; i < originRows.Count; i++)
        {
            if (forecasts[i].IsAbstention) continue;
            var (q, _) = forecasts[i].Repaired();
            var o = originRows[i];
            var c = frame.Close[o];
            list.Add(new ForecastRow(frame.Dates[o], horizon, TargetDate(frame, o, horizon), modelVersion, c * Math.Exp(q.Q10), c * Math.Exp(q.Q50), c * Math.Exp(q.Q90), now));
        }
        return list;
    }

    /// <summary>The <paramref name="horizon"/>-th exchange session after the date of <paramref name="row"/> (from the frame's
    /// calendar, so it may lie beyond the data).</summary>
    internal static DateOnly TargetDate(Frame frame, int row, int horizon) =>
        frame.Calendar.Sessions(frame.Dates[row].AddDays(1), frame.Dates[row].AddDays(horizon * 2 + 14))[horizon - 1];

    /// <summary>Appends rows whose (model_version, origin_date, horizon) is new to the warehouse table, and writes the
    /// Parquet copy as the table's rows for the keys it already held plus this call's keys; returns how many of this call's
    /// rows were new to the table. Rows of the copy the table lacks (a new warehouse) are put back into it first. The
    /// warehouse is locked first; the Parquet file is replaced atomically after the table commits.</summary>
    /// <exception cref="ArgumentException">a row with non-finite or unordered prices.</exception>
    /// <exception cref="FileNotFoundException">no warehouse.</exception>
    /// <exception cref="IOException">another writer still holds the warehouse after 10 minutes (nothing is written).</exception>
    /// <exception cref="InvalidDataException">the existing copy cannot be read (nothing is written; the message names it).</exception>
    public static int Append(IReadOnlyCollection<ForecastRow> rows, string? warehousePath = null, string? parquetPath = null)
    {
        Validate(rows);
        var wh = Path.GetFullPath(warehousePath ?? Workbench.WarehousePath);
        if (!File.Exists(wh)) throw new FileNotFoundException($"no warehouse at {Workbench.Relative(wh)}; build it with `cbi warehouse` first.", wh);
        var parquet = Path.GetFullPath(parquetPath ?? DefaultParquetPath);
        // Takes turns with the prediction writers and rebuilds of the same warehouse (DuckDB lets one process write it).
        using var gate = StoreLock.Acquire(wh);
        using var con = new DuckDBConnection($"DataSource={wh}");
        con.Open();
        Exec(con, WarehouseSql.CreateTableIfMissing("forecasts", Columns));
        using var tx = con.BeginTransaction();
        var previous = File.Exists(parquet) ? parquet : null;
        if (previous != null)
        {
            try { Exec(con, WarehouseSql.ForecastsFromCopy(previous)); }
            catch (DuckDBException e)
            {
                throw new InvalidDataException($"{Workbench.Relative(previous)} is not a readable forecast copy ({e.Message.Split('\n')[0]}); nothing was written. " +
                                               "Restore it (git checkout, a backup) or move it aside to start the copy again from this export.", e);
            }
        }
        Exec(con, WarehouseSql.CreateTempTable("incoming", Columns));
        using (var app = con.CreateAppender("incoming"))
            foreach (var r in rows)
                app.CreateRow().AppendValue((DateOnly?)r.OriginDate).AppendValue(r.Horizon).AppendValue((DateOnly?)r.TargetDate).AppendValue(r.ModelVersion)
                    .AppendValue(r.P10).AppendValue(r.P50).AppendValue(r.P90).AppendValue(r.CreatedAt).EndRow();
        Exec(con, WarehouseSql.FreshForecasts);
        var added = Convert.ToInt32(WarehouseSql.Scalar(con, WarehouseSql.CountRows("fresh")));
        Exec(con, WarehouseSql.InsertAllFrom("forecasts", "fresh"));
        var tmp = AtomicFile.TempPath(parquet);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(parquet)!);
            Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.ForecastsOfCopy("incoming", previous), tmp, "parquet"));
            tx.Commit();
            File.Move(tmp, parquet, overwrite: true);
        }
        finally { if (File.Exists(tmp)) File.Delete(tmp); }
        Log.Progress($"[forecasts] {added} new of {rows.Count} rows appended to the warehouse table forecasts and {Workbench.Relative(parquet)}");
        return added;
    }

    /// <summary>Refuses rows whose prices are not positive, finite and ordered (P10 ≤ P50 ≤ P90).</summary>
    /// <exception cref="ArgumentException">naming the first such row.</exception>
    internal static void Validate(IReadOnlyCollection<ForecastRow> rows)
    {
        foreach (var r in rows)
            if (!(double.IsFinite(r.P10) && double.IsFinite(r.P50) && double.IsFinite(r.P90) && r.P10 <= r.P50 && r.P50 <= r.P90 && r.P10 > 0))
                throw new ArgumentException($"forecast {r.ModelVersion} {r.OriginDate:yyyy-MM-dd} h {r.Horizon}: prices {r.P10}/{r.P50}/{r.P90} are not positive, finite and ordered.", nameof(rows));
    }

    /// <summary>Every row of the warehouse table.</summary>
    public static IReadOnlyList<ForecastRow> Read(string? warehousePath = null)
    {
        using var con = new DuckDBConnection($"DataSource={Path.GetFullPath(warehousePath ?? Workbench.WarehousePath)};ACCESS_MODE=READ_ONLY");
        con.Open();
        if (Convert.ToInt64(WarehouseSql.Scalar(con, WarehouseSql.TableExists("forecasts"))) == 0) return [];
        return WarehouseSql.Read(con, WarehouseSql.ReadForecasts, r =>
            new ForecastRow(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetFieldValue<DateOnly>(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), r.GetDateTime(7)));
    }

    static void Exec(DuckDBConnection con, string sql) => WarehouseSql.Exec(con, sql);
}
