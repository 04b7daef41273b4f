using Cbi.Workbench.IO;
using System.Diagnostics;
using System.Text.Json;

namespace Cbi.Workbench.Reporting;

/// <summary>Timings for artifacts/bench/. The machines are shared and noisy, so a benchmark repeats its
/// work and reports the median (and all samples); unit tests never assert on time.</summary>
internal static class Benchmark
{

    /// <summary>Runs <paramref name="work"/> <paramref name="repeats"/> times after <paramref name="warmups"/>
    /// untimed runs and writes artifacts/bench/&lt;name&gt;.json atomically.</summary>
    public static BenchmarkResult Measure(string name, Action work, int repeats = 5, int warmups = 1,
        IReadOnlyDictionary<string, string>? notes = null)
    {
        for (var i = 0; i < warmups; i++) work();
        var samples = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            Log.Progress($"[bench {name}] run {i + 1}/{repeats}");
            var sw = Stopwatch.StartNew();
            work();
            samples[i] = sw.Elapsed.TotalMilliseconds;
        }
        return Record(name, "ms", samples, notes);
    }

    /// <summary>Records samples measured elsewhere (e.g. ms per 100 boosting iterations).</summary>
    public static BenchmarkResult Record(string name, string unit, double[] samples, IReadOnlyDictionary<string, string>? notes = null)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        var median = sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var r = new BenchmarkResult(name, unit, median, sorted[0], sorted[^1], samples, MachineDescription(), GitCommit(),
            DateTime.UtcNow, notes ?? new Dictionary<string, string>());
        AtomicFile.WriteAllText(Path.Combine(Workbench.BenchDir, name + ".json"),
            JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
        Log.Progress($"[bench {name}] median {median:F1} {unit} over {samples.Length} runs");
        return r;
    }

    public static string MachineDescription() =>
        $"{Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0)} GiB, " +
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public static string GitCommit()
    {
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short HEAD")
            { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Workbench.Root };
            using var p = Process.Start(psi)!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? s : "unknown";
        }
        catch (Exception) { return "unknown"; }
    }
}

/// <summary>A benchmark recorded under artifacts/bench/&lt;name&gt;.json by a bench command (<c>cbi bench</c>,
/// <c>cbi warehouse --bench</c>, <c>cbi features --bench</c>): the median of repeated runs with every sample, the
/// machine and the commit. Notebooks report these instead of timing (and overwriting) them.</summary>
/// <param name="Name">File name without .json.</param>
/// <param name="Unit">Unit of the samples (e.g. "ms", "ms per fit").</param>
/// <param name="Median">Median of <paramref name="Samples"/>.</param>
/// <param name="Min">Smallest sample.</param>
/// <param name="Max">Largest sample.</param>
/// <param name="Samples">Every timed run, in run order.</param>
/// <param name="Machine">Cores, memory, OS and .NET version of the machine that measured it.</param>
/// <param name="Commit">Short git commit of the workbench.</param>
/// <param name="MeasuredUtc">When it was recorded.</param>
/// <param name="Notes">What was measured, on which data, and the goal if any.</param>
public sealed record BenchmarkResult(string Name, string Unit, double Median, double Min, double Max, double[] Samples,
    string Machine, string Commit, DateTime MeasuredUtc, IReadOnlyDictionary<string, string> Notes)
{
    /// <summary>The recorded result artifacts/bench/&lt;name&gt;.json.</summary>
    /// <exception cref="FileNotFoundException">no such benchmark has been recorded.</exception>
    /// <exception cref="InvalidDataException">the file does not hold a benchmark result.</exception>
    public static BenchmarkResult Read(string name)
    {
        var path = Path.Combine(Workbench.BenchDir, name + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"no benchmark '{name}' at {path}; run the bench command that records it (see README).", path);
        return JsonSerializer.Deserialize<BenchmarkResult>(File.ReadAllText(path))
               ?? throw new InvalidDataException($"{path} does not hold a benchmark result.");
    }

    /// <summary>Every recorded benchmark, by name.</summary>
    public static IReadOnlyList<BenchmarkResult> ReadAll() => Directory.Exists(Workbench.BenchDir)
        ? Directory.GetFiles(Workbench.BenchDir, "*.json").Order(StringComparer.Ordinal).Select(f => Read(Path.GetFileNameWithoutExtension(f))).ToArray()
        : [];
}
