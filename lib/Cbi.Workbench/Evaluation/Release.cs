using System.Globalization;
using System.Text.Json;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Evaluation;

/// <summary>Settings of the release rule.</summary>
/// <param name="Nominal">Nominal P10–P90 coverage (0.8).</param>
/// <param name="CoverageTolerance">A candidate is calibrated when its validation coverage is within this of
/// <paramref name="Nominal"/> (0.03: 77–83 %).</param>
/// <param name="SpaLevel">The data-snooping-corrected level: a release claims skill only when Hansen's SPA (consistent
/// p-value) over every eligible candidate is below it.</param>
/// <param name="MinOriginShare">Share of the random walk's release-fold origins a candidate must have forecast to be
/// ranked (models backtested on the last folds only are not compared with models backtested on all).</param>
/// <param name="Bootstraps">Stationary-bootstrap replications of the SPA test.</param>
/// <param name="MinPeriods">Non-overlapping h-day periods (origins / h) the SPA test needs before skill may be claimed; the
/// same floor as the Diebold–Mariano test's (<see cref="MetricsSummary.MinDmEffectiveN"/>): with fewer, a block bootstrap
/// of h-session blocks resamples a handful of blocks and its p-value means nothing.</param>
public sealed record ReleaseOptions(double Nominal = 0.8, double CoverageTolerance = 0.03, double SpaLevel = 0.05, double MinOriginShare = 0.9, int Bootstraps = 2000,
    double MinPeriods = MetricsSummary.MinDmEffectiveN);

/// <summary>One candidate's validation evidence at one horizon, on the release folds and the origins it shares with the
/// random walk.</summary>
/// <param name="Model">Model name.</param>
/// <param name="N">Origins shared with the random walk on the release folds.</param>
/// <param name="QuantileScore">Mean quantile score on those origins (<see cref="Metrics.QuantileScore(double, double, double, double)"/>).</param>
/// <param name="SkillVsRw">1 − score / the random walk's score on the same origins (&gt; 0 beats it).</param>
/// <param name="Coverage80">Share of outcomes inside P10–P90.</param>
/// <param name="Base">The uncalibrated base of a calibrated variant ("" for others).</param>
/// <param name="BaseQuantileScore">The base's score on the same origins (NaN when none).</param>
/// <param name="Eligible">Ranked (enough origins; a calibrated variant better than its base).</param>
/// <param name="Calibrated">Coverage within the tolerance of nominal.</param>
/// <param name="NoSkillFamily">P50 is exactly 0 at every origin (the random walk's median): a "no skill" distribution.</param>
/// <param name="Note">Why a candidate is not eligible ("" when it is).</param>
/// <param name="DmPValue">Two-sided Diebold–Mariano p-value of its quantile score against the random walk's on the same
/// origins (HAC with h − 1 lags; NaN below the N/h floor, for the random walk itself, or for identical losses).</param>
/// <param name="BelowP10">Share of outcomes below P10 (nominal 0.1): with <paramref name="AboveP90"/> it says on which side a
/// band misses — a trend the median missed shows as one side only, too narrow a band as both.</param>
/// <param name="AboveP90">Share of outcomes above P90 (nominal 0.1).</param>
/// <param name="CoveragePValue">Two-sided p-value that the P10–P90 coverage equals the nominal level
/// (<see cref="Metrics.CoverageTest"/>: the h-day outcomes of neighbouring origins overlap, so the variance is HAC with
/// h − 1 lags); NaN below the N/h floor, when every outcome fell inside (or outside) the band, or in a release saved before
/// this field existed.</param>
public sealed record ReleaseCandidate(string Model, int N, double QuantileScore, double SkillVsRw, double Coverage80, string Base, double BaseQuantileScore,
    bool Eligible, bool Calibrated, bool NoSkillFamily, string Note, double DmPValue, double BelowP10 = double.NaN, double AboveP90 = double.NaN,
    double CoveragePValue = double.NaN);

