using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Ensemble;

/// <summary>Out-of-sample score of one way of combining the members at one horizon.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Method">equal weights, best single, pinball-optimal weights (shrunk toward equal), regime-aware weights.</param>
/// <param name="QuantileScore">Mean quantile score (<see cref="Metrics.QuantileScore(double, double, double, double)"/>)
/// over the scored rows (lower is better).</param>
/// <param name="Origins">Scored origins (those of folds with at least the ensemble's minimum history before them).</param>
public sealed record CombinationScore(int Horizon, string Method, double QuantileScore, int Origins);

/// <summary>The ensemble study of one horizon: what the ensemble learns from the whole validation history — members, the
/// nested comparison of combination methods, the method that won, and its weights. The same computation as the
/// ensemble model's fit (<c>EnsemblePlan.Learn</c>), so what notebook 06 reports is what is released.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Members">Member models (the prior alone when the history is too short).</param>
/// <param name="Scores">One line per method, nested: learnt on folds before each scored fold.</param>
/// <param name="Winner">The method in effect.</param>
/// <param name="Reason">Why (the winner's score, or why there was no comparison).</param>
/// <param name="Weights">The weights in effect ("all": global; or per volatility regime).</param>
/// <param name="HistoryRows">Aligned scored rows of the members.</param>
public sealed record EnsembleReport(int Horizon, IReadOnlyList<string> Members, IReadOnlyList<CombinationScore> Scores, string Winner, string Reason,
    IReadOnlyDictionary<string, QuantileWeights> Weights, int HistoryRows);

/// <summary>Reliability of a model's quantiles at one horizon: the share of outcomes below each quantile (nominal 10 %,
/// 50 %, 90 %), the P10–P90 coverage (nominal 80 %) and the mean band width.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="N">Scored origins.</param>
/// <param name="BelowP10">Share of outcomes below P10 (nominal 0.10).</param>
/// <param name="BelowP50">Share below P50 (nominal 0.50).</param>
/// <param name="BelowP90">Share below P90 (nominal 0.90).</param>
/// <param name="Coverage80">Share inside [P10, P90] (nominal 0.80).</param>
/// <param name="MeanWidth">Mean P90 − P10 (log return).</param>
public sealed record Reliability(string Model, int Horizon, int N, double BelowP10, double BelowP50, double BelowP90, double Coverage80, double MeanWidth);

/// <summary>The ensemble against its best member and the random walk at one horizon, on the origins all three share.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Origins">Shared validation origins.</param>
/// <param name="BestMember">The member (of any fold's plan) with the lowest quantile score on those origins.</param>
/// <param name="EnsembleScore">The ensemble's mean quantile score.</param>
/// <param name="BestMemberScore">The best member's.</param>
/// <param name="RandomWalkScore">The random walk's.</param>
/// <param name="DmPValue">Two-sided Diebold–Mariano p-value (HAC, h − 1 lags, HLN correction) of ensemble vs best member; NaN
/// when the differential is constant or fewer than 10 non-overlapping periods back it.</param>
/// <param name="NoWorseThanBestMember">The ensemble's score is at most the best member's, or the difference is not
/// significant at 5 % (or not testable: fewer than 10 non-overlapping periods).</param>
/// <param name="NoWorseThanRandomWalk">The ensemble's score is at most the random walk's.</param>
public sealed record EnsembleCheck(int Horizon, int Origins, string BestMember, double EnsembleScore, double BestMemberScore, double RandomWalkScore,
    double DmPValue, bool NoWorseThanBestMember, bool NoWorseThanRandomWalk);

