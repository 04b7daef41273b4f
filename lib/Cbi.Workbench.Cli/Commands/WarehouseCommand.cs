using Cbi.Workbench.Data;
using Cbi.Workbench.Data.BigQuery;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class WarehouseCommand : ICliCommand
{
    public string Name => "warehouse";
    public string Usage => "warehouse [--out PATH] [--bench N] [--backend duckdb|bigquery [--dry-run] [--project P --dataset D --location L]]  rebuild data/warehouse.duckdb from data/raw " +
                           "(--bench: time N builds → artifacts/bench/warehouse-build.json); bigquery: then load every table into the dataset through staging tables (--dry-run: print the load plan, no network)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "dry-run");
        a.RejectUnknown("out", "bench", "backend", "dry-run", "project", "dataset", "location");
        var path = a.Get("out") ?? Workbench.WarehousePath;
        var options = new WarehouseBackend.Options(a.Get("backend"), path, a.Get("project"), a.Get("dataset"), a.Get("location"));
        if (options.Kind == "bigquery") return BigQuery(options, path, a.Has("dry-run"));
        if (a.Has("dry-run")) throw new ArgumentException("--dry-run applies to --backend bigquery (a DuckDB build has no load plan).");
        if (a.Has("bench"))
        {
            var repeats = a.GetInt("bench", 0, min: 3);
            var tmp = Path.Combine(Path.GetTempPath(), $"cbi-bench-{Environment.ProcessId}.duckdb");
            try
            {
                Benchmark.Measure("warehouse-build", () => Warehouse.Build(warehousePath: tmp, log: TextWriter.Null), repeats, warmups: 1,
                    new Dictionary<string, string> { ["what"] = "Warehouse.Build from data/raw: hash check, load, quality gate, DuckDB tables, SQL roll/targets" });
            }
            finally { File.Delete(tmp); }
        }
        var report = Warehouse.Build(warehousePath: path);
        Console.WriteLine($"warehouse {report.Path}: {report.MarketRows} market rows, {report.SeriesRows} series values, " +
                          $"{report.CotRows} COT rows; quality {report.Errors} errors, {report.Warnings} warnings; {report.Seconds:F1} s");
        // The warehouse's predictions mirror each profile's predictions.parquet (the truth): a rebuild that migrated a table
        // without profiles, or a write killed before its Parquet rename, is put right here rather than at the next write.
        if (Path.GetFullPath(path) == Path.GetFullPath(Workbench.WarehousePath))
            foreach (var profile in new[] { RunProfile.Smoke, RunProfile.Full })
            {
                var parquet = Path.Combine(Workbench.ArtifactsDir, profile.Name, "predictions.parquet");
                if (File.Exists(parquet)) Evaluation.PredictionStore.Reconcile(parquet, path);
            }
        return 0;
    }

    /// <summary>The local DuckDB build stays the source (same raw-data checks and quality gate); its tables are then
    /// loaded into BigQuery through staging tables, or only planned with --dry-run.</summary>
    static int BigQuery(WarehouseBackend.Options options, string path, bool dryRun)
    {
        // A real load needs its target before minutes of building and planning are spent.
        if (!dryRun) options.BigQuery();
        Warehouse.EnsureBuilt(warehousePath: path);
        var work = Directory.CreateTempSubdirectory("cbi-bq-plan-");
        try
        {
            var plan = BigQueryWarehouse.Plan(path, work.FullName);
            if (dryRun)
            {
                // A dry run needs no project or dataset: it only shows what a load would send.
                string target;
                try { var t = options.BigQuery(); target = $"{t.Project}.{t.Dataset}" + (t.Location is { } l ? $" ({l})" : ""); }
                catch (ArgumentException) { target = "(project and dataset not set: --project/CBI_BQ_PROJECT, --dataset/CBI_BQ_DATASET)"; }
                Console.Write(BigQueryWarehouse.DescribePlan(plan, target));
                return 0;
            }
            using var wh = (BigQueryWarehouse)WarehouseBackend.Open(options);
            wh.Load(plan, Console.Error);
            Console.WriteLine($"loaded {plan.Count(t => !t.Kept)} tables into {wh.Describe}");
            return 0;
        }
        finally { work.Delete(recursive: true); }
    }
}