/// <summary>The release of one horizon: which model is released and why, with its validation evidence.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Model">The released model.</param>
/// <param name="Skill">True when the release claims skill over the random walk (SPA below the level); false = "no skill".</param>
/// <param name="Reason">The rule's reason in one sentence.</param>
/// <param name="SkillVsRw">Validation quantile-score skill of the released model on the release folds.</param>
/// <param name="Coverage80">Its validation P10–P90 coverage.</param>
/// <param name="QuantileScore">Its validation quantile score.</param>
/// <param name="Origins">Origins it was judged on.</param>
/// <param name="Folds">The release folds (validation folds no search was tuned on).</param>
/// <param name="SpaBest">The candidate the SPA p-value is about (largest studentized gain).</param>
/// <param name="SpaPValue">Hansen's SPA consistent p-value over every eligible candidate (NaN when not computable).</param>
/// <param name="SpaCandidates">Candidates in the SPA test.</param>
/// <param name="Version">Model-store version of the released fit (set when it is saved).</param>
/// <param name="Candidates">Every candidate's evidence, best score first.</param>
/// <param name="BelowP10">The released model's share of validation outcomes below its P10 (nominal 0.1).</param>
/// <param name="AboveP90">Its share above its P90 (nominal 0.1).</param>
/// <param name="CoveragePValue">Two-sided p-value that its validation coverage equals the nominal level
/// (<see cref="ReleaseCandidate.CoveragePValue"/>; NaN below the N/h floor, for an all-inside or all-outside band, or in a
/// release saved before this field existed).</param>
public sealed record ReleaseCard(int Horizon, string Model, bool Skill, string Reason, double SkillVsRw, double Coverage80, double QuantileScore, int Origins,
    IReadOnlyList<int> Folds, string SpaBest, double SpaPValue, int SpaCandidates, string Version, IReadOnlyList<ReleaseCandidate> Candidates,
    double BelowP10 = double.NaN, double AboveP90 = double.NaN, double CoveragePValue = double.NaN);

/// <summary>The release rule: per horizon, every candidate with validation rows (models, the ensemble, calibrated
/// variants) is ranked by its validation quantile score on the <em>release folds</em> — the validation folds no search was
/// scored on (a searched model's parameters were chosen on the last folds, so scoring it there would favour it; its
/// parameters still come from a search that saw those later folds, an optimism the card's fold list makes visible) —
/// against the random walk on the same origins. A calibrated variant is eligible only where it improves the score of its
/// base (coverage alone is not a goal: the quantile score is proper, coverage is not). When Hansen's SPA over every
/// eligible candidate rejects "none beats the random walk" at the level, the best calibrated candidate whose own advantage
/// is significant (Diebold–Mariano against the random walk) is released (skill); when none is calibrated, the best calibrated distribution around the random walk is released instead
/// ("no skill" claimed), or, if there is none, the best candidate by quantile score (skill, with its coverage stated).
/// Without significance the release says "no skill" and is the best (calibrated where possible) distribution around the
/// random walk — a candidate whose P50 is the no-change forecast and whose score is no worse than the random walk's. The
/// released model is never worse than the random walk on the release folds. A pure function of the rows it is given.</summary>
public static class Release
{
    /// <summary>The release folds of a profile: validation folds 0 … V − F − 1 (F = the folds a search is scored on).</summary>
    public static IReadOnlyList<int> ReleaseFolds(RunProfile profile) =>
        Enumerable.Range(0, Math.Max(1, profile.ValidationFolds - profile.Search.Folds)).ToArray();

