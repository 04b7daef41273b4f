using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Ensemble;

/// <summary>Settings of the quantile-averaging ensemble.</summary>
/// <param name="MaxMembers">Members chosen per horizon, by mean quantile score on the scored history (≥ 1).</param>
/// <param name="MinHistory">Scored rows a candidate needs before it may become a member, and rows of history a
/// combination method needs before it is learnt or judged. 250 sessions ≈ one year: with 100 rows (January–May 2020)
/// the score gaps between members were a few percent while the standard error of a mean score over 100 autocorrelated
/// daily forecasts is of the same size, so the ranking was luck (the seasonal naive came first). Below it the ensemble is
/// <paramref name="Prior"/> alone, and says so.</param>
/// <param name="Prior">The model the ensemble is while the history is too short (default <c>rw_garch</c>: the random
/// walk's median with GARCH(1,1) bands, the no-skill distribution; chosen as the workbench's reference distribution, though
/// after January–May 2020 had been looked at, as was the 250-row minimum).</param>
/// <param name="Shrinkage">Weights on the pinball-optimal weights (the rest on equal weights) compared out of sample;
/// the nested comparison picks one (shrinkage toward equal weights, the forecast-combination puzzle: Smith &amp; Wallis
/// 2009; Claeskens et al. 2016).</param>
public sealed record EnsembleOptions(int MaxMembers = 3, int MinHistory = 250, string Prior = "rw_garch", double[]? Shrinkage = null)
{
    /// <summary>The shrinkage grid in effect (default 0.25, 0.5, 0.75, 1; 0 is equal weights, compared anyway).</summary>
    /// <exception cref="ArgumentException">a value outside (0, 1], values not strictly ascending, or two values that print alike
    /// at two decimals (their methods would share a name).</exception>
    public IReadOnlyList<double> ShrinkageGrid
    {
        get
        {
            var g = Shrinkage ?? [0.25, 0.5, 0.75, 1.0];
            if (g.Any(l => !(l > 0 && l <= 1)) || g.Zip(g.Skip(1)).Any(p => !(p.Second > p.First)) || g.Select(EnsemblePlan.Shrunk).Distinct().Count() != g.Length)
                throw new ArgumentException($"ensemble shrinkage grid [{string.Join(", ", g)}]: values must be in (0, 1], strictly ascending and distinct at two decimals.", nameof(Shrinkage));
            return g;
        }
    }
}

