using Cbi.Workbench.Data;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class ExportCommand : ICliCommand
{
    public string Name => "export";
    public string Usage => "export [--as-of YYYY-MM-DD] [--out PATH]  write the ZL training table (Parquet + manifest; default artifacts/<profile>/export/)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("as-of", "out");
        var m = TrainingExport.Write(a.Get("out"), a.GetDate("as-of"));
        Console.WriteLine($"export {m.File}: {m.Rows} rows {m.FirstDate:yyyy-MM-dd} … {m.LastDate:yyyy-MM-dd}, data version {m.DataVersion[..12]}");
        return 0;
    }
}
