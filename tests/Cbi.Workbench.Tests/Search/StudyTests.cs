using Cbi.Workbench.Search;

namespace Cbi.Workbench.Tests.Search;

public class StudyTests
{
    /// <summary>Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]; global minimum 0.397887 at (−π, 12.275), (π, 2.275),
    /// (9.42478, 2.475) — Dixon &amp; Szegő (1978), as tabulated in Surjanovic &amp; Bingham, Virtual Library of
    /// Simulation Experiments (sfu.ca/~ssurjano/branin.html).</summary>
    static double Branin(double x1, double x2)
    {
        const double a = 1, r = 6, s = 10;
        var b = 5.1 / (4 * Math.PI * Math.PI); var c = 5 / Math.PI; var t = 1 / (8 * Math.PI);
        return a * Math.Pow(x2 - b * x1 * x1 + c * x1 - r, 2) + s * (1 - t) * Math.Cos(x1) + s;
    }
    const double BraninMinimum = 0.397887;

    static readonly SearchSpace BraninSpace = SearchSpace.Of(new FloatParameter("x1", -5, 10), new FloatParameter("x2", 0, 15));

    static double BestBranin(ISampler sampler, int seed, int budget)
    {
        using var study = Study.Open("branin", BraninSpace, new StudyOptions { Sampler = sampler, Seed = seed, Progress = false }, Study.InMemory);
        return study.Optimize(t => Branin(t.Float("x1"), t.Float("x2")), budget)!.Value;
    }

    static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void tpe_beats_random_search_on_branin_at_equal_budget()
    {
        const int budget = 60, seeds = 11;
        var tpe = Enumerable.Range(0, seeds).Select(s => BestBranin(new TpeSampler(), s, budget) - BraninMinimum).ToArray();
        var rnd = Enumerable.Range(0, seeds).Select(s => BestBranin(new RandomSampler(), s, budget) - BraninMinimum).ToArray();
        Console.WriteLine($"Branin, {budget} trials, {seeds} seeds: median regret TPE {Median(tpe):G4} vs random {Median(rnd):G4}");
        Console.WriteLine($"  TPE    {string.Join(" ", tpe.Select(v => v.ToString("G3")))}");
        Console.WriteLine($"  random {string.Join(" ", rnd.Select(v => v.ToString("G3")))}");
        Assert.True(Median(tpe) < Median(rnd), $"TPE median regret {Median(tpe)} not below random {Median(rnd)}");
        Assert.True(tpe.Count(v => v < 0.1) > seeds / 2, "TPE should get within 0.1 of the optimum on most seeds");
        Assert.All(tpe.Concat(rnd), v => Assert.True(v >= -1e-6, "no sampler can beat the global minimum"));
    }

    [Fact]
    public void the_same_seed_reproduces_the_study_trial_for_trial()
    {
        IReadOnlyList<TrialRecord> Run(int seed)
        {
            using var s = Study.Open("repro", BraninSpace, new StudyOptions { Seed = seed, Progress = false }, Study.InMemory);
            s.Optimize(t => Branin(t.Float("x1"), t.Float("x2")), 20);
            return s.Trials;
        }
        var a = Run(5); var b = Run(5); var c = Run(6);
        Assert.Equal(a.Select(t => t.Value), b.Select(t => t.Value));
        Assert.Equal(a.Select(t => t.Params["x1"]), b.Select(t => t.Params["x1"]));
        Assert.NotEqual(a.Select(t => t.Value), c.Select(t => t.Value));
    }

    /// <summary>12 points: 4 tree depths × 3 boosting types; a bowl with its minimum 0 at depth 3, "goss".</summary>
    static readonly SearchSpace SmallDiscrete = SearchSpace.Of(new IntParameter("depth", 1, 4), new CategoricalParameter("boosting", ["gbdt", "dart", "goss"]));
    static double Bowl(Trial t) => Math.Pow(t.Int("depth") - 3, 2) + (t.Category("boosting") == "goss" ? 0 : 1);

