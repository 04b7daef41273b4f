using Cbi.Workbench.Search;

namespace Cbi.Workbench.Models;

/// <summary>What a model reads from a <see cref="Frame"/>.</summary>
public enum ModelInputs
{
    /// <summary>Only the quoted ZL closes at or before the origin (the statistical baselines).</summary>
    Prices,
    /// <summary>The point-in-time feature row of each origin (tree models, the deep MLP).</summary>
    Features,
    /// <summary>Windows of feature rows ending at the origin (sequence networks: TFT, LSTM, TCN, N-BEATSx).</summary>
    Sequences,
}

/// <summary>How a model treats a feature that is missing (NaN) at a forecast origin. Every spec declares one, and
/// the catalogue's contract test holds the model to it; a missing input is never read as a number.</summary>
public enum MissingInputRule
{
    /// <summary>The model reads no feature column, so a missing feature cannot change its forecast; a missing
    /// close is not a row of the frame at all.</summary>
    NotRead,
    /// <summary>A feature that is missing at the origin but was never missing in the model's training rows has no
    /// learnt meaning; the model abstains at that origin (its forecast is NaN) and the backtester records the
    /// origin, the features and the reason instead of a prediction row. Features that were missing in training
    /// take the branch the model learnt for them.</summary>
    AbstainWhenUnseen,
    /// <summary>The model reads no feature column, but needs a past close other than the origin's (the seasonal naive
    /// needs the close one season before the target); where the data lacks that session the model abstains (NaN) and
    /// the backtester records the origin and the reason.</summary>
    AbstainWhenPriceMissing,
    /// <summary>A combination of other models (the ensemble): a member that abstains at an origin is left out there and
    /// the others' weights are rescaled to sum to one; the combination abstains only when every weighted member does.</summary>
    DropAbstainingMembers,
}

/// <summary>How much work a model may spend: rounds or epochs, early stopping, and whether it is being trained
/// inside a search (where a model may take a cheaper path that ranks parameter points as well) or for the final
/// forecasts. One record serves every model family; each reads the fields that apply to it.</summary>
/// <param name="MaxRounds">Boosting rounds (tree models) or epochs (networks) at most; ≥ 1.</param>
/// <param name="EarlyStoppingRounds">Rounds/epochs without improvement on the purged validation tail before
/// training stops; 0 disables early stopping.</param>
/// <param name="Searching">True while a search trial is scored: LightGBM then keeps the early-stopped models
/// instead of refitting on all training rows.</param>
/// <param name="MaxRecentRows">When &gt; 0, a model that honours it (the networks) trains on at most this many of the most
/// recent training rows (a cheap path for smoke runs); 0 = all rows. LightGBM and the baselines ignore it.</param>
public sealed record TrainingBudget(int MaxRounds, int EarlyStoppingRounds, bool Searching = false, int MaxRecentRows = 0)
{
    /// <summary>The budget of final (non-search) fits when no profile is given: 1,000 rounds, patience 50.</summary>
    public static TrainingBudget Default { get; } = new(1000, 50);
}

/// <summary>A model of the catalogue: its name (the <c>model</c> column of the prediction table), what it reads,
/// its optional search space with a default point, its missing-input rule, and how to create a fresh, unfitted
/// forecaster for one set of parameters, and reload a saved one. The backtester, the search, the model store,
/// the CLI (<c>cbi models|backtest|search|bench</c>) and the contract tests depend only on specs, so adding a model
/// is its implementation plus one <see cref="ModelCatalog.Register"/> call. Modelled on darts' ForecastingModel
/// registry and statsforecast's model base.</summary>
public sealed record ModelSpec
{
    /// <summary>Unique name in the catalogue and the prediction table: lower case letters, digits, '_' and '+'
    /// (e.g. <c>rw</c>, <c>lgbm</c>, <c>lgbm+cqr</c>).</summary>
    public required string Name { get; init; }
    /// <summary>One line for <c>cbi models</c>: the method and its source.</summary>
    public required string Description { get; init; }
    /// <summary>What the model reads from the frame.</summary>
    public required ModelInputs Inputs { get; init; }
    /// <summary>The model's rule for a feature missing at the origin.</summary>
    public required MissingInputRule MissingInputs { get; init; }
    /// <summary>The hyperparameter space searched by <c>cbi search</c>; null for a model without tunable
    /// parameters (it is then backtested with its fixed settings and never searched).</summary>
    public SearchSpace? Space { get; init; }
    /// <summary>The point used when no search result is given; must lie in <see cref="Space"/> (empty when the
    /// space is null).</summary>
    public IReadOnlyDictionary<string, double> DefaultPoint { get; init; } = new Dictionary<string, double>();
    /// <summary>True when a fit costs seconds or more (searched models): run profiles restrict such models to
    /// their <see cref="RunProfile.SearchedHorizons"/>.</summary>
    public bool Expensive { get; init; }
    /// <summary>Threads one fit keeps busy (1 for the statistical models and LightGBM, which the workbench runs
    /// single-threaded; the nets' torch thread count). The walk-forward engine fits
    /// ⌊processors / this⌋ folds at once, so a 2-core machine runs two single-threaded fits side by side. ≥ 1.</summary>
    public int ThreadsPerFit { get; init; } = 1;
    /// <summary>True when a fit uses process-wide state (libtorch's random seed and thread pool): the engine then fits this
    /// model's folds one at a time on any machine, whatever <see cref="ThreadsPerFit"/> says.</summary>
    public bool SerialFits { get; init; }

