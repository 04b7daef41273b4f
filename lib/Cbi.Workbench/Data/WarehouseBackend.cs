using System.Data.Common;
using Cbi.Workbench.Data.BigQuery;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Data;

/// <summary>One row of a warehouse query, typed accessors by column index. SQL NULL reads as NaN from
/// <see cref="GetDouble"/>; the other accessors require a value (check <see cref="IsNull"/>).</summary>
internal abstract class WarehouseRow
{
    /// <summary>True when the cell is SQL NULL.</summary>
    public abstract bool IsNull(int i);
    /// <summary>A STRING / VARCHAR cell.</summary>
    public abstract string GetString(int i);
    /// <summary>A DATE cell.</summary>
    public abstract DateOnly GetDate(int i);
    /// <summary>A FLOAT64 / DOUBLE cell; NaN when NULL.</summary>
    public abstract double GetDouble(int i);
    /// <summary>An integer cell of any width.</summary>
    public abstract long GetInt64(int i);

    /// <summary>A DuckDB reader's current row (no copying).</summary>
    internal sealed class Reader(DbDataReader r) : WarehouseRow
    {
        public override bool IsNull(int i) => r.IsDBNull(i);
        public override string GetString(int i) => r.GetString(i);
        public override DateOnly GetDate(int i) => r.GetFieldValue<DateOnly>(i);
        public override double GetDouble(int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);
        public override long GetInt64(int i) => Convert.ToInt64(r.GetValue(i));
    }

