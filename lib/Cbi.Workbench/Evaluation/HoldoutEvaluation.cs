using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Evaluation;

/// <summary>A model evaluated on the holdout: the saved version that made the holdout forecasts.</summary>
/// <param name="Model">Spec name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Version">Model-store version id (<see cref="ModelStore"/>).</param>
/// <param name="Rows">Holdout prediction rows it produced.</param>
/// <param name="Abstentions">Holdout origins at which it abstained.</param>
public sealed record HoldoutModel(string Model, int Horizon, string Version, int Rows, int Abstentions);

/// <summary>One line of the holdout ledger: a configuration (the set of model versions) evaluated on the holdout.</summary>
/// <param name="TimeUtc">When it was evaluated.</param>
/// <param name="Profile">Run profile.</param>
/// <param name="ConfigurationHash">16 hex digits of SHA-256 over the sorted "model h version" lines: the same release
/// gives the same hash.</param>
/// <param name="Commit">Workbench commit.</param>
/// <param name="NewLook">False when this configuration had been evaluated before (a re-report, not a new look).</param>
/// <param name="DistinctConfigurations">Distinct configurations evaluated on the holdout so far, this one included.</param>
/// <param name="Models">"model h=… version" of every model evaluated.</param>
/// <param name="Headline">Per horizon, the headline model's holdout MAE skill, quantile-score skill, P10–P90 coverage and
/// Diebold–Mariano p-value against the random walk.</param>
public sealed record LedgerEntry(DateTime TimeUtc, string Profile, string ConfigurationHash, string Commit, bool NewLook, int DistinctConfigurations,
    IReadOnlyList<string> Models, IReadOnlyDictionary<string, string> Headline);

/// <summary>What the one holdout read produced.</summary>
/// <param name="Rows">Holdout prediction rows of every model (split "holdout"), also written to the prediction table.</param>
/// <param name="Summary">Every metric per model × horizon on the holdout (skill and DM tests against the random walk).</param>
/// <param name="Models">The versions evaluated.</param>
/// <param name="Entry">The ledger line of this evaluation.</param>
/// <param name="MetricsPath">The contract CSV (artifacts/&lt;profile&gt;/holdout/metrics.csv).</param>
public sealed record HoldoutResult(IReadOnlyList<PredictionRow> Rows, IReadOnlyList<SummaryRow> Summary, IReadOnlyList<HoldoutModel> Models,
    LedgerEntry Entry, string MetricsPath);

/// <summary>The one deliberate read of the holdout (origins ≥ 2023-07-01) for a release: every model is fitted once on
/// every development row whose target is known before the holdout starts (purged at its horizon), saved with a version,
/// and forecasts every holdout origin; the read goes through <see cref="Holdout.Read"/> exactly once and is recorded;
/// the configuration is entered in the holdout ledger so a reader can count the looks.</summary>
public static class HoldoutEvaluation
{
    /// <summary>The contract columns of metrics.csv, in order.</summary>
    public static readonly string[] MetricsColumns =
    [
        "model", "horizon", "n", "mae", "rmse", "mape", "crps", "pinball_q10", "pinball_q50", "pinball_q90", "coverage_80", "sharpness",
        "directional_accuracy", "mae_skill_vs_rw", "crps_skill_vs_rw", "dm_pvalue_vs_rw", "pt_pvalue", "dm_effective_n",
    ];

