using System.Diagnostics;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Evaluation;

/// <summary>An origin at which a model abstained under its missing-input rule: no prediction row is written.</summary>
/// <param name="Model">Spec name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Origin">Date of the origin row.</param>
/// <param name="Fold">Fold index.</param>
/// <param name="Reason">The rule and the features that were missing at the origin.</param>
/// <param name="Split"><c>validation</c> or <c>holdout</c>.</param>
public sealed record Abstention(string Model, int Horizon, DateOnly Origin, int Fold, string Reason, string Split = "validation");

/// <summary>One fold's fitted model, kept with the predictions it made: what it learnt (an ensemble's members, weights,
/// method and history rows; a wrapper's calibration), so a reader can see why a fold scored as it did.</summary>
/// <param name="Model">Spec name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Fold">Fold index.</param>
/// <param name="Split"><c>validation</c> or <c>holdout</c>.</param>
/// <param name="Info">The model's <see cref="IForecaster.Info"/> after the fold's fit.</param>
public sealed record FoldFit(string Model, int Horizon, int Fold, string Split, FitInfo Info);

/// <summary>What a walk-forward run produced.</summary>
/// <param name="Rows">Long-table rows, by horizon, fold and origin (quantiles after crossing repair).</param>
/// <param name="QuantileCrossings">Forecasts whose raw P10 ≤ P50 ≤ P90 order was broken, repaired by sorting.</param>
/// <param name="OriginsWithoutTarget">Scored origins whose target lies beyond the data or across a hole (not emitted).</param>
/// <param name="Abstentions">Origins at which the model abstained (not emitted).</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Fits">The fit of every fold (provenance and what each fold's model learnt), by horizon and fold.</param>
public sealed record BacktestResult(IReadOnlyList<PredictionRow> Rows, int QuantileCrossings, int OriginsWithoutTarget,
    IReadOnlyList<Abstention> Abstentions, TimeSpan Elapsed, IReadOnlyList<FoldFit> Fits)
{
    /// <summary>A result without per-fold fits (combined listings).</summary>
    public BacktestResult(IReadOnlyList<PredictionRow> rows, int crossings, int noTarget, IReadOnlyList<Abstention> abstentions, TimeSpan elapsed)
        : this(rows, crossings, noTarget, abstentions, elapsed, []) { }
}

/// <summary>Hooks of the walk-forward engine, for the callers that need more than the rows: the search reports each
/// fold's score to its pruner (and may stop the trial by throwing), the holdout evaluation saves each fitted model.</summary>
internal sealed class WalkForwardHooks
{
    /// <summary>After a fold's model is fitted, before it predicts (e.g. save it).</summary>
    public Action<Fold, IForecaster>? Fitted { get; init; }
    /// <summary>After a fold's rows are emitted (rows of that fold only; empty when no origin had a target).</summary>
    public Action<Fold, IReadOnlyList<PredictionRow>>? Scored { get; init; }
}

/// <summary>Walk-forward backtesting of any catalogue model over chronological folds (darts' historical_forecasts,
/// statsforecast's cross_validation): for every fold of each horizon a fresh model is created from its spec, with the run
/// context cut at what is known when the fold begins, fitted on the fold's purged training rows, asked for its score rows,
/// and disposed. The one fit → predict → repair → row loop of the workbench: the search (<see cref="ModelSearch"/>) and
/// the holdout evaluation run it through hooks. The only place quantile crossings are counted and repaired and
/// abstentions are recorded.</summary>
public static class Backtest
{
    /// <summary>Backtests <paramref name="spec"/> over <paramref name="folds"/> at each of <paramref name="horizons"/>.</summary>
    /// <param name="spec">The model.</param>
    /// <param name="frame">The frame the folds index.</param>
    /// <param name="folds">Folds of every requested horizon (others are ignored).</param>
    /// <param name="horizons">Trading days ahead, each in 1..frame.Rows−1 and covered by at least one fold.</param>
    /// <param name="parameters">Parameters per horizon (e.g. the tuned point); null or a null result = the default point.</param>
    /// <param name="budget">Training budget of final fits; default <see cref="TrainingBudget.Default"/>.</param>
    /// <param name="seed">Model seed.</param>
    /// <param name="progress">Write a line per fold to <see cref="Log"/>.</param>
    /// <param name="context">The run context handed to the model; each fold gets it cut at the fold's last known outcome
    /// (<see cref="FoldCutoff"/>). Default: detached (no scored history).</param>
    /// <exception cref="ArgumentException">no horizon, a horizon without folds, or a bad fit (from the model).</exception>
    /// <exception cref="InvalidOperationException">a model returned the wrong number of forecasts, a non-finite quantile,
    /// or abstained although its rule does not allow it.</exception>
    public static BacktestResult Run(ModelSpec spec, Frame frame, IEnumerable<Fold> folds, IEnumerable<int> horizons,
        Func<int, IReadOnlyDictionary<string, double>?>? parameters = null, TrainingBudget? budget = null, int seed = 42, bool progress = true,
        RunContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var b = (budget ?? TrainingBudget.Default) with { Searching = false };
        return Run(Factory(spec, parameters, b, seed, context), spec.MissingInputs, frame, folds, horizons, progress, parallelism: Parallelism(spec));
    }

