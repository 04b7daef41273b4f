using System.Globalization;
using Cbi.Workbench.Search;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi study`: list the search studies of a database, show one study's trials, export its history.</summary>
internal sealed class StudyCommand : ICliCommand
{
    public string Name => "study";
    public string Usage => "study [NAME] [--db PATH|postgres://user@host:port/db] [--csv OUT]  list search studies, or show/export one study's trials";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("db", "csv");
        var db = a.Get("db") ?? Study.DefaultPath;
        var inv = CultureInfo.InvariantCulture;
        if (a.Positional.Count == 0)
        {
            var all = Study.List(db);
            if (all.Count == 0) { Console.WriteLine($"no studies in {StudyStorage.Parse(db).Display}"); return 0; }
            foreach (var s in all) Console.WriteLine(string.Format(inv, "{0,-28} {1,4} trials {2,4} complete  best {3:G6}  {4}", s.Name, s.Trials, s.Complete, s.BestValue, s.Sampler));
            return 0;
        }
        // A read: the study file is opened read-only, no trial state changes.
        using var study = Study.OpenReadOnly(a.Positional[0], db);
        foreach (var t in study.Trials)
            Console.WriteLine(string.Format(inv, "#{0,-3} {1,-8} {2,12:G6} {3,7:F1} s  {4}{5}", t.Number, t.State, t.Value, t.Seconds,
                string.Join(" ", t.Labels.Select(kv => $"{kv.Key}={kv.Value}")), t.DuplicateOf is { } d ? $"  (re-used #{d}, not run)" : ""));
        if (a.Get("csv") is { } csv) { study.ExportCsv(csv); Console.WriteLine($"wrote {csv}"); }
        return 0;
    }
}
