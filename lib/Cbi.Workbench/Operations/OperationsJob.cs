using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Operations;

/// <summary>What a replay (or a day of operations) produced.</summary>
/// <param name="Sessions">The operations days, ascending.</param>
/// <param name="Forecasts">Every forecast made (all roles), one per session × horizon × role where the model forecast.</param>
/// <param name="Abstentions">Where a model made no forecast, with the reason.</param>
/// <param name="Matured">The forecasts matured by the last day, scored.</param>
/// <param name="Summary">Their summary (<see cref="MaturedScoring.Summarize"/>).</param>
/// <param name="Alerts">Alerts fired or resolved, in day order.</param>
/// <param name="Correlations">The correlation table on the last day, one row per market.</param>
/// <param name="NewForecasts">Forecasts new to the ledger (0 on a re-run).</param>
/// <param name="EmailsSent">Alert e-mails sent.</param>
/// <param name="LastChecks">Every rule check of the last day, active or not, with its evidence (the rules' state).</param>
public sealed record OperationsResult(IReadOnlyList<DateOnly> Sessions, IReadOnlyList<OperationalForecast> Forecasts, IReadOnlyList<OperationalAbstention> Abstentions,
    IReadOnlyList<MaturedForecast> Matured, IReadOnlyList<MaturedSummary> Summary, IReadOnlyList<Alert> Alerts, IReadOnlyList<CorrelationPoint> Correlations,
    int NewForecasts, int EmailsSent, IReadOnlyList<AlertCheck> LastChecks);

/// <summary>The operations entry points behind <c>cbi forecast</c>, <c>cbi validate</c>, <c>cbi replay</c> and notebook
/// 08: they read the release and the saved fits from a profile's artifact folder (the science they call reads nothing),
/// forecast from as-of dates, score what has matured, check the alert rules and file everything.</summary>
public static class OperationsJob
{
    /// <summary>The operated models of a profile: per horizon of the release, the released fit (loaded by the version on its
    /// card, so exactly the fit notebook 06 saved and 07 evaluated), the random walk fitted the same way as reference, and,
    /// when <paramref name="shadow"/>, the best other eligible candidate of the card (not a variant of the released model,
    /// not a network) fitted the same way as shadow. Fits are filed in the model store.</summary>
    /// <param name="context">The run context (tuned points and scored history for the fits).</param>
    /// <param name="profileDir">artifacts/&lt;profile&gt;.</param>
    /// <param name="frames">The frames (<see cref="Frames"/>).</param>
    /// <param name="shadow">Whether to run shadow candidates.</param>
    /// <exception cref="FileNotFoundException">no release (run notebook 06) or a released version missing from the store.</exception>
    public static OperationalModels Prepare(RunContext context, string profileDir, IReadOnlyDictionary<ModelInputs, Frame> frames, bool shadow = true)
    {
        var releasePath = Release.PathIn(profileDir);
        var cards = Release.Read(releasePath);
        var root = Path.Combine(profileDir, "models");
        var list = new List<OperatedModel>();
        try
        {
            foreach (var c in cards.OrderBy(c => c.Horizon))
            {
                var spec = ModelCatalog.Get(c.Model);
                var dir = Path.Combine(root, c.Model, $"h{c.Horizon}", c.Version);
                if (!Directory.Exists(dir))
                    throw new FileNotFoundException($"the released {c.Model} h{c.Horizon} version {c.Version} is not in {Workbench.Relative(root)}; notebook 06 saves it with the release.", dir);
                list.Add(new OperatedModel(c.Horizon, Roles.Released, c.Model, c.Version, spec.Inputs, ModelStore.Load(dir)));
                list.Add(FitAndFile(ModelCatalog.Get("rw"), Roles.Reference, c.Horizon, frames, context, root));
                if (!shadow) continue;
                var candidate = ShadowOf(c);
                if (candidate != null) list.Add(FitAndFile(candidate, Roles.Shadow, c.Horizon, frames, context, root));
            }
            return new OperationalModels(list, OperationalModels.ReleaseId(releasePath));
        }
        catch
        {
            foreach (var m in list) (m.Forecaster as IDisposable)?.Dispose();
            throw;
        }
    }

