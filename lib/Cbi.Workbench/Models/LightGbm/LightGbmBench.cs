using Cbi.Workbench.IO;
using System.Diagnostics;
using System.Globalization;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>Timings of the LightGBM binding on a real feature matrix, recorded under artifacts/bench/.</summary>
internal static class LightGbmBench
{
    /// <summary>Wall time of 100 boosting rounds of a P50 quantile model (default search-centre settings,
    /// no early stopping, one thread) on the given rows, dataset binning included; median of
    /// <paramref name="repeats"/> runs after one warm-up.</summary>
    public static BenchmarkResult MsPer100Rounds(Frame frame, IReadOnlyList<int> rows, int horizon, int repeats = 5, string name = "lgbm-ms-per-100-rounds")
    {
        var use = rows.Where(r => double.IsFinite(frame.Target(r, horizon))).ToArray();
        var data = new LightGbmDataset(LightGbmMatrix.FromColumns(frame.Features, use), use.Select(r => frame.Target(r, horizon)).ToArray());
        var o = new LightGbmQuantileOptions().Booster with { Objective = LightGbmObjective.Quantile, Alpha = 0.5, Iterations = 100, EarlyStoppingRounds = 0 };
        var samples = new double[repeats];
        for (var i = -1; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            using var m = LightGbmModel.Train(data, o, null, frame.FeatureNames);
            if (i >= 0) samples[i] = sw.Elapsed.TotalMilliseconds * 100.0 / m.BestIteration;
            Log.Progress($"[bench {name}] run {i + 2}/{repeats + 1}: {sw.Elapsed.TotalMilliseconds:F0} ms for {m.BestIteration} rounds{(i < 0 ? " (warm-up)" : "")}");
        }
        var inv = CultureInfo.InvariantCulture;
        return Benchmark.Record(name, "ms per 100 rounds", samples, new Dictionary<string, string>
        {
            ["rows"] = use.Length.ToString(inv), ["features"] = frame.FeatureNames.Length.ToString(inv), ["horizon"] = horizon.ToString(inv),
            ["objective"] = "quantile alpha=0.5", ["threads"] = o.Threads.ToString(inv),
            ["params"] = $"num_leaves={o.NumLeaves} max_depth={o.MaxDepth} min_data_in_leaf={o.MinDataInLeaf} feature_fraction={o.FeatureFraction} bagging_fraction={o.BaggingFraction}",
            ["includes"] = "dataset binning + 100 rounds + model text round-trip",
        });
    }
}
