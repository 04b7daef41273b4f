using Cbi.Workbench.Data;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class WarehouseCommand : ICliCommand
{
    public string Name => "warehouse";
    public string Usage => "warehouse [--out PATH] [--bench N]       rebuild data/warehouse.duckdb from data/raw (--bench: time N builds → artifacts/bench/warehouse-build.json)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("out", "bench");
        var path = a.Get("out") ?? Workbench.WarehousePath;
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
        return 0;
    }
}
