using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi worker`: one of many processes running the trials of one shared search study.</summary>
internal sealed class WorkerCommand : ICliCommand
{
    public string Name => "worker";
    public string Usage => "worker --storage postgres://user@host:port/db [--study NAME] [--model NAME --horizon H [--profile smoke|full] [--trials N] [--seed S]] " +
                           "[--warehouse PATH] [--host NAME]  run trials of a shared study until it holds its budget (start as many as you like, on any machine)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("storage", "study", "model", "horizon", "profile", "trials", "seed", "warehouse", "host");
        var storage = a.Get("storage") ?? throw new ArgumentException("--storage is required: postgres://user@host:port/database (or a DuckDB file for a single worker).");
        Cbi.Workbench.Search.StudyStorage.CheckLocation(storage, "--storage");
        SearchTask? task = null;
        if (a.Get("model") is { } model)
        {
            var spec = ModelCatalog.Get(model);
            if (spec.Space is null) throw new ArgumentException($"{spec.Name} has no search space; use `cbi backtest --model {spec.Name}`.");
            var h = a.Get("horizon") ?? throw new ArgumentException("--model needs --horizon H (trading days).");
            var horizon = RunProfile.ParseHorizons(h, "--horizon") is [var one] ? one : throw new ArgumentException("--horizon takes one horizon; start one study per horizon.");
            var profile = RunProfile.For(a.Get("profile") ?? RunProfile.Current.Name);
            task = new SearchTask(spec.Name, horizon, profile.Name, a.GetInt("trials", profile.Search.Trials), a.GetInt("seed", 42, min: 0));
        }
        else if (a.Has("horizon") || a.Has("trials") || a.Has("profile") || a.Has("seed"))
            throw new ArgumentException("--horizon, --profile, --trials and --seed describe a new study's task and need --model; a worker joining a study reads them from it.");
        var best = ModelSearch.Work(storage, a.Get("study"), task, a.Get("warehouse"), a.Get("host"));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "study budget reached; best mean pinball {0:G6} (trial {1})  {2}",
            best.Value, best.Number, string.Join(" ", best.Labels.Select(kv => $"{kv.Key}={kv.Value}"))));
        return 0;
    }
}
