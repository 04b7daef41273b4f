using System.Diagnostics;
using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi search`: hyperparameter search of catalogue models, then their validation walk-forward with the tuned
/// parameters.</summary>
internal sealed class SearchCommand : ICliCommand
{
    public string Name => "search";
    public string Usage => "search --model NAME[,NAME…] [--profile smoke|full] [--horizons 5,21] [--study PATH] [--no-warehouse]  " +
                           "TPE + median pruner per horizon (resumable), then walk-forward with the best point → predictions.parquet";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "no-warehouse");
        a.RejectUnknown([.. ModelArgs.Known, "study", "no-warehouse"]);
        var (models, profile) = ModelArgs.Read(a);
        var scratch = a.Get("study");
        if (scratch != null) Cbi.Workbench.Search.StudyStorage.CheckLocation(scratch, "--study");
        foreach (var spec in models)
            if (spec.Space is null) throw new ArgumentException($"{spec.Name} has no search space; use `cbi backtest --model {spec.Name}`.");
        foreach (var spec in models)
        {
            var frame = ModelComparison.FrameFor(spec.Inputs);
            var sw = Stopwatch.StartNew();
            var results = ModelSearch.SearchValidation(spec, frame, profile, scratch);
            foreach (var r in results)
                Console.WriteLine($"{spec.Name} h={r.Horizon,-4} best quantile score {r.QuantileScore:G5} (trial {r.Best!.Number}, {r.Trials} trials, {r.Pruned} pruned, {r.Seconds:F0} s)  " +
                                  string.Join(" ", r.Best.Labels.Select(kv => $"{kv.Key}={kv.Value}")));
            if (scratch != null)
            {
                // A scratch study is an experiment: it never replaces the canonical predictions or benchmarks.
                Console.WriteLine($"scratch study {scratch}: histories and best points beside it; predictions.parquet left unchanged");
                continue;
            }
            var inv = CultureInfo.InvariantCulture;
            Benchmark.Record($"{spec.Name}-search-{profile.Name}-wall", "s", [sw.Elapsed.TotalSeconds], new Dictionary<string, string>
            {
                ["horizons"] = string.Join(",", results.Select(r => r.Horizon)), ["trials_per_horizon"] = profile.Search.Trials.ToString(inv),
                ["folds"] = profile.Search.Folds.ToString(inv), ["per_horizon_s"] = string.Join(",", results.Select(r => r.Seconds.ToString("F0", inv))),
            });
            var run = ModelSearch.RunValidation(spec, frame, results, profile);
            PredictionStore.Write(run, warehousePath: a.Has("no-warehouse") ? null : "");
            Console.WriteLine($"{spec.Name}: {run.Rows.Count} validation rows with the tuned parameters, {run.QuantileCrossings} crossings repaired, {run.Abstentions.Count} abstentions");
        }
        return 0;
    }
}
