using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Operations;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Operations;

/// <summary>Operations on constructed inputs of known behaviour: scoring, filing, alert state, rules, e-mail.</summary>
public class OperationsTests
{
    static readonly DateTime Created = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);

    static OperationalForecast F(string role, int h, DateOnly origin, DateOnly target, double close, double q10, double q50, double q90, string model = "m", string version = "v1") =>
        new(origin, h, target, role, model, version, close, q10, q50, q90, "r1", Created);

    /// <summary>Closes 100, 110, 121 on three weekdays (log returns ln 1.1 each).</summary>
    static Frame Prices() => new([new DateOnly(2026, 1, 5), new DateOnly(2026, 1, 6), new DateOnly(2026, 1, 7)], [100, 110, 121], [], []);

    [Fact]
    public void a_matured_forecast_is_scored_against_the_realised_close_and_the_reference_of_its_origin()
    {
        var p = Prices();
        var d0 = p.Dates[0]; var d1 = p.Dates[1]; var d2 = p.Dates[2];
        var y = Math.Log(1.1);
        var released = F(Roles.Released, 1, d0, d1, 100, 0.0, 0.05, 0.2);
        var reference = F(Roles.Reference, 1, d0, d1, 100, -0.1, 0.0, 0.1);
        var notYet = F(Roles.Released, 1, d1, d2, 110, 0.0, 0.05, 0.2);
        var m = MaturedScoring.Score([released, reference, notYet], p, d1);

        Assert.Equal(2, m.Count); // the forecast from d1 matures on d2, after the scoring day
        var r = m.Single(x => x.Forecast.Role == Roles.Released);
        // Known answer: y = ln 1.1 = 0.09531; pinball0.1 = 0.1·(y − 0) , pinball0.5 = 0.5·(y − 0.05), pinball0.9 = 0.1·(0.2 − y).
        var qs = 2.0 / 3 * (0.1 * y + 0.5 * (y - 0.05) + 0.1 * (0.2 - y));
        Assert.Equal(qs, r.QuantileScore, 12);
        Assert.True(r.Covered);
        Assert.Equal(Math.Abs(100 * Math.Exp(0.05) - 110), r.PriceAbsError, 10);
        // The reference's band is [−0.1, 0.1] around 0: y = 0.095 is inside it but beyond half its half-width.
        Assert.Equal("medium", r.MoveSize);
        var refQs = 2.0 / 3 * (0.1 * (y + 0.1) + 0.5 * y + 0.1 * (0.1 - y));
        var all = MaturedScoring.Summarize(m).Single(s => s.Role == Roles.Released && s.Group == "all");
        Assert.Equal(1 - qs / refQs, all.Skill, 12);
        Assert.True(double.IsNaN(all.DmPValue)); // one forecast: far below 10 non-overlapping periods
    }

    [Fact]
    public void two_versions_of_one_role_at_one_origin_are_refused_rather_than_pooled()
    {
        var p = Prices();
        var a = F(Roles.Released, 1, p.Dates[0], p.Dates[1], 100, -0.1, 0, 0.1);
        var e = Assert.Throws<ArgumentException>(() => MaturedScoring.Score([a, a with { Version = "v2" }], p, p.Dates[2]));
        Assert.Contains("m@v1, m@v2", e.Message);
    }

    [Fact]
    public void a_target_session_without_a_close_stays_unscored()
    {
        var p = Prices();
        var f = F(Roles.Released, 1, p.Dates[0], new DateOnly(2026, 1, 8), 100, -0.1, 0, 0.1); // no close on the 8th in the data
        Assert.Empty(MaturedScoring.Score([f], p, new DateOnly(2026, 1, 9)));
    }

    [Fact]
    public void the_ledger_files_each_forecast_once_and_keeps_the_first_filing()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-ops-");
        try
        {
            var path = Path.Combine(dir.FullName, "forecasts.parquet");
            var p = Prices();
            var first = F(Roles.Released, 1, p.Dates[0], p.Dates[1], 100, -0.1, 0, 0.1);
            Assert.Equal(1, OperationsStore.Append([first], path));
            var later = first with { Q90 = 0.3, CreatedAt = Created.AddDays(1) };
            Assert.Equal(0, OperationsStore.Append([later], path));
            var other = first with { Version = "v2" };
            Assert.Equal(1, OperationsStore.Append([later, other], path));
            var read = OperationsStore.Read(path);
            Assert.Equal(2, read.Count);
            Assert.Equal(first, read.Single(r => r.Version == "v1"));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void a_ledger_written_before_the_ex_ante_column_reads_as_ex_post_and_takes_new_forecasts()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-ops-");
        try
        {
            var path = Path.Combine(dir.FullName, "forecasts.parquet");
            var p = Prices();
            var old = F(Roles.Released, 1, p.Dates[0], p.Dates[1], 100, -0.1, 0, 0.1) with { ExAnte = true };
            OperationsStore.Append([old], path);
            // The same file as the ledger's earlier schema wrote it: no ex_ante column.
            var previous = Path.Combine(dir.FullName, "previous.parquet");
            using (var con = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
            {
                con.Open();
                using var cmd = con.CreateCommand();
                cmd.CommandText = $"COPY (SELECT * EXCLUDE (ex_ante) FROM read_parquet('{path}')) TO '{previous}' (FORMAT parquet)";
                cmd.ExecuteNonQuery();
            }
            File.Move(previous, path, overwrite: true);
            Assert.Equal([old with { ExAnte = false }], OperationsStore.Read(path));
            var fresh = F(Roles.Released, 1, p.Dates[1], p.Dates[2], 110, -0.1, 0, 0.1) with { ExAnte = true };
            Assert.Equal(1, OperationsStore.Append([fresh], path));
            Assert.Equal([(p.Dates[0], false), (p.Dates[1], true)], OperationsStore.Read(path).Select(f => (f.OriginDate, f.ExAnte)).Order().ToList());
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void unusable_quantiles_are_refused_before_anything_is_filed()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-ops-");
        try
        {
            var path = Path.Combine(dir.FullName, "forecasts.parquet");
            var p = Prices();
            var crossed = F(Roles.Released, 1, p.Dates[0], p.Dates[1], 100, 0.1, 0, -0.1);
            var e = Assert.Throws<ArgumentException>(() => OperationsStore.Append([crossed], path));
            Assert.Contains("m@v1 2026-01-05 h 1", e.Message);
            Assert.False(File.Exists(path));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void an_alert_fires_once_when_its_condition_begins_and_resolves_after_three_clear_checks()
    {
        var book = new AlertBook();
        var d = new DateOnly(2026, 3, 2);
        AlertCheck Cl(bool active, string e) => new("stale-input", "CL", active, e);
        Assert.Equal("fired", Assert.Single(book.Update(d, [Cl(true, "e1")])).State);
        Assert.Empty(book.Update(d.AddDays(1), [Cl(true, "e2")]));
        Assert.Empty(book.Update(d.AddDays(2), [])); // not checked that day: the state stays
        Assert.Empty(book.Update(d.AddDays(3), [Cl(false, "clear once")]));
        Assert.Empty(book.Update(d.AddDays(4), [Cl(true, "back")]));     // hovering at the threshold: no new alert
        Assert.Empty(book.Update(d.AddDays(5), [Cl(false, "c1")]));
        Assert.Empty(book.Update(d.AddDays(6), [Cl(false, "c2")]));
        var resolved = Assert.Single(book.Update(d.AddDays(7), [Cl(false, "c3")]));
        Assert.Equal(("resolved", "c3"), (resolved.State, resolved.Evidence));
    }

    [Fact]
    public void the_active_alerts_persist_between_runs_so_live_operations_do_not_fire_them_again()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-ops-");
        try
        {
            var state = Path.Combine(dir.FullName, "alert-state.json");
            var book = AlertBook.Load(state);
            book.Update(new DateOnly(2026, 3, 2), [new AlertCheck("coverage", "h1", true, "low")]);
            book.Save(state);
            Assert.Empty(AlertBook.Load(state).Update(new DateOnly(2026, 3, 3), [new AlertCheck("coverage", "h1", true, "still low")]));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void the_alert_file_never_holds_an_alert_twice()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-ops-");
        try
        {
            var path = Path.Combine(dir.FullName, "alerts.jsonl");
            var a = new Alert(new DateOnly(2026, 3, 2), "stale-input", "CL", "fired", "evidence");
            Assert.Equal(1, AlertDelivery.ToFile(path, [a]));
            Assert.Equal(0, AlertDelivery.ToFile(path, [a with { Evidence = "re-run" }]));
            Assert.Single(File.ReadAllLines(path));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void a_collapsed_band_side_raises_a_band_alert()
    {
        var d = new DateOnly(2026, 7, 13);
        var reference = F(Roles.Reference, 63, d, d.AddDays(90), 73, -0.18, 0, 0.26, "rw");
        var collapsed = F(Roles.Released, 63, d, d.AddDays(90), 73, -0.001, 0, 0.43, "rw_garch+aci");
        var check = Assert.Single(AlertRules.Band([reference, collapsed], new BandRule()));
        Assert.True(check.Active);
        Assert.Contains("lower side is 0.6 %", check.Evidence);
        Assert.False(Assert.Single(AlertRules.Band([reference, collapsed with { Q10 = -0.1 }], new BandRule())).Active);
    }

    [Fact]
    public void a_coverage_rule_is_not_evaluated_with_fewer_than_ten_independent_outcomes_in_its_window()
    {
        // 60 matured 21-day forecasts hold about 3 independent outcomes: no coverage verdict either way.
        var p = Prices();
        var matured = Enumerable.Range(0, 60).Select(i => new MaturedForecast(F(Roles.Released, 21, p.Dates[0], p.Dates[1], 100, 0, 0, 0), 1, 1, 1, false, 1, "normal", "large")).ToList();
        Assert.Empty(AlertRules.Coverage(matured, [21], new CoverageRule()));
        var daily = matured.Select(m => m with { Forecast = m.Forecast with { Horizon = 1 } }).ToList();
        Assert.True(Assert.Single(AlertRules.Coverage(daily, [1], new CoverageRule())).Active); // 0 % covered over 60 one-day outcomes
    }

    [Fact]
    public void a_rules_file_with_an_unknown_setting_or_a_bad_value_is_refused_naming_file_and_setting()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-ops-");
        try
        {
            var path = Path.Combine(dir.FullName, "operations.json");
            File.WriteAllText(path, "{\n  \"coverage\": { \"window\": 60 },\n  \"coverag\": {}\n}");
            var e = Assert.Throws<InvalidDataException>(() => OperationsRules.Read(path));
            Assert.Contains("operations.json line 3", e.Message);
            File.WriteAllText(path, "{ \"skill\": { \"min\": 2 } }");
            Assert.Contains("skill.min = 2 is not in (−1, 1)", Assert.Throws<InvalidDataException>(() => OperationsRules.Read(path)).Message);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void the_committed_rules_file_reads_and_states_the_defaults()
    {
        var rules = OperationsRules.Read(OperationsRules.DefaultPath);
        Assert.Equal(OperationsRules.Default.Coverage, rules.Coverage);
        Assert.Equal(OperationsRules.Default.Shadow, rules.Shadow);
        Assert.Equal(OperationsRules.Default.Correlation.Markets, rules.Correlation.Markets);
        Assert.Equal("", rules.Email.Host);
    }

    [Fact]
    public void an_alert_email_reaches_a_loopback_smtp_server()
    {
        using var server = netDumbster.smtp.SimpleSmtpServer.Start();
        var rule = new EmailRule("127.0.0.1", server.Configuration.Port, "none", "cbi@localhost", ["desk@localhost"]);
        var alerts = new[] { new Alert(new DateOnly(2026, 3, 24), "stale-input", "CL", "fired", "daily price source CL: latest value dated 2026-03-16") };
        Assert.True(AlertDelivery.Email(rule, alerts, "smoke"));
        var mail = Assert.Single(server.ReceivedEmail);
        Assert.Equal("desk@localhost", mail.ToAddresses.Single().Address);
        Assert.Contains("1 alert(s) fired", mail.Headers["Subject"]);
        Assert.Contains("latest value dated 2026-03-16", mail.MessageParts[0].BodyData);
    }

    [Fact]
    public void an_unreachable_smtp_server_is_an_error_naming_host_and_port()
    {
        var port = FreePort();
        var rule = new EmailRule("127.0.0.1", port, To: ["desk@localhost"]);
        var e = Assert.Throws<InvalidOperationException>(() => AlertDelivery.Email(rule, [new Alert(new DateOnly(2026, 3, 24), "skill", "h1", "fired", "x")], "smoke"));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }

    /// <summary>Copies folders of the committed smoke artifacts (release, models, operations) into a scratch profile folder.</summary>
    internal static void CopySmoke(string profileDir, params string[] folders)
    {
        foreach (var sub in folders)
        {
            var from = Path.Combine(Workbench.ArtifactsDir, "smoke", sub);
            foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(profileDir, sub, Path.GetRelativePath(from, f));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(f, target);
            }
        }
    }

    internal static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>Operations on the real data: point in time, stale sources, correlations, and a replay end to end.</summary>
[Trait("Category", "Slow")]
[Collection("warehouse")]
public class RealOperationsTests(WarehouseFixture wh)
{
    static Frame Cut(Frame f, DateOnly last)
    {
        var n = Array.FindLastIndex(f.Dates, d => d <= last) + 1;
        return new Frame(f.Dates[..n], f.Close[..n], f.FeatureNames, f.Features.Select(c => c[..n]).ToArray(), f.Weights?[..n], f.Calendar);
    }

    static OperationalModels Models(Frame prices)
    {
        var context = RunContext.Detached(RunProfile.Smoke);
        var dev = Splits.Development(prices);
        IForecaster Fit(string name, int h) => Release.FitReleased(ModelCatalog.Get(name), dev, h, context);
        return new OperationalModels([
            new OperatedModel(5, Roles.Released, "rw_garch+aci", "a", ModelInputs.Prices, Fit("rw_garch+aci", 5)),
            new OperatedModel(5, Roles.Reference, "rw", "b", ModelInputs.Prices, Fit("rw", 5)),
            new OperatedModel(21, Roles.Released, "garch_n", "c", ModelInputs.Prices, Fit("garch_n", 21)),
            new OperatedModel(21, Roles.Reference, "rw", "d", ModelInputs.Prices, Fit("rw", 21)),
        ], "test");
    }

    [Fact]
    public void an_as_of_forecast_is_the_same_from_data_cut_at_its_origin_and_a_batch_equals_one_day_at_a_time()
    {
        var prices = ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL"));
        using var models = Models(prices);
        var days = OperationsJob.SessionsAfter(prices, new DateOnly(2025, 7, 14), 5);
        var batch = models.Forecast(new Dictionary<ModelInputs, Frame> { [ModelInputs.Prices] = prices }, days, DateTime.UnixEpoch).Forecasts;
        Assert.Equal(days.Count * 4, batch.Count);
        foreach (var d in days)
        {
            var cut = Cut(prices, d);
            var alone = models.Forecast(new Dictionary<ModelInputs, Frame> { [ModelInputs.Prices] = cut }, [d], DateTime.UnixEpoch).Forecasts;
            // Made on the day itself every forecast is ex ante; made a year later from the full data, the same numbers are
            // ex post: only the flag may differ.
            Assert.All(alone, f => Assert.True(f.ExAnte));
            Assert.All(batch.Where(f => f.OriginDate == d), f => Assert.False(f.ExAnte));
            Assert.Equal(batch.Where(f => f.OriginDate == d).OrderBy(f => f.Horizon).ThenBy(f => f.Role), alone.Select(f => f with { ExAnte = false }).OrderBy(f => f.Horizon).ThenBy(f => f.Role));
        }
    }

    [Fact]
    public void a_source_that_stops_updating_raises_a_stale_alert_and_one_discontinued_before_the_release_does_not()
    {
        var trainingEnd = Snapshot.Load(wh.Path, Holdout.Start.AddDays(-1));
        var before = AlertRules.Stale(Snapshot.Load(wh.Path, new DateOnly(2026, 3, 20)), trainingEnd, new StaleRule()).ToList();
        var after = AlertRules.Stale(Snapshot.Load(wh.Path, new DateOnly(2026, 3, 25)), trainingEnd, new StaleRule()).ToList();
        Assert.False(before.Single(c => c.Subject == "CL").Active);   // crude's vendored series ends 2026-03-16
        var cl = after.Single(c => c.Subject == "CL");
        Assert.True(cl.Active, cl.Evidence);
        Assert.Contains("latest value dated 2026-03-16", cl.Evidence);
        Assert.False(after.Single(c => c.Subject == "ZL").Active);
        Assert.DoesNotContain(after, c => c.Subject == "ZL2");        // the second-month series stopped in 2019
    }

    [Fact]
    public void a_correlation_uses_only_values_available_by_its_date_and_a_stopped_market_ends_its_window_there()
    {
        var rule = new CorrelationRule();
        var early = CorrelationMonitor.At(Snapshot.Load(wh.Path, new DateOnly(2025, 7, 16)), "FCPO", rule)!;
        Assert.True(early.LastCommonDate <= new DateOnly(2025, 7, 16));
        Assert.Equal((63, 252), (early.N, early.ReferenceN));
        Assert.InRange(early.Correlation, -1, 1);
        var z = (Math.Atanh(early.Correlation) - Math.Atanh(early.ReferenceCorrelation)) / Math.Sqrt(1.0 / 60 + 1.0 / 249);
        Assert.Equal(z, early.Z, 12);
        var crude = CorrelationMonitor.At(Snapshot.Load(wh.Path, new DateOnly(2026, 7, 13)), "CL", rule)!;
        Assert.Equal(new DateOnly(2026, 3, 16), crude.LastCommonDate);
        Assert.Null(AlertRules.Correlation(crude, rule, new StaleRule())); // a stopped market is the stale rule's alert, not a break
    }

    [Fact]
    public void a_replay_of_250_sessions_files_one_forecast_per_session_horizon_and_role_and_a_rerun_adds_none()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-replay-");
        try
        {
            // A scratch profile folder with the committed smoke release and its saved fits, and a scratch warehouse.
            var profileDir = Path.Combine(dir.FullName, "smoke");
            OperationsTests.CopySmoke(profileDir, "release", "models");
            var warehouse = Path.Combine(dir.FullName, "warehouse.duckdb");
            File.Copy(wh.Path, warehouse);
            var frames = OperationsJob.Frames(OperationsJob.InputsOfRelease(profileDir), warehouse);
            var context = RunContext.FromArtifacts(RunProfile.Smoke, Path.Combine(Workbench.ArtifactsDir, "smoke"));
            using var models = OperationsJob.Prepare(context, profileDir, frames);
            var cards = Release.Read(Release.PathIn(profileDir));
            Assert.Equal(cards.Select(c => (c.Horizon, c.Model, c.Version)), models.Models.Where(m => m.Role == Roles.Released).Select(m => (m.Horizon, m.Model, m.Version)));

            var days = OperationsJob.SessionsAfter(frames[ModelInputs.Prices], new DateOnly(2025, 7, 14), 250);
            var alerts = Path.Combine(dir.FullName, "alerts.jsonl");
            var r = OperationsJob.Run(models, frames, days, OperationsRules.Default, profileDir, warehouse, "test replay", alerts, null);

            var keys = r.Forecasts.Select(f => (f.OriginDate, f.Horizon, f.Role)).ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
            Assert.Equal(days.Count * models.Models.Count, r.Forecasts.Count + r.Abstentions.Count);
            Assert.All(cards, c => Assert.Equal(days.Count, r.Forecasts.Count(f => f.Horizon == c.Horizon && f.Role == Roles.Released) +
                                                           r.Abstentions.Count(a => a.Horizon == c.Horizon && a.Role == Roles.Released)));
            Assert.Equal(r.Forecasts.Count, r.NewForecasts);
            // Replayed days end before the data does: every forecast is ex post, even a 252-day one whose target lies beyond
            // the data (most of its outcome path was known when it was made).
            var prices = frames[ModelInputs.Prices];
            Assert.True(days[^1] < prices.Dates[^1]);
            Assert.All(r.Forecasts, f => Assert.False(f.ExAnte));
            // Every forecast whose target closed by the last day is scored (targets without a close excepted).
            Assert.Equal(r.Forecasts.Count(f => f.TargetDate <= days[^1] && prices.RowOf(f.TargetDate) >= 0), r.Matured.Count);
            Assert.Contains(r.Alerts, a => a.Rule == "stale-input" && a.Subject == "CL" && a.State == "fired" && a.AsOf == new DateOnly(2026, 3, 24));
            Assert.Equal(5, r.Correlations.Count);
            Assert.Contains(r.LastChecks, c => c.Rule == "promotion-proposed");
            // A proposal's evidence says whether it rests on live forecasts: a replay's pairs are all replayed.
            Assert.All(r.LastChecks.Where(c => c.Rule == "promotion-proposed" && !c.Evidence.EndsWith("no test")),
                c => Assert.Contains("(0 of the pairs made ex ante, the rest replayed)", c.Evidence));
            Assert.Contains(r.LastChecks, c => c.Rule == "promotion-proposed" && !c.Evidence.EndsWith("no test"));
            Assert.Single(Holdout.History(Path.Combine(profileDir, "holdout-reads.jsonl")));

            var again = OperationsJob.Run(models, frames, days, OperationsRules.Default, profileDir, warehouse, "test replay again", alerts, null);
            Assert.Equal(0, again.NewForecasts);
            Assert.Equal(r.Forecasts.Count, OperationsStore.Read(OperationsStore.PathIn(profileDir)).Count);
            Assert.Equal(r.Alerts.Count, File.ReadAllLines(alerts).Length);
            Assert.Equal(r.Forecasts.Select(f => (f.ModelVersion, f.OriginDate, f.Horizon)).ToHashSet(),
                ForecastExport.Read(warehouse).Select(f => (f.ModelVersion, f.OriginDate, f.Horizon)).ToHashSet());

            // The next day live: yesterday's filed forecasts mature today and are scored; a mail server that is down costs
            // a warning, not the day's forecasts.
            var next = OperationsJob.SessionsAfter(prices, days[^1], 1);
            var warnings = new List<string>();
            var live = OperationsJob.Run(models, frames, next, OperationsRules.Default with { Email = new EmailRule("127.0.0.1", OperationsTests.FreePort(), To: ["desk@localhost"]) },
                profileDir, warehouse, "test live day", OperationsJob.AlertsPath(profileDir), OperationsJob.AlertStatePath(profileDir), warnings.Add);
            Assert.Equal(models.Models.Count, live.NewForecasts);
            // Ex ante exactly when the day is the data's last session (it is, with the vendored data).
            Assert.All(live.Forecasts.Where(f => f.OriginDate == next[0]), f => Assert.Equal(next[0] == prices.Dates[^1], f.ExAnte));
            Assert.True(live.Matured.Count > r.Matured.Count, $"{live.Matured.Count} matured live");
            Assert.Contains(warnings, w => w.Contains("WARNING: alert e-mail to 127.0.0.1"));
            Assert.True(File.Exists(OperationsJob.AlertStatePath(profileDir)));

            var early = Assert.Throws<ArgumentException>(() => OperationsJob.Run(models, frames, [new DateOnly(2023, 6, 29)], OperationsRules.Default, profileDir, warehouse, "test", null, null));
            Assert.Contains("in sample", early.Message);
        }
        finally { dir.Delete(recursive: true); }
    }
}

/// <summary>Performing a promotion, on a scratch copy of the committed smoke release and its saved fits.</summary>
public class PromotionTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("cbi-promote-").FullName;

    public PromotionTests()
    {
        OperationsTests.CopySmoke(dir, "release", "models", "operations");
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void the_release_id_names_what_is_operated_not_the_wording_of_the_evidence()
    {
        var path = Release.PathIn(dir);
        var id = OperationalModels.ReleaseId(path);
        var cards = Release.Read(path);
        Release.Save(cards.Select(c => c with { Reason = c.Reason + " (re-worded)", CoveragePValue = double.NaN }).ToList(), path);
        Assert.Equal(id, OperationalModels.ReleaseId(path));
        Release.Save(cards.Select(c => c.Horizon == 5 ? c with { Version = "000000000000" } : c).ToList(), path);
        Assert.NotEqual(id, OperationalModels.ReleaseId(path));
        // Dropping the h5 shadow (no other eligible candidate) changes what is operated too.
        Release.Save(cards.Select(c => c.Horizon == 5 ? c with { Candidates = c.Candidates.Where(x => x.Model == c.Model).ToList() } : c).ToList(), path);
        Assert.NotEqual(id, OperationalModels.ReleaseId(path));
    }

    [Fact]
    public void a_promotion_without_an_active_proposal_is_refused_and_the_release_is_unchanged()
    {
        var before = OperationalModels.ReleaseId(Release.PathIn(dir));
        var e = Assert.Throws<InvalidOperationException>(() => Promotion.Promote(dir, 5, "looks better"));
        Assert.Contains("no active promotion proposal for h5", e.Message);
        Assert.Equal(before, OperationalModels.ReleaseId(Release.PathIn(dir)));
    }

    [Fact]
    public void a_promotion_releases_the_shadows_fit_keeps_the_old_release_and_is_recorded()
    {
        // The shadow of h5 in the committed smoke replay (its ledger, copied); its fit is in the model store.
        var (model, version) = OperationsStore.Read(OperationsStore.PathIn(dir))
            .Where(f => f.Horizon == 5 && f.Role == Roles.Shadow).Select(f => (f.Model, f.Version)).Distinct().Single();
        var book = new AlertBook();
        book.Update(new DateOnly(2026, 7, 13), [new AlertCheck("promotion-proposed", $"h5 shadow {model}", true,
            $"shadow {model}@{version} against released garch_n@b4a287142785 over 245 matured forecasts: quantile score 0.01 vs 0.0102 (+2.0%), Diebold–Mariano p 0.01")]);
        book.Save(OperationsJob.AlertStatePath(dir));
        var before = OperationalModels.ReleaseId(Release.PathIn(dir));

        var r = Promotion.Promote(dir, 5, "the shadow earned it");
        var card = Release.Read(Release.PathIn(dir)).Single(c => c.Horizon == 5);
        Assert.Equal((model, version, false), (card.Model, card.Version, card.Skill));
        Assert.Contains("promoted from shadow", card.Reason);
        var released = Release.Read(Path.Combine(Workbench.ArtifactsDir, "smoke", "release", "release.json")).Single(c => c.Horizon == 5);
        Assert.Equal(($"{released.Model}@{released.Version}", $"{model}@{version}", before), (r.From, r.To, r.ReleaseBefore));
        Assert.NotEqual(before, r.ReleaseAfter);
        Assert.StartsWith($"history/{before}-", r.History);
        Assert.True(File.Exists(Path.Combine(dir, "release", r.History)));
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "release", "promotions.jsonl")));
        Assert.Equal(released.Model, Release.Read(Path.Combine(dir, "release", r.History)).Single(c => c.Horizon == 5).Model);
    }
}
