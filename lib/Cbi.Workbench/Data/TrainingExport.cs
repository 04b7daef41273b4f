using Cbi.Workbench.IO;
using System.Security.Cryptography;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Data;

/// <summary>The training table: one row per ZL trading day with the QUOTED (unadjusted) ZL close, the roll-day
/// flag and the forward log-return targets ret_fwd_&lt;N&gt;d with their target dates, as Parquet plus a manifest
/// JSON beside it (rows, date range, columns, SHA-256, data version), committed together (see <see cref="Verify"/>). Point in time: with an as-of date, rows after
/// it are absent and a target whose target date is after it is null (not yet known).</summary>
public static class TrainingExport
{
    public sealed record ExportManifest(string File, long Rows, DateOnly? FirstDate, DateOnly? LastDate, string[] Columns,
        string Sha256, string DataVersion, DateOnly? AsOf, string PriceSeries, int QualityWarnings);

    public static string DefaultPath(DateOnly? asOf = null) =>
        Path.Combine(Workbench.ProfileDir, "export", asOf is { } d ? $"training_asof_{d:yyyy-MM-dd}.parquet" : "training.parquet");

    public static string ManifestPath(string parquetPath) => Path.ChangeExtension(parquetPath, ".manifest.json");

    /// <summary>Writes the export (building the warehouse first if it is missing or stale). Fails, writing
    /// nothing, if the quality gate has errors.</summary>
    public static ExportManifest Write(string? outPath = null, DateOnly? asOf = null, string? warehousePath = null, TextWriter? log = null)
    {
        log ??= Log.Writer;
        outPath = Path.GetFullPath(outPath ?? DefaultPath(asOf));
        warehousePath = Warehouse.EnsureBuilt(warehousePath: warehousePath, log: log);
        var snapshot = Snapshot.Load(warehousePath);
        var errors = snapshot.Quality.Where(q => q.Severity == "error").ToList();
        if (errors.Count > 0)
            throw new InvalidDataException($"quality gate: {errors.Count} error(s), export refused; first: {errors[0].Symbol} {errors[0].Date:yyyy-MM-dd} " +
                                           $"{errors[0].Check}: {errors[0].Detail}");

        var cutoff = asOf is { } a ? $"DATE '{a:yyyy-MM-dd}'" : "DATE '9999-12-31'";
        var cols = new List<string> { "date", "close", "is_roll_day" };
        var select = new List<string> { "t.date", "t.close", "d.is_roll_day" };
        foreach (var n in Warehouse.TargetHorizons)
        {
            select.Add($"CASE WHEN t.target_date_{n}d <= {cutoff} THEN t.ret_fwd_{n}d END AS ret_fwd_{n}d");
            cols.Add($"ret_fwd_{n}d");
        }
        foreach (var n in Warehouse.TargetHorizons)
        {
            select.Add($"CASE WHEN t.target_date_{n}d <= {cutoff} THEN t.target_date_{n}d END AS target_date_{n}d");
            cols.Add($"target_date_{n}d");
        }
        var sql = $"SELECT {string.Join(", ", select)} FROM zl_targets t JOIN zl_daily d ON d.date = t.date WHERE t.date <= {cutoff} ORDER BY t.date";

        log.WriteLine($"[export] {(asOf is null ? "full history" : $"as of {asOf:yyyy-MM-dd}")} → {outPath}");
        // The Parquet file and its manifest are one unit: both are written to temporary siblings, then committed
        // with the manifest last. The old manifest is removed before the Parquet file is replaced, so at no moment
        // does a manifest sit beside a Parquet file it does not describe (a crash in between leaves a Parquet file
        // without a manifest, which Verify rejects as incomplete).
        var manifestPath = ManifestPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        var suffix = "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        string tmpData = outPath + suffix, tmpManifest = manifestPath + suffix;
        ExportManifest manifest;
        try
        {
            long rows = 0; DateOnly? first = null, last = null;
            using (var db = new DuckDBConnection($"Data Source={warehousePath};ACCESS_MODE=READ_ONLY"))
            {
                db.Open();
                using (var cmd = db.CreateCommand())
                {
                    cmd.CommandText = $"SELECT COUNT(*), MIN(date), MAX(date) FROM ({sql}) x";
                    using var r = cmd.ExecuteReader();
                    r.Read();
                    rows = r.GetInt64(0);
                    if (!r.IsDBNull(1)) { first = r.GetFieldValue<DateOnly>(1); last = r.GetFieldValue<DateOnly>(2); }
                }
                using (var cmd = db.CreateCommand())
                {
                    cmd.CommandText = $"COPY ({sql}) TO '{tmpData.Replace("'", "''")}' (FORMAT PARQUET)";
                    cmd.ExecuteNonQuery();
                }
            }
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
