using System.Diagnostics;
using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Child-process modes for the kill tests: a warehouse build and a Parquet prediction write, repeated until
/// the process is killed; a write of both prediction stores, once (optionally stopping for good between the warehouse
/// commit and the Parquet rename) or repeated until killed.</summary>
internal static class KilledWrites
{
    internal static bool TryRunChild(string[] args, out int code)
    {
        code = 0;
        switch (args)
        {
            case ["build-warehouse-forever", var path]:
                Console.WriteLine("STARTED"); Console.Out.Flush();
                while (true) Warehouse.Build(Workbench.RawDir, path, TextWriter.Null);
            case ["write-parquet-forever", var path]:
                Console.WriteLine("STARTED"); Console.Out.Flush();
                var rows = Rows(100_000);
                while (true) PredictionStore.WriteParquet(rows, path);
            case ["write-predictions", var parquet, var warehouse, var model, var horizon, .. var stop]:
                if (stop is ["stop-after-commit"])
                    PredictionStore.BetweenCommitAndRename = _ =>
                    {
                        Console.WriteLine("COMMITTED"); Console.Out.Flush();
                        Thread.Sleep(Timeout.Infinite);
                    };
                PredictionStore.Write(Rows(2_000, model, int.Parse(horizon, System.Globalization.CultureInfo.InvariantCulture)), parquet, warehouse);
                Console.WriteLine("DONE");
                return true;
            case ["write-predictions-forever", var parquet, var warehouse]:
                Console.WriteLine("STARTED"); Console.Out.Flush();
                // Every write changes every value, so a write cut short shows as a difference between the stores.
                for (var i = 1; ; i++) PredictionStore.Write(Rows(20_000, "rw", 5, shift: i), parquet, warehouse);
            default:
                return false;
        }
    }

    /// <summary>Constructed prediction rows (pure I/O test: the values only need to be valid rows): <paramref name="n"/>
    /// consecutive origins from 2020-01-06 of one model and horizon, values moved by <paramref name="shift"/>.</summary>
    internal static List<PredictionRow> Rows(int n, string model = "rw", int horizon = 5, int shift = 0)
    {
        var d = new DateOnly(2020, 1, 6);
        return Enumerable.Range(0, n).Select(i => new PredictionRow(model, horizon, d.AddDays(i), d.AddDays(i + 7), 0.001 * ((i + shift) % 7),
            -0.02, 0.0001 * (shift % 100), 0.02, i % 7, "validation")).ToList();
    }
}

