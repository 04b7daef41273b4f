using System.Diagnostics;
using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi bench`: timings of catalogue models in artifacts/bench/ (medians of repeated runs).</summary>
internal sealed class BenchCommand : ICliCommand
{
    public string Name => "bench";
    public string Usage => "bench --model NAME[,NAME…] [--repeats 5] [--walk-forward]  time one fit on 20 years of daily ZL + predicting a validation fold " +
                           "(→ bench/model-<name>.json, plus the model's own benchmarks); --walk-forward: 60 origins × 5 horizons of the named models together";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "walk-forward");
        a.RejectUnknown([.. ModelArgs.Known, "repeats", "walk-forward"]);
        var (models, _) = ModelArgs.Read(a);
        var repeats = a.GetInt("repeats", 5);
        var frames = new Dictionary<ModelInputs, Frame>();
        // Rows before the holdout only: a benchmark has no business near holdout prices.
        Frame Dev(ModelInputs i) => frames.TryGetValue(i, out var f) ? f : frames[i] = Splits.Development(ModelComparison.FrameFor(i));
        if (a.Has("walk-forward")) { WalkForward(models, Dev, repeats, a.Get("model")!); return 0; }
        foreach (var spec in models)
        {
            var dev = Dev(spec.Inputs);
            const int h = 21;
            // 20 years of daily ZL ending at the last training row of the last validation fold; that fold is predicted.
            var fold = Splits.Validation(dev, h).Last();
            var end = fold.TrainRows[^1];
            var start = Array.FindIndex(dev.Dates, d => d >= dev.Dates[end].AddYears(-20));
            var train = fold.TrainRows.Where(r => r >= start).ToArray();
            var fit = new double[repeats];
            var predict = new double[repeats];
            string described = "";
            for (var i = -1; i < repeats; i++)
            {
                var m = spec.Create();
                try
                {
                    var sw = Stopwatch.StartNew();
                    m.Fit(dev, train, h);
                    var tFit = sw.Elapsed.TotalMilliseconds;
                    sw.Restart();
                    m.Predict(dev, fold.ScoreRows);
                    var tPredict = sw.Elapsed.TotalMilliseconds / fold.ScoreRows.Length;
                    if (i >= 0) { fit[i] = tFit; predict[i] = tPredict; }
                    described = string.Join(" ", m.Info!.Parameters.Take(6).Select(kv => $"{kv.Key}={kv.Value}"));
                    Console.Error.WriteLine($"[bench {spec.Name}] run {i + 2}/{repeats + 1}: fit {tFit:F0} ms, predict {tPredict:F3} ms/origin{(i < 0 ? " (warm-up)" : "")}");
                }
                finally { (m as IDisposable)?.Dispose(); }
            }
            var inv = CultureInfo.InvariantCulture;
            var r = Benchmark.Record($"model-{spec.Name}", "ms per fit", fit, new Dictionary<string, string>
            {
                ["work"] = $"one Fit (default point) on {train.Length} rows {dev.Dates[train[0]]:yyyy-MM-dd}..{dev.Dates[train[^1]]:yyyy-MM-dd}, h = {h}, then Predict of {fold.ScoreRows.Length} origins",
                ["predict_ms_per_origin_median"] = predict.Order().ElementAt(repeats / 2).ToString("G4", inv),
                ["inputs"] = spec.Inputs.ToString(), ["fitted"] = described,
            });
            Console.WriteLine($"{spec.Name}: fit {r.Median:F1} ms (median of {repeats}), predict {predict.Order().ElementAt(repeats / 2):G4} ms per origin");
            foreach (var extra in spec.ExtraBenchmarks?.Invoke(dev, Splits.TrainRows(dev, h), h, repeats) ?? [])
                Console.WriteLine($"{spec.Name}: recorded {extra}");
        }
        return 0;
    }

    static void WalkForward(IReadOnlyList<ModelSpec> models, Func<ModelInputs, Frame> dev, int repeats, string label)
    {
        var horizons = RunProfile.AllHorizons.Where(h => h > 1).ToArray();
        var rowsPerRun = 0;
        var first = dev(models[0].Inputs);
        Benchmark.Measure($"walkforward-{label.Replace(',', '-')}", () =>
        {
            rowsPerRun = 0;
            foreach (var m in models)
            {
                var frame = dev(m.Inputs);
                // 60 origins (one fold each, refitted every origin) from the first scorable validation rows.
                var folds = horizons.SelectMany(h => WalkForwardSplit.Create(frame, new WalkForwardOptions
                    { Horizon = h, Folds = 60, Step = 1, ScoreStart = new DateOnly(2021, 1, 4) })).ToList();
                rowsPerRun += Backtest.Run(m, frame, folds, horizons, progress: false).Rows.Count;
            }
        }, repeats, notes: new Dictionary<string, string>
        {
            ["work"] = $"60 origins × 5 horizons (5,21,63,126,252) × {models.Count} models ({string.Join(", ", models.Select(m => m.Name))}), refit per origin",
            ["series"] = $"ZL, {first.Rows} rows {first.Dates[0]:yyyy-MM-dd}..{first.Dates[^1]:yyyy-MM-dd}",
        });
        Console.WriteLine($"walk-forward: {rowsPerRun} prediction rows per run");
    }
}
