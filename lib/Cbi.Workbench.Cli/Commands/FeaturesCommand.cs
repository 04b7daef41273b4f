using Cbi.Workbench.Data;
using Cbi.Workbench.Features;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class FeaturesCommand : ICliCommand
{
    public string Name => "features";
    public string Usage => "features [--as-of YYYY-MM-DD] --out PATH [--warehouse PATH] [--features a,b,…] [--bench N]  write the point-in-time feature table (Parquet); --bench times N full builds into artifacts/bench/features-build.json";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("as-of", "out", "warehouse", "features", "bench");
        if (a.Has("bench"))
        {
            var repeats = a.GetInt("bench", 0);
            var r = FeatureBench.Run(a.Get("warehouse") ?? Warehouse.EnsureBuilt(), repeats);
            Console.WriteLine($"features-build: median {r.Median:F0} ms over {r.Samples.Length} runs → {Path.Combine(Workbench.BenchDir, "features-build.json")}");
            if (a.Get("out") is null) return 0;
        }
        var outPath = a.Get("out") ?? throw new ArgumentException("--out PATH is required.");
        var asOf = a.GetDate("as-of");
        var names = a.Get("features")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var options = new FeatureOptions { Features = names };
        FeatureCatalogue.Select(names); // unknown names fail before any work
        var wh = a.Get("warehouse") ?? Warehouse.EnsureBuilt(); // an explicit --warehouse that is stale is refused by Snapshot.Load
        Console.Error.WriteLine($"[features] building from {wh}{(asOf is { } d ? $" as of {d:yyyy-MM-dd}" : "")}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var frame = FeatureBuilder.Build(wh, asOf, options);
        Console.Error.WriteLine($"[features] {frame.Rows} rows × {frame.FeatureNames.Length} features in {sw.Elapsed.TotalSeconds:F2} s; writing {outPath}");
        FeatureTable.WriteParquet(frame, outPath);
        Console.WriteLine($"features {Path.GetFullPath(outPath)}: {frame.Rows} rows {frame.Dates[0]:yyyy-MM-dd}…{frame.Dates[^1]:yyyy-MM-dd}, {frame.FeatureNames.Length} features (hash {Scaler.HashOf(frame.FeatureNames)})");
        return 0;
    }
}
