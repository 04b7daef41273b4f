using System.Globalization;
using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Operations;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>What the three operations verbs share: the profile, the rules file, the models and frames.</summary>
internal static class OperationsArgs
{
    internal static readonly string[] Known = ["profile", "rules", "no-shadow"];

    internal static (RunProfile Profile, string ProfileDir, OperationsRules Rules) Read(CliArgs a)
    {
        var (profile, dir) = Profile(a);
        return (profile, dir, OperationsRules.Read(a.Get("rules") ?? OperationsRules.DefaultPath));
    }

    /// <summary>The profile named by --profile (else the active one) and its artifact folder.</summary>
    internal static (RunProfile Profile, string ProfileDir) Profile(CliArgs a)
    {
        var profile = ModelArgs.Profile(a);
        return (profile, Path.Combine(Workbench.ArtifactsDir, profile.Name));
    }

    /// <summary>Prepares the models and frames and runs operations over <paramref name="days"/> (one day: an as-of forecast).</summary>
    internal static OperationsResult Run(CliArgs a, RunProfile profile, string profileDir, OperationsRules rules, Func<Frame, IReadOnlyList<DateOnly>> days, string reason,
        string alertsPath, string? alertStatePath)
    {
        var warehouse = Warehouse.EnsureBuilt();
        var frames = OperationsJob.Frames(OperationsJob.InputsOfRelease(profileDir), warehouse);
        var sessions = days(frames[ModelInputs.Prices]); // checked before any model is fitted
        using var models = OperationsJob.Prepare(RunContext.FromArtifacts(profile, profileDir), profileDir, frames, shadow: !a.Has("no-shadow"));
        return OperationsJob.Run(models, frames, sessions, rules, profileDir, warehouse, reason, alertsPath, alertStatePath, line => Console.Error.WriteLine(line));
    }

    internal static void PrintSummary(OperationsResult r)
    {
        foreach (var s in r.Summary.Where(s => s.Group == "all" || s.Group.StartsWith("last ", StringComparison.Ordinal)))
            Console.WriteLine(FormattableString.Invariant(
                $"h={s.Horizon,3} {s.Role,-9} {s.Model,-16} {s.Group,-8} n={s.N,4} QS {s.QuantileScore:F5} skill {s.Skill,7:P1} coverage {s.Coverage80,6:P1} MAE {s.PriceMae,6:F2} c/lb DM p {s.DmPValue:F3}"));
        foreach (var x in r.Alerts.TakeLast(20))
            Console.WriteLine($"alert {x.AsOf:yyyy-MM-dd} {x.State,-8} {x.Rule} [{x.Subject}]: {x.Evidence}");
    }
}

/// <summary>`cbi forecast --as-of DATE`: the released models (and the reference and shadow) forecast from one session.</summary>
internal sealed class ForecastCommand : ICliCommand
{
    public string Name => "forecast";
    public string Usage => "forecast [--as-of YYYY-MM-DD] [--profile smoke|full] [--rules PATH] [--no-shadow]  the released models of every horizon forecast from " +
                           "one session's close (default the last) → operations/forecasts.parquet and the warehouse table forecasts (idempotent)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "no-shadow");
        a.RejectUnknown([.. OperationsArgs.Known, "as-of"]);
        var (profile, dir, rules) = OperationsArgs.Read(a);
        var asOf = a.GetDate("as-of");
        var r = OperationsArgs.Run(a, profile, dir, rules, prices => [OperationsJob.CheckDay(prices, asOf ?? prices.Dates[^1], "--as-of")], "cbi forecast --as-of",
            OperationsJob.AlertsPath(dir), OperationsJob.AlertStatePath(dir));
        foreach (var x in r.Alerts) Console.WriteLine($"alert {x.AsOf:yyyy-MM-dd} {x.State,-8} {x.Rule} [{x.Subject}]: {x.Evidence}");
        foreach (var f in r.Forecasts.OrderBy(f => f.Horizon).ThenBy(f => f.Role, StringComparer.Ordinal))
            Console.WriteLine(FormattableString.Invariant(
                $"{f.OriginDate:yyyy-MM-dd} h={f.Horizon,3} → {f.TargetDate:yyyy-MM-dd} {f.Role,-9} {f.ModelVersion,-28} P10 {f.P10,7:F2} P50 {f.P50,7:F2} P90 {f.P90,7:F2} c/lb (log return {f.Q10:+0.0000;-0.0000}/{f.Q50:+0.0000;-0.0000}/{f.Q90:+0.0000;-0.0000}) release {f.Release}"));
        foreach (var x in r.Abstentions) Console.WriteLine($"{x.OriginDate:yyyy-MM-dd} h={x.Horizon,3} {x.Role,-9} {x.Model}: no forecast — {x.Reason}");
        Console.WriteLine($"{r.NewForecasts} new of {r.Forecasts.Count} forecasts filed");
        return 0;
    }
}