    static OperatedModel FitAndFile(ModelSpec spec, string role, int horizon, IReadOnlyDictionary<ModelInputs, Frame> frames, RunContext context, string root)
    {
        var f = Release.FitReleased(spec, Splits.Development(frames[spec.Inputs]), horizon, context);
        var saved = ModelStore.Save(f, root);
        return new OperatedModel(horizon, role, spec.Name, saved.Version, spec.Inputs, f);
    }

    /// <summary>The frames operations read, from the warehouse: the price frame always (scoring), the feature frame when a
    /// model reads features or sequences.</summary>
    public static IReadOnlyDictionary<ModelInputs, Frame> Frames(IEnumerable<ModelInputs> inputs, string? warehousePath = null)
    {
        var d = new Dictionary<ModelInputs, Frame> { [ModelInputs.Prices] = ModelComparison.FrameFor(ModelInputs.Prices, warehousePath) };
        if (inputs.Any(i => i != ModelInputs.Prices))
        {
            var features = ModelComparison.FrameFor(ModelInputs.Features, warehousePath);
            d[ModelInputs.Features] = features;
            d[ModelInputs.Sequences] = features;
        }
        return d;
    }

    /// <summary>Every input kind the profile's release or its candidates may read (for <see cref="Frames"/>).</summary>
    public static IReadOnlyList<ModelInputs> InputsOfRelease(string profileDir) =>
        Release.Read(Release.PathIn(profileDir)).SelectMany(c => c.Candidates.Select(x => x.Model).Append(c.Model))
            .Select(m => ModelCatalog.All.FirstOrDefault(s => s.Name == m)?.Inputs ?? ModelInputs.Prices).Distinct().ToList();

