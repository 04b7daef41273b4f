using Cbi.Workbench.IO;
using System.Security.Cryptography;
using System.Text.Json;

namespace Cbi.Workbench.Data;

/// <summary>The training table: one row per ZL trading day with the QUOTED (unadjusted) ZL close, the roll-day
/// flag and the forward log-return targets ret_fwd_&lt;N&gt;d with their target dates, as Parquet plus a manifest
/// JSON beside it (rows, date range, columns, SHA-256, data version), committed together (see <see cref="Verify"/>). Point in time: with an as-of date, rows after
/// it are absent and a target whose target date is after it is null (not yet known).</summary>
public static class TrainingExport
{
    /// <summary>The manifest JSON written beside an export (snake_case property names).</summary>
    /// <param name="File">File name (no directory) of the Parquet file it describes.</param>
    /// <param name="Rows">Number of rows (ZL trading days).</param>
    /// <param name="FirstDate">First row date; null when the export is empty.</param>
    /// <param name="LastDate">Last row date; null when the export is empty.</param>
    /// <param name="Columns">Column names in file order: date, close, is_roll_day, ret_fwd_&lt;N&gt;d for each of
    /// <see cref="Warehouse.TargetHorizons"/>, then target_date_&lt;N&gt;d for each.</param>
    /// <param name="Sha256">Lower-case hex SHA-256 of the Parquet file.</param>
    /// <param name="DataVersion">Raw data version of the warehouse it came from (<see cref="RawManifest.DataVersion"/>).</param>
    /// <param name="AsOf">The as-of date of a point-in-time export; null for the full history.</param>
    /// <param name="PriceSeries">Description of the price series in the close column.</param>
    /// <param name="QualityWarnings">Number of quality warnings in the warehouse at export time (errors refuse the export).</param>
    public sealed record ExportManifest(string File, long Rows, DateOnly? FirstDate, DateOnly? LastDate, string[] Columns,
        string Sha256, string DataVersion, DateOnly? AsOf, string PriceSeries, int QualityWarnings);

    /// <summary>Default export path: &lt;profile dir&gt;/export/training.parquet, or training_asof_yyyy-MM-dd.parquet
    /// with an as-of date.</summary>
    /// <param name="asOf">The as-of date; null = full history.</param>
    /// <exception cref="ArgumentException">The active profile is invalid (see <see cref="Workbench.Profile"/>).</exception>
    public static string DefaultPath(DateOnly? asOf = null) =>
        Path.Combine(Workbench.ProfileDir, "export", asOf is { } d ? $"training_asof_{d:yyyy-MM-dd}.parquet" : "training.parquet");

    /// <summary>The manifest path of an export: its extension replaced by <c>.manifest.json</c>.</summary>
    /// <param name="parquetPath">Path of the Parquet file.</param>
    public static string ManifestPath(string parquetPath) => Path.ChangeExtension(parquetPath, ".manifest.json");

    /// <summary>Writes the export (building the warehouse first if it is missing or stale). Fails, writing
    /// nothing, if the quality gate has errors. Columns: date, close (quoted ZL, US cents per pound), is_roll_day,
    /// ret_fwd_&lt;N&gt;d = ln(close[t+N] / close[t]) over N ZL trading days, target_date_&lt;N&gt;d, for N in
    /// <see cref="Warehouse.TargetHorizons"/>; rows ascending by date.</summary>
    /// <param name="outPath">The Parquet file; null = <see cref="DefaultPath"/>(<paramref name="asOf"/>).</param>
    /// <param name="asOf">Point-in-time cut: rows after it are dropped and targets whose target date is after it are
    /// null; null = full history.</param>
    /// <param name="warehousePath">The DuckDB warehouse; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="log">Progress lines; null = <see cref="Log.Writer"/>.</param>
    /// <returns>The manifest written beside the file.</returns>
    /// <exception cref="InvalidDataException">The warehouse has quality errors.</exception>
    /// <exception cref="RawDataException">A raw file is missing, changed or malformed (while ensuring the warehouse).</exception>
    public static ExportManifest Write(string? outPath = null, DateOnly? asOf = null, string? warehousePath = null, TextWriter? log = null)
    {
        log ??= Log.Writer;
        warehousePath = Warehouse.EnsureBuilt(warehousePath: warehousePath, log: log);
        using var wh = new DuckDbWarehouse(warehousePath);
        return Write(wh, outPath, asOf, log);
    }

