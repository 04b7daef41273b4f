using Cbi.Workbench.Data;
using Cbi.Workbench.Features;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class LeakageGuardCommand : ICliCommand
{
    public string Name => "leakage-guard";
    public string Usage => "leakage-guard [--dates N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--warehouse PATH]  rebuild features as of N dates and compare bit for bit with full history";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("dates", "from", "to", "warehouse");
        var n = a.GetInt("dates", 60);
        var r = LeakageGuard.Run(a.Get("warehouse") ?? Warehouse.EnsureBuilt(), n, a.GetDate("from"), a.GetDate("to"), progress: Console.Error.WriteLine);
        foreach (var m in r.Mismatches.Take(50)) Console.WriteLine("  " + m);
        if (r.Mismatches.Count > 50) Console.WriteLine($"  … {r.Mismatches.Count - 50} more");
        Console.WriteLine(r.Summary());
        return r.Passed ? 0 : 2;
    }
}