/// <summary>The ensemble (<c>ensemble</c>): per horizon, the best few catalogue models by out-of-sample quantile score on
/// the scored history the run context hands it, combined by quantile averaging. How they are combined — equal weights,
/// the best single member, pinball-optimal weights (<see cref="QuantileCombiner"/>) shrunk toward equal weights, or
/// regime-aware weights — is chosen by a nested comparison on that history (each method learns on the folds before the
/// one it is scored on), the same comparison notebook 06 shows (<see cref="EnsemblePlan"/>). Point in time: fitted on a
/// fold's training rows, it learns only from scored rows whose target date is at or before the last training row's
/// target date (the walk-forward engine cuts the context there, and the ensemble checks again); its members are refitted
/// on the fold's training rows. With too little history it is the prior model alone, and says so in its
/// <see cref="FitInfo"/>. A member that abstains at an origin is left out there and the others' weights are rescaled
/// (<see cref="MissingInputRule.DropAbstainingMembers"/>). A pure function of its data, budget, seed and context: it
/// reads no file and no environment variable.</summary>
internal sealed class EnsembleForecaster(EnsembleOptions options, TrainingBudget budget, int seed, RunContext context) : IForecaster, IDisposable
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

    /// <summary>What the last fit learnt (members, weights, method and the nested comparison behind it).</summary>
    internal EnsemblePlan? Plan { get; private set; }

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (trainRows.Count == 0) throw new ArgumentException($"{Name}: no training rows.", nameof(trainRows));
        DisposeMembers();
        this.horizon = horizon;
        var last = trainRows[^1];
        // Forecasts scored by the end of training: target date at or before the last training row's own target date.
        var cutoff = Backtest.KnownBy(frame, last, horizon);
        var plan = EnsemblePlan.Learn(context.ScoredHistory, frame, horizon, cutoff, options);
        Plan = plan;
        memberNames = plan.Members.ToArray();
        weights = plan.Weights.ToDictionary(kv => kv.Key, kv => kv.Value);
        var fitted = new List<IForecaster>();
        try
        {
            foreach (var m in memberNames)
            {
                var spec = ModelCatalog.Get(m);
                var model = spec.Create(context.TunedFor(spec, horizon), budget, seed, context);
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
            ["reason"] = plan.Reason,
            ["history_rows"] = plan.HistoryRows.ToString(CultureInfo.InvariantCulture),
            ["history_cutoff"] = cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["comparison"] = string.Join("; ", plan.Comparison.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Method} {c.QuantileScore:G5} ({c.Origins} origins)"))),
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
            result[t] = Combine(EnsemblePlan.WeightsIn(weights, Regimes.VolatilityRegime(frame, originRows[t])), forecasts.Select(f => f[t]).ToArray());
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
        var e = new EnsembleForecaster(options, TrainingBudget.Default, s.Info.Seed, RunContext.Detached(RunProfile.Smoke)) { horizon = s.Horizon, memberNames = s.Members, weights = s.Weights, Info = s.Info };
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

/// <summary>What the ensemble learnt for one horizon from the scored history: its members, the weights (global, or per
/// regime), the combination method, why, and the nested comparison that chose it.</summary>
/// <param name="Members">Member model names (the prior alone when the history is too short).</param>
/// <param name="Weights">Weights per regime ("all": global).</param>
/// <param name="Method">The combination method in effect.</param>
/// <param name="Reason">Why this method (the comparison's winner, or why there was none).</param>
/// <param name="HistoryRows">Aligned scored rows of the members the weights were learnt from (0 for the prior).</param>
/// <param name="Comparison">Out-of-sample quantile score of every method, nested over the history's folds (empty when
/// no fold had enough earlier history).</param>
internal sealed record EnsemblePlan(IReadOnlyList<string> Members, IReadOnlyDictionary<string, QuantileWeights> Weights, string Method, string Reason,
    int HistoryRows, IReadOnlyList<CombinationScore> Comparison)
{
    internal const string EqualWeights = "equal weights";
    internal const string BestSingle = "best single";
    internal const string RegimeAware = "regime-aware weights";
    internal static string Shrunk(double lambda) => lambda >= 1 ? "pinball-optimal weights" : string.Create(CultureInfo.InvariantCulture, $"pinball-optimal weights shrunk to {lambda:0.##}");

    /// <summary>Models that can be members: registered catalogue models in the table, not ensembles, wrappers or
    /// search trials.</summary>
    internal static bool IsCandidate(string model) =>
        model != EnsembleForecaster.ModelName && !model.Contains('+') && !model.Contains('#') && ModelCatalog.All.Any(s => s.Name == model);

    /// <summary>The members, best first, among candidates with at least <see cref="EnsembleOptions.MinHistory"/> scored rows:
    /// by their quantile score relative to the random walk's on the same origins (candidates scored over different periods —
    /// the baselines since 2016, LightGBM and the nets since 2020 — are compared on their own origins, since the score
    /// scales with volatility), each needing MinHistory origins shared with the random walk; by the plain mean score when the
    /// random walk has no scored rows at all.</summary>
    internal static string[] RankMembers(IReadOnlyList<PredictionRow> known, EnsembleOptions o)
    {
        static double Qs(PredictionRow r) => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90);
        var rw = known.Where(r => r.Model == ModelCatalog.Reference.Name).GroupBy(r => r.OriginDate).ToDictionary(g => g.Key, g => Qs(g.First()));
        // Relative where the random walk was scored (a candidate then needs MinHistory origins shared with it), absolute
        // otherwise; never a mix of the two scales.
        double Score(IGrouping<string, PredictionRow> g)
        {
            if (rw.Count == 0) return g.Count() >= o.MinHistory ? g.Average(Qs) : double.NaN;
            var shared = g.Where(r => rw.ContainsKey(r.OriginDate)).ToList();
            return shared.Count >= o.MinHistory ? shared.Sum(Qs) / shared.Sum(r => rw[r.OriginDate]) : double.NaN;
        }
        return known.GroupBy(r => r.Model).Select(g => (Model: g.Key, Score: Score(g))).Where(x => !double.IsNaN(x.Score))
            .OrderBy(x => x.Score).ThenBy(x => x.Model, StringComparer.Ordinal).Take(o.MaxMembers).Select(x => x.Model).ToArray();
    }

    /// <summary>Learns the plan of one horizon from scored rows (validation, and the scored history before it,
    /// <see cref="Splits.History"/>) whose target date is at or before <paramref name="cutoff"/>.</summary>
    /// <param name="table">Scored rows (any models and splits; only candidates' validation and history rows at the horizon are read).</param>
    /// <param name="frame">The frame of the origins (for the volatility regime at each origin).</param>
    /// <param name="horizon">Trading days ahead.</param>
    /// <param name="cutoff">Last target date known.</param>
    /// <param name="o">Settings.</param>
    /// <param name="members">Members to use instead of the ranked best (notebook studies).</param>
    /// <exception cref="ArgumentException">members disagree on an origin's outcome or target date (misaligned origins).</exception>
    internal static EnsemblePlan Learn(IReadOnlyList<PredictionRow> table, Frame frame, int horizon, DateOnly cutoff, EnsembleOptions o,
        IReadOnlyList<string>? members = null)
    {
        var known = table.Where(r => r.Horizon == horizon && Splits.IsValidationOrHistory(r.Split) && r.TargetDate <= cutoff && IsCandidate(r.Model)).ToList();
        var prior = new EnsemblePlan([o.Prior], new Dictionary<string, QuantileWeights> { ["all"] = QuantileWeights.Single([o.Prior], 0) },
            "prior", "", 0, []);
        var ranked = members?.ToArray() ?? RankMembers(known, o);
        if (ranked.Length == 0)
            return prior with { Reason = $"no candidate has {o.MinHistory} scored validation rows by {cutoff:yyyy-MM-dd}" };
        var rows = Align(known, ranked, frame);
        if (rows.Count < o.MinHistory)
            return prior with { Reason = $"the members {string.Join(", ", ranked)} share {rows.Count} scored rows by {cutoff:yyyy-MM-dd}, fewer than {o.MinHistory}" };
        var comparison = Compare(ranked, rows, o, horizon);
        if (comparison.Count == 0)
            return Fit(EqualWeights, ranked, rows, o) with { Reason = $"no fold has {o.MinHistory} scored rows before it to compare methods on; equal weights (no evidence for more)" };
        // Ties go to the simpler method (the list is ordered from simple to complex).
        var best = comparison.MinBy(c => c.QuantileScore)!;
        return Fit(best.Method, ranked, rows, o) with
        {
            Reason = string.Create(CultureInfo.InvariantCulture, $"lowest nested out-of-sample quantile score {best.QuantileScore:G5} over {best.Origins} origins"),
            Comparison = comparison,
        };
    }

    static IEnumerable<string> Methods(EnsembleOptions o) =>
        new[] { EqualWeights, BestSingle }.Concat(o.ShrinkageGrid.Select(Shrunk)).Append(RegimeAware);

    /// <summary>Every method scored out of sample: for each fold of the history with at least MinHistory rows whose
    /// outcomes were known before the fold's first origin, the method learns on those rows and is scored on the fold.</summary>
    internal static IReadOnlyList<CombinationScore> Compare(IReadOnlyList<string> members, IReadOnlyList<MemberRow> rows, EnsembleOptions o, int horizon)
    {
        var sums = Methods(o).ToDictionary(m => m, _ => (Sum: 0.0, N: 0));
        var folds = 0;
        foreach (var fold in rows.Select(r => r.Fold).Distinct().Order())
        {
            var scored = rows.Where(r => r.Fold == fold).ToList();
            var history = rows.Where(r => r.Target < scored[0].Origin).ToList();
            if (history.Count < o.MinHistory) continue;
            // The optimal weights are learnt once per fold; every method derives from them.
            var optimal = QuantileCombiner.FitAll(members, history);
            foreach (var method in sums.Keys.ToList())
            {
                var plan = Fit(method, members, history, o, optimal);
                var score = scored.Sum(r => QuantileCombiner.Score(plan.WeightsFor(r.Regime), [r]));
                var (s0, n0) = sums[method];
                sums[method] = (s0 + score, n0 + scored.Count);
            }
            folds++;
        }
        return folds == 0 ? [] : sums.Select(kv => new CombinationScore(horizon, kv.Key, kv.Value.Sum / kv.Value.N, kv.Value.N)).ToList();
    }

    /// <summary>The weights for an origin in <paramref name="regime"/> (global where the regime has none).</summary>
    internal QuantileWeights WeightsFor(string regime) => WeightsIn(Weights, regime);

    /// <summary>The weights of <paramref name="regime"/> in a plan's weights by regime, or the global ("all") ones.</summary>
    internal static QuantileWeights WeightsIn(IReadOnlyDictionary<string, QuantileWeights> weights, string regime) =>
        weights.TryGetValue(regime, out var w) ? w : weights["all"];

    /// <summary>The plan of one method learnt on <paramref name="rows"/> (<paramref name="optimal"/>: the pinball-optimal
    /// weights on the same rows when already computed).</summary>
    internal static EnsemblePlan Fit(string method, IReadOnlyList<string> members, IReadOnlyList<MemberRow> rows, EnsembleOptions o, QuantileWeights? optimal = null)
    {
        Dictionary<string, QuantileWeights> Global(QuantileWeights w) => new() { ["all"] = w };
        QuantileWeights Mix(QuantileWeights opt, double l) => new(members, Blend(opt.Q10, l), Blend(opt.Q50, l), Blend(opt.Q90, l));
        double[] Blend(double[] w, double l) => w.Select(x => l * x + (1 - l) / members.Count).ToArray();
        var weights = method switch
        {
            EqualWeights => Global(QuantileWeights.Equal(members)),
            BestSingle => Global(QuantileWeights.Single(members, Enumerable.Range(0, members.Count).MinBy(i => QuantileCombiner.Score(QuantileWeights.Single(members, i), rows)))),
            RegimeAware => RegimeWeights(members, rows, o, optimal ?? QuantileCombiner.FitAll(members, rows)),
            _ => Global(Mix(optimal ?? QuantileCombiner.FitAll(members, rows), o.ShrinkageGrid.Single(l => Shrunk(l) == method))),
        };
        return new EnsemblePlan(members, weights, method, "", rows.Count, []);
    }

    /// <summary>Pinball-optimal weights per volatility regime, each shrunk halfway toward the global optimal weights (a
    /// regime with fewer than MinHistory/2 rows uses the global ones).</summary>
    static Dictionary<string, QuantileWeights> RegimeWeights(IReadOnlyList<string> members, IReadOnlyList<MemberRow> rows, EnsembleOptions o, QuantileWeights global)
    {
        var result = new Dictionary<string, QuantileWeights> { ["all"] = global };
        foreach (var g in new[] { "high", "low" })
        {
            var part = rows.Where(r => r.Regime == g).ToList();
            if (part.Count < o.MinHistory / 2) continue;
            var w = QuantileCombiner.FitAll(members, part);
            double[] Half(double[] a, double[] b) => a.Select((x, i) => 0.5 * x + 0.5 * b[i]).ToArray();
            result[g] = new QuantileWeights(members, Half(w.Q10, global.Q10), Half(w.Q50, global.Q50), Half(w.Q90, global.Q90));
        }
        return result;
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