/// <summary>Compares ways of combining models on the validation rows of the prediction table (nested: every method
/// learns only from folds before the one it is scored on), reports reliability, and gives the multiple-testing verdict
/// over every model and search trial.</summary>
public static class EnsembleStudy
{
    /// <summary>What the ensemble learns at each horizon from every validation row of <paramref name="table"/> (the plan
    /// the released ensemble is fitted with): members, the nested comparison of methods, the winner and its weights.</summary>
    /// <param name="table">The prediction table (validation rows and the scored history before them are used).</param>
    /// <param name="frame">The ZL frame the origins belong to (for the regime at each origin).</param>
    /// <param name="horizons">Horizons to study.</param>
    /// <param name="members">The members; default the ensemble's own choice (best by validation score).</param>
    /// <param name="options">Ensemble settings (default <see cref="EnsembleOptions"/>).</param>
    /// <exception cref="ArgumentException">a given member without validation rows at a horizon, or missing origins the
    /// others have, or disagreeing with them on an origin's target (message names model, horizon and dates).</exception>
    public static IReadOnlyList<EnsembleReport> Compare(IReadOnlyList<PredictionRow> table, Frame frame, IEnumerable<int> horizons,
        IReadOnlyList<string>? members = null, EnsembleOptions? options = null)
    {
        var o = options ?? new EnsembleOptions();
        var result = new List<EnsembleReport>();
        foreach (var h in horizons)
        {
            var rows = table.Where(r => r.Horizon == h && Validation.Splits.IsValidationOrHistory(r.Split)).ToList();
            if (members != null) AlignStrict(rows.Where(r => r.Split == "validation").ToList(), members, h, frame);
            var cutoff = rows.Count == 0 ? DateOnly.MinValue : rows.Max(r => r.TargetDate);
            var plan = EnsemblePlan.Learn(rows, frame, h, cutoff, o, members);
            result.Add(new EnsembleReport(h, plan.Members, plan.Comparison, plan.Method, plan.Reason, plan.Weights, plan.HistoryRows));
        }
        return result;
    }

    /// <summary>Per horizon: is the ensemble no worse than its best member beyond noise, and no worse than the random walk?
    /// Members are every model named in the ensemble's per-fold fits.</summary>
    /// <param name="table">Validation rows including the ensemble's, its members' and the random walk's.</param>
    /// <param name="fits">The ensemble's per-fold fits (<see cref="BacktestResult.Fits"/>).</param>
    public static IReadOnlyList<EnsembleCheck> AgainstMembers(IReadOnlyList<PredictionRow> table, IReadOnlyList<FoldFit> fits)
    {
        var result = new List<EnsembleCheck>();
        var reference = ModelCatalog.Reference.Name;
        foreach (var g in fits.Where(f => f.Model == EnsembleForecaster.ModelName).GroupBy(f => f.Horizon).OrderBy(g => g.Key))
        {
            var h = g.Key;
            var members = g.SelectMany(f => f.Info.Parameters["members"].Split(',')).Distinct().ToList();
            var rows = table.Where(r => r.Horizon == h && r.Split == "validation").GroupBy(r => r.Model).ToDictionary(x => x.Key, x => x.ToDictionary(r => r.OriginDate));
            if (!rows.TryGetValue(EnsembleForecaster.ModelName, out var ens) || !rows.TryGetValue(reference, out var rw)) continue;
            var present = members.Where(rows.ContainsKey).ToList();
            var origins = ens.Keys.Where(d => rw.ContainsKey(d) && present.All(m => rows[m].ContainsKey(d))).Order().ToArray();
            if (origins.Length == 0 || present.Count == 0) continue;
            double Score(Dictionary<DateOnly, PredictionRow> m, DateOnly d) => Metrics.QuantileScore(m[d].Y, m[d].Q10, m[d].Q50, m[d].Q90);
            var best = present.MinBy(m => origins.Average(d => Score(rows[m], d)))!;
            var e = origins.Select(d => Score(ens, d)).ToArray();
            var b = origins.Select(d => Score(rows[best], d)).ToArray();
            var dm = MetricsSummary.ReliableDmPValue(e, b, h);
            var (es, bs, rs) = (e.Average(), b.Average(), origins.Average(d => Score(rw, d)));
            result.Add(new EnsembleCheck(h, origins.Length, best, es, bs, rs, dm, es <= bs || !(dm < 0.05), es <= rs));
        }
        return result;
    }

