using System.Diagnostics;
using Cbi.Workbench.Data;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Features;

/// <summary>Times the full-history feature build for artifacts/bench/features-build.json (goal ≤ 5 s on 2 cores).</summary>
internal static class FeatureBench
{
    /// <summary>Builds the full-history features once (timed separately as the in-process first build, which
    /// includes the warehouse read when this process has not loaded it yet), then runs one untimed warm-up and
    /// <paramref name="repeats"/> timed builds, writing artifacts/bench/features-build.json.</summary>
    /// <param name="warehousePath">The DuckDB warehouse; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="repeats">Timed builds (≥ 1).</param>
    /// <returns>The recorded result: samples in milliseconds per build.</returns>
    /// <exception cref="FileNotFoundException">There is no warehouse file.</exception>
    /// <exception cref="InvalidDataException">The warehouse is stale.</exception>
    public static BenchmarkResult Run(string? warehousePath = null, int repeats = 5)
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