    /// <summary>How the shared training budget of a profile (boosting rounds, patience) maps to this model's own units,
    /// applied by <see cref="Create"/> before the factory sees it; null = used as given. The networks read a round budget
    /// as epochs at one epoch per 100 rounds (smoke 300 rounds → 3 epochs), since one epoch of a net costs about what
    /// 100 boosting rounds cost on the same rows.</summary>
    public Func<TrainingBudget, TrainingBudget>? BudgetMap { get; init; }

    /// <summary>Creates a fresh, unfitted forecaster. Arguments: a point of <see cref="Space"/> (complete), the
    /// training budget, the random seed, and the run context (scored history cut at the fold, tuned parameters of other
    /// models): a model is a pure function of these and of the data it is fitted on.</summary>
    public required Func<IReadOnlyDictionary<string, double>, TrainingBudget, int, RunContext, IForecaster> Factory { get; init; }

    /// <summary>Reloads a forecaster written by <see cref="IForecaster.Save"/> from a folder.</summary>
    public required Func<string, IForecaster> Loader { get; init; }

    /// <summary>Model-specific benchmarks run by <c>cbi bench</c> after the generic fit/predict timing (e.g. LightGBM's
    /// milliseconds per 100 boosting rounds): given the development frame, training rows, horizon, repeat count and run context,
    /// records its results under artifacts/bench/ and returns their names.</summary>
    internal Func<Frame, int[], int, int, RunContext, IReadOnlyList<string>>? ExtraBenchmarks { get; init; }

    /// <summary>A fresh, unfitted forecaster for <paramref name="parameters"/> (default: <see cref="DefaultPoint"/>).</summary>
    /// <param name="parameters">A point of <see cref="Space"/>; names missing from it take the default point's value.</param>
    /// <param name="budget">Rounds/epochs and search mode; default <see cref="TrainingBudget.Default"/>.</param>
    /// <param name="seed">Random seed of the model (sampling, initialisation); deterministic models ignore it.</param>
    /// <param name="context">What the run knows besides the data (a combination's scored history, members' tuned points);
    /// default a detached smoke context: no history, no tuned points.</param>
    /// <exception cref="ArgumentException">a parameter the space does not have, or a value outside its range.</exception>
    public IForecaster Create(IReadOnlyDictionary<string, double>? parameters = null, TrainingBudget? budget = null, int seed = 42, RunContext? context = null)
    {
        var point = new Dictionary<string, double>(DefaultPoint);
        foreach (var (k, v) in parameters ?? new Dictionary<string, double>())
        {
            if (Space is null || !Space.Parameters.Any(p => p.Name == k))
                throw new ArgumentException($"{Name}: unknown parameter '{k}'" +
                    (Space is null ? " (the model has no parameters)." : $"; known: {string.Join(", ", Space.Parameters.Select(p => p.Name))}."), nameof(parameters));
            point[k] = v;
        }
        foreach (var p in Space?.Parameters ?? [])
        {
            if (!point.TryGetValue(p.Name, out var v))
                throw new ArgumentException($"{Name}: parameter '{p.Name}' has no value and no default.", nameof(parameters));
            // Floats must lie in range; integers and category indexes must also sit on their grid (a legal one maps to
            // itself through the sampler's rounding).
            var legal = double.IsFinite(v) && (p is FloatParameter f ? v >= f.Low && v <= f.High : p.FromSampling(p.ToSampling(v)) == v);
            if (!legal)
                throw new ArgumentException($"{Name}: parameter '{p.Name}' = {v} is outside its range {p.Range}.", nameof(parameters));
        }
        var given = budget ?? TrainingBudget.Default;
        var model = Factory(point, BudgetMap is null ? given : BudgetMap(given) with { Searching = given.Searching }, seed, context ?? RunContext.Detached(RunProfile.Smoke));
        if (model.Name != Name)
            throw new InvalidOperationException($"spec '{Name}' created a forecaster named '{model.Name}'; the names must agree.");
        return model;
    }
}
