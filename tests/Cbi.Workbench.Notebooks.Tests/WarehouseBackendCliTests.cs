using System.Net;
using System.Net.Sockets;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>`cbi warehouse --backend bigquery` as a user runs it, in a separate process.</summary>
[Trait("Category", "Slow")]
public class WarehouseBackendCliTests
{
    static (int ExitCode, string Output) Cbi(IReadOnlyDictionary<string, string?> env, params string[] args) => CliTests.Cbi(Workbench.Root, env, args);

    [Fact]
    public void dry_run_prints_the_load_plan_of_every_table_without_touching_the_network()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-bq-dry-");
        // A listener stands where the endpoint points: the dry run must never connect to it, and the credentials
        // point at a file that does not exist, so any attempt to authenticate would fail the run.
        var trap = new TcpListener(IPAddress.Loopback, 0);
        trap.Start();
        try
        {
            var path = Path.Combine(dir.FullName, "warehouse.duckdb");
            var (code, stdout) = Cbi(new Dictionary<string, string?>
            {
                ["CBI_BQ_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)trap.LocalEndpoint).Port}",
                ["GOOGLE_APPLICATION_CREDENTIALS"] = Path.Combine(dir.FullName, "no-such-key.json"),
                ["CBI_BQ_PROJECT"] = "cbi-test-project",
                ["CBI_BQ_DATASET"] = "warehouse",
            }, "warehouse", "--backend", "bigquery", "--dry-run", "--out", path);

            Assert.True(code == 0, stdout);
            Assert.False(trap.Pending());
            Assert.Contains("BigQuery load plan → cbi-test-project.warehouse (dry run: nothing sent)", stdout);
            using var db = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY 1";
            using var r = cmd.ExecuteReader();
            var tables = 0;
            while (r.Read())
            {
                tables++;
                Assert.Matches($@"(?m)^table {r.GetString(0)}: \d+ rows, [1-9]\d* Parquet bytes, ", stdout);
            }
            Assert.True(tables >= 12, $"{tables} tables");
            Assert.Contains("  close FLOAT64 (DuckDB DOUBLE)", stdout);
            Assert.Matches(@"(?m)^total: \d+ tables to load, \d+ rows, \d+ Parquet bytes", stdout);
        }
        finally
        {
            trap.Stop();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void an_unknown_backend_or_a_missing_dataset_is_refused_by_name()
    {
        var env = new Dictionary<string, string?> { ["CBI_BQ_PROJECT"] = null, ["CBI_BQ_DATASET"] = null, ["CBI_WAREHOUSE_BACKEND"] = null };
        var (code, stderr) = Cbi(env, "warehouse", "--backend", "postgres", "--dry-run");
        Assert.Equal(1, code);
        Assert.Contains("Option '--backend': 'postgres' is not one of duckdb, bigquery.", stderr); // refused by the command line, before anything runs

        var dir = Directory.CreateTempSubdirectory("cbi-bq-nodataset-");
        try
        {
            (code, stderr) = Cbi(env, "warehouse", "--backend", "bigquery", "--project", "cbi-test-project", "--out", Path.Combine(dir.FullName, "w.duckdb"));
            Assert.Equal(1, code);
            Assert.Contains("BigQuery backend: no dataset (give --dataset or set CBI_BQ_DATASET).", stderr);
        }
        finally { dir.Delete(recursive: true); }
    }
}