    /// <summary>Evaluates <paramref name="models"/> on the holdout at the given horizons (default: the profile's horizons
    /// for each model), through the one walk-forward engine with a single holdout fold per horizon.</summary>
    /// <param name="models">The released models and their comparators (baselines, members, the ensemble, calibrated variants).</param>
    /// <param name="context">The run: its profile (horizons, training budget), its artifact folder (models, ledger, metrics
    /// are written under <see cref="RunContext.ProfileDir"/>), the tuned parameters and the scored validation history a
    /// combination learns from (cut at the holdout fold's last known outcome by the engine).</param>
    /// <param name="reason">Why the holdout is read (recorded in the guard's log).</param>
    /// <param name="headline">The model whose figures go into the ledger's headline per horizon (e.g. <c>release</c>'s
    /// models); a function of the horizon, or null for none.</param>
    /// <param name="frames">The frame of each input kind (the entry point reads them from the warehouse).</param>
    /// <param name="horizons">Horizons per model; default <see cref="RunProfile.HorizonsFor"/>.</param>
    /// <param name="logPath">The guard's log; default &lt;profile dir&gt;/holdout-reads.jsonl.</param>
    /// <exception cref="InvalidOperationException">the frames disagree on their dates, or a model fails.</exception>
    /// <exception cref="ArgumentException">the context has no artifact folder.</exception>
    public static HoldoutResult Run(IReadOnlyList<ModelSpec> models, RunContext context, string reason, Func<int, string?>? headline,
        IReadOnlyDictionary<ModelInputs, Frame> frames, Func<ModelSpec, IReadOnlyList<int>>? horizons = null, string? logPath = null)
    {
        var dir = context.ProfileDir ?? throw new ArgumentException("the holdout evaluation writes under the run's artifact folder; the context has none.", nameof(context));
        var profile = context.Profile;
        var reference = frames.Values.First();
        foreach (var f in frames.Values)
            if (!f.Dates.AsSpan().SequenceEqual(reference.Dates))
                throw new InvalidOperationException("the price and feature frames have different sessions; the holdout rows would not line up.");
        logPath ??= Path.Combine(dir, "holdout-reads.jsonl");
        // The one read of this evaluation (a re-run of a release is a recorded, deliberate read too).
        var set = Holdout.Read(reference, reason, release: Holdout.History(logPath).Count > 0, logPath: logPath, profile: profile.Name);
        var rows = new List<PredictionRow>();
        var abstentions = new List<Abstention>();
        var evaluated = new List<HoldoutModel>();
        var root = Path.Combine(dir, "models");
        foreach (var spec in models)
        {
            var frame = frames[spec.Inputs];
            var hs = new HoldoutSet(frame, set.Rows);
            var hList = (horizons?.Invoke(spec) ?? profile.HorizonsFor(spec)).ToArray();
            var versions = new Dictionary<int, string>();
            var run = Backtest.Run(Backtest.Factory(spec, h => context.TunedFor(spec, h), profile.Training, 42, context), spec.MissingInputs,
                frame, hList.Select(h => hs.Fold(h)), hList, progress: false, new WalkForwardHooks { Fitted = (fold, model) => versions[fold.Horizon] = ModelStore.Save(model, root).Version });
            rows.AddRange(run.Rows);
            abstentions.AddRange(run.Abstentions);
            foreach (var h in hList)
            {
                var n = run.Rows.Count(r => r.Horizon == h);
                var abstained = run.Abstentions.Count(a => a.Horizon == h);
                evaluated.Add(new HoldoutModel(spec.Name, h, versions[h], n, abstained));
                Log.Progress($"[holdout] {spec.Name} h={h}: version {versions[h]}, {n} holdout rows, {abstained} abstentions");
            }
        }
        PredictionStore.Write(rows, Path.Combine(dir, "predictions.parquet"));
        PredictionStore.WriteAbstentions(abstentions, Path.Combine(dir, "abstentions.parquet"));
        var summary = MetricsSummary.Compute(rows, frames.GetValueOrDefault(ModelInputs.Prices) ?? reference);
        var outDir = Path.Combine(dir, "holdout");
        var metricsPath = Path.Combine(outDir, "metrics.csv");
        WriteMetrics(summary, metricsPath);
        var entry = Record(profile, evaluated, summary, headline, Path.Combine(outDir, "ledger.jsonl"));
        return new HoldoutResult(rows, summary, evaluated, entry, metricsPath);
    }

