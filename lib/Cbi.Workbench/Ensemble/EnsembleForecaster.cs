using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Ensemble;

/// <summary>Settings of the quantile-averaging ensemble.</summary>
/// <param name="PredictionsPath">The long prediction table whose validation rows the weights are learnt from.</param>
/// <param name="Profile">Run profile (training budget of the members; their tuned parameters per horizon).</param>
/// <param name="MaxMembers">Members chosen per horizon, by validation quantile score (≥ 1).</param>
/// <param name="MinHistory">Out-of-sample rows (origins all members share) needed to learn weights; below it the
/// ensemble is the reference model (random walk) alone.</param>
/// <param name="RegimeHoldout">Chronological tail of the history that decides between global and regime-aware weights.</param>
public sealed record EnsembleOptions(string PredictionsPath, RunProfile Profile, int MaxMembers = 3, int MinHistory = 60, double RegimeHoldout = 0.3);

/// <summary>The ensemble (<c>ensemble</c>): per horizon, the best few catalogue models by out-of-sample quantile score,
/// combined by quantile averaging with weights learnt by minimising the pinball loss of each quantile level on the
/// simplex (<see cref="QuantileCombiner"/>). Regime-aware weights (separate weights in high- and low-volatility regimes,
/// <see cref="Regimes"/>) are used only when they beat global weights on a chronological hold-out tail of the history.
/// Point in time: when fitted on a fold's training rows, it learns only from prediction-table rows whose target date
/// is at or before the last training row's target date, i.e. forecasts already scored when the fold begins; its
/// members are refitted on the fold's training rows. With too little history it is the random walk alone, and says so
/// in its <see cref="FitInfo"/>. A member that abstains at an origin is left out there and the others' weights are
/// rescaled (<see cref="MissingInputRule.DropAbstainingMembers"/>).</summary>
internal sealed class EnsembleForecaster(EnsembleOptions options) : IForecaster, IDisposable
{
    internal const string ModelName = "ensemble";
    public string Name => ModelName;
    public FitInfo? Info { get; private set; }

    IForecaster[] members = [];
    string[] memberNames = [];
    Dictionary<string, QuantileWeights> weights = [];
    int horizon;

    /// <summary>The fitted members, in <see cref="Weights"/>' member order.</summary>
    internal IReadOnlyList<IForecaster> Members => members;

    /// <summary>Weights by regime ("all" when global).</summary>
    public IReadOnlyDictionary<string, QuantileWeights> Weights => weights;

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (trainRows.Count == 0) throw new ArgumentException($"{Name}: no training rows.", nameof(trainRows));
        DisposeMembers();
        this.horizon = horizon;
        var last = trainRows[^1];
        // Forecasts scored by the end of training: target date at or before the last training row's own target date.
        var cutoff = frame.Dates[Math.Min(last + horizon, frame.Rows - 1)];
        var plan = EnsemblePlan.Learn(PredictionStore.ReadParquet(options.PredictionsPath), frame, horizon, cutoff, options);
        memberNames = plan.Members.ToArray();
        weights = plan.Weights.ToDictionary(kv => kv.Key, kv => kv.Value);
        var fitted = new List<IForecaster>();
        try
        {
            foreach (var m in memberNames)
            {
                var spec = ModelCatalog.Get(m);
                var tuned = spec.Space is null ? null : ModelSearch.ReadBest(spec, options.Profile).FirstOrDefault(r => r.Horizon == horizon)?.Parameters;
                var model = spec.Create(tuned, options.Profile.Training);
                fitted.Add(model);
                model.Fit(frame, trainRows, horizon);
            }
        }
        catch { foreach (var f in fitted) (f as IDisposable)?.Dispose(); throw; }
        members = fitted.ToArray();
        var p = new Dictionary<string, string>
        {
            ["members"] = string.Join(",", memberNames),
            ["method"] = plan.Method,
            ["history_rows"] = plan.HistoryRows.ToString(CultureInfo.InvariantCulture),
            ["history_cutoff"] = cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        foreach (var (regime, w) in weights)
            foreach (var level in new[] { 0.1, 0.5, 0.9 })
                p[$"weights_{regime}_q{level * 100:00}"] = string.Join(",", w.For(level).Select(x => x.ToString("G6", CultureInfo.InvariantCulture)));
        Info = new FitInfo(Name, horizon, frame.Dates[trainRows[0]], frame.Dates[last], trainRows.Count, frame.FeatureHash, p, 0);
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        if (Info is null || members.Length == 0) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var forecasts = members.Select(m => m.Predict(frame, originRows)).ToArray();
        var result = new QuantileForecast[originRows.Count];
        for (var t = 0; t < result.Length; t++)
        {
            var w = weights.TryGetValue(Regimes.VolatilityRegime(frame, originRows[t]), out var rw) ? rw : weights["all"];
            result[t] = Combine(w, forecasts.Select(f => f[t]).ToArray());
        }
        return result;
    }

