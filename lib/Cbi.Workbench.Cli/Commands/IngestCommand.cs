using Cbi.Workbench.Data;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi ingest`: accept new data files from data/incoming (see <see cref="Incoming"/>).</summary>
internal sealed class IngestCommand : ICliCommand
{
    public string Name => "ingest";
    public string Usage => "ingest [--incoming DIR]  accept newer rows of vendored files from data/incoming (same path and header; the past unchanged; " +
                           "loaders and quality gate on a scratch build first), list them in ACCEPTED.tsv and rebuild the warehouse; a refused file changes nothing";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("incoming");
        var dir = Path.GetFullPath(a.Get("incoming") ?? Incoming.DefaultDir);
        var fresh = Incoming.Ingest(Workbench.RawDir, dir, Workbench.WarehousePath, Console.Error);
        Console.WriteLine(fresh.Count == 0 ? "nothing new to ingest" : $"{fresh.Count} file(s) accepted: " + string.Join("; ", fresh.Select(f => $"{f.Path} {f.Rows} rows {f.FirstKey} … {f.LastKey}")));
        return 0;
    }
}
