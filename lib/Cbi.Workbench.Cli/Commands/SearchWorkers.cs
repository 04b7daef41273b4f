using System.Diagnostics;
using System.Globalization;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Search;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi bench --workers 1,2`: the same search budget (model, horizon, trials, seed) run by 1 and by N
/// `cbi worker` processes against one PostgreSQL study each, timed from launch to the last exit, repeats interleaved so
/// that a slow spell of the shared machine hits both. Records bench/&lt;model&gt;-search-workers-&lt;N&gt;.json: samples are
/// the per-repeat speed-ups wall(1 worker) / wall(N workers); the notes hold every wall time. A study location's
/// password reaches the workers through PGPASSWORD, never their command lines.</summary>
internal static class SearchWorkers
{
    internal static void Run(ModelSpec spec, int[] counts, int horizon, RunProfile profile, int trials, int repeats, string? storage)
    {
        if (spec.Space is null) throw new ArgumentException($"{spec.Name} has no search space.");
        if (counts.Length < 2 || counts[0] != 1) throw new ArgumentException("--workers lists 1 and the counts to compare with it, e.g. 1,2.");
        // Built once here so that workers only read it (and no worker's time includes a build).
        var warehouse = Data.Warehouse.EnsureBuilt();
        using var server = storage is null ? LocalPostgres.Start() : null;
        var location = storage ?? server!.Location;
        var walls = counts.ToDictionary(n => n, _ => new List<double>());
        var run = 0;
        for (var r = 0; r < repeats; r++)
            foreach (var n in r % 2 == 0 ? counts : counts.Reverse())
            {
                var study = $"bench-{spec.Name}-h{horizon}-{profile.Name}-w{n}-{DateTime.UtcNow:yyyyMMddHHmmss}-{run++}";
                var sw = Stopwatch.StartNew();
                var workers = Enumerable.Range(0, n).Select(_ => Start(location, study, spec, horizon, profile, trials, warehouse)).ToList();
                foreach (var (p, err) in workers)
                {
                    p.WaitForExit();
                    if (p.ExitCode == 0) continue;
                    foreach (var (other, _) in workers) if (!other.HasExited) other.Kill(entireProcessTree: true);
                    throw new InvalidOperationException($"a worker of study {study} failed (exit {p.ExitCode}):\n{err.Result}");
                }
                walls[n].Add(sw.Elapsed.TotalSeconds);
                var stored = Study.List(location).Single(s => s.Name == study);
                Console.WriteLine($"[bench workers] repeat {r + 1}/{repeats}: {n} worker(s), {trials} trials: {sw.Elapsed.TotalSeconds:F1} s ({stored.Trials} trials stored)");
                foreach (var (p, _) in workers) p.Dispose();
            }
        var inv = CultureInfo.InvariantCulture;
        foreach (var n in counts.Skip(1))
        {
            var ratios = walls[1].Zip(walls[n], (one, many) => one / many).ToArray();
            var rec = Benchmark.Record($"{spec.Name}-search-workers-{n}", $"speed-up: wall(1 worker) / wall({n} workers)", ratios, new Dictionary<string, string>
            {
                ["work"] = $"{spec.Name} search, h = {horizon}, profile {profile.Name}, {trials} trials on the last {profile.Search.Folds} validation folds, " +
                           $"seed 42, each run a fresh PostgreSQL study on loopback; wall = launch of the `cbi worker` processes to the last exit (their start-up included)",
                ["wall_1_worker_s"] = string.Join(",", walls[1].Select(w => w.ToString("F1", inv))),
                [$"wall_{n}_workers_s"] = string.Join(",", walls[n].Select(w => w.ToString("F1", inv))),
                ["goal"] = "≥ 1.7 on 2 cores",
            });
            Console.WriteLine($"{spec.Name} search, {trials} trials: 1 worker {Median(walls[1]):F1} s, {n} workers {Median(walls[n]):F1} s → speed-up {rec.Median:F2}× (median of {repeats}; recorded {rec.Name})");
        }
    }

    static double Median(List<double> x) => x.Order().ElementAt(x.Count / 2);

    static (Process Process, Task<string> Stderr) Start(string location, string study, ModelSpec spec, int horizon, RunProfile profile, int trials, string warehouse)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        (location, var password) = StudyStorage.SplitPassword(location);
        if (password is not null) psi.Environment["PGPASSWORD"] = password;
        if (Path.GetFileNameWithoutExtension(psi.FileName) == "dotnet") psi.ArgumentList.Add(typeof(SearchWorkers).Assembly.Location);
        foreach (var a in new[] { "worker", "--storage", location, "--study", study, "--model", spec.Name, "--horizon", horizon.ToString(CultureInfo.InvariantCulture),
                     "--profile", profile.Name, "--trials", trials.ToString(CultureInfo.InvariantCulture), "--warehouse", warehouse })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        return (p, err);
    }
}
