using System.Diagnostics;
using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Child-process modes for the kill tests: a warehouse build and a Parquet prediction write, repeated until
/// the process is killed.</summary>
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
            default:
                return false;
        }
    }

    /// <summary>Constructed prediction rows (pure I/O test: the values only need to be valid rows).</summary>
    internal static List<PredictionRow> Rows(int n)
    {
        var d = new DateOnly(2020, 1, 6);
        return Enumerable.Range(0, n).Select(i => new PredictionRow("rw", 5, d.AddDays(i), d.AddDays(i + 7), 0.001 * (i % 7),
            -0.02, 0, 0.02, i % 7, "validation")).ToList();
    }
}

/// <summary>A write killed at any moment leaves the previous file intact and no litter once the next write has started:
/// the temporary file of a dead writer is removed, and git ignores temporaries meanwhile.</summary>
[Trait("Category", "Slow")]
public class KilledWriteTests
{
    /// <summary>Starts the writer and kills it <paramref name="delay"/> ms after its temporary file appeared, so every
    /// kill lands inside a write (at different stages of it) however loaded the machine is.</summary>
    static void KillDuringWrite(string mode, string path, int delay)
    {
        var dir = Path.GetDirectoryName(path)!;
        var before = Temps(dir).ToHashSet();
        using var child = ChildProcess.Start(mode, path);
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
