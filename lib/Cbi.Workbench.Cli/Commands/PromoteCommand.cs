using Cbi.Workbench.Operations;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi promote --horizon H --reason TEXT`: swap a horizon's release for its shadow, when a proposal is active.</summary>
internal sealed class PromoteCommand : ICliCommand
{
    public string Name => "promote";
    public string Usage => "promote --horizon H --reason TEXT [--profile smoke|full]  release the shadow of a horizon in place of its model, only while the live " +
                           "alert state holds an active promotion proposal for it; recorded in release/promotions.jsonl, the previous release kept in release/history/";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("horizon", "reason", "profile");
        var (_, dir) = OperationsArgs.Profile(a);
        var horizon = a.GetInt("horizon", 0);
        if (horizon < 1) throw new ArgumentException("--horizon H is required.");
        var r = Promotion.Promote(dir, horizon, a.Get("reason") ?? "");
        Console.WriteLine($"h{r.Horizon}: {r.From} → {r.To}; release {r.ReleaseBefore} → {r.ReleaseAfter}");
        return 0;
    }
}