    /// <summary>The validation walk-forward of a model in a run: on the development frame (rows before the holdout, so
    /// not even a close of the holdout is within reach), every validation fold (2020-01 → 2023-06) of each of the
    /// profile's horizons for this model, with the context's tuned point of each horizon (nearest tuned horizon
    /// elsewhere) unless <paramref name="parameters"/> says otherwise.</summary>
    public static BacktestResult Validation(ModelSpec spec, Frame frame, RunContext context,
        Func<int, IReadOnlyDictionary<string, double>?>? parameters = null, int seed = 42, bool progress = true, IReadOnlyList<int>? horizons = null)
    {
        var dev = Splits.Development(frame);
        var hs = horizons ?? context.Profile.HorizonsFor(spec);
        return Run(spec, dev, ValidationFolds(dev, hs, context.Profile.ValidationFolds), hs, parameters ?? (h => context.TunedFor(spec, h)),
            context.Profile.Training, seed, progress, context);
    }

    /// <summary>The validation walk-forward of a model in a profile with default (or given) parameters and no scored
    /// history (see the <see cref="RunContext"/> overload).</summary>
    public static BacktestResult Validation(ModelSpec spec, Frame frame, RunProfile profile,
        Func<int, IReadOnlyDictionary<string, double>?>? parameters = null, int seed = 42, bool progress = true) =>
        Validation(spec, frame, RunContext.Detached(profile), parameters, seed, progress);

    /// <summary>The validation folds of each horizon on the development frame of <paramref name="frame"/> (row
    /// numbers are the frame's), e.g. for MASE in <see cref="MetricsSummary.Compute"/>.</summary>
    public static IReadOnlyList<Fold> ValidationFolds(Frame frame, IEnumerable<int> horizons, int folds = 7)
    {
        var dev = Splits.Development(frame);
        return horizons.SelectMany(h => Splits.Validation(dev, h, folds)).ToList();
    }

    /// <summary>The date of the last outcome known when a fold's model is fitted: the target date of its last training
    /// row (training rows are purged, so this is before the fold's first scored origin).</summary>
    public static DateOnly FoldCutoff(Frame frame, Fold fold) => KnownBy(frame, fold.TrainRows[^1], fold.Horizon);

    /// <summary>The target date of training row <paramref name="lastTrainRow"/> at <paramref name="horizon"/> (the frame's
    /// last date where that lies beyond it): the last outcome a model fitted on rows up to it can know.</summary>
    internal static DateOnly KnownBy(Frame frame, int lastTrainRow, int horizon) => frame.Dates[Math.Min(lastTrainRow + horizon, frame.Rows - 1)];

    /// <summary>Folds fitted at once for <paramref name="spec"/>: the processors over the threads one of its fits keeps busy;
    /// one at a time for a model whose fits share process-wide state (<see cref="ModelSpec.SerialFits"/>).</summary>
    internal static int Parallelism(ModelSpec spec) => spec.SerialFits ? 1 : Math.Max(1, Environment.ProcessorCount / Math.Max(1, spec.ThreadsPerFit));

