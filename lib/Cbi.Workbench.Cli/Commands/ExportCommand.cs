using Cbi.Workbench.Data;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class ExportCommand : ICliCommand
{
    public string Name => "export";
    public string Usage => "export [--as-of YYYY-MM-DD] [--out PATH] [--backend duckdb|bigquery --project P --dataset D --location L]  write the ZL training table " +
                           "(Parquet + manifest; default artifacts/<profile>/export/), from the DuckDB file or a BigQuery dataset";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("as-of", "out", "backend", "project", "dataset", "location");
        var options = new WarehouseBackend.Options(a.Get("backend"), null, a.Get("project"), a.Get("dataset"), a.Get("location"));
        TrainingExport.ExportManifest m;
        if (options.Kind == "duckdb") m = TrainingExport.Write(a.Get("out"), a.GetDate("as-of"));
        else
        {
            // The dataset is read as it is (loaded by `cbi warehouse --backend bigquery`); the snapshot refuses a stale one.
            using var wh = WarehouseBackend.Open(options);
            m = TrainingExport.Write(wh, a.Get("out"), a.GetDate("as-of"), null);
        }
        Console.WriteLine($"export {m.File}: {m.Rows} rows {m.FirstDate:yyyy-MM-dd} … {m.LastDate:yyyy-MM-dd}, data version {m.DataVersion[..12]}");
        return 0;
    }
}