    /// <summary>The release card of each horizon.</summary>
    /// <param name="rows">Validation prediction rows (any models; search trials "model#n" are ignored).</param>
    /// <param name="horizons">Horizons to release.</param>
    /// <param name="folds">The release folds (<see cref="ReleaseFolds"/>).</param>
    /// <param name="options">Settings; default <see cref="ReleaseOptions"/>.</param>
    /// <exception cref="ArgumentException">a horizon without random-walk rows on the release folds.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a nominal coverage outside (0, 1).</exception>
    public static IReadOnlyList<ReleaseCard> Choose(IReadOnlyList<PredictionRow> rows, IEnumerable<int> horizons, IReadOnlyList<int> folds, ReleaseOptions? options = null)
    {
        var o = options ?? new ReleaseOptions();
        if (!(o.Nominal > 0 && o.Nominal < 1)) throw new ArgumentOutOfRangeException(nameof(options), o.Nominal, "ReleaseOptions.Nominal must be in (0, 1).");
        var reference = ModelCatalog.Reference.Name;
        var cards = new List<ReleaseCard>();
        foreach (var h in horizons)
        {
            var at = rows.Where(r => r.Horizon == h && r.Split == "validation" && folds.Contains(r.Fold) && !r.Model.Contains('#')).ToList();
            var rw = at.Where(r => r.Model == reference).ToDictionary(r => r.OriginDate);
            if (rw.Count == 0)
                throw new ArgumentException($"release h={h}: the random walk has no validation rows on folds {string.Join(",", folds)}; run the baselines first.", nameof(rows));
            var byModel = at.GroupBy(r => r.Model).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.OriginDate));
            double Qs(PredictionRow r) => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90);
            var candidates = new List<ReleaseCandidate>();
            foreach (var (model, own) in byModel.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                // In time order: the HAC variances of the Diebold–Mariano and coverage tests need it.
                var shared = own.Keys.Where(rw.ContainsKey).Order().ToArray();
                if (shared.Length == 0) continue;
                var qs = shared.Average(d => Qs(own[d]));
                var rq = shared.Average(d => Qs(rw[d]));
                var inside = shared.Select(d => own[d].Y >= own[d].Q10 && own[d].Y <= own[d].Q90).ToArray();
                var cov = inside.Average(x => x ? 1.0 : 0);
                var baseName = model.Contains('+') ? model[..model.LastIndexOf('+')] : "";
                var baseQs = baseName.Length > 0 && byModel.TryGetValue(baseName, out var b) && shared.All(b.ContainsKey) ? shared.Average(d => Qs(b[d])) : double.NaN;
                var note = shared.Length < o.MinOriginShare * rw.Count ? $"forecast {shared.Length} of {rw.Count} release-fold origins"
                    : baseName.Length > 0 && double.IsNaN(baseQs) ? $"its base {baseName} has no rows on the same origins"
                    : baseName.Length > 0 && qs >= baseQs ? string.Create(CultureInfo.InvariantCulture, $"not better than its base {baseName} ({qs:G4} ≥ {baseQs:G4})")
                    : "";
                var dm = model == reference ? double.NaN
                    : MetricsSummary.ReliableDmPValue(shared.Select(d => Qs(own[d])).ToArray(), shared.Select(d => Qs(rw[d])).ToArray(), h, o.MinPeriods);
                candidates.Add(new ReleaseCandidate(model, shared.Length, qs, 1 - qs / rq, cov, baseName, baseQs, note.Length == 0,
                    Math.Abs(cov - o.Nominal) <= o.CoverageTolerance, own.Values.All(r => r.Q50 == 0), note, dm,
                    shared.Average(d => own[d].Y < own[d].Q10 ? 1.0 : 0), shared.Average(d => own[d].Y > own[d].Q90 ? 1.0 : 0),
                    MetricsSummary.ReliableCoverageP(inside, o.Nominal, h, o.MinPeriods)));
            }
            // Ties go to the simpler model: a base model before the ensemble before a calibrated variant.
            static int Complexity(string m) => m.Contains('+') ? 2 : m == "ensemble" ? 1 : 0;
            candidates = candidates.OrderBy(c => c.QuantileScore).ThenBy(c => Complexity(c.Model)).ThenBy(c => c.Model, StringComparer.Ordinal).ToList();
            var eligible = candidates.Where(c => c.Eligible).ToList();

            // SPA over every eligible candidate on the origins they all share with the random walk.
            var others = eligible.Where(c => c.Model != reference).Select(c => c.Model).ToList();
            var common = rw.Keys.Where(d => others.All(m => byModel[m].ContainsKey(d))).Order().ToArray();
            var periods = common.Length / (double)h;
            MultipleTestResult? spa = others.Count > 0 && common.Length >= 50 && periods >= o.MinPeriods
                ? RealityCheck.Test(common.Select(d => Qs(rw[d])).ToArray(), others.Select(m => (IReadOnlyList<double>)common.Select(d => Qs(byModel[m][d])).ToArray()).ToList(),
                    others, h, bootstraps: o.Bootstraps)
                : null;
            var spaP = spa?.SpaConsistentP ?? double.NaN;

            ReleaseCandidate chosen;
            bool skill;
            string reason;
            var significant = spaP < o.SpaLevel;
            // Skill is claimed for a model only when the SPA rejects "no candidate beats the random walk" and the model's own
            // advantage is significant (Diebold–Mariano): the SPA alone says some candidate has skill, not which.
            var skilled = eligible.Where(c => c.SkillVsRw > 0 && c.Model != reference && c.DmPValue < o.SpaLevel).ToList();
            var skilledCalibrated = skilled.FirstOrDefault(c => c.Calibrated);
            // The random walk and distributions around it that are no worse than it: what "no skill" releases.
            var family = eligible.Where(c => c.NoSkillFamily && c.SkillVsRw >= 0 || c.Model == reference).ToList();
            var familyCalibrated = family.FirstOrDefault(c => c.Calibrated);
            string Spa() => string.Create(CultureInfo.InvariantCulture, $"SPA p = {spaP:G3} over {others.Count} candidates");
            if (significant && skilledCalibrated != null)
            {
                (chosen, skill) = (skilledCalibrated, true);
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"skill: best calibrated candidate ({chosen.SkillVsRw:+0.0%;-0.0%} quantile-score skill, DM p = {chosen.DmPValue:G3}, coverage {chosen.Coverage80:0.0%}); {Spa()} < {o.SpaLevel}") +
                    (chosen.NoSkillFamily ? "; skill in the bands only: its median is the random walk's" : "");
            }
            else if (significant && familyCalibrated == null && skilled.Count > 0)
            {
                // Skill survives the data-snooping check but no candidate is calibrated: the proper score decides.
                (chosen, skill) = (skilled[0], true);
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"skill: best candidate by quantile score ({chosen.SkillVsRw:+0.0%;-0.0%}, DM p = {chosen.DmPValue:G3}); {Spa()} < {o.SpaLevel}; no candidate's coverage is within {o.Nominal:0%} ± {o.CoverageTolerance:0%}") +
                    (chosen.NoSkillFamily ? "; skill in the bands only: its median is the random walk's" : "");
            }
            else
            {
                chosen = familyCalibrated ?? family[0];
                skill = false;
                var why = spa is null
                    ? string.Create(CultureInfo.InvariantCulture, $"skill cannot be tested: the release folds hold {common.Length} common origins, {periods:0.#} non-overlapping {h}-day periods (fewer than {o.MinPeriods})")
                    : !significant
                    ? $"no candidate beats the random walk beyond data snooping ({Spa()} ≥ {o.SpaLevel})"
                    : skilled.Count == 0
                    ? $"{Spa()} says some candidate beats the random walk, but no single candidate's advantage is significant on its own (Diebold–Mariano)"
                    : string.Create(CultureInfo.InvariantCulture, $"the candidates that beat the random walk ({Spa()}) are not calibrated (best {skilled.FirstOrDefault()?.Model}, coverage {skilled.FirstOrDefault()?.Coverage80:0.0%})");
                reason = $"no skill: {why}; released the best {(familyCalibrated != null ? "calibrated" : "(none is calibrated within the tolerance)")} distribution around the random walk that is no worse than it";
            }
            if (!chosen.Calibrated) reason += "; " + CoverageDiagnosis(chosen, h, o);
            cards.Add(new ReleaseCard(h, chosen.Model, skill, reason, chosen.SkillVsRw, chosen.Coverage80, chosen.QuantileScore, chosen.N, folds.ToArray(),
                spa?.SpaBest ?? "", spaP, others.Count, "", candidates, chosen.BelowP10, chosen.AboveP90, chosen.CoveragePValue));
        }
        return cards;
    }

    /// <summary>Where an uncalibrated band misses, in words: its coverage, whether the shortfall is beyond noise (the
    /// overlap-aware coverage test) and on which side the outcomes fall outside.</summary>
    static string CoverageDiagnosis(ReleaseCandidate c, int horizon, ReleaseOptions o)
    {
        var test = c.N / (double)horizon < o.MinPeriods ? "untestable: too few non-overlapping periods"
            : c.Coverage80 is 0 or 1 ? $"every outcome {(c.Coverage80 == 1 ? "inside" : "outside")} the band"
            : string.Create(CultureInfo.InvariantCulture, $"p = {c.CoveragePValue:G2} against {o.Nominal:0%}, overlap-aware");
        return string.Create(CultureInfo.InvariantCulture,
            $"its coverage {c.Coverage80:0.0%} ({test}) misses {c.BelowP10:0.0%} below P10 and {c.AboveP90:0.0%} above P90 (nominal {(1 - o.Nominal) / 2:0%} each)");
    }

    /// <summary>The released model of one horizon fitted for the holdout: on every development row whose target is known
    /// before the holdout starts (exactly the training rows of the holdout fold, so notebook 07's fit is the same fit and
    /// gets the same model-store version), with the context's tuned point and scored history. The caller disposes it.</summary>
    /// <param name="spec">The released model.</param>
    /// <param name="development">The development frame (rows before the holdout) of the model's inputs.</param>
    /// <param name="horizon">Trading days ahead.</param>
    /// <param name="context">The run context.</param>
    public static IForecaster FitReleased(ModelSpec spec, Frame development, int horizon, RunContext context)
    {
        var train = Validation.Splits.RowsWithTarget(development, 0, development.Rows - horizon - 1, horizon);
        var fold = new Validation.Fold(0, horizon, train, [], "holdout");
        // The factory HoldoutEvaluation runs the holdout fold with: same parameters, budget, seed and cut of the context.
        var m = Backtest.Factory(spec, h => context.TunedFor(spec, h), context.Profile.Training, 42, context)(development, fold);
        try { m.Fit(development, train, horizon); return m; }
        catch { (m as IDisposable)?.Dispose(); throw; }
    }

    /// <summary>&lt;profile dir&gt;/release/release.json.</summary>
    public static string PathIn(string profileDir) => Path.Combine(profileDir, "release", "release.json");

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes the cards (atomically) to <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<ReleaseCard> cards, string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(cards, Json));

    /// <summary>The cards saved at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">no release there (run notebook 06 first).</exception>
    /// <exception cref="InvalidDataException">the file is not a release.</exception>
    public static IReadOnlyList<ReleaseCard> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no release at {Workbench.Relative(path)}; notebook 06 chooses and saves it.", path);
        try { return JsonSerializer.Deserialize<ReleaseCard[]>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty release."); }
        catch (JsonException e) { throw new InvalidDataException($"{Workbench.Relative(path)}: not a release ({e.Message}).", e); }
    }
}