    /// <summary>Runs operations day by day over <paramref name="sessions"/> (ascending ZL sessions with a close): each day
    /// the operated models forecast from that day's close; the forecasts matured by that day are scored; the alert rules
    /// are checked on what is known that day (the warehouse as of that day for stale inputs and correlations); alerts that
    /// fire or resolve are delivered. The forecasts are made in one batch per model (an origin's forecast depends only on
    /// data at or before it, which the tests check against the data cut at the origin); they are filed at the end, the
    /// ledger and the warehouse's <c>forecasts</c> table idempotently, the alerts without duplicates.</summary>
    /// <param name="models">The operated models.</param>
    /// <param name="frames">Their frames (the full data).</param>
    /// <param name="sessions">Operations days (non-empty).</param>
    /// <param name="rules">Alert rules.</param>
    /// <param name="profileDir">artifacts/&lt;profile&gt; (the ledger, the alert file and the holdout read log live there).</param>
    /// <param name="warehousePath">The warehouse (as-of snapshots; the <c>forecasts</c> table).</param>
    /// <param name="reason">Why the days are operated (recorded with the holdout read when the days reach the holdout).</param>
    /// <param name="alertsPath">The alert file the run's alerts are added to (without duplicates); null: none written (a check run).</param>
    /// <param name="alertStatePath">Where the active alert conditions persist between runs (live operations: a condition
    /// that began yesterday does not fire again today); null: the run starts with none active and keeps none (a replay).</param>
    /// <param name="progress">Receives one line every 25 days, and a warning when an alert e-mail could not be delivered.</param>
    /// <exception cref="ArgumentException">no session, a session without a ZL close, a session before the holdout (the
    /// released models were fitted on the rows before it: a forecast there would be in sample), or a correlation market
    /// the warehouse does not hold.</exception>
    public static OperationsResult Run(OperationalModels models, IReadOnlyDictionary<ModelInputs, Frame> frames, IReadOnlyList<DateOnly> sessions,
        OperationsRules rules, string profileDir, string warehousePath, string reason, string? alertsPath, string? alertStatePath, Action<string>? progress = null)
    {
        if (sessions.Count == 0) throw new ArgumentException("no operations day given.", nameof(sessions));
        var prices = frames[ModelInputs.Prices];
        var days = sessions.Distinct().Order().ToList();
        foreach (var d in days) CheckDay(prices, d);
        var profile = Path.GetFileName(Path.GetFullPath(profileDir));
        var trainingEnd = Snapshot.Load(warehousePath, Holdout.Start.AddDays(-1));
        var unknown = rules.Correlation.Markets.FirstOrDefault(m => !trainingEnd.Symbols.Contains(m) && !trainingEnd.SeriesNames.Contains(m));
        if (unknown != null) throw new ArgumentException($"correlation market '{unknown}' of the rules is neither a symbol ({string.Join(", ", trainingEnd.Symbols)}) nor a daily series ({string.Join(", ", trainingEnd.SeriesNames)}).");
        if (days[^1] >= Holdout.Start)
            Holdout.Read(prices, $"operations: {reason} ({days[0]:yyyy-MM-dd} … {days[^1]:yyyy-MM-dd}) with the released models", release: true,
                logPath: Path.Combine(profileDir, "holdout-reads.jsonl"), profile: profile);
        var (forecasts, abstentions) = models.Forecast(frames, days, DateTime.UtcNow);
        // What matures during the run: the release's forecasts filed before (live operations score yesterday's forecasts
        // today), and this run's; a key made again now is this run's.
        var made = forecasts.Select(f => (f.Model, f.Version, f.Horizon, f.OriginDate)).ToHashSet();
        var scored = OperationsStore.Read(OperationsStore.PathIn(profileDir))
            .Where(f => f.Release == models.Release && !made.Contains((f.Model, f.Version, f.Horizon, f.OriginDate))).Concat(forecasts).ToList();
        var horizons = models.Models.Select(m => m.Horizon).Distinct().Order().ToList();
        var book = alertStatePath is null ? new AlertBook() : AlertBook.Load(alertStatePath);
        var alerts = new List<Alert>();
        var emails = 0;
        var pending = new List<Alert>();
        var featureModels = models.Models.Where(m => m.Inputs != ModelInputs.Prices).ToList();
        IReadOnlyList<MaturedForecast> matured = [];
        IReadOnlyList<AlertCheck> lastChecks = [];
        var correlations = new List<CorrelationPoint>();
        // Sources must have been current when the released models' training data ended (the day before the holdout).
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            matured = MaturedScoring.Score(scored.Where(f => f.OriginDate <= d), prices, d);
            var snapshot = Snapshot.Load(warehousePath, d);
            var checks = new List<AlertCheck>();
            checks.AddRange(AlertRules.Coverage(matured, horizons, rules.Coverage));
            checks.AddRange(AlertRules.Skill(matured, horizons, rules.Skill));
            checks.AddRange(AlertRules.Stale(snapshot, trainingEnd, rules.Stale));
            correlations.Clear();
            foreach (var market in rules.Correlation.Markets)
                if (CorrelationMonitor.At(snapshot, market, rules.Correlation) is { } point)
                {
                    correlations.Add(point);
                    if (AlertRules.Correlation(point, rules.Correlation, rules.Stale) is { } c) checks.Add(c);
                }
            if (featureModels.Count > 0 && (i % rules.Drift.EverySessions == 0 || i == days.Count - 1) && frames.TryGetValue(ModelInputs.Features, out var features) && features.RowOf(d) is >= 0 and var row)
            {
                var train = Enumerable.Range(0, Splits.FirstRowOnOrAfter(features, Holdout.Start)).ToArray();
                checks.Add(AlertRules.Drift(features, train, row, rules.Drift, string.Join(", ", featureModels.Select(m => $"{m.Model} h{m.Horizon}").Distinct())));
            }
            checks.AddRange(AlertRules.Promotion(matured, rules.Shadow));
            checks.AddRange(AlertRules.Band(forecasts.Where(f => f.OriginDate == d), rules.Band ?? new()));
            lastChecks = checks;
            var today = book.Update(d, checks);
            alerts.AddRange(today);
            pending.AddRange(today);
            if ((i + 1) % 25 == 0 || i == days.Count - 1)
                progress?.Invoke($"[operations] day {i + 1}/{days.Count} {d:yyyy-MM-dd}: {forecasts.Count(f => f.OriginDate <= d)} forecasts, {matured.Count} matured, {alerts.Count} alerts so far, {book.Active.Count} active");
        }
        var added = OperationsStore.Append(forecasts, OperationsStore.PathIn(profileDir));
        if (File.Exists(warehousePath))
            ForecastExport.Append(forecasts.Select(f => f.InPrices()).ToList(), warehousePath, Path.Combine(profileDir, "forecasts.parquet"));
        if (alertsPath != null) AlertDelivery.ToFile(alertsPath, alerts);
        if (alertStatePath != null) book.Save(alertStatePath);
        // Delivered after everything is filed, so a mail server that is down loses no forecast; only live operations
        // e-mail (a replay's alerts are history, in its file).
        if (alertStatePath != null)
            foreach (var day in pending.GroupBy(a => a.AsOf))
                try { if (AlertDelivery.Email(rules.Email, day.ToList(), profile)) emails++; }
                catch (InvalidOperationException e) { progress?.Invoke($"[operations] WARNING: {e.Message}; the alerts are in {Workbench.Relative(alertsPath ?? "the alert file")}"); }
        return new OperationsResult(days, forecasts, abstentions, matured, MaturedScoring.Summarize(matured), alerts, correlations.ToList(), added, emails, lastChecks);
    }

    /// <summary>Checks that <paramref name="day"/> can be an operations day: a ZL session with a close, on or after the
    /// holdout's first day (the released models were fitted on the sessions before it, so a forecast from there would be
    /// in sample).</summary>
    /// <param name="prices">The price frame.</param>
    /// <param name="day">The day.</param>
    /// <param name="option">The command-line option that gave it, named in the error (null: none).</param>
    /// <returns><paramref name="day"/>.</returns>
    /// <exception cref="ArgumentException">either condition fails.</exception>
    public static DateOnly CheckDay(Frame prices, DateOnly day, string? option = null)
    {
        var what = option is null ? $"{day:yyyy-MM-dd}" : $"{option} {day:yyyy-MM-dd}";
        if (prices.RowOf(day) < 0)
            throw new ArgumentException($"{what} is not a ZL session with a close (the data run {prices.Dates[0]:yyyy-MM-dd} … {prices.Dates[^1]:yyyy-MM-dd}).");
        if (day < Holdout.Start)
            throw new ArgumentException($"{what} is before {Holdout.Start:yyyy-MM-dd}: the released models were fitted on the sessions before it, so a forecast from there would be in sample.");
        return day;
    }

    /// <summary>The shadow candidate of a release card: its best other eligible candidate that is neither a variant of the
    /// released model nor its base, not the random walk, and cheap to fit (no network); null when there is none.</summary>
    internal static ModelSpec? ShadowOf(ReleaseCard c) =>
        c.Candidates.Where(x => x.Eligible && x.Model != c.Model && x.Base != c.Model && x.Model != "rw" && !c.Model.StartsWith(x.Model + "+", StringComparison.Ordinal))
            .Select(x => ModelCatalog.All.FirstOrDefault(s => s.Name == x.Model)).FirstOrDefault(s => s is { Expensive: false });

    /// <summary>&lt;profile dir&gt;/operations/alerts.jsonl: the alerts of live operations (<c>cbi forecast</c>).</summary>
    public static string AlertsPath(string profileDir) => Path.Combine(profileDir, "operations", "alerts.jsonl");

    /// <summary>&lt;profile dir&gt;/operations/alert-state.json: the conditions active after the last live day.</summary>
    public static string AlertStatePath(string profileDir) => Path.Combine(profileDir, "operations", "alert-state.json");

    /// <summary>&lt;profile dir&gt;/operations/replay-&lt;from&gt;-&lt;sessions&gt;/: a replay's own alert file (a replay re-run
    /// over the same days gives the same alerts, so it adds none).</summary>
    public static string ReplayDir(string profileDir, DateOnly from, int sessions) =>
        Path.Combine(profileDir, "operations", $"replay-{from:yyyy-MM-dd}-{sessions}");

    /// <summary>The <paramref name="count"/> ZL sessions with a close after <paramref name="after"/>.</summary>
    /// <exception cref="ArgumentException">fewer sessions than that in the data (naming the last date).</exception>
    public static IReadOnlyList<DateOnly> SessionsAfter(Frame prices, DateOnly after, int count)
    {
        var days = prices.Dates.Where(d => d > after).Take(count).ToList();
        if (days.Count < count)
            throw new ArgumentException($"only {days.Count} ZL sessions with a close after {after:yyyy-MM-dd} (the data end {prices.Dates[^1]:yyyy-MM-dd}); asked for {count}.");
        return days;
    }
}