/// <summary>`cbi validate`: scores every filed operational forecast whose target has closed.</summary>
internal sealed class ValidateCommand : ICliCommand
{
    public string Name => "validate";
    public string Usage => "validate [--as-of YYYY-MM-DD] [--profile smoke|full] [--recent N]  score the filed operational forecasts whose target session has closed " +
                           "(against the random walk's forecasts of the same origins) → operations/matured.csv";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("profile", "as-of", "recent");
        var (_, dir) = OperationsArgs.Profile(a);
        var all = OperationsStore.Read(OperationsStore.PathIn(dir));
        // One release at a time: the current one (its forecasts carry its id), so versions are never pooled.
        var release = OperationalModels.ReleaseId(Release.PathIn(dir));
        var ledger = all.Where(f => f.Release == release).ToList();
        if (ledger.Count == 0)
            throw new InvalidOperationException($"no operational forecasts of the current release {release} in {Workbench.Relative(OperationsStore.PathIn(dir))} ({all.Count} of other releases); run `cbi forecast` or `cbi replay` first.");
        var prices = ModelComparison.FrameFor(ModelInputs.Prices, Warehouse.EnsureBuilt());
        var asOf = a.GetDate("as-of") ?? prices.Dates[^1];
        var matured = MaturedScoring.Score(ledger, prices, asOf);
        if (matured.Count == 0)
            throw new InvalidOperationException($"none of the {ledger.Count} forecasts of release {release} has matured by {asOf:yyyy-MM-dd}; nothing to score ({Workbench.Relative(Path.Combine(dir, "operations", "matured.csv"))} left as it was).");
        var summary = MaturedScoring.Summarize(matured, a.GetInt("recent", 60));
        var csv = Path.Combine(dir, "operations", "matured.csv");
        Reporting.ResultTable.Csv(summary, csv);
        OperationsArgs.PrintSummary(new OperationsResult([asOf], ledger, [], matured, summary, [], [], 0, 0, []));
        Console.WriteLine($"{matured.Count} of {ledger.Count} filed forecasts of release {release} matured by {asOf:yyyy-MM-dd}" +
                          (all.Count > ledger.Count ? $" ({all.Count - ledger.Count} of other releases not scored)" : "") + $"; summary in {Workbench.Relative(csv)}");
        return 0;
    }
}

/// <summary>`cbi replay --from DATE --sessions N`: operations over a replayed past, one session at a time.</summary>
internal sealed class ReplayCommand : ICliCommand
{
    public string Name => "replay";
    public string Usage => "replay --from YYYY-MM-DD [--sessions 250] [--profile smoke|full] [--rules PATH] [--no-shadow]  operations day by day over the " +
                           "sessions after a date: as-of forecasts, matured scoring, alerts, correlations, shadow comparison";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "no-shadow");
        a.RejectUnknown([.. OperationsArgs.Known, "from", "sessions"]);
        var from = a.GetDate("from") ?? throw new ArgumentException("--from YYYY-MM-DD is required (the replay starts after it).");
        var count = a.GetInt("sessions", 250);
        var (profile, dir, rules) = OperationsArgs.Read(a);
        var r = OperationsArgs.Run(a, profile, dir, rules, prices =>
            {
                var days = OperationsJob.SessionsAfter(prices, from, count);
                OperationsJob.CheckDay(prices, days[0], "--from: the first session");
                return days;
            },
            string.Create(CultureInfo.InvariantCulture, $"cbi replay --from {from:yyyy-MM-dd} --sessions {count}"),
            Path.Combine(OperationsJob.ReplayDir(dir, from, count), "alerts.jsonl"), null);
        OperationsArgs.PrintSummary(r);
        Console.WriteLine($"replay {r.Sessions[0]:yyyy-MM-dd} … {r.Sessions[^1]:yyyy-MM-dd}: {r.Forecasts.Count} forecasts ({r.NewForecasts} new), " +
                          $"{r.Abstentions.Count} abstentions, {r.Matured.Count} matured, {r.Alerts.Count} alerts ({r.EmailsSent} e-mails) → {Workbench.Relative(Path.Combine(OperationsJob.ReplayDir(dir, from, count), "alerts.jsonl"))}");
        return 0;
    }
}