/// <summary>One horizon of the holdout verdict: the released model on the holdout against the random walk on the same
/// origins, beside the validation evidence it was released on.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Released">The released model.</param>
/// <param name="Claim"><c>skill</c> or <c>no skill</c>, as the release card claims it from validation.</param>
/// <param name="ValidationSkill">Quantile-score skill vs the random walk on the release folds (fraction; &gt; 0 beats it).</param>
/// <param name="ValidationSpaP">Hansen's SPA p-value over the candidates, as text: a bootstrap p of 0 is shown as below the
/// bootstrap's resolution (&lt; 1/B), never as 0.</param>
/// <param name="ValidationCoverage80">P10–P90 coverage on the release folds (fraction; nominal 0.8).</param>
/// <param name="ValidationCoverageP">Two-sided p-value that this coverage equals the nominal level (overlap-aware,
/// <see cref="Metrics.CoverageTest"/>; NaN where the card has none, <see cref="ReleaseCard.CoveragePValue"/>).</param>
/// <param name="HoldoutN">Holdout origins scored.</param>
/// <param name="HoldoutSkill">Quantile-score skill vs the random walk on the holdout (fraction).</param>
/// <param name="HoldoutSkillLow">Lower end of its 95 % interval (fraction), from the Diebold–Mariano standard error of the
/// loss differential (HAC, Harvey–Leybourne–Newbold corrected, t with N − 1 degrees of freedom, N the paired origins):
/// skill ± t·|skill / DM|, the random walk's mean score taken as fixed; NaN where DM is withheld (N/h &lt; 10). The interval
/// excludes 0 exactly when the DM p-value is below 5 %.</param>
/// <param name="HoldoutSkillHigh">Upper end of that interval (fraction); NaN where DM is withheld.</param>
/// <param name="HoldoutDmP">Diebold–Mariano p-value against the random walk (NaN where withheld).</param>
/// <param name="HoldoutCoverage80">P10–P90 coverage on the holdout (fraction; nominal 0.8).</param>
/// <param name="HoldoutMaeSkill">P50 MAE skill vs the random walk (fraction).</param>
/// <param name="Version">The fit that made the holdout forecasts.</param>
/// <param name="SameFitAsRelease">Whether it is the version saved with the release.</param>
public sealed record VerdictRow(int Horizon, string Released, string Claim, double ValidationSkill, string ValidationSpaP, double ValidationCoverage80,
    double ValidationCoverageP, int HoldoutN,
    double HoldoutSkill, double HoldoutSkillLow, double HoldoutSkillHigh, double HoldoutDmP, double HoldoutCoverage80, double HoldoutMaeSkill, string Version, bool SameFitAsRelease);

