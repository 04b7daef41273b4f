using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi bench-baselines`: the two timings of the evaluation core in artifacts/bench/.</summary>
internal sealed class BenchBaselinesCommand : ICliCommand
{
    public string Name => "bench-baselines";
    public string Usage => "bench-baselines [--repeats 5]  time a 60-origin × 5-horizon walk-forward of the four fast baselines, " +
                           "and one auto-ARIMA + ETS fit on 20 years of daily ZL";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("repeats");
        var repeats = a.GetInt("repeats", 5);
        // Rows before the holdout only: a benchmark has no business near holdout prices.
        var frame = Splits.Development(BaselineStudy.PriceFrame(Snapshot.Load(Warehouse.EnsureBuilt()).Bars("ZL")));

        // 60 origins (one fold each, refitted every origin) from the first scorable validation rows.
        int[] horizons = [5, 21, 63, 126, 252];
        var folds = horizons.SelectMany(h => WalkForwardSplit.Create(frame, new WalkForwardOptions
        { Horizon = h, Folds = 60, Step = 1, ScoreStart = new DateOnly(2021, 1, 4) })).ToList();
        var rowsPerRun = 0;
        Benchmark.Measure("walkforward-fast-baselines", () =>
        {
            rowsPerRun = 0;
            foreach (var m in Baseline.Fast)
                rowsPerRun += WalkForward.Run(Baseline.Factory(m), frame, folds, horizons, progress: false).Rows.Count;
        }, repeats, notes: new Dictionary<string, string>
        {
            ["work"] = "60 origins × 5 horizons (5,21,63,126,252) × 4 baselines (rw, rw_drift, snaive, mean), refit per origin",
            ["series"] = $"ZL quoted close, {frame.Rows} rows {frame.Dates[0]:yyyy-MM-dd}..{frame.Dates[^1]:yyyy-MM-dd}",
            ["goal"] = "≤ 2000 ms",
        });
        Console.WriteLine($"walk-forward: {rowsPerRun} prediction rows per run");

        // 20 years of daily ZL ending at the last validation date.
        var end = Array.FindLastIndex(frame.Dates, d => d <= Splits.ValidationEnd);
        var start = Array.FindIndex(frame.Dates, d => d >= frame.Dates[end].AddYears(-20));
        var train = Enumerable.Range(start, end - start + 1).ToArray();
        string fitted = "";
        Benchmark.Measure("fit-autoarima-ets-20y", () =>
        {
            var arima = Baseline.Arima(); arima.Fit(frame, train, 1);
            var ets = Baseline.Ets(); ets.Fit(frame, train, 1);
            fitted = $"arima {arima.Info!.Parameters["order"]} ({arima.Info.Parameters["models_tried"]} models), ets {ets.Info!.Parameters["kind"]}";
        }, Math.Max(1, repeats / 2 + 1), notes: new Dictionary<string, string>
        {
            ["work"] = "one auto-ARIMA (KPSS d, stepwise AICc, CSS) + one ETS (3 variants, AICc) fit on log price",
            ["series"] = $"ZL quoted close, {train.Length} rows {frame.Dates[start]:yyyy-MM-dd}..{frame.Dates[end]:yyyy-MM-dd}",
        });
        Console.WriteLine("fits: " + fitted);
        return 0;
    }
}