    /// <summary>Member rows at every origin, requiring each member to have every origin any member has.</summary>
    static List<MemberRow> AlignStrict(IReadOnlyList<PredictionRow> rows, IReadOnlyList<string> members, int h, Frame frame)
    {
        if (members.Count == 0) throw new ArgumentException($"ensemble h {h}: no member has validation rows at this horizon.");
        var origins = members.ToDictionary(m => m, m => rows.Where(r => r.Model == m).Select(r => r.OriginDate).ToHashSet());
        foreach (var (m, set) in origins)
            if (set.Count == 0) throw new ArgumentException($"ensemble: member {m} has no validation rows at h {h}.");
        var all = origins.Values.SelectMany(s => s).ToHashSet();
        foreach (var (m, set) in origins)
        {
            var missing = all.Where(d => !set.Contains(d)).Order().ToArray();
            if (missing.Length > 0)
                throw new ArgumentException($"ensemble: member {m} lacks {missing.Length} origin(s) at h {h} that other members have " +
                                            $"({missing[0]:yyyy-MM-dd}{(missing.Length > 1 ? $" … {missing[^1]:yyyy-MM-dd}" : "")}).");
        }
        return EnsemblePlan.Align(rows, members, frame);
    }

    /// <summary>Reliability of every model at every horizon (validation rows unless <paramref name="split"/> says otherwise).</summary>
    public static IReadOnlyList<Reliability> ReliabilityOf(IReadOnlyList<PredictionRow> table, string split = "validation") =>
        table.Where(r => r.Split == split && !r.Model.Contains('#')).GroupBy(r => (r.Model, r.Horizon)).OrderBy(g => g.Key.Horizon).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => new Reliability(g.Key.Model, g.Key.Horizon, g.Count(), g.Average(r => r.Y < r.Q10 ? 1.0 : 0), g.Average(r => r.Y < r.Q50 ? 1.0 : 0),
                g.Average(r => r.Y < r.Q90 ? 1.0 : 0), g.Average(r => r.Y >= r.Q10 && r.Y <= r.Q90 ? 1.0 : 0), g.Average(r => r.Q90 - r.Q10)))
            .ToList();

    /// <summary>White's Reality Check and Hansen's SPA per horizon: does the best of every model and every search trial in
    /// <paramref name="rows"/> beat the reference (random walk) on the three-quantile score, allowing for how many were
    /// tried? Candidates are compared on the origins they all share with the reference (the searched folds when trials
    /// are included).</summary>
    /// <param name="rows">Validation rows of the models and trials (trial rows named "model#trial").</param>
    /// <param name="horizons">Horizons to test.</param>
    /// <param name="bootstraps">Stationary-bootstrap replications.</param>
    /// <param name="minOrigins">Horizons with fewer common origins are skipped.</param>
    public static IReadOnlyList<MultipleTestResult> Verdict(IReadOnlyList<PredictionRow> rows, IEnumerable<int> horizons, int bootstraps = 2000, int minOrigins = 50)
    {
        var reference = ModelCatalog.Reference.Name;
        var result = new List<MultipleTestResult>();
        foreach (var h in horizons)
        {
            var byModel = rows.Where(r => r.Horizon == h && r.Split == "validation").GroupBy(r => r.Model).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.OriginDate));
            if (!byModel.TryGetValue(reference, out var refRows)) continue;
            var candidates = byModel.Keys.Where(m => m != reference).Order(StringComparer.Ordinal).ToList();
            var common = refRows.Keys.Where(d => candidates.All(m => byModel[m].ContainsKey(d))).Order().ToArray();
            if (candidates.Count == 0 || common.Length < minOrigins) continue;
            double Loss(PredictionRow r) => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90);
            var bench = common.Select(d => Loss(refRows[d])).ToArray();
            var losses = candidates.Select(m => (IReadOnlyList<double>)common.Select(d => Loss(byModel[m][d])).ToArray()).ToList();
            result.Add(RealityCheck.Test(bench, losses, candidates, h, bootstraps: bootstraps));
        }
        return result;
    }
}