/// <summary>The verdict a reader takes away: per horizon the released model on the holdout, and one sentence that says
/// "no skill" wherever there is none.</summary>
public static class HoldoutVerdict
{
    /// <summary>One row per release card, by horizon.</summary>
    /// <exception cref="InvalidOperationException">a released model has no holdout summary or fit at its horizon.</exception>
    /// <param name="cards">The release cards (one per horizon).</param>
    /// <param name="holdout">The holdout evaluation of the released models and the baselines.</param>
    /// <param name="bootstraps">The SPA's bootstrap replications (a p-value of 0 is shown as below 1 / this); default
    /// <see cref="ReleaseOptions.Bootstraps"/>, the release rule's.</param>
    public static IReadOnlyList<VerdictRow> Rows(IEnumerable<ReleaseCard> cards, HoldoutResult holdout, int? bootstraps = null)
    {
        var replications = bootstraps ?? new ReleaseOptions().Bootstraps;
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(holdout);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return cards.OrderBy(c => c.Horizon).Select(c =>
        {
            var s = holdout.Summary.SingleOrDefault(x => x.Model == c.Model && x.Horizon == c.Horizon && x.Split == "holdout")
                    ?? throw new InvalidOperationException($"the holdout summary has no row for the released {c.Model} at h {c.Horizon}.");
            var v = holdout.Models.SingleOrDefault(m => m.Model == c.Model && m.Horizon == c.Horizon)?.Version
                    ?? throw new InvalidOperationException($"the holdout evaluation has no fit of the released {c.Model} at h {c.Horizon}.");
            double low = double.NaN, high = double.NaN;
            if (s.DmReliable && double.IsFinite(s.DmStatistic) && s.DmStatistic != 0 && s.N > 2)
            {
                var half = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, s.N - 1, 0.975) * Math.Abs(s.QuantileScoreSkill / s.DmStatistic);
                (low, high) = (s.QuantileScoreSkill - half, s.QuantileScoreSkill + half);
            }
            var spa = double.IsNaN(c.SpaPValue) ? "—" : c.SpaPValue == 0 ? $"< {(1.0 / replications).ToString("0e-0", inv)}"
                : c.SpaPValue < 0.001 ? c.SpaPValue.ToString("0.0e+00", inv) : c.SpaPValue.ToString("0.000", inv);
            return new VerdictRow(c.Horizon, c.Model, c.Skill ? "skill" : "no skill", c.SkillVsRw, spa, c.Coverage80, c.CoveragePValue, s.N, s.QuantileScoreSkill, low, high,
                s.DmReliable ? s.DmPValue : double.NaN, s.Coverage80, s.MaeSkill, v, v == c.Version);
        }).ToList();
    }

    /// <summary>A holdout skill this close to 0 (as a fraction) reads as "no different from the random walk", not as better
    /// or worse: the tables show one decimal of a percent.</summary>
    public const double Negligible = 0.0005;

    /// <summary>The verdict in one plain sentence: where skill is claimed, whether the holdout confirms it (positive and
    /// significant at 5 %), "no skill" at every other horizon, where the released model scores below the random walk (by more
    /// than <see cref="Negligible"/>), and any horizon without a holdout score.</summary>
    public static string Sentence(IReadOnlyList<VerdictRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        string Hs(IEnumerable<VerdictRow> r) { var l = r.Select(x => $"{x.Horizon}").ToList(); return l.Count == 0 ? "none" : string.Join(", ", l) + " d"; }
        var claimed = rows.Where(r => r.Claim == "skill").ToList();
        var confirmed = claimed.Where(r => r.HoldoutSkill > 0 && r.HoldoutDmP < 0.05).ToList();
        var worse = rows.Where(r => r.HoldoutSkill < -Negligible).ToList();
        var unscored = rows.Where(r => double.IsNaN(r.HoldoutSkill)).ToList();
        var parts = new List<string>();
        if (rows.Any(r => r.Claim == "no skill"))
            parts.Add($"No skill over the random walk at {Hs(rows.Where(r => r.Claim == "no skill"))} (validation could not show any).");
        if (claimed.Count > 0)
            parts.Add($"Skill claimed from validation at {Hs(claimed)}; the holdout confirms it (better and significant at 5 %) at {Hs(confirmed)}" +
                      (claimed.Count > confirmed.Count ? $", and not at {Hs(claimed.Except(confirmed))}." : "."));
        parts.Add(worse.Count == 0 ? "On the holdout the released model is nowhere below the random walk by more than 0.05 %."
            : $"On the holdout the released model scores below the random walk (by more than 0.05 %) at {Hs(worse)}" +
              (worse.Any(w => w.HoldoutDmP < 0.05) ? $", significantly at {Hs(worse.Where(w => w.HoldoutDmP < 0.05))}." : " (none significantly)."));
        if (unscored.Count > 0) parts.Add($"No holdout score at {Hs(unscored)}.");
        return string.Join(" ", parts);
    }
}
