using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Ensemble;

/// <summary>Out-of-sample score of one way of combining the members at one horizon.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Method">equal weights, best single, pinball-optimal weights, regime-aware weights.</param>
/// <param name="MeanPinball">Mean pinball loss over P10/P50/P90 and the scored rows (lower is better).</param>
/// <param name="Origins">Scored origins (those of folds 1 … K−1: fold 0 has no earlier fold to learn from).</param>
public sealed record CombinationScore(int Horizon, string Method, double MeanPinball, int Origins);

/// <summary>The ensemble study of one horizon: members, the nested comparison of combination methods, the method that
/// won out of sample, and the weights learnt on every validation row (for the report; the ensemble model itself learns
/// them fold by fold).</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Members">Member models (chosen by validation quantile score on all folds).</param>
/// <param name="Scores">One line per method, nested: weights learnt on folds before each scored fold.</param>
/// <param name="Winner">The method with the lowest out-of-sample loss.</param>
/// <param name="Weights">Pinball-optimal weights on all validation rows of the members.</param>
public sealed record EnsembleReport(int Horizon, IReadOnlyList<string> Members, IReadOnlyList<CombinationScore> Scores, string Winner, QuantileWeights Weights);

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

/// <summary>Compares ways of combining models on the validation rows of the prediction table (nested: every method
/// learns only from folds before the one it is scored on), reports reliability, and gives the multiple-testing verdict
/// over every model and search trial.</summary>
public static class EnsembleStudy
{
    /// <summary>Equal weights, best single member, pinball-optimal weights and regime-aware weights, scored out of sample.</summary>
    /// <param name="table">The prediction table (validation rows are used).</param>
    /// <param name="frame">The ZL frame the origins belong to (for the regime at each origin).</param>
    /// <param name="horizons">Horizons to study.</param>
    /// <param name="members">The members; default the <paramref name="maxMembers"/> best candidates by validation score.</param>
    /// <param name="maxMembers">Members chosen when <paramref name="members"/> is null.</param>
    /// <exception cref="ArgumentException">a member without validation rows at a horizon, or missing origins the others
    /// have, or disagreeing with them on an origin's target (message names model, horizon and dates).</exception>
    public static IReadOnlyList<EnsembleReport> Compare(IReadOnlyList<PredictionRow> table, Frame frame, IEnumerable<int> horizons,
        IReadOnlyList<string>? members = null, int maxMembers = 3)
    {
        var result = new List<EnsembleReport>();
        foreach (var h in horizons)
        {
            var rows = table.Where(r => r.Horizon == h && r.Split == "validation").ToList();
            var chosen = members ?? rows.Where(r => EnsemblePlan.IsCandidate(r.Model)).GroupBy(r => r.Model)
                .Select(g => (g.Key, Score: g.Average(r => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90))))
                .OrderBy(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal).Take(maxMembers).Select(x => x.Key).ToList();
            var aligned = AlignStrict(rows, chosen, h, frame);
            var folds = aligned.Select(r => r.Fold).Distinct().Order().ToArray();
            var sums = new Dictionary<string, (double Sum, int N)>();
            void Add(string method, double meanLoss, int n) { var (s0, n0) = sums.GetValueOrDefault(method); sums[method] = (s0 + meanLoss * n, n0 + n); }
            foreach (var k in folds.Skip(1))
            {
                var scored = aligned.Where(r => r.Fold == k).ToList();
                // Learn only from outcomes known before the fold starts.
                var history = aligned.Where(r => r.Target < scored[0].Origin).ToList();
                if (history.Count < 20 || scored.Count == 0) continue;
                var single = Enumerable.Range(0, chosen.Count).MinBy(i => QuantileCombiner.Score(QuantileWeights.Single(chosen, i), history));
                var optimal = QuantileCombiner.FitAll(chosen, history);
                Add("equal weights", QuantileCombiner.Score(QuantileWeights.Equal(chosen), scored), scored.Count);
                Add($"best single", QuantileCombiner.Score(QuantileWeights.Single(chosen, single), scored), scored.Count);
                Add("pinball-optimal weights", QuantileCombiner.Score(optimal, scored), scored.Count);
                var byRegime = new[] { "high", "low" }.Where(g => history.Count(r => r.Regime == g) >= 20)
                    .ToDictionary(g => g, g => QuantileCombiner.FitAll(chosen, history.Where(r => r.Regime == g).ToList()));
                Add("regime-aware weights", scored.Average(r => QuantileCombiner.Score(byRegime.GetValueOrDefault(r.Regime, optimal), [r])), scored.Count);
            }
            var scores = sums.Select(kv => new CombinationScore(h, kv.Key, kv.Value.Sum / kv.Value.N, kv.Value.N)).ToList();
            result.Add(new EnsembleReport(h, chosen, scores, scores.Count == 0 ? "(too little history)" : scores.MinBy(s => s.MeanPinball)!.Method,
                QuantileCombiner.FitAll(chosen, aligned)));
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