    static void WriteMetrics(IReadOnlyList<SummaryRow> summary, string path)
    {
        static string F(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder(string.Join(',', MetricsColumns)).Append('\n');
        foreach (var s in summary.Where(s => s.Split == "holdout").OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Horizon))
            sb.Append(string.Join(',', s.Model, s.Horizon.ToString(CultureInfo.InvariantCulture), s.N.ToString(CultureInfo.InvariantCulture),
                F(s.MaeLog), F(s.RmseLog), F(s.MapePrice), F(s.QuantileScore), F(s.Pinball10), F(s.Pinball50), F(s.Pinball90), F(s.Coverage80),
                F(s.Sharpness80), F(s.DirectionalAccuracy), F(s.MaeSkill), F(s.QuantileScoreSkill), F(s.DmPValue), F(s.PtPValue), F(s.DmEffectiveN))).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Enters the evaluation in the ledger, one line per configuration: a configuration already in it is
    /// re-reported (the returned entry has NewLook false) and neither adds a line nor counts as another look.</summary>
    internal static LedgerEntry Record(RunProfile profile, IReadOnlyList<HoldoutModel> evaluated, IReadOnlyList<SummaryRow> summary, Func<int, string?>? headline, string path)
    {
        var lines = evaluated.Select(m => $"{m.Model} h={m.Horizon} {m.Version}").Order(StringComparer.Ordinal).ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(profile.Name + "\n" + string.Join('\n', lines))))[..16];
        var previous = Read(path);
        var distinct = previous.Select(e => e.ConfigurationHash).Append(hash).Distinct().Count();
        var head = summary.Where(s => s.Split == "holdout" && headline?.Invoke(s.Horizon) == s.Model).OrderBy(s => s.Horizon).ToDictionary(s => $"h{s.Horizon}", s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Model}: mae_skill {s.MaeSkill:F4} crps_skill {s.QuantileScoreSkill:F4} coverage_80 {s.Coverage80:F3} dm_p {s.DmPValue:G3}"));
        var entry = new LedgerEntry(DateTime.UtcNow, profile.Name, hash, Reporting.Benchmark.GitCommit(), previous.All(e => e.ConfigurationHash != hash), distinct, lines, head);
        if (!entry.NewLook) return entry;
        JsonLines.Append(path, entry);
        return entry;
    }

    /// <summary>The ledger's entries (empty when none).</summary>
    /// <exception cref="InvalidDataException">a line that is not a ledger entry (names the line).</exception>
    public static IReadOnlyList<LedgerEntry> Read(string path) => JsonLines.Read<LedgerEntry>(path, "a ledger entry");
}

/// <summary>Scores of a model within one group of origins (a regime, a size of move).</summary>
/// <param name="Model">Model.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Group">The group (e.g. crisis, bull; small, medium, large move).</param>
/// <param name="N">Origins in the group.</param>
/// <param name="QuantileScore">Mean three-quantile score (lower is better).</param>
/// <param name="SkillVsRw">1 − score / the random walk's score on the same origins.</param>
/// <param name="Coverage80">Share of outcomes inside P10–P90.</param>
public sealed record GroupScore(string Model, int Horizon, string Group, int N, double QuantileScore, double SkillVsRw, double Coverage80);

/// <summary>Decompositions of holdout (or validation) scores by a grouping of the origins.</summary>
public static class ScoreBreakdown
{
    /// <summary>Per model × horizon × group, with the random walk's score on the same origins as the reference.</summary>
    /// <param name="rows">Prediction rows (several models; must include the reference model's rows).</param>
    /// <param name="group">The group of a row, e.g. the market regime at its origin.</param>
    public static IReadOnlyList<GroupScore> By(IReadOnlyList<PredictionRow> rows, Func<PredictionRow, string> group)
    {
        var reference = ModelCatalog.Reference.Name;
        var rw = rows.Where(r => r.Model == reference).ToDictionary(r => (r.Horizon, r.Split, r.OriginDate), r => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90));
        return rows.GroupBy(r => (r.Model, r.Horizon, Group: group(r))).OrderBy(g => g.Key.Horizon).ThenBy(g => g.Key.Group).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g =>
            {
                var scores = g.Select(r => (S: Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90), Ref: rw.GetValueOrDefault((r.Horizon, r.Split, r.OriginDate), double.NaN))).ToArray();
                var shared = scores.Where(x => !double.IsNaN(x.Ref)).ToArray();
                return new GroupScore(g.Key.Model, g.Key.Horizon, g.Key.Group, g.Count(), scores.Average(x => x.S),
                    shared.Length == 0 ? double.NaN : 1 - shared.Sum(x => x.S) / shared.Sum(x => x.Ref), g.Average(r => r.Y >= r.Q10 && r.Y <= r.Q90 ? 1.0 : 0));
            }).ToList();
    }

    /// <summary>The size of the realised move of a row relative to the others at its horizon: <c>small</c>, <c>medium</c>,
    /// <c>large</c> terciles of |y| (an after-the-fact grouping for evaluation only).</summary>
    public static Func<PredictionRow, string> SizeOfMove(IReadOnlyList<PredictionRow> rows)
    {
        var cuts = rows.GroupBy(r => r.Horizon).ToDictionary(g => g.Key, g =>
        {
            var a = g.Select(r => Math.Abs(r.Y)).Order().ToArray();
            return (a[a.Length / 3], a[2 * a.Length / 3]);
        });
        return r => { var (lo, hi) = cuts[r.Horizon]; var m = Math.Abs(r.Y); return m <= lo ? "small" : m <= hi ? "medium" : "large"; };
    }
}