    /// <summary>Σ wᵢ qᵢ per level over the members that did not abstain, their weights rescaled to sum to one; abstains
    /// only when every member with weight does.</summary>
    internal static QuantileForecast Combine(QuantileWeights w, IReadOnlyList<QuantileForecast> f)
    {
        double Level(double[] ws, Func<QuantileForecast, double> pick)
        {
            double s = 0, total = 0;
            for (var i = 0; i < f.Count; i++)
            {
                if (f[i].IsAbstention || ws[i] == 0) continue;
                s += ws[i] * pick(f[i]); total += ws[i];
            }
            return total > 0 ? s / total : double.NaN;
        }
        return new QuantileForecast(Level(w.Q10, x => x.Q10), Level(w.Q50, x => x.Q50), Level(w.Q90, x => x.Q90));
    }

    sealed record State(int Horizon, string[] Members, Dictionary<string, QuantileWeights> Weights, FitInfo Info);

    public void Save(string directory)
    {
        if (Info is null) throw new InvalidOperationException($"{Name}: Save before Fit.");
        for (var i = 0; i < members.Length; i++) members[i].Save(Path.Combine(directory, $"member{i}-{memberNames[i]}"));
        ModelFiles.Write(directory, "state.json", new State(horizon, memberNames, weights, Info));
    }

    internal static EnsembleForecaster Load(string directory, EnsembleOptions options)
    {
        var s = ModelFiles.Read<State>(directory, "state.json", ModelName);
        var e = new EnsembleForecaster(options) { horizon = s.Horizon, memberNames = s.Members, weights = s.Weights, Info = s.Info };
        e.members = s.Members.Select((m, i) => ModelCatalog.Get(m).Loader(Path.Combine(directory, $"member{i}-{m}"))).ToArray();
        return e;
    }

    void DisposeMembers()
    {
        foreach (var m in members) (m as IDisposable)?.Dispose();
        members = [];
    }

    public void Dispose() { DisposeMembers(); Info = null; }
}

/// <summary>What the ensemble learnt for one horizon from the prediction table: its members, the weights (global, or
/// per regime) and how.</summary>
internal sealed record EnsemblePlan(IReadOnlyList<string> Members, IReadOnlyDictionary<string, QuantileWeights> Weights, string Method, int HistoryRows)
{
    /// <summary>Models that can be members: registered catalogue models in the table, not ensembles, wrappers or
    /// search trials.</summary>
    internal static bool IsCandidate(string model) =>
        model != EnsembleForecaster.ModelName && !model.Contains('+') && !model.Contains('#') && ModelCatalog.All.Any(s => s.Name == model);

    internal static EnsemblePlan Learn(IReadOnlyList<PredictionRow> table, Frame frame, int horizon, DateOnly cutoff, EnsembleOptions o)
    {
        var known = table.Where(r => r.Horizon == horizon && r.Split == "validation" && r.TargetDate <= cutoff && IsCandidate(r.Model)).ToList();
        var reference = ModelCatalog.Reference.Name;
        var fallback = new EnsemblePlan([reference], new Dictionary<string, QuantileWeights> { ["all"] = QuantileWeights.Single([reference], 0) },
            $"reference only: fewer than {o.MinHistory} scored validation rows before {cutoff:yyyy-MM-dd}", 0);
        var ranked = known.GroupBy(r => r.Model).Where(g => g.Count() >= o.MinHistory)
            .Select(g => (Model: g.Key, Score: g.Average(r => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90))))
            .OrderBy(x => x.Score).ThenBy(x => x.Model, StringComparer.Ordinal).Take(o.MaxMembers).Select(x => x.Model).ToArray();
        if (ranked.Length == 0) return fallback;
        var rows = Align(known, ranked, frame);
        if (rows.Count < o.MinHistory) return fallback;

