using System.Diagnostics;
using Cbi.Workbench.Notebooks;

namespace Cbi.Workbench.Cli;

/// <summary>`cbi run-all`: notebooks/01… to 08… in order, each written under artifacts/&lt;profile&gt;/notebooks/;
/// the chain stops at the first notebook that fails, because every later one reads what the earlier wrote.</summary>
internal sealed class RunAllCommand : ICliCommand
{
    public string Name => "run-all";
    public string Usage => "run-all [--profile smoke|full] [--input key=value]... [--cell-timeout SECONDS]  run notebooks/01…08 in order, stop at the first failure";

    public int Run(string[] args)
    {
        // The kernel redirects Console.Error while a cell runs (to capture it), and a hung cell never hands it back:
        // messages of this command go to the terminal's writer, taken before anything runs.
        var stderr = Console.Error;
        var a = new CliArgs(args);
        a.RejectUnknown("profile", "input", "cell-timeout");
        if (a.Positional.Count != 0) throw new ArgumentException("usage: cbi " + Usage);
        var inputs = RunCommand.Inputs(a);
        if (a.Get("profile") is { } profile)
        {
            if (profile is not ("smoke" or "full")) throw new ArgumentException($"--profile {profile}: expected smoke or full.");
            inputs["profile"] = profile;
        }
        inputs.TryAdd("profile", Workbench.Profile);
        var options = RunCommand.Options(a, inputs);

        var folder = Path.Combine(Workbench.Root, "notebooks");
        var notebooks = Directory.GetFiles(folder, "*.dib")
            .Where(f => char.IsAsciiDigit(Path.GetFileName(f)[0]))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (notebooks.Count == 0) throw new FileNotFoundException($"no numbered .dib notebooks in {folder}");

        var wall = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        var done = new List<object>();
        // The record says "running" from the first moment, so a killed run can never be read as a finished one.
        WriteManifest(inputs, started, wall.Elapsed, done, "running", null);
        stderr.WriteLine($"run-all: {notebooks.Count} notebooks, profile {inputs["profile"]}");
        using var guard = new EarlyExitGuard(why => WriteManifest(inputs, started, wall.Elapsed, done, "failed", why));
        foreach (var nb in notebooks)
        {
            guard.Current = Path.GetFileName(nb);
            var output = RunCommand.DefaultOutput(nb, inputs);
            NotebookRunResult result;
            try { result = NotebookRunner.Run(nb, output, options); }
            catch (NotebookTimeoutException e)
            {
                guard.Dispose();
                WriteManifest(inputs, started, wall.Elapsed, done, "failed", e.Message);
                stderr.WriteLine($"run-all: {e.Message}; later notebooks not run. Wall {wall.Elapsed.TotalSeconds:F1} s");
                return 2; // ends the process, and with it the hung cell
            }
            done.Add(new { notebook = Path.GetFileName(nb), output = Workbench.Relative(output),
                cells_ok = result.CellsRun - result.CellsFailed, cells_failed = result.CellsFailed,
                seconds = Math.Round(result.Wall.TotalSeconds, 2) });
            if (result.ExitCode != 0)
            {
                guard.Dispose();
                WriteManifest(inputs, started, wall.Elapsed, done, "failed", $"{Path.GetFileName(nb)}: {result.CellsFailed} failed cell(s)");
                stderr.WriteLine($"run-all: stopped at {Path.GetFileName(nb)} ({result.CellsFailed} failed cells, see {Workbench.Relative(output)}); " +
                                        $"later notebooks not run. Wall {wall.Elapsed.TotalSeconds:F1} s");
                return result.ExitCode;
            }
            WriteManifest(inputs, started, wall.Elapsed, done, "running", null);
        }
        guard.Dispose();
        WriteManifest(inputs, started, wall.Elapsed, done, "ok", null);
        stderr.WriteLine($"run-all: all {notebooks.Count} notebooks ok, wall {wall.Elapsed.TotalSeconds:F1} s; " +
                                $"outputs in {Workbench.Relative(Path.Combine(Workbench.ArtifactsDir, inputs["profile"], "notebooks"))}");
        // The reviewer's page: the holdout verdict (07-holdout) as one offline HTML report; operations (08) come after it.
        var holdout = notebooks.FirstOrDefault(f => Path.GetFileName(f).StartsWith("07-", StringComparison.Ordinal)) ?? notebooks[^1];
        var last = RunCommand.DefaultOutput(holdout, inputs);
        var report = Path.Combine(Workbench.ArtifactsDir, inputs["profile"], "report.html");
        Cbi.Workbench.Reporting.NotebookReport.Render(last, report);
        stderr.WriteLine($"run-all: report {Workbench.Relative(report)}");
        return 0;
    }

    /// <summary>artifacts/&lt;profile&gt;/run-manifest.json: what produced the artifacts beside it (state, commit, data
    /// version, inputs, machine, per-notebook timings), so a reader can tell whether they are current and complete.
    /// <c>state</c> is <c>running</c> from the start until the run ends as <c>ok</c> or <c>failed</c> (with the reason);
    /// a run killed from outside stays <c>running</c>, which no finished run ever says.</summary>
    static void WriteManifest(Dictionary<string, string> inputs, DateTime started, TimeSpan wall, List<object> notebooks, string state, string? reason)
    {
        var manifest = new
        {
            state,
            ok = state == "ok",
            reason,
            started_utc = started.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            wall_seconds = Math.Round(wall.TotalSeconds, 1),
            git_commit = Cbi.Workbench.Reporting.Benchmark.GitCommit(),
            data_version = DataVersionOrNull(),
            inputs,
            machine = Cbi.Workbench.Reporting.Benchmark.MachineDescription(),
            notebooks,
        };
        var path = Path.Combine(Workbench.ArtifactsDir, inputs["profile"], "run-manifest.json");
        Cbi.Workbench.IO.AtomicFile.WriteAllText(path,
            System.Text.Json.JsonSerializer.Serialize(manifest, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    // A notebook folder outside a workbench checkout (tests, scratch) has no raw manifest; say so rather than fail.
    static string? DataVersionOrNull() =>
        File.Exists(Path.Combine(Workbench.RawDir, "MANIFEST.tsv")) ? Cbi.Workbench.Data.RawManifest.DataVersion() : null;
}