/// <summary>A write killed at any moment leaves the previous file intact and no litter once the next write has started:
/// the temporary file of a dead writer is removed, and git ignores temporaries meanwhile.</summary>
[Trait("Category", "Slow")]
public class KilledWriteTests
{
    /// <summary>Starts the writer and kills it <paramref name="delay"/> ms after its temporary file appeared, so every
    /// kill lands inside a write (at different stages of it) however loaded the machine is.</summary>
    static void KillDuringWrite(string mode, string path, int delay, params string[] more)
    {
        var dir = Path.GetDirectoryName(path)!;
        var before = Temps(dir).ToHashSet();
        using var child = ChildProcess.Start([mode, path, .. more]);
        Assert.Equal("STARTED", child.StandardOutput.ReadLine());
        var sw = Stopwatch.StartNew();
        while (!Temps(dir).Except(before).Any())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), "the writer never created its temporary file");
            Thread.Sleep(1);
        }
        Thread.Sleep(delay);
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
    }

    static string[] Temps(string dir) => Directory.GetFiles(dir).Where(f => f.EndsWith(".tmp") || f.EndsWith(".tmp.wal")).ToArray();

    [Fact]
    public void a_killed_warehouse_build_never_damages_the_last_good_one_and_its_temporaries_go_at_the_next_start()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-kill-wh-").FullName;
        try
        {
            var path = Path.Combine(dir, "warehouse.duckdb");
            Warehouse.Build(Workbench.RawDir, path, TextWriter.Null);
            var leftovers = 0;
            foreach (var ms in new[] { 0, 20, 80, 200 })
            {
                KillDuringWrite("build-warehouse-forever", path, ms);
                // Readers see the old or a complete new warehouse, never a part: it opens and holds every ZL session.
                Assert.Equal(6512, Snapshot.Load(path).Bars("ZL").Count);
                leftovers += Temps(dir).Length;
                AtomicFile.RemoveStaleTemps(path); // what the next write does first
                Assert.Empty(Temps(dir));
            }
            // A temporary is left behind by the kills (otherwise the test killed at the wrong moments).
            Assert.True(leftovers > 0, "no kill landed inside a build");
            Warehouse.Build(Workbench.RawDir, path, TextWriter.Null);
            Assert.Empty(Temps(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void a_killed_parquet_write_leaves_a_readable_table_and_no_temporary_after_the_next_write()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-kill-pq-").FullName;
        try
        {
            var path = Path.Combine(dir, "predictions.parquet");
            var rows = KilledWrites.Rows(100_000);
            PredictionStore.WriteParquet(rows, path);
            var leftovers = 0;
            foreach (var ms in new[] { 0, 5, 20, 60 })
            {
                KillDuringWrite("write-parquet-forever", path, ms);
                Assert.Equal(rows.Count, PredictionStore.ReadParquet(path).Count);
                leftovers += Temps(dir).Length;
                PredictionStore.WriteParquet(rows.Take(10).ToList(), path); // the next start (rewrites ten keys)
                Assert.Empty(Temps(dir));
            }
            Assert.True(leftovers > 0, "no kill landed inside a write");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void a_writer_of_both_stores_killed_at_any_point_leaves_stores_that_agree_after_the_next_write()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-kill-both-").FullName;
        try
        {
            var wh = Evaluation.Stores.EmptyWarehouse(dir);
            var parquet = Path.Combine(dir, "smoke", "predictions.parquet");
            PredictionStore.Write(KilledWrites.Rows(20_000), parquet, wh);
            foreach (var ms in new[] { 0, 10, 40, 120, 300 })
            {
                KillDuringWrite("write-predictions-forever", parquet, ms, wh);
                PredictionStore.Write(KilledWrites.Rows(5, "next", 1), parquet, wh); // the next command
                var table = Evaluation.Stores.Parquet(parquet);
                Assert.Equal(table, Evaluation.Stores.Warehouse(wh, "smoke"));
                // The killed writer's rows are one whole write's (the old one or the new one), never a mixture.
                var rw = table.Where(r => r.Model == "rw").ToList();
                Assert.Equal(20_000, rw.Count);
                Assert.Single(rw.Select(r => r.Q50).Distinct());
                Assert.Empty(Temps(Path.GetDirectoryName(parquet)!));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>A child writer of both stores with its standard output and error collected as they come.</summary>
    sealed class Writer : IDisposable
    {
        readonly System.Text.StringBuilder output = new(), error = new();
        public Process Process { get; }

        public Writer(params string[] args)
        {
            Process = ChildProcess.Start(["write-predictions", .. args]);
            Process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            Process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (error) error.AppendLine(e.Data); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public string Output { get { lock (output) return output.ToString(); } }
        public string Error { get { lock (error) return error.ToString(); } }

        /// <summary>Waits for the writer to finish and checks it wrote: exit code 0 and "DONE".</summary>
        public void Succeeds()
        {
            Assert.True(Process.WaitForExit(TimeSpan.FromMinutes(3)), "the writer did not finish");
            Process.WaitForExit(); // flushes the redirected streams
            Assert.True(Process.ExitCode == 0 && Output.Contains("DONE"), $"exit {Process.ExitCode}: {Error}");
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    [Fact]
    public void writers_started_together_with_one_killed_between_commit_and_rename_lose_nothing_and_the_next_write_makes_the_stores_agree()
    {
        // Three writers at once: a and b of profile smoke (other models and horizons), d of profile full. Writer a stops
        // for good after its warehouse commit and is killed there (SIGKILL), the one point where the two stores part.
        var dir = Directory.CreateTempSubdirectory("cbi-kill-two-").FullName;
        try
        {
            var wh = Evaluation.Stores.EmptyWarehouse(dir);
            var smoke = Path.Combine(dir, "smoke", "predictions.parquet");
            var full = Path.Combine(dir, "full", "predictions.parquet");
            var baseRows = KilledWrites.Rows(2_000, "base", 1);
            PredictionStore.Write(baseRows, smoke, wh);
            PredictionStore.Write(baseRows, full, wh);

            using var a = new Writer(smoke, wh, "a", "5", "stop-after-commit");
            using var b = new Writer(smoke, wh, "b", "21");
            using var d = new Writer(full, wh, "d", "63");
            var sw = Stopwatch.StartNew();
            while (!a.Output.Contains("COMMITTED"))
            {
                Assert.True(!a.Process.HasExited && sw.Elapsed < TimeSpan.FromMinutes(3), $"writer a never reached its commit: {a.Error}");
                Thread.Sleep(5);
            }
            a.Process.Kill(entireProcessTree: true); // SIGKILL: no handler runs
            a.Process.WaitForExit();
            b.Succeeds();
            d.Succeeds();
            using (var c = new Writer(smoke, wh, "c", "1")) // the next command
            {
                c.Succeeds();
                // Whichever of b and c wrote after the kill found the warehouse ahead by a's rows and repaired it, once.
                var said = b.Error + c.Error;
                const string repaired = "repaired the warehouse's predictions of profile smoke from ";
                Assert.True(said.Split(repaired).Length == 2, said);
                Assert.Contains("(2000 rows differed; the Parquet table is the truth)", said);
            }

            var expected = Evaluation.Stores.Sorted(baseRows.Concat(KilledWrites.Rows(2_000, "b", 21)).Concat(KilledWrites.Rows(2_000, "c", 1)));
            Assert.Equal(expected, Evaluation.Stores.Parquet(smoke));
            Assert.Equal(expected, Evaluation.Stores.Warehouse(wh, "smoke"));
            var expectedFull = Evaluation.Stores.Sorted(baseRows.Concat(KilledWrites.Rows(2_000, "d", 63)));
            Assert.Equal(expectedFull, Evaluation.Stores.Parquet(full));
            Assert.Equal(expectedFull, Evaluation.Stores.Warehouse(wh, "full"));
            Assert.Empty(Temps(Path.GetDirectoryName(smoke)!));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("data/warehouse.duckdb.4242-0a1b2c3d.tmp")]
    [InlineData("data/warehouse.duckdb.4242-0a1b2c3d.tmp.wal")]
    [InlineData("artifacts/smoke/predictions.parquet.4242-0a1b2c3d.tmp")]
    [InlineData("artifacts/smoke/notebooks/04-lgbm-quantiles.ipynb.4242-0a1b2c3d.tmp")]
    public void git_ignores_the_temporaries_a_killed_write_leaves(string path)
    {
        var psi = new ProcessStartInfo("git", ["check-ignore", "-q", path]) { WorkingDirectory = Workbench.Root, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
