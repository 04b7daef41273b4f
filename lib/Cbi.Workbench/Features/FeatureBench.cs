using System.Diagnostics;
using Cbi.Workbench.Data;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Features;

/// <summary>Times the full-history feature build for artifacts/bench/features-build.json (goal ≤ 5 s on 2 cores).</summary>
public static class FeatureBench
{
    public static Benchmark.Result Run(string? warehousePath = null, int repeats = 5)
    {
        // The first load in a process reads the warehouse tables (cached per file version afterwards); timed
        // separately so a fresh process (`cbi features --bench N`) shows the cold cost next to the build itself.
        var sw = Stopwatch.StartNew();
        var first = FeatureBuilder.Build(warehousePath);
        var cold = sw.Elapsed.TotalMilliseconds;
        return Benchmark.Measure("features-build", () => FeatureBuilder.Build(Snapshot.Load(warehousePath)), repeats, warmups: 1,
            notes: new Dictionary<string, string>
            {
                ["what"] = "FeatureBuilder.Build on the full-history snapshot (warehouse tables already in memory)",
                ["rows"] = first.Rows.ToString(),
                ["features"] = first.FeatureNames.Length.ToString(),
                ["first_build_ms_in_process (includes the warehouse read unless this process had already loaded it)"] = cold.ToString("F0"),
                ["goal"] = "≤ 5000 ms",
            });
    }
}