    /// <summary>A row of values already typed (a BigQuery result row).</summary>
    internal sealed class Values(object?[] v) : WarehouseRow
    {
        public override bool IsNull(int i) => v[i] is null;
        public override string GetString(int i) => (string)v[i]!;
        public override DateOnly GetDate(int i) => (DateOnly)v[i]!;
        public override double GetDouble(int i) => v[i] is null ? double.NaN : Convert.ToDouble(v[i], System.Globalization.CultureInfo.InvariantCulture);
        public override long GetInt64(int i) => Convert.ToInt64(v[i], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The warehouse as the science reads and writes it, whatever the engine: the point-in-time snapshot's
/// queries, the training export, and the prediction and forecast stores. <see cref="DuckDbWarehouse"/> (the default,
/// an embedded file) and <see cref="BigQueryWarehouse"/> (a dataset) implement it; <see cref="WarehouseBackend.Open"/>
/// picks one from options or environment variables. Statements come from <see cref="WarehouseSql"/>.</summary>
internal interface IWarehouseBackend : IDisposable
{
    /// <summary>Where the warehouse is, for messages: "DuckDB data/warehouse.duckdb" or "BigQuery project.dataset (US)".</summary>
    string Describe { get; }

    /// <summary>Runs a read-only query and maps every row.</summary>
    /// <exception cref="DuckDBException">DuckDB refused the statement.</exception>
    /// <exception cref="BigQueryException">BigQuery refused it or could not be reached.</exception>
    List<T> Query<T>(string sql, Func<WarehouseRow, T> map);

    /// <summary>Writes a query's rows to a local Parquet file (the training export).</summary>
    void ExportParquet(string sql, string parquetPath);

    /// <summary>Writes prediction rows to the warehouse table <c>predictions</c> as <paramref name="profile"/>'s,
    /// replacing exactly the (profile, model, horizon, split, origin_date) keys they carry, all or nothing; the other
    /// profiles' rows are untouched.</summary>
    void ReplacePredictions(string profile, IReadOnlyCollection<PredictionRow> rows);

    /// <summary>Appends forecasts whose (model_version, origin_date, horizon) is new to the table <c>forecasts</c>;
    /// returns how many were new.</summary>
    int AppendForecasts(IReadOnlyCollection<ForecastRow> rows);
}

/// <summary>The embedded DuckDB warehouse file (default <c>data/warehouse.duckdb</c>). Reads share one read-only
/// connection opened on first use; writes go through <see cref="PredictionStore"/> and <see cref="ForecastExport"/>,
/// exactly as before backends existed.</summary>
/// <param name="path">The DuckDB file.</param>
internal sealed class DuckDbWarehouse(string path) : IWarehouseBackend
{
    DuckDBConnection? read;

    /// <summary>Full path of the file.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <inheritdoc/>
    public string Describe => $"DuckDB {Workbench.Relative(Path)}";

    DuckDBConnection Read()
    {
        if (read != null) return read;
        var c = new DuckDBConnection($"Data Source={Path};ACCESS_MODE=READ_ONLY");
        c.Open();
        return read = c;
    }

    /// <inheritdoc/>
    public List<T> Query<T>(string sql, Func<WarehouseRow, T> map) => WarehouseSql.Read(Read(), sql, r => map(new WarehouseRow.Reader(r)));

    /// <inheritdoc/>
    public void ExportParquet(string sql, string parquetPath) => WarehouseSql.Exec(Read(), WarehouseSql.CopyToParquet(sql, parquetPath));

    /// <inheritdoc/>
    public void ReplacePredictions(string profile, IReadOnlyCollection<PredictionRow> rows) { Close(); PredictionStore.WriteWarehouse(rows, profile, Path); }

    /// <summary>The profile's Parquet copy of its forecasts that <see cref="AppendForecasts"/> rewrites (the rows it exported,
    /// <see cref="ForecastExport.Append"/>); null = <see cref="ForecastExport.DefaultParquetPath"/>. The BigQuery backend
    /// keeps no copy.</summary>
    public string? ForecastsParquet { get; init; }

    /// <inheritdoc/>
    public int AppendForecasts(IReadOnlyCollection<ForecastRow> rows) { Close(); return ForecastExport.Append(rows, Path, ForecastsParquet); }

    // A read-only connection would block the writers' read-write open of the same file in this process.
    void Close() { read?.Dispose(); read = null; }

    /// <inheritdoc/>
    public void Dispose() => Close();
}

/// <summary>Picks the warehouse backend.</summary>
internal static class WarehouseBackend
{
    /// <summary>Options: <c>--backend</c> / <c>CBI_WAREHOUSE_BACKEND</c> (<c>duckdb</c> default, or <c>bigquery</c>);
    /// for BigQuery <c>--project</c> / <c>CBI_BQ_PROJECT</c>, <c>--dataset</c> / <c>CBI_BQ_DATASET</c>,
    /// <c>--location</c> / <c>CBI_BQ_LOCATION</c> (optional), <c>CBI_BQ_ENDPOINT</c> (base URL, default the public
    /// endpoint); credentials are Application Default Credentials.</summary>
    /// <param name="Backend">duckdb or bigquery; null = the environment, then duckdb.</param>
    /// <param name="DuckDbPath">The DuckDB file; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="Project">BigQuery project id; null = CBI_BQ_PROJECT.</param>
    /// <param name="Dataset">BigQuery dataset id; null = CBI_BQ_DATASET.</param>
    /// <param name="Location">BigQuery location; null = CBI_BQ_LOCATION (may stay unset).</param>
    /// <param name="Endpoint">BigQuery base URL; null = CBI_BQ_ENDPOINT, then https://bigquery.googleapis.com.</param>
    internal sealed record Options(string? Backend = null, string? DuckDbPath = null, string? Project = null, string? Dataset = null,
        string? Location = null, string? Endpoint = null)
    {
        /// <summary>The backend name after the environment: "duckdb" or "bigquery".</summary>
        /// <exception cref="ArgumentException">Any other name.</exception>
        public string Kind => (Backend ?? Env("CBI_WAREHOUSE_BACKEND") ?? "duckdb").ToLowerInvariant() switch
        {
            "duckdb" => "duckdb",
            "bigquery" => "bigquery",
            var x => throw new ArgumentException($"warehouse backend '{x}' is unknown (--backend / CBI_WAREHOUSE_BACKEND): use duckdb or bigquery."),
        };

        /// <summary>The BigQuery target after the environment.</summary>
        /// <exception cref="ArgumentException">Project or dataset missing, or not valid BigQuery ids.</exception>
        public (string Project, string Dataset, string? Location, string Endpoint) BigQuery()
        {
            var project = Project ?? Env("CBI_BQ_PROJECT") ?? throw new ArgumentException("BigQuery backend: no project (give --project or set CBI_BQ_PROJECT).");
            var dataset = Dataset ?? Env("CBI_BQ_DATASET") ?? throw new ArgumentException("BigQuery backend: no dataset (give --dataset or set CBI_BQ_DATASET).");
            // Dataset ids: letters, digits and underscores (https://cloud.google.com/bigquery/docs/datasets#dataset-naming).
            if (!System.Text.RegularExpressions.Regex.IsMatch(dataset, "^[A-Za-z0-9_]{1,1024}$"))
                throw new ArgumentException($"BigQuery dataset '{dataset}' is not a valid dataset id (letters, digits, underscores).");
            if (!System.Text.RegularExpressions.Regex.IsMatch(project, "^[a-z][a-z0-9.:-]{4,62}[a-z0-9]$"))
                throw new ArgumentException($"BigQuery project '{project}' is not a valid project id (6–30 lowercase letters, digits, hyphens; optionally domain:).");
            return (project, dataset, Location ?? Env("CBI_BQ_LOCATION"), Endpoint ?? Env("CBI_BQ_ENDPOINT") ?? BigQueryClient.DefaultBaseUrl);
        }
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>Opens the configured backend (no network access until it is used).</summary>
    /// <param name="options">Options; unset ones come from the environment.</param>
    /// <param name="tokens">Access tokens for BigQuery; null = Application Default Credentials.</param>
    /// <exception cref="ArgumentException">An unknown backend or a missing BigQuery project/dataset.</exception>
    internal static IWarehouseBackend Open(Options options, IAccessTokenSource? tokens = null)
    {
        if (options.Kind == "duckdb") return new DuckDbWarehouse(options.DuckDbPath ?? Workbench.WarehousePath);
        var (project, dataset, location, endpoint) = options.BigQuery();
        return new BigQueryWarehouse(new BigQueryClient(project, location, tokens ?? new ApplicationDefaultTokenSource(), endpoint), dataset);
    }
}
