using System.Diagnostics;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>The `cbi run` / `cbi run-all` commands as a user runs them: a separate process on a scratch workbench
/// root (CBI_ROOT), checking exit codes, messages and which files appear.</summary>
[Trait("Category", "Slow")]
public class CliTests
{
    internal static (int ExitCode, string Stderr) Cbi(string root, params string[] args) => Cbi(root, new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="Cbi(string, string[])"/>, with environment variables set (a null value removes one).</summary>
    internal static (int ExitCode, string Stderr) Cbi(string root, IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        var cbi = Path.Combine(Workbench.Root, "lib", "bin", "cbi.dll");
        Assert.True(File.Exists(cbi), $"{cbi} is missing: build lib/Cbi.Workbench.Cli first");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        psi.ArgumentList.Add(cbi);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CBI_ROOT"] = root;
        psi.Environment.Remove("CBI_INPUT_PROFILE");
        foreach (var (k, v) in env)
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, e.Result + o.Result);
    }

    static string ScratchRoot()
    {
        var root = TestNotebooks.NewFolder();
        File.WriteAllText(Path.Combine(root, "Cbi.Workbench.sln"), "");
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        return root;
    }

    [Fact]
    public void help_and_each_verbs_help_are_generated_from_its_declared_options()
    {
        var root = ScratchRoot();
        var (code, help) = Cbi(root, "help");
        Assert.Equal(0, code);
        foreach (var verb in new[] { "backtest", "bench", "export", "features", "leakage-guard", "manifest", "models", "report", "run", "run-all", "search", "sql", "study", "warehouse", "worker" })
            Assert.Contains($"  {verb} ", help);
        (code, help) = Cbi(root, "backtest", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--model <NAME[,NAME…]> (REQUIRED)", help);
        Assert.Contains("--profile <smoke|full>", help);
        Assert.Contains("--horizons <5,21>", help);
    }

    [Theory]
    [InlineData("'--modle' was not matched. Did you mean one of the following?\n--model", "backtest", "--modle", "rw")]
    [InlineData("'--horizon' was not matched. Did you mean one of the following?\n--horizons", "search", "--horizon", "x")]
    [InlineData("Option '--horizons': 'x' in '5,x' is not an integer ≥ 1", "search", "--model", "lgbm", "--horizons", "5,x")]
    [InlineData("Option '--horizon': 'x' is not an integer ≥ 1.", "worker", "--storage", "postgres://cbi@127.0.0.1:1/studies", "--horizon", "x")]
    [InlineData("Option '--profile': 'huge' is not one of smoke, full.", "backtest", "--model", "rw", "--profile", "huge")]
    [InlineData("Option '--as-of': '2020-13-01' is not a date of the form YYYY-MM-DD.", "export", "--as-of", "2020-13-01")]
    public void a_wrong_option_is_refused_by_name_before_anything_runs(string message, params string[] args)
    {
        var root = ScratchRoot();
        var (code, output) = Cbi(root, args);
        Assert.Equal(1, code);
        Assert.Contains(message, output.Replace("\r", ""));
        Assert.False(Directory.Exists(Path.Combine(root, "artifacts")), "nothing may run for a command line that does not parse");
    }

    [Fact]
    public void run_all_stops_the_chain_at_the_first_failing_notebook()
    {
        var root = ScratchRoot();
        var nb = Path.Combine(root, "notebooks");
        TestNotebooks.Dib(nb, "01-first", "Console.WriteLine(\"first\");");
        TestNotebooks.Dib(nb, "02-second", "throw new Exception(\"second fails\");", "Console.WriteLine(\"still runs\");");
        TestNotebooks.Dib(nb, "03-third", "Console.WriteLine(\"third\");");
        var (code, err) = Cbi(root, "run-all");
        Assert.Equal(2, code);
        Assert.Contains("run-all: stopped at 02-second.dib", err);
        var outDir = Path.Combine(root, "artifacts", "smoke", "notebooks");
        Assert.True(File.Exists(Path.Combine(outDir, "01-first.ipynb")));
        var second = TestNotebooks.Read(Path.Combine(outDir, "02-second.ipynb"));
        Assert.Equal("still runs\n", TestNotebooks.Text(Assert.Single(TestNotebooks.Outputs(second, 2))!["text"]));
        var manifest = TestNotebooks.Read(Path.Combine(root, "artifacts", "smoke", "run-manifest.json"));
        Assert.Equal("failed", (string)manifest["state"]!);
        Assert.Equal("02-second.dib: 1 failed cell(s)", (string)manifest["reason"]!);
        Assert.False(File.Exists(Path.Combine(outDir, "03-third.ipynb")));
    }

    [Fact]
    public void run_writes_under_the_profile_named_by_input()
    {
        var root = ScratchRoot();
        var path = TestNotebooks.Dib(Path.Combine(root, "notebooks"), "p", "Environment.GetEnvironmentVariable(\"CBI_INPUT_PROFILE\")");
        var (code, err) = Cbi(root, "run", path, "--input", "profile=full");
        Assert.True(code == 0, err);
        var executed = TestNotebooks.Read(Path.Combine(root, "artifacts", "full", "notebooks", "p.ipynb"));
        Assert.Equal("full", TestNotebooks.Plain(Assert.Single(TestNotebooks.Outputs(executed, 1))!));
    }

    [Fact]
    public void bad_input_exits_1_with_one_line_naming_the_file_and_writes_nothing()
    {
        var root = ScratchRoot();
        var path = Path.Combine(root, "notebooks", "missing.dib");
        var (code, err) = Cbi(root, "run", path);
        Assert.Equal(1, code);
        Assert.Equal($"cbi run: {path}: notebook file does not exist", err.Trim());
        Assert.False(Directory.Exists(Path.Combine(root, "artifacts")));
    }

    [Fact]
    public void worker_refuses_a_storage_that_is_neither_a_postgres_uri_nor_an_existing_study_file_and_creates_nothing()
    {
        // `--storage notaurl` used to become a new DuckDB study file named notaurl that one worker ran alone, exit 0.
        var root = ScratchRoot();
        foreach (var storage in new[] { "notaurl", "studies.db", "postgress://cbi@localhost/studies" })
        {
            var (code, err) = Cbi(root, "worker", "--storage", storage, "--model", "lgbm", "--horizon", "5");
            Assert.Equal(1, code);
            Assert.Contains($"cbi worker: --storage {storage}: neither a PostgreSQL URI", err);
            Assert.Contains("a path ending in .duckdb", err);
        }
        Assert.Equal([Path.Combine(root, "Cbi.Workbench.sln")], Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void sql_runs_exactly_one_read_only_query_and_refuses_checkpoint_set_and_several_statements()
    {
        var root = ScratchRoot();
        var wh = Path.Combine(root, "warehouse.duckdb");
        Data.Warehouse.Build(warehousePath: wh, log: TextWriter.Null);
        var before = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wh)));

        var (code, output) = Cbi(root, "sql", "SELECT count(*) AS n FROM quality_report", "--db", wh);
        Assert.True(code == 0, output);
        Assert.Matches(@"^n\n[1-9][0-9]*\n$", output.Replace("\r", ""));

        foreach (var statement in new[] { "CHECKPOINT", "SET threads = 1", "PRAGMA database_size", "INSERT INTO quality_report SELECT * FROM quality_report" })
        {
            (code, output) = Cbi(root, "sql", statement, "--db", wh);
            Assert.Equal(1, code);
            Assert.Contains("cbi sql: runs one read-only query", output);
        }
        (code, output) = Cbi(root, "sql", "SELECT 1; SELECT 2; SELECT 3", "--db", wh);
        Assert.Equal(1, code);
        Assert.Contains("runs exactly one query; this text holds 3 statements", output);
        (code, output) = Cbi(root, "sql", "SELECT 1; CHECKPOINT", "--db", wh);
        Assert.Equal(1, code);
        Assert.Contains("cbi sql: runs one read-only query", output);

        Assert.Equal(before, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wh))));
    }

    [Fact]
    public void a_hung_cell_fails_by_name_at_the_timeout_and_the_finished_cells_are_on_disk()
    {
        var root = ScratchRoot();
        var nb = Path.Combine(root, "notebooks");
        TestNotebooks.Dib(nb, "01-hang", "Console.WriteLine(\"finished first\");", "while (true) { }", "Console.WriteLine(\"never\");");
        // 20 s: the first cell (kernel start-up) must finish well inside it even on a loaded machine.
        var (code, err) = Cbi(root, "run-all", "--cell-timeout", "20");
        Assert.Equal(2, code);
        Assert.True(err.Contains("[01-hang] cell 2 timed out after 20 s"), err);
        var executed = TestNotebooks.Read(Path.Combine(root, "artifacts", "smoke", "notebooks", "01-hang.ipynb"));
        Assert.Equal("timed-out", (string)executed["metadata"]!["cbi"]!["state"]!);
        Assert.Equal("finished first\n", TestNotebooks.Text(Assert.Single(TestNotebooks.Outputs(executed, 1))!["text"]));
        Assert.Contains("cell 2 (csharp) did not finish within 20 s", (string)Assert.Single(TestNotebooks.Outputs(executed, 2))!["evalue"]!);
        Assert.Empty(TestNotebooks.Outputs(executed, 3));
        var manifest = TestNotebooks.Read(Path.Combine(root, "artifacts", "smoke", "run-manifest.json"));
        Assert.Equal("failed", (string)manifest["state"]!);
        Assert.Contains("cell 2 timed out", (string)manifest["reason"]!);
    }

    [Fact]
    public void kill_9_mid_notebook_leaves_the_finished_cells_outputs_marked_incomplete()
    {
        var root = ScratchRoot();
        var path = TestNotebooks.Dib(Path.Combine(root, "notebooks"), "long", "Console.WriteLine(\"first done\");", "System.Threading.Thread.Sleep(120_000);");
        var output = Path.Combine(root, "out.ipynb");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = root };
        foreach (var a in new[] { Path.Combine(Workbench.Root, "lib", "bin", "cbi.dll"), "run", path, "--output-path", output }) psi.ArgumentList.Add(a);
        psi.Environment["CBI_ROOT"] = root;
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !(File.Exists(output) && File.ReadAllText(output).Contains("first done\\n"))) Thread.Sleep(100);
        p.Kill(); // SIGKILL on Linux: no handler runs
        p.WaitForExit();
        var executed = TestNotebooks.Read(output);
        Assert.Equal("incomplete", (string)executed["metadata"]!["cbi"]!["state"]!);
        Assert.Equal("first done\n", TestNotebooks.Text(Assert.Single(TestNotebooks.Outputs(executed, 1))!["text"]));
        Assert.Empty(TestNotebooks.Outputs(executed, 2));
    }
}