        var global = QuantileCombiner.FitAll(ranked, rows);
        // Regime-aware weights only where they win out of sample: fitted on the earlier part of the history, scored on
        // its chronological tail against global weights fitted on the same part.
        var split = (int)(rows.Count * (1 - o.RegimeHoldout));
        var (head, tail) = (rows.Take(split).ToList(), rows.Skip(split).ToList());
        var regimes = new[] { "high", "low" };
        var method = "pinball-optimal weights (global)";
        if (tail.Count > 0 && regimes.All(g => head.Count(r => r.Regime == g) >= o.MinHistory / 2 && rows.Count(r => r.Regime == g) >= o.MinHistory))
        {
            var headGlobal = QuantileCombiner.FitAll(ranked, head);
            var headRegime = regimes.ToDictionary(g => g, g => QuantileCombiner.FitAll(ranked, head.Where(r => r.Regime == g).ToList()));
            double RegimeScore(IReadOnlyList<MemberRow> rs) =>
                rs.Sum(r => QuantileCombiner.Score(headRegime.TryGetValue(r.Regime, out var w) ? w : headGlobal, [r])) / rs.Count;
            var g0 = QuantileCombiner.Score(headGlobal, tail);
            var g1 = RegimeScore(tail);
            if (g1 < g0)
                return new EnsemblePlan(ranked, new Dictionary<string, QuantileWeights>(regimes.ToDictionary(g => g, g =>
                        QuantileCombiner.FitAll(ranked, rows.Where(r => r.Regime == g).ToList()))) { ["all"] = global },
                    $"regime-aware weights (hold-out pinball {g1:G4} < global {g0:G4})", rows.Count);
            method = $"pinball-optimal weights (global; regime-aware lost on the hold-out: {g1:G4} ≥ {g0:G4})";
        }
        return new EnsemblePlan(ranked, new Dictionary<string, QuantileWeights> { ["all"] = global }, method, rows.Count);
    }

    /// <summary>Member rows at the origins every member forecast, in origin order.</summary>
    /// <exception cref="ArgumentException">a member's rows disagree on the outcome or target date for an origin.</exception>
    internal static List<MemberRow> Align(IReadOnlyList<PredictionRow> rows, IReadOnlyList<string> members, Frame frame)
    {
        var byModel = members.Select(m => rows.Where(r => r.Model == m).ToDictionary(r => r.OriginDate)).ToArray();
        var result = new List<MemberRow>();
        foreach (var origin in byModel[0].Keys.Where(d => byModel.All(b => b.ContainsKey(d))).Order())
        {
            var first = byModel[0][origin];
            for (var i = 1; i < members.Count; i++)
            {
                var r = byModel[i][origin];
                if (r.TargetDate != first.TargetDate || Math.Abs(r.Y - first.Y) > 1e-12)
                    throw new ArgumentException($"ensemble: {members[i]} and {members[0]} disagree at h {first.Horizon}, origin {origin:yyyy-MM-dd}: " +
                                                $"target {r.TargetDate:yyyy-MM-dd} vs {first.TargetDate:yyyy-MM-dd}, outcome {r.Y} vs {first.Y} (misaligned origins).");
            }
            var row = frame.RowOf(origin);
            result.Add(new MemberRow(origin, first.TargetDate, first.Y,
                byModel.Select(b => b[origin].Q10).ToArray(), byModel.Select(b => b[origin].Q50).ToArray(), byModel.Select(b => b[origin].Q90).ToArray(),
                first.Fold, row >= 0 ? Regimes.VolatilityRegime(frame, row) : "unknown"));
        }
        return result;
    }
}
