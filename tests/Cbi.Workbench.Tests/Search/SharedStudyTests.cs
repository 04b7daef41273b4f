using System.Diagnostics;
using Cbi.Workbench.Search;
using Cbi.Workbench.Tests.Data;
using Npgsql;

namespace Cbi.Workbench.Tests.Search;

/// <summary>One PostgreSQL server on loopback for the shared-study tests of a class.</summary>
public sealed class PostgresFixture : IDisposable
{
    internal LocalPostgres Server { get; } = LocalPostgres.Start();
    public void Dispose() => Server.Dispose();
}

/// <summary>Studies in PostgreSQL, shared by workers in this process (threads) — the claim, the budget, the errors.</summary>
public class SharedStudyTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    static readonly StudyOptions Quiet = KilledStudy.Options();

    [Fact]
    public void two_workers_fill_one_study_to_its_budget_with_distinct_trials()
    {
        // The race this test had (20 runs in a row now pass): the two workers were thread-pool tasks, so with xUnit's
        // parallel tests holding the pool the second one could start — or finish opening the study — after the first had
        // run all 12 trials. Each worker now has its own thread and both open the study before either optimizes, as two
        // `cbi worker` processes started together would; which trials each claims is then decided by the study alone.
        using var opened = new Barrier(2);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, 2).Select(w => new Thread(() =>
        {
            try
            {
                using var s = Study.Open("two-workers", KilledStudy.Space, Quiet, pg.Server.Location);
                if (!opened.SignalAndWait(TimeSpan.FromMinutes(2))) throw new TimeoutException("the other worker never opened the study");
                s.Optimize(t => { Thread.Sleep(30); return KilledStudy.Objective(t); }, 12);
            }
            catch (Exception e) { errors.Enqueue(e); try { opened.RemoveParticipant(); } catch (InvalidOperationException) { /* already past the rendezvous */ } }
        })).ToArray();
        foreach (var t in workers) t.Start();
        foreach (var t in workers) t.Join();
        Assert.Empty(errors);
        using var study = Study.OpenReadOnly("two-workers", pg.Server.Location);
        var trials = study.Trials;
        Assert.Equal(Enumerable.Range(0, 12), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(2, Owners("two-workers").Distinct().Count());
    }

    [Fact]
    public void a_worker_joining_a_study_at_its_budget_runs_nothing()
    {
        using (var s = Study.Open("full-already", KilledStudy.Space, Quiet, pg.Server.Location)) s.Optimize(KilledStudy.Objective, 5);
        using var late = Study.Open("full-already", KilledStudy.Space, Quiet, pg.Server.Location);
        var calls = 0;
        late.Optimize(t => { calls++; return KilledStudy.Objective(t); }, 5);
        Assert.Equal(0, calls);
        Assert.Equal(5, late.Trials.Count);
    }

    [Fact]
    public void a_postgres_study_reproduces_the_duckdb_study_of_the_same_seed_trial_for_trial()
    {
        using var inPg = Study.Open("same-as-duckdb", KilledStudy.Space, Quiet, pg.Server.Location);
        inPg.Optimize(KilledStudy.Objective, 10);
        using var inDuck = Study.Open("same-as-duckdb", KilledStudy.Space, Quiet, Study.InMemory);
        inDuck.Optimize(KilledStudy.Objective, 10);
        Assert.Equal(inDuck.Trials.Select(t => (t.Number, t.Value, Labels(t))), inPg.Trials.Select(t => (t.Number, t.Value, Labels(t))));
    }

    static string Labels(TrialRecord t) => string.Join(" ", t.Labels.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));

    [Fact]
    public void a_study_created_with_another_search_space_is_refused_and_left_unchanged()
    {
        using (var s = Study.Open("space-a", KilledStudy.Space, Quiet, pg.Server.Location)) s.Optimize(KilledStudy.Objective, 3);
        var other = SearchSpace.Of(new IntParameter("leaves", 4, 128, Log: true));
        var e = Assert.Throws<InvalidOperationException>(() => Study.Open("space-a", other, Quiet, pg.Server.Location));
        Assert.Contains("Study 'space-a' in postgres://cbi@127.0.0.1:", e.Message);
        Assert.Contains("different search space", e.Message);
        Assert.DoesNotContain(pg.Server.Password, e.Message);
        var stored = Assert.Single(Study.List(pg.Server.Location), s => s.Name == "space-a");
        Assert.Equal(KilledStudy.Space.ToJson(), stored.SpaceJson);
        Assert.Equal(3, stored.Trials);
    }

    [Fact]
    public void a_study_records_one_task_and_refuses_a_worker_with_another()
    {
        using var s = Study.Open("task-once", KilledStudy.Space, Quiet, pg.Server.Location);
        s.RecordTask("""{"model":"lgbm","horizon":5}""");
        s.RecordTask("""{"model":"lgbm","horizon":5}""");
        var e = Assert.Throws<InvalidOperationException>(() => s.RecordTask("""{"model":"lgbm","horizon":21}"""));
        Assert.Contains("""searches {"model":"lgbm","horizon":5}, not {"model":"lgbm","horizon":21}""", e.Message);
        Assert.Equal("""{"model":"lgbm","horizon":5}""", Assert.Single(Study.List(pg.Server.Location), x => x.Name == "task-once").Task);
    }

    [Fact]
    public void wrong_credentials_give_a_clear_error_without_the_password()
    {
        var wrong = pg.Server.Location.Replace(pg.Server.Password, "not-the-password");
        var e = Assert.Throws<StudyStorageException>(() => Study.Open("x", KilledStudy.Space, Quiet, wrong));
        Assert.StartsWith($"study database postgres://cbi@127.0.0.1:{pg.Server.Port}/postgres: the server refused the credentials (28P01", e.Message);
        Assert.DoesNotContain("not-the-password", e.Message);
    }

    [Fact]
    public void an_unreachable_database_gives_a_clear_error_naming_it()
    {
        var port = Data.BigQuery.LoopbackServer.FreePort();
        var e = Assert.Throws<StudyStorageException>(() => Study.List($"postgres://cbi:secret@127.0.0.1:{port}/studies"));
        Assert.StartsWith($"study database postgres://cbi@127.0.0.1:{port}/studies is unreachable: ", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void a_malformed_location_is_refused_without_echoing_the_password()
    {
        var e = Assert.Throws<ArgumentException>(() => Study.List("postgres://cbi:secret@127.0.0.1:5432/"));
        Assert.Contains("names no database", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        e = Assert.Throws<ArgumentException>(() => Study.List("postgres://cbi:secret@127.0.0.1:5432/db?pool=9"));
        Assert.Contains("unknown option 'pool'", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public async Task a_duckdb_study_held_by_another_process_is_refused_with_the_way_to_share_it()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("cbi-locked-").FullName, "studies.duckdb");
        using var child = ChildProcess.Start("study-hang-at-4", path);
        try
        {
            Assert.Equal("RUNNING 4", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            var e = Assert.Throws<StudyStorageException>(() => Study.Open("killed", KilledStudy.Space, Quiet, path));
            Assert.StartsWith($"study database {path} cannot be opened: ", e.Message);
            Assert.EndsWith("a DuckDB study admits one process at a time; share a study between workers through PostgreSQL (--storage postgres://…).", e.Message);
        }
        finally { child.Kill(entireProcessTree: true); child.WaitForExit(); Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }

    [Fact]
    public void libpq_sslmode_spellings_are_accepted_and_an_unknown_one_is_named()
    {
        Assert.Equal(StudyStorage.Parse("postgres://cbi@db.example/studies?sslmode=verify-full").Display, "postgres://cbi@db.example:5432/studies");
        var e = Assert.Throws<ArgumentException>(() => StudyStorage.Parse("postgres://cbi:secret@db.example/studies?sslmode=always"));
        Assert.Contains("sslmode 'always' is not one of disable, allow, prefer, require, verify-ca, verify-full", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void a_password_holding_an_at_sign_is_redacted_and_split_off_whole()
    {
        var e = Assert.Throws<ArgumentException>(() => StudyStorage.Parse("postgres://cbi:p@ss@db.example:5432/"));
        Assert.DoesNotContain("ss@", e.Message);
        Assert.Equal(("postgres://cbi@db.example:5432/studies", (string?)"s3cr:et"), StudyStorage.SplitPassword("postgres://cbi:s3cr%3Aet@db.example:5432/studies"));
        Assert.Equal(("/tmp/studies.duckdb", (string?)null), StudyStorage.SplitPassword("/tmp/studies.duckdb"));
    }

    [Fact]
    public void a_search_is_refused_a_postgres_study_and_pointed_to_the_workers()
    {
        var e = Assert.Throws<ArgumentException>(() => global::Cbi.Workbench.Evaluation.ModelSearch.SearchValidation(global::Cbi.Workbench.Models.ModelCatalog.Get("lgbm"),
            null!, RunProfile.Smoke, pg.Server.Location));
        Assert.Contains("a PostgreSQL study is run by `cbi worker`", e.Message);
        Assert.DoesNotContain(pg.Server.Password, e.Message);
    }

    [Fact]
    public async Task a_worker_on_another_host_that_dies_mid_trial_is_failed_after_the_grace_period_and_its_trial_retried()
    {
        // The child runs trials 0–3 of a PostgreSQL study under another host name, starts trial 4 and hangs; after SIGKILL
        // only its stopped heartbeat can tell that it is gone (its pid means nothing on another host). The child names its
        // study "killed" (ChildProcess); no other test of this server uses that name.
        using (var child = ChildProcess.Start("study-hang-at-4", pg.Server.Location, "other-host"))
        {
            Assert.Equal("RUNNING 4", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        using (var early = Study.Open("killed", KilledStudy.Space, Quiet, pg.Server.Location))
            Assert.Equal(TrialState.Running, early.Trials.Single(t => t.Number == 4).State);
        await Task.Delay(KilledStudy.Grace + TimeSpan.FromSeconds(0.5));
        using var resumed = Study.Open("killed", KilledStudy.Space, Quiet, pg.Server.Location);
        var orphan = resumed.Trials.Single(t => t.Number == 4);
        Assert.Equal(TrialState.Fail, orphan.State);
        Assert.Contains("no heartbeat for", orphan.Message);
        resumed.Optimize(KilledStudy.Objective, 10);
        var retry = resumed.Trials.Single(t => t.RetryOf == 4);
        Assert.Equal(orphan.Params, retry.Params);
        Assert.Equal(10, resumed.Trials.Count(t => t.State == TrialState.Complete));
    }

    List<string> Owners(string study)
    {
        using var c = new NpgsqlConnection(pg.Server.ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT owner FROM trials WHERE study = @s ORDER BY number", c);
        cmd.Parameters.AddWithValue("s", study);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }
}

/// <summary>Real `cbi worker` processes on one PostgreSQL study of a LightGBM search on real ZL features.</summary>
[Collection("warehouse")]
[Trait("Category", "Slow")]
public class SharedStudyWorkerTests(WarehouseFixture wh, PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    [Fact]
    public void three_workers_with_one_killed_mid_trial_lose_no_trial_run_none_twice_and_reach_the_budget()
    {
        const int budget = 10;
        const string name = "lgbm-h5-killed-worker";
        var workers = Enumerable.Range(0, 3).Select(_ => StartWorker(name, budget)).ToList();
        try
        {
            var victim = workers[0];
            var killed = WaitForRunningTrialOf(name, victim.Process.Id, TimeSpan.FromSeconds(180));
            victim.Process.Kill(entireProcessTree: true);
            victim.Process.WaitForExit();
            foreach (var w in workers.Skip(1))
            {
                Assert.True(w.Process.WaitForExit(300_000), "a surviving worker did not finish within 300 s");
                Assert.True(w.Process.ExitCode == 0, $"worker exit {w.Process.ExitCode}: {w.Output.Result}");
                Assert.Contains("study budget reached", w.Output.Result);
            }

            using var study = Study.OpenReadOnly(name, pg.Server.Location);
            var trials = study.Trials;
            Assert.Equal(Enumerable.Range(0, trials.Count), trials.Select(t => t.Number));
            Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
            // The victim may have finished the trial seen running and claimed another before the kill landed: the FAIL is
            // whichever trial it was running when it died.
            var fail = Assert.Single(trials, t => t.State == TrialState.Fail);
            Assert.True(fail.Number >= killed, $"failed trial {fail.Number} precedes the one seen running ({killed})");
            killed = fail.Number;
            Assert.True(fail.Message!.Contains($":{victim.Process.Id}:"), fail.Message);
            Assert.Contains("ended while the trial was running", fail.Message);
            var retry = Assert.Single(trials, t => t.RetryOf != null);
            Assert.Equal(killed, retry.RetryOf);
            Assert.Equal(fail.Params, retry.Params);
            // Every proposal decided by exactly one finished trial: none lost, none run twice, the budget met exactly.
            var byProposal = trials.GroupBy(t => t.RetryOf ?? t.Number).ToList();
            Assert.Equal(budget, byProposal.Count);
            Assert.All(byProposal, g => Assert.Single(g, t => t.State is TrialState.Complete or TrialState.Pruned));
            Assert.Equal(budget, trials.Count(t => t.State is TrialState.Complete or TrialState.Pruned));
            var stored = Assert.Single(Study.List(pg.Server.Location), s => s.Name == name);
            Assert.Contains("\"model\":\"lgbm\"", stored.Task);
        }
        finally
        {
            foreach (var w in workers) { if (!w.Process.HasExited) w.Process.Kill(true); w.Process.Dispose(); }
        }
    }

    [Fact]
    public void a_worker_naming_an_unknown_study_or_one_searched_on_other_data_is_refused()
    {
        var (code, output) = Cbi("worker", "--storage", pg.Server.Location, "--study", "no-such-study", "--warehouse", wh.Path);
        Assert.Equal(1, code);
        Assert.Contains($"holds no study 'no-such-study'; start the first worker with --model and --horizon", output);
        Assert.DoesNotContain(pg.Server.Password, output);

        // A study whose task was searched on other raw data (another MANIFEST.tsv) is not continued on this warehouse.
        using (var s = Study.Open("lgbm-other-data", global::Cbi.Workbench.Models.ModelCatalog.Get("lgbm").Space!, null, pg.Server.Location))
            s.RecordTask("""{"model":"lgbm","horizon":5,"profile":"smoke","trials":4,"seed":42,"dataVersion":"0123abcd"}""");
        (code, output) = Cbi("worker", "--storage", pg.Server.Location, "--study", "lgbm-other-data", "--warehouse", wh.Path);
        Assert.Equal(1, code);
        Assert.Contains($"study 'lgbm-other-data' searches raw data version 0123abcd, but the warehouse {wh.Path} was built from ", output);
        using var unchanged = Study.OpenReadOnly("lgbm-other-data", pg.Server.Location);
        Assert.Empty(unchanged.Trials);
    }

    [Fact]
    public void cbi_study_lists_and_exports_a_postgres_study_without_showing_the_password()
    {
        using (var s = Study.Open("listed", KilledStudy.Space, KilledStudy.Options(), pg.Server.Location)) s.Optimize(KilledStudy.Objective, 3);
        var (code, output) = Cbi("study", "--db", pg.Server.Location);
        Assert.Equal(0, code);
        Assert.Matches(@"listed\s+3 trials\s+3 complete", output);
        Assert.DoesNotContain(pg.Server.Password, output);
        var dir = Directory.CreateTempSubdirectory("cbi-study-csv-").FullName;
        try
        {
            var csv = Path.Combine(dir, "listed.csv");
            (code, output) = Cbi("study", "listed", "--db", pg.Server.Location, "--csv", csv);
            Assert.Equal(0, code);
            Assert.Equal(4, File.ReadAllLines(csv).Length);
            Assert.DoesNotContain(pg.Server.Password, output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    (Process Process, Task<string> Output) StartWorker(string study, int trials)
    {
        // The password travels as PGPASSWORD, as `cbi bench --workers` passes it: never on a command line.
        var (location, password) = StudyStorage.SplitPassword(pg.Server.Location);
        Assert.DoesNotContain(pg.Server.Password, location);
        var psi = WorkerStart("worker", "--storage", location, "--study", study, "--model", "lgbm", "--horizon", "5", "--profile", "full",
            "--trials", trials.ToString(System.Globalization.CultureInfo.InvariantCulture), "--warehouse", wh.Path);
        psi.Environment["PGPASSWORD"] = password;
        var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEndAsync();
        return (p, Task.WhenAll(err, o).ContinueWith(t => string.Join("\n", t.Result)));
    }

    static ProcessStartInfo WorkerStart(params string[] args)
    {
        var cbi = Path.Combine(Workbench.Root, "lib", "bin", "cbi.dll");
        Assert.True(File.Exists(cbi), $"{cbi} is missing: build the solution first (tests/run does)");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cbi);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    static (int Code, string Output) Cbi(params string[] args)
    {
        using var p = Process.Start(WorkerStart(args))!;
        var e = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(300_000)) { p.Kill(true); Assert.Fail($"cbi {args[0]} did not finish within 300 s"); }
        return (p.ExitCode, e.Result + o.Result);
    }

    int WaitForRunningTrialOf(string study, int pid, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                using var c = new NpgsqlConnection(pg.Server.ConnectionString);
                c.Open();
                using var cmd = new NpgsqlCommand("SELECT number FROM trials WHERE study = @s AND state = 'RUNNING' AND owner LIKE @o", c);
                cmd.Parameters.AddWithValue("s", study);
                cmd.Parameters.AddWithValue("o", $"%:{pid}:%");
                if (cmd.ExecuteScalar() is int n) return n;
            }
            catch (PostgresException e) when (e.SqlState == "42P01") { } // the first worker has not created the tables yet
            Thread.Sleep(50);
        }
        throw new TimeoutException($"worker {pid} started no trial within {limit.TotalSeconds} s");
    }
}