    [Fact]
    public void tpe_on_a_small_discrete_space_never_evaluates_a_point_twice_and_marks_the_re_used_trials()
    {
        // 25 TPE trials (5 at random) on 12 points once evaluated 7 distinct points, one of them 13 times.
        var evaluated = new List<(int, string)>();
        using var study = Study.Open("discrete", SmallDiscrete, new StudyOptions { Sampler = new TpeSampler(new TpeOptions { StartupTrials = 5 }), Progress = false }, Study.InMemory);
        study.Optimize(t => { evaluated.Add((t.Int("depth"), t.Category("boosting"))); return Bowl(t); }, 25);
        var trials = study.Trials;
        Assert.Equal(25, trials.Count(t => t.State == TrialState.Complete));
        Assert.Equal(evaluated.Count, evaluated.Distinct().Count());
        Assert.True(evaluated.Count >= 10, $"only {evaluated.Count} of the 12 points evaluated in 25 trials");
        Assert.Equal(0, study.Best!.Value);
        var reused = trials.Where(t => t.DuplicateOf != null).ToList();
        Assert.Equal(25 - evaluated.Count, reused.Count);
        Assert.All(reused, t =>
        {
            var twin = trials.Single(o => o.Number == t.DuplicateOf);
            Assert.Equal(twin.Value, t.Value);
            Assert.Equal(twin.Labels, t.Labels);
            Assert.Contains($"repeats trial {twin.Number}", t.Message);
        });
    }

    [Fact]
    public void a_resumed_discrete_study_keeps_its_re_used_trials_and_proposes_as_an_uninterrupted_one()
    {
        static StudyOptions Options() => new() { Sampler = new TpeSampler(new TpeOptions { StartupTrials = 5 }), Progress = false };
        List<(string, double)> uninterrupted;
        using (var clean = Study.Open("discrete", SmallDiscrete, Options(), Study.InMemory))
        {
            clean.Optimize(Bowl, 20);
            uninterrupted = Finished(clean.Trials);
        }
        var path = Path.Combine(Path.GetTempPath(), $"study-dup-{Guid.NewGuid():N}.duckdb");
        try
        {
            using (var first = Study.Open("discrete", SmallDiscrete, Options(), path)) first.Optimize(Bowl, 14);
            using var second = Study.Open("discrete", SmallDiscrete, Options(), path);
            second.Optimize(Bowl, 20);
            Assert.Equal(uninterrupted, Finished(second.Trials));
            Assert.Contains(second.Trials, t => t.DuplicateOf != null);
        }
        finally { File.Delete(path); File.Delete(path + ".wal"); }
    }