    internal static Func<Frame, Fold, IForecaster> Factory(ModelSpec spec, Func<int, IReadOnlyDictionary<string, double>?>? parameters,
        TrainingBudget budget, int seed, RunContext? context) =>
        (frame, fold) => spec.Create(parameters?.Invoke(fold.Horizon), budget, seed,
            context is null ? null : fold.TrainRows.Length == 0 ? context with { ScoredHistory = [] } : context.ScoredBy(FoldCutoff(frame, fold)));

    internal static BacktestResult Run(Func<Frame, Fold, IForecaster> factory, MissingInputRule rule, Frame frame, IEnumerable<Fold> folds,
        IEnumerable<int> horizons, bool progress = true, WalkForwardHooks? hooks = null, int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(frame);
        var hs = horizons.Distinct().OrderBy(h => h).ToArray();
        if (hs.Length == 0) throw new ArgumentException("no horizons given.", nameof(horizons));
        foreach (var h in hs)
            if (h < 1 || h >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(horizons), h, $"horizon must be in 1..{frame.Rows - 1} (the frame has {frame.Rows} rows).");
        var foldList = folds.ToList();
        var sw = Stopwatch.StartNew();
        var work = new List<Fold>();
        foreach (var h in hs)
        {
            var hf = foldList.Where(f => f.Horizon == h).OrderBy(f => f.Index).ToList();
            if (hf.Count == 0) throw new ArgumentException($"no fold has horizon {h}.", nameof(folds));
            work.AddRange(hf);
        }
        var done = new FoldOutcome[work.Count];
        // Folds are independent (each model is a pure function of its fold's rows and context), so they may be fitted side
        // by side; the hooks (a pruner stopping a trial at a bad fold, a holdout saving each fit) need them in order.
        if (parallelism > 1 && hooks is null && work.Count > 1)
        {
            try
            {
                Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                    i => done[i] = FitAndScore(factory, rule, frame, work[i], progress, null));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
        else
            for (var i = 0; i < work.Count; i++) done[i] = FitAndScore(factory, rule, frame, work[i], progress, hooks);
        // Merged in horizon and fold order whatever order the folds finished in, so the rows are the same as a serial run's.
        var rows = done.SelectMany(d => d.Rows).ToList();
        var abstentions = done.SelectMany(d => d.Abstentions).ToList();
        var fits = done.Where(d => d.Fit is not null).Select(d => d.Fit!).ToList();
        var crossings = done.Sum(d => d.Crossings);
        var noTarget = done.Sum(d => d.NoTarget);
        var name = done.Length > 0 ? done[0].Model : null;
        if (crossings > 0 && progress)
            Log.Progress($"[walk-forward {name}] {crossings} forecasts had crossing quantiles; repaired by sorting.");
        if (noTarget > 0 && progress)
            Log.Progress($"[walk-forward {name}] {noTarget} score origins have no target inside the data; not emitted.");
        if (abstentions.Count > 0 && progress)
            Log.Progress($"[walk-forward {name}] abstained at {abstentions.Count} origins (first {abstentions[0].Origin:yyyy-MM-dd}: {abstentions[0].Reason}); not emitted.");
        return new BacktestResult(rows, crossings, noTarget, abstentions, sw.Elapsed, fits);
    }

    sealed record FoldOutcome(string Model, List<PredictionRow> Rows, List<Abstention> Abstentions, FoldFit? Fit, int Crossings, int NoTarget);

    /// <summary>One fold: a fresh model from the factory, fitted on the fold's training rows, asked for its score rows,
    /// disposed (on the calling thread, which the native-resource count relies on).</summary>
    static FoldOutcome FitAndScore(Func<Frame, Fold, IForecaster> factory, MissingInputRule rule, Frame frame, Fold fold, bool progress,
        WalkForwardHooks? hooks)
    {
        var h = fold.Horizon;
        var model = factory(frame, fold);
        try
        {
            model.Fit(frame, fold.TrainRows, h);
            var fit = model.Info is { } info ? new FoldFit(model.Name, h, fold.Index, fold.Split, info) : null;
            hooks?.Fitted?.Invoke(fold, model);
            var origins = fold.ScoreRows.Where(r => frame.TargetRow(r, h) >= 0).ToArray();
            var rows = new List<PredictionRow>();
            var abstentions = new List<Abstention>();
            var crossings = 0;
            if (origins.Length > 0)
            {
                var fc = model.Predict(frame, origins);
                if (fc.Count != origins.Length)
                    throw new InvalidOperationException($"{model.Name}: Predict returned {fc.Count} forecasts for {origins.Length} origins (fold {fold.Index}, h {h}).");
                var bound = SanityBound(frame, fold.TrainRows, h);
                for (var i = 0; i < origins.Length; i++)
                {
                    var o = origins[i];
                    if (fc[i].IsAbstention && rule is not MissingInputRule.NotRead)
                    {
                        abstentions.Add(new Abstention(model.Name, h, frame.Dates[o], fold.Index, AbstentionReason(rule, frame, o), fold.Split));
                        continue;
                    }
                    if (OutsideBound(fc[i], bound))
                    {
                        abstentions.Add(new Abstention(model.Name, h, frame.Dates[o], fold.Index,
                            FormattableString.Invariant($"sanity bound: forecast (P10 {fc[i].Q10:G4}, P50 {fc[i].Q50:G4}, P90 {fc[i].Q90:G4}) outside ±{bound:G4}, {SanityMultiple} × the largest |{h}-day log return| of the fold's training rows"),
                            fold.Split));
                        continue;
                    }
                    var (q, crossed) = Checked(model.Name, fc[i], frame, o, h, fold.Index).Repaired();
                    if (crossed) crossings++;
                    rows.Add(new PredictionRow(model.Name, h, frame.Dates[o], frame.Dates[o + h], frame.Target(o, h), q.Q10, q.Q50, q.Q90, fold.Index, fold.Split));
                }
            }
            hooks?.Scored?.Invoke(fold, rows);
            if (progress && origins.Length > 0)
                Log.Progress($"[walk-forward {model.Name}] h={h} fold {fold.Index} ({fold.Split}): trained on {fold.TrainRows.Length} rows, scored {origins.Length}");
            return new FoldOutcome(model.Name, rows, abstentions, fit, crossings, fold.ScoreRows.Length - origins.Length);
        }
        finally { (model as IDisposable)?.Dispose(); }
    }

    /// <summary>How many times the largest training move a forecast may reach (<see cref="SanityBound"/>).</summary>
    public const double SanityMultiple = 4;

    /// <summary>The largest |quantile| (log return) a forecast at <paramref name="horizon"/> may have before the engine
    /// takes it for a broken model: <see cref="SanityMultiple"/> × the largest |h-day log return| whose origin is among
    /// the training rows; +∞ when no training row has one. A forecast beyond it — a net fed a feature that was stale in
    /// training and then moved gave 5-day forecasts of −1,923 and +139,745 — is never written: the origin is recorded as
    /// an abstention with the forecast and the bound, as every model's contract requires.</summary>
    public static double SanityBound(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(trainRows);
        var largest = 0.0;
        foreach (var r in trainRows)
        {
            var y = frame.Target(r, horizon);
            if (double.IsFinite(y)) largest = Math.Max(largest, Math.Abs(y));
        }
        return largest > 0 ? SanityMultiple * largest : double.PositiveInfinity;
    }

    static bool OutsideBound(QuantileForecast q, double bound) =>
        double.IsFinite(bound) && (Math.Abs(q.Q10) > bound || Math.Abs(q.Q50) > bound || Math.Abs(q.Q90) > bound);

    static QuantileForecast Checked(string model, QuantileForecast q, Frame frame, int o, int h, int fold)
    {
        if (!double.IsFinite(q.Q10) || !double.IsFinite(q.Q50) || !double.IsFinite(q.Q90))
            throw new InvalidOperationException($"{model}: non-finite quantile forecast at origin {frame.Dates[o]:yyyy-MM-dd} (row {o}, h {h}, fold {fold}): {q}" +
                                                (q.IsAbstention ? "; the model abstained, which its missing-input rule does not allow." : "."));
        return q;
    }

    internal static string AbstentionReason(MissingInputRule rule, Frame frame, int row)
    {
        if (rule == MissingInputRule.AbstainWhenPriceMissing)
            return $"{rule}: a past close the model needs is missing (a session the data lacks)";
        var missing = frame.FeatureNames.Where((_, j) => double.IsNaN(frame.Features[j][row])).ToArray();
        return $"{rule}: missing at the origin: {(missing.Length == 0 ? "(none reported)" : string.Join(", ", missing))}";
    }
}
