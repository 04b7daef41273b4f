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
    public string Usage => "bench --model NAME[,NAME…] [--repeats 5] [--walk-forward] [--workers 1,2 [--trials 16] [--storage postgres://…]]  time one fit on 20 years " +
                           "of daily ZL + predicting a validation fold (→ bench/model-<name>.json, plus the model's own benchmarks); --walk-forward: 60 origins × 5 " +
                           "horizons of the named models together; --workers: the same search budget run by 1 and by 2 `cbi worker` processes on one PostgreSQL study";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "walk-forward");
        a.RejectUnknown([.. ModelArgs.Known, "repeats", "walk-forward", "workers", "trials", "storage"]);
        var (models, profile) = ModelArgs.Read(a);
        var repeats = a.GetInt("repeats", 5);
        if (a.Has("workers"))
        {
            var spec = models is [var one] ? one : throw new ArgumentException("--workers benchmarks the search of one model (--model NAME).");
            var horizon = a.Get("horizons") is null ? 5 : profile.Horizons is [var h] ? h : throw new ArgumentException("--workers takes one horizon (--horizons H).");
            SearchWorkers.Run(spec, a.GetInts("workers", [1, 2]), horizon, profile, a.GetInt("trials", 16), a.GetInt("repeats", 3), a.Get("storage"));
            return 0;
        }
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
            foreach (var extra in spec.ExtraBenchmarks?.Invoke(dev, Splits.TrainRows(dev, h), h, repeats, RunContext.Current) ?? [])
                Console.WriteLine($"{spec.Name}: recorded {extra}");
        }
        if (models.Any(m => m.Name is "arima" or "ets")) VersusR(Dev(ModelInputs.Prices), repeats);
        return 0;
    }

    /// <summary>R's <c>auto.arima</c> + <c>ets</c> fit times beside the workbench's on the same series in the same run:
    /// the 20-year ZL window of the model benchmark (the unbroken run the models fit on) and the eight classic R series
    /// of the parity suite, each as consecutive daily closes (log fitted). Skipped with a note when Rscript is absent.</summary>
    static void VersusR(Frame dev, int repeats)
    {
        var rscript = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "Rscript")).FirstOrDefault(File.Exists);
        if (rscript == null)
        {
            Console.WriteLine("Rscript not found: R's auto.arima/ets were not timed (scripts/bench-r.sh installs R and runs this benchmark).");
            return;
        }
        var inv = CultureInfo.InvariantCulture;
        var dir = Directory.CreateTempSubdirectory("cbi-bench-r-").FullName;
        try
        {
            const int h = 21;
            var fold = Splits.Validation(dev, h).Last();
            var end = fold.TrainRows[^1];
            var start = Array.FindIndex(dev.Dates, d => d >= dev.Dates[end].AddYears(-20));
            var run = Models.Baselines.SeriesInput.UnbrokenTrainingRows("bench", dev, fold.TrainRows.Where(r => r >= start).ToArray());
            File.WriteAllLines(Path.Combine(dir, "zl.txt"), run.Select(r => dev.Close[r].ToString("R", inv)));
            var psi = new ProcessStartInfo(rscript) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var x in new[] { Path.Combine(Workbench.Root, "scripts", "bench-r.R"), dir, repeats.ToString(inv) }) psi.ArgumentList.Add(x);
            Console.Error.WriteLine($"[bench R] timing auto.arima + ets in R ({repeats} repeats per series)…");
            using (var p = Process.Start(psi)!)
            {
                var err = p.StandardError.ReadToEndAsync();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"scripts/bench-r.R failed (exit {p.ExitCode}):\n{err.Result}");
            }
            var rLines = File.ReadAllLines(Path.Combine(dir, "r-times.tsv"));
            var rVersion = rLines[0].TrimStart('#', ' ');
            var rTimes = rLines.Skip(2).Select(l => l.Split('\t')).ToDictionary(c => c[0],
                c => (N: int.Parse(c[1], inv), Arima: double.Parse(c[2], inv), Ets: double.Parse(c[3], inv)));
            var ours = new double[repeats];
            var lines = new List<string>();
            double rTotal = 0, oursTotal = 0;
            foreach (var (name, r) in rTimes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var closes = File.ReadAllLines(Path.Combine(dir, name + ".txt")).Select(l => double.Parse(l, inv)).ToArray();
                var frame = new Frame(BusinessDays(closes.Length), closes, [], []);
                var rows = Enumerable.Range(0, closes.Length).ToArray();
                double Time(Func<IForecaster> create)
                {
                    var t = new double[repeats];
                    for (var i = -1; i < repeats; i++)
                    {
                        var m = create();
                        var sw = Stopwatch.StartNew();
                        m.Fit(frame, rows, 10);
                        if (i >= 0) t[i] = sw.Elapsed.TotalMilliseconds;
                    }
                    for (var i = 0; i < repeats; i++) ours[i] += t[i];
                    return t.Order().ElementAt(repeats / 2);
                }
                var a = Time(() => ModelCatalog.Get("arima").Create());
                var e = Time(() => ModelCatalog.Get("ets").Create());
                rTotal += r.Arima + r.Ets; oursTotal += a + e;
                var line = $"{name} (n = {r.N}): workbench auto-ARIMA {a:F1} ms + ETS {e:F1} ms; R auto.arima {r.Arima:F1} ms + ets {r.Ets:F1} ms; R/workbench {(r.Arima + r.Ets) / (a + e):F1}×";
                lines.Add(line);
                Console.WriteLine(line);
            }
            var ratio = rTotal / oursTotal;
            var notes = new Dictionary<string, string>
            {
                ["work"] = "auto-ARIMA + ETS fit (ARIMA with its exact-ML refit) per series, median of repeats after a warm-up; R: forecast::auto.arima(ts(log(x)), seasonal = FALSE) and forecast::ets(ts(log(x)), additive.only = TRUE) on the same values, timed by scripts/bench-r.R in the same run",
                ["r"] = rVersion,
                ["r_total_ms"] = rTotal.ToString("F1", inv),
                ["workbench_total_ms"] = oursTotal.ToString("F1", inv),
                ["ratio_r_over_workbench"] = ratio.ToString("F2", inv),
                ["series"] = string.Join(" | ", lines),
            };
            var rec = Benchmark.Record("arima-ets-vs-r", "ms per auto-ARIMA + ETS fit of all series (workbench)", ours, notes);
            Console.WriteLine($"auto-ARIMA + ETS over {rTimes.Count} series: workbench {oursTotal:F0} ms, R {rTotal:F0} ms → R/workbench {ratio:F1}× (recorded {rec.Name})");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static DateOnly[] BusinessDays(int n)
    {
        var d = new DateOnly(2000, 1, 3);
        var list = new DateOnly[n];
        for (var i = 0; i < n; i++) { list[i] = d; d = d.AddDays(d.DayOfWeek == DayOfWeek.Friday ? 3 : 1); }
        return list;
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