    [Fact]
    public void an_empty_search_space_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => SearchSpace.Of());
        Assert.Contains("empty", e.Message);
        Assert.Throws<ArgumentException>(() => SearchSpace.Of(new FloatParameter("lr", 0, 0.1, Log: true)));
        Assert.Throws<ArgumentException>(() => SearchSpace.Of(new IntParameter("n", 5, 1)));
        Assert.Throws<ArgumentException>(() => SearchSpace.Of(new CategoricalParameter("b", [])));
    }

    [Fact]
    public async Task a_study_killed_mid_trial_resumes_without_losing_finished_trials()
    {
        var path = Path.Combine(Path.GetTempPath(), $"study-{Guid.NewGuid():N}.duckdb");
        var space = KilledStudy.Space;
        Func<Trial, double> Objective = KilledStudy.Objective;
        try
        {
            // First worker: 4 trials finish, the 5th hangs; the worker then "dies" (its Study is disposed while
            // the trial is RUNNING, exactly the state a killed process leaves behind).
            var first = Study.Open("killed", space, new StudyOptions { Seed = 3, Progress = false }, path);
            using var hang = new ManualResetEventSlim();
            using var entered = new ManualResetEventSlim();
            var worker = Task.Run(() =>
            {
                try { first.Optimize(t => { if (t.Number == 4) { entered.Set(); hang.Wait(); } return Objective(t); }, 10); }
                catch (Exception) { /* the dead worker's last write fails; that is the point */ }
            });
            Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));
            var before = first.Trials.Where(t => t.State == TrialState.Complete).Select(t => (t.Number, t.Value)).ToList();
            Assert.Equal(4, before.Count);
            Assert.Equal(TrialState.Running, first.Trials.Single(t => t.Number == 4).State);
            first.Dispose();

            using (var second = Study.Open("killed", space, new StudyOptions { Seed = 3, Progress = false }, path))
            {
                var orphan = second.Trials.Single(t => t.Number == 4);
                Assert.Equal(TrialState.Fail, orphan.State);
                Assert.Contains("ended while the trial was running", orphan.Message);
                second.Optimize(Objective, 10);
                var all = second.Trials;
                Assert.Equal(before, all.Where(t => t.Number < 4).Select(t => (t.Number, t.Value)));
                Assert.Equal(10, all.Count(t => t.State == TrialState.Complete));
                Assert.Equal(Enumerable.Range(0, 11), all.Select(t => t.Number));
            }
            hang.Set();
            await worker.WaitAsync(TimeSpan.FromSeconds(30));

            // A changed space is refused rather than silently mixed with the old trials.
            var changed = SearchSpace.Of(new IntParameter("leaves", 4, 128));
            Assert.Throws<InvalidOperationException>(() => Study.Open("killed", changed, new StudyOptions { Progress = false }, path));
        }
        finally { File.Delete(path); File.Delete(path + ".wal"); }
    }

    /// <summary>The trials that carry the search (COMPLETE or PRUNED), as parameters and value, in order.</summary>
    static List<(string Params, double Value)> Finished(IEnumerable<TrialRecord> trials) =>
        trials.Where(t => t.State is TrialState.Complete or TrialState.Pruned)
            .Select(t => (string.Join(" ", t.Params.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value:R}")), t.Value)).ToList();

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(null)]
    [InlineData("restarted-container")]
    public async Task a_search_killed_mid_trial_and_resumed_equals_an_uninterrupted_one_trial_for_trial(string? childHost)
    {
        List<(string, double)> uninterrupted;
        using (var clean = Study.Open("killed", KilledStudy.Space, KilledStudy.Options(), Study.InMemory))
        {
            clean.Optimize(KilledStudy.Objective, 10);
            uninterrupted = Finished(clean.Trials);
        }
        var path = Path.Combine(Path.GetTempPath(), $"study-kill-{Guid.NewGuid():N}.duckdb");
        try
        {
            // The child runs trials 0–3, starts trial 4 and hangs in it; SIGKILL leaves trial 4 RUNNING. With another
            // host name on the trial (a restarted container), its process id means nothing here: only the heartbeat
            // stopping tells that the worker is gone.
            var args = childHost is null ? new[] { "study-hang-at-4", path } : ["study-hang-at-4", path, childHost];
            using (var child = ChildProcess.Start(args))
            {
                var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(line == "RUNNING 4", $"child said '{line}', stderr: {(child.HasExited ? child.StandardError.ReadToEnd() : "")}");
                child.Kill(entireProcessTree: true);   // SIGKILL: no disposal, no cleanup, the WAL is all that is left
                child.WaitForExit();
            }
            var killedAt = DateTime.UtcNow;
            if (childHost != null)
            {
                // Within the grace period the trial still looks alive and is left alone…
                using (var early = Study.Open("killed", KilledStudy.Space, KilledStudy.Options(), path))
                    Assert.Equal(TrialState.Running, early.Trials.Single(t => t.Number == 4).State);
                // …after it, it is failed whatever host owns it.
                await Task.Delay(KilledStudy.Grace + TimeSpan.FromSeconds(0.5));
            }
            using var resumed = Study.Open("killed", KilledStudy.Space, KilledStudy.Options(), path);
            var before = resumed.Trials;
            Assert.Equal(4, before.Count(t => t.State == TrialState.Complete));
            var orphan = before.Single(t => t.Number == 4);
            Assert.Equal(TrialState.Fail, orphan.State);
            Assert.Contains("ended while the trial was running", orphan.Message);
            // The dead trial's duration is its own (up to its last heartbeat), not the time until it was noticed.
            Assert.True(orphan.FinishedUtc <= killedAt, $"orphan finished {orphan.FinishedUtc:O}, killed at {killedAt:O}");

            resumed.Optimize(KilledStudy.Objective, 10);
            var all = resumed.Trials;
            Assert.Equal(4, all.Single(t => t.Number == 5).RetryOf);
            Assert.Equal(orphan.Params, all.Single(t => t.Number == 5).Params);
            Assert.Equal(uninterrupted, Finished(all));
            var best = resumed.Best!;
            resumed.Dispose();
            var listed = Study.List(path).Single();
            Assert.Equal(("killed", 11, 10), (listed.Name, listed.Trials, listed.Complete));
            using var reopened = Study.OpenExisting("killed", path);
            Assert.Equal(KilledStudy.Space.ToJson(), reopened.Space.ToJson());
            Assert.Equal((best.Number, best.Value), (reopened.Best!.Number, reopened.Best.Value));
        }
        finally { File.Delete(path); File.Delete(path + ".wal"); }
    }

    [Fact]
    public void a_failing_objective_is_recorded_as_fail_retried_once_and_counted_toward_the_budget()
    {
        using var s = Study.Open("fails", BraninSpace, new StudyOptions { Progress = false }, Study.InMemory);
        Assert.Throws<InvalidOperationException>(() => s.Optimize(t => throw new InvalidOperationException("boom"), 3));
        Assert.Equal(TrialState.Fail, s.Trials.Single().State);
        // Trial 1 retries trial 0's point and fails again (NaN): that proposal is spent. Trials 2 and 3 complete the budget.
        s.Optimize(t => t.Number == 1 ? double.NaN : t.Float("x1"), 3);
        var trials = s.Trials;
        Assert.Equal([TrialState.Fail, TrialState.Fail, TrialState.Complete, TrialState.Complete], trials.Select(t => t.State));
        Assert.Equal([null, 0, null, null], trials.Select(t => t.RetryOf));
        Assert.Equal(trials[0].Params, trials[1].Params);
    }

    [Fact]
    public void an_objective_that_always_fails_ends_the_search_with_a_clear_error()
    {
        // Issue 11: an objective returning NaN used to write hundreds of FAIL trials a second and never return.
        using var s = Study.Open("nan", BraninSpace, new StudyOptions { Progress = false, MaxConsecutiveFailures = 6 }, Study.InMemory);
        var e = Assert.Throws<InvalidOperationException>(() => s.Optimize(_ => double.NaN, 100));
        Assert.Contains("last 6 trials failed", e.Message);
        Assert.Contains("objective returned NaN", e.Message);
        Assert.Equal(6, s.Trials.Count);

        // Below the cap, failures count toward the budget: 3 proposals, each tried twice, and the call returns.
        using var t = Study.Open("nan2", BraninSpace, new StudyOptions { Progress = false, MaxConsecutiveFailures = 100 }, Study.InMemory);
        Assert.Null(t.Optimize(_ => double.NaN, 3));
        Assert.Equal(6, t.Trials.Count);
        Assert.All(t.Trials, x => Assert.Equal(TrialState.Fail, x.State));
    }

    [Fact]
    public void heartbeat_settings_that_cannot_work_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Study.Open("hb", BraninSpace,
            new StudyOptions { HeartbeatInterval = TimeSpan.FromSeconds(10), HeartbeatGrace = TimeSpan.FromSeconds(5) }, Study.InMemory));
        Assert.Throws<ArgumentOutOfRangeException>(() => Study.Open("hb", BraninSpace, new StudyOptions { MaxConsecutiveFailures = 0 }, Study.InMemory));
        Assert.Throws<ArgumentException>(() => Study.Open("hb", BraninSpace, new StudyOptions { Host = "a:b" }, Study.InMemory));
    }

    [Fact]
    public void median_pruner_stops_trials_worse_than_the_median_at_the_same_step()
    {
        static TrialRecord Done(int n, double v) => new(n, TrialState.Complete, v, new Dictionary<string, double>(), new Dictionary<string, string>(),
            new Dictionary<int, double> { [0] = v, [1] = v }, DateTime.UtcNow, DateTime.UtcNow, null);
        var finished = Enumerable.Range(1, 5).Select(i => Done(i, i)).ToList(); // medians at each step: 3
        var pruner = new MedianPruner(startupTrials: 5);
        TrialRecord Running(double v) => Done(99, v) with { State = TrialState.Running };
        Assert.True(pruner.ShouldPrune(Running(3.5), 1, finished));
        Assert.False(pruner.ShouldPrune(Running(2.5), 1, finished));
        Assert.False(pruner.ShouldPrune(Running(3.5), 1, finished.Take(4).ToList()), "before the startup trials are done nothing is pruned");

        // In a study: trials report a running mean per "fold"; those worse than the median get PRUNED.
        using var s = Study.Open("pruned", BraninSpace, new StudyOptions { Pruner = new MedianPruner(startupTrials: 3), Progress = false, Sampler = new RandomSampler() }, Study.InMemory);
        s.Optimize(t =>
        {
            var v = Branin(t.Float("x1"), t.Float("x2"));
            for (var step = 0; step < 3; step++) { t.Report(step, v); t.PruneIfNeeded(); }
            return v;
        }, 20);
        var trials = s.Trials;
        Assert.Contains(trials, t => t.State == TrialState.Pruned);
        Assert.All(trials.Where(t => t.State == TrialState.Pruned), t => Assert.True(t.Intermediate.Count >= 1));
        Console.WriteLine($"pruned {trials.Count(t => t.State == TrialState.Pruned)} of {trials.Count}");
    }

    [Fact]
    public void parameter_importance_finds_the_parameter_the_objective_depends_on()
    {
        var space = SearchSpace.Of(new FloatParameter("matters", 0, 1), new FloatParameter("ignored", 0, 1), new CategoricalParameter("flag", ["a", "b"]));
        using var s = Study.Open("imp", space, new StudyOptions { Sampler = new RandomSampler(), Progress = false }, Study.InMemory);
        s.Optimize(t => Math.Pow(t.Float("matters") - 0.3, 2), 40);
        var imp = ParameterImportance.Compute(space, s.Trials);
        Assert.Equal("matters", imp[0].Parameter);
        Assert.True(imp[0].EtaSquared > 0.6, $"η² {imp[0].EtaSquared}");
        var chart = Cbi.Workbench.Reporting.StudyCharts.History("imp", s.Trials);
        Assert.Contains("best so far", Plotly.NET.GenericChart.toChartHTML(chart));
    }
}