/// <summary>The model verbs of `cbi` as a user runs them.</summary>
[Trait("Category", "Slow")]
public class ModelVerbTests
{
    [Fact]
    public void models_lists_every_spec_of_the_catalogue_with_its_inputs_rule_and_space()
    {
        var (code, output) = CliTests.Cbi(Workbench.Root, "models");
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(Models.ModelCatalog.Listing(), lines);
        foreach (var spec in Models.ModelCatalog.All)
            Assert.Contains(lines, l => l.StartsWith(spec.Name + " ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("lgbm ", StringComparison.Ordinal) && l.Contains("AbstainWhenUnseen"));
        // The TorchSharp nets register from Cbi.Workbench.Deep.dll beside the core assembly in lib/bin.
        foreach (var net in new[] { "tft", "mlp", "lstm_attn", "tcn", "nbeatsx" })
            Assert.Contains(lines, l => l.StartsWith(net + " ", StringComparison.Ordinal) && l.Contains("TorchSharp"));
    }

    [Fact]
    public void an_unknown_model_is_refused_naming_the_known_ones()
    {
        var (code, output) = CliTests.Cbi(Workbench.Root, "backtest", "--model", "rw,nope");
        Assert.Equal(1, code);
        Assert.StartsWith("cbi backtest: unknown model 'nope'; known: rw, rw_drift", output.Trim());
    }
}

/// <summary>Normal commands never delete results they were not asked to replace.</summary>
[Trait("Category", "Slow")]
public class NarrowRunTests
{
    static void Copy(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    static Dictionary<string, string> Hashes(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void a_narrow_backtest_and_a_scratch_search_change_no_other_row_or_artifact()
    {
        // A scratch workbench: this checkout's raw data and smoke artifacts (predictions of every model, lgbm's study
        // outputs), run through the real `cbi` with CBI_ROOT pointing at it.
        var root = TestNotebooks.NewFolder();
        File.WriteAllText(Path.Combine(root, "Cbi.Workbench.sln"), "");
        Copy(Workbench.RawDir, Path.Combine(root, "data", "raw"));
        Copy(Path.Combine(Workbench.ArtifactsDir, "smoke"), Path.Combine(root, "artifacts", "smoke"));
        var artifacts = Path.Combine(root, "artifacts");
        var predictions = Path.Combine(artifacts, "smoke", "predictions.parquet");
        var before = Hashes(artifacts);
        var rowsBefore = Evaluation.PredictionStore.ReadParquet(predictions);

        var (code, output) = CliTests.Cbi(root, "backtest", "--model", "rw", "--horizons", "5");
        Assert.True(code == 0, output);
        var scratch = Path.Combine(root, "scratch", "study.duckdb");
        (code, output) = CliTests.Cbi(root, "search", "--model", "lgbm", "--horizons", "5", "--study", scratch);
        Assert.True(code == 0, output);

        var after = Hashes(artifacts);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (file, hash) in before.Where(kv => kv.Key != Path.Combine("smoke", "predictions.parquet")))
            Assert.True(hash == after[file], $"{file} changed");
        // Only the keys the backtest computed (rw, h = 5) were rewritten; every other row is as it was.
        var rowsAfter = Evaluation.PredictionStore.ReadParquet(predictions);
        bool Narrow(Models.PredictionRow r) => r.Model == "rw" && r.Horizon == 5;
        Assert.Equal(rowsBefore.Where(r => !Narrow(r)), rowsAfter.Where(r => !Narrow(r)));
        Assert.Equal(rowsBefore.Count(Narrow), rowsAfter.Count(Narrow));
        Assert.True(rowsBefore.Count(Narrow) > 0);
        // The scratch search's history and best point went beside its study, not into artifacts/.
        Assert.True(File.Exists(Path.Combine(root, "scratch", "lgbm", "best-params.json")));
    }
}
