using System.Diagnostics;
using System.Globalization;
using Cbi.Workbench.Data;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models.LightGbm;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi lgbm`: the LightGBM quantile search and benchmark without a notebook (long full-profile runs).</summary>
internal sealed class LgbmCommand : ICliCommand
{
    public string Name => "lgbm";
    public string Usage => "lgbm search|bench [--horizons 5,21] [--profile smoke|full] [--study PATH]  tune LightGBM quantile models / time 100 rounds";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("horizons", "profile", "study", "repeats");
        if (a.Positional.Count != 1 || a.Positional[0] is not ("search" or "bench"))
            throw new ArgumentException("usage: cbi " + Usage);
        if (a.Get("profile") is { } p) Environment.SetEnvironmentVariable(Workbench.ParameterVariable("profile"), p);
        var horizons = a.GetInts("horizons", [1, 5, 21, 63, 126, 252]);
        var frame = Splits.Development(FeatureBuilder.Build(Warehouse.EnsureBuilt()));
        Console.Error.WriteLine($"[lgbm] development frame {frame.Rows} rows {frame.Dates[0]:yyyy-MM-dd}…{frame.Dates[^1]:yyyy-MM-dd} × {frame.FeatureNames.Length} features");
        if (a.Positional[0] == "bench")
        {
            var h = horizons.Contains(21) ? 21 : horizons[0];
            var r = LightGbmBench.MsPer100Rounds(frame, Splits.TrainRows(frame, h), h, a.GetInt("repeats", 5));
            Console.WriteLine($"{r.Median:F1} {r.Unit} (median of {r.Samples.Length})");
            return 0;
        }
        var profile = LightGbmSearchProfile.For(Workbench.Profile);
        var sw = Stopwatch.StartNew();
        var results = LightGbmSearch.SearchValidation(frame, horizons, profile, a.Get("study"));
        foreach (var r in results)
            Console.WriteLine($"h={r.Horizon,-4} best mean pinball {r.Best.Value:G5} (trial {r.Best.Number}, {r.Trials} trials, {r.Pruned} pruned, {r.Seconds:F0} s)  " +
                string.Join(" ", r.Best.Labels.Select(kv => $"{kv.Key}={kv.Value}")));
        Benchmark.Record($"lgbm-search-{profile.Name}-wall", "s", [sw.Elapsed.TotalSeconds], new Dictionary<string, string>
        {
            ["horizons"] = string.Join(",", horizons), ["trials_per_horizon"] = profile.Trials.ToString(CultureInfo.InvariantCulture),
            ["folds"] = profile.MaxFolds.ToString(CultureInfo.InvariantCulture), ["rows"] = frame.Rows.ToString(CultureInfo.InvariantCulture),
            ["features"] = frame.FeatureNames.Length.ToString(CultureInfo.InvariantCulture),
            ["per_horizon_s"] = string.Join(",", results.Select(r => r.Seconds.ToString("F0", CultureInfo.InvariantCulture))),
        });
        return 0;
    }
}