    /// <summary>Writes the export from a warehouse backend (DuckDB file or BigQuery dataset), as
    /// <see cref="Write(string?, DateOnly?, string?, TextWriter?)"/> describes; the backend is not rebuilt here.</summary>
    /// <exception cref="InvalidDataException">The warehouse has quality errors or is stale.</exception>
    /// <exception cref="BigQuery.BigQueryException">BigQuery refused a query or could not be reached.</exception>
    internal static ExportManifest Write(IWarehouseBackend wh, string? outPath, DateOnly? asOf, TextWriter? log)
    {
        log ??= Log.Writer;
        outPath = Path.GetFullPath(outPath ?? DefaultPath(asOf));
        var snapshot = Snapshot.Load(wh);
        var errors = snapshot.Quality.Where(q => q.Severity == "error").ToList();
        if (errors.Count > 0)
            throw new InvalidDataException($"quality gate: {errors.Count} error(s), export refused; first: {errors[0].Symbol} {errors[0].Date:yyyy-MM-dd} " +
                                           $"{errors[0].Check}: {errors[0].Detail}");

        var zl = snapshot.Bars("ZL");
        if (asOf is { } early && early < zl[0].Date)
            throw new ArgumentException($"as-of date {early:yyyy-MM-dd} precedes the first ZL session in the data ({zl[0].Date:yyyy-MM-dd}): the export would be empty.", nameof(asOf));
        var cols = new List<string> { "date", "close", "is_roll_day" };
        cols.AddRange(Warehouse.TargetHorizons.Select(n => $"ret_fwd_{n}d"));
        cols.AddRange(Warehouse.TargetHorizons.Select(n => $"target_date_{n}d"));
        var sql = WarehouseSql.TrainingRows(asOf);

        log.WriteLine($"[export] {(asOf is null ? "full history" : $"as of {asOf:yyyy-MM-dd}")} → {Workbench.Relative(outPath)}");
        // The Parquet file and its manifest are one unit: both are written to temporary siblings, then committed
        // with the manifest last. The old manifest is removed before the Parquet file is replaced, so at no moment
        // does a manifest sit beside a Parquet file it does not describe (a crash in between leaves a Parquet file
        // without a manifest, which Verify rejects as incomplete).
        var manifestPath = ManifestPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        string tmpData = AtomicFile.TempPath(outPath), tmpManifest = AtomicFile.TempPath(manifestPath);
        ExportManifest manifest;
        try
        {
            var (rows, first, last) = wh.Query(WarehouseSql.CountAndDateRange(sql),
                r => (r.GetInt64(0), r.IsNull(1) ? (DateOnly?)null : r.GetDate(1), r.IsNull(2) ? (DateOnly?)null : r.GetDate(2))).Single();
            wh.ExportParquet(sql, tmpData);
            manifest = new ExportManifest(Path.GetFileName(outPath), rows, first, last, cols.ToArray(), Sha256Of(tmpData), snapshot.DataVersion, asOf,
                "ZL quoted (Yahoo ZL=F nearest contract, unadjusted; roll days flagged in is_roll_day)",
                snapshot.Quality.Count(q => q.Severity == "warning"));
            File.WriteAllText(tmpManifest, JsonSerializer.Serialize(manifest, Json), new System.Text.UTF8Encoding(false));
            File.Delete(manifestPath);
            File.Move(tmpData, outPath, overwrite: true);
            File.Move(tmpManifest, manifestPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmpData)) File.Delete(tmpData);
            if (File.Exists(tmpManifest)) File.Delete(tmpManifest);
        }
        log.WriteLine($"[export] {manifest.Rows} rows {manifest.FirstDate:yyyy-MM-dd} … {manifest.LastDate:yyyy-MM-dd}, sha256 {manifest.Sha256[..12]}…");
        return manifest;
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    static string Sha256Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>Reads an export's manifest and checks it describes the Parquet file beside it (name and SHA-256).
    /// Throws <see cref="InvalidDataException"/> naming the file when the manifest is missing (an incomplete
    /// export) or does not match; returns the manifest otherwise. Consumers of an export read it through this.</summary>
    /// <param name="parquetPath">Path of the Parquet file.</param>
    /// <exception cref="FileNotFoundException">The Parquet file does not exist.</exception>
    /// <exception cref="InvalidDataException">The manifest is missing, empty, names another file or has another SHA-256.</exception>
    public static ExportManifest Verify(string parquetPath)
    {
        var full = Path.GetFullPath(parquetPath);
        var mp = ManifestPath(full);
        if (!File.Exists(full)) throw new FileNotFoundException($"no export at {full}; write it with `cbi export`.", full);
        if (!File.Exists(mp)) throw new InvalidDataException($"{full}: no manifest ({mp}); the export is incomplete, re-run `cbi export`.");
        var m = JsonSerializer.Deserialize<ExportManifest>(File.ReadAllText(mp), Json)
                ?? throw new InvalidDataException($"{mp}: empty manifest; re-run `cbi export`.");
        if (m.File != Path.GetFileName(full))
            throw new InvalidDataException($"{mp}: column file = '{m.File}', but it sits beside {Path.GetFileName(full)}; re-run `cbi export`.");
        var sha = Sha256Of(full);
        if (!string.Equals(sha, m.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{full}: SHA-256 {sha} does not match its manifest {mp} (column sha256 = {m.Sha256}); re-run `cbi export`.");
        return m;
    }
}