/// <summary>Reading a study never writes to it.</summary>
public class StudyReadTests
{
    [Fact]
    public void a_study_opened_to_read_leaves_its_file_byte_identical_and_refuses_to_run_trials()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cbi-study-read-{Guid.NewGuid():N}.duckdb");
        try
        {
            using (var s = Study.Open("read", KilledStudy.Space, new StudyOptions { Progress = false }, path))
                s.Optimize(KilledStudy.Objective, 3);
            var before = File.ReadAllBytes(path);
            using (var r = Study.OpenReadOnly("read", path))
            {
                Assert.Equal(3, r.Trials.Count);
                Assert.Contains("read-only", Assert.Throws<InvalidOperationException>(() => r.Optimize(KilledStudy.Objective, 4)).Message);
            }
            Assert.Equal(before, File.ReadAllBytes(path));
        }
        finally { File.Delete(path); File.Delete(path + ".wal"); }
    }

    [Fact]
    public void a_study_file_written_before_tasks_were_recorded_is_listed_read_and_resumed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cbi-study-old-{Guid.NewGuid():N}.duckdb");
        try
        {
            // The schema of studies.duckdb files written up to commit 58879e9 (no task_json column).
            using (var db = new DuckDB.NET.Data.DuckDBConnection($"Data Source={path}"))
            {
                db.Open();
                using var c = db.CreateCommand();
                c.CommandText = $"""
                    CREATE TABLE studies(study VARCHAR PRIMARY KEY, space_json VARCHAR NOT NULL, sampler VARCHAR, seed INTEGER, created_utc TIMESTAMP);
                    CREATE TABLE trials(study VARCHAR, number INTEGER, state VARCHAR NOT NULL, value DOUBLE, started_utc TIMESTAMP NOT NULL,
                        finished_utc TIMESTAMP, owner VARCHAR, message VARCHAR, heartbeat_utc TIMESTAMP, retry_of INTEGER, PRIMARY KEY(study, number));
                    CREATE TABLE trial_params(study VARCHAR, number INTEGER, name VARCHAR, value DOUBLE, label VARCHAR, PRIMARY KEY(study, number, name));
                    CREATE TABLE trial_values(study VARCHAR, number INTEGER, step INTEGER, value DOUBLE, PRIMARY KEY(study, number, step));
                    INSERT INTO studies VALUES ('old', '{KilledStudy.Space.ToJson().Replace("'", "''")}', 'tpe', 3, TIMESTAMP '2026-11-20 10:00:00');
                    INSERT INTO trials VALUES ('old', 0, 'COMPLETE', 0.5, TIMESTAMP '2026-11-20 10:00:01', TIMESTAMP '2026-11-20 10:00:02', 'h:1:a', NULL, NULL, NULL);
                    INSERT INTO trial_params VALUES ('old', 0, 'leaves', 16, '16'), ('old', 0, 'lr', 0.05, '0.05'), ('old', 0, 'boost', 0, 'gbdt');
                    """;
                c.ExecuteNonQuery();
            }
            var listed = Assert.Single(Study.List(path));
            Assert.Equal(("old", 1, 1, 0.5), (listed.Name, listed.Trials, listed.Complete, listed.BestValue));
            Assert.Null(listed.Task);
            using (var r = Study.OpenReadOnly("old", path)) Assert.Equal(0.5, Assert.Single(r.Trials).Value);
            using var resumed = Study.OpenExisting("old", path, KilledStudy.Options());
            resumed.Optimize(KilledStudy.Objective, 3);
            Assert.Equal(3, resumed.Trials.Count);
        }
        finally { File.Delete(path); File.Delete(path + ".wal"); }
    }
}
