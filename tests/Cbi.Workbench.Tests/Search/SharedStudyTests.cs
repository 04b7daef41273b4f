using System.Diagnostics;
using Cbi.Workbench.Search;
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
        var workers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            using var s = Study.Open("two-workers", KilledStudy.Space, Quiet, pg.Server.Location);
            s.Optimize(t => { Thread.Sleep(30); return KilledStudy.Objective(t); }, 12);
        })).ToArray();
        Task.WaitAll(workers);
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
        var port = ClosedPort();
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

    static int ClosedPort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    List<string> Owners(string study)
    {
        var b = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = pg.Server.Port, Username = "cbi", Password = pg.Server.Password, Database = "postgres" };
        using var c = new NpgsqlConnection(b.ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT owner FROM trials WHERE study = @s ORDER BY number", c);
        cmd.Parameters.AddWithValue("s", study);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }
}
