using System.Globalization;
using Cbi.Workbench.Models;

namespace Cbi.Workbench;

/// <summary>Budget of a hyperparameter search per model and horizon.</summary>
/// <param name="Trials">Trials per study (complete + pruned), ≥ 1.</param>
/// <param name="StartupTrials">Random trials before TPE takes over; also the median pruner's warm-up.</param>
/// <param name="Folds">How many of the last validation folds score a trial (≥ 1).</param>
public sealed record SearchBudget(int Trials, int StartupTrials, int Folds);

/// <summary>Everything a run's size depends on, in one record: horizons, validation folds, search and training
/// budgets. The CLI and the notebooks take horizons and folds from here, never from their own lists.</summary>
/// <param name="Name"><c>smoke</c> or <c>full</c>; names the folder artifacts/&lt;profile&gt;/ and the studies.</param>
/// <param name="Horizons">Horizons in trading days of every cheap model (the baselines).</param>
/// <param name="SearchedHorizons">Horizons of the expensive (searched) models: a subset of <paramref name="Horizons"/>.</param>
/// <param name="ValidationFolds">Walk-forward folds over the validation period 2020-01 → 2023-06.</param>
/// <param name="Search">Trials and folds per search.</param>
/// <param name="Training">Rounds/epochs and early stopping of every fit.</param>
public sealed record RunProfile(string Name, IReadOnlyList<int> Horizons, IReadOnlyList<int> SearchedHorizons, int ValidationFolds,
    SearchBudget Search, TrainingBudget Training)
{
    /// <summary>The workbench's horizons in trading days: 1 day, 1 week, 1, 3, 6 and 12 months.</summary>
    public static IReadOnlyList<int> AllHorizons { get; } = [1, 5, 21, 63, 126, 252];

    /// <summary>CI and the README's main job (minutes on 2 cores): every baseline at every horizon; searched models
    /// at 5 and 21 days with 4 trials on the last 2 folds, at most 300 rounds, patience 30.</summary>
    public static RunProfile Smoke { get; } = new("smoke", AllHorizons, [5, 21], 7, new SearchBudget(4, 3, 2), new TrainingBudget(300, 30));

    /// <summary>The seeds' budget (about 2 h on 2 cores): every horizon; 25 trials (8 random) on the last 3 folds,
    /// at most 1,000 rounds chosen by early stopping with patience 50 (with learning rates ≥ 0.01 and noisy targets
    /// the validation loss has flattened by then).</summary>
    public static RunProfile Full { get; } = new("full", AllHorizons, AllHorizons, 7, new SearchBudget(25, 8, 3), new TrainingBudget(1000, 50));

    /// <summary>The profile called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">not <c>smoke</c> or <c>full</c>.</exception>
    public static RunProfile For(string name) => name switch
    {
        "smoke" => Smoke,
        "full" => Full,
        _ => throw new ArgumentException($"Unknown profile '{name}': expected 'smoke' or 'full'.", nameof(name)),
    };

    /// <summary>The active profile (<see cref="Workbench.Profile"/>), with the <c>horizons</c> parameter (a
    /// comma list of trading days, e.g. <c>--input horizons=5,21</c>) narrowing both horizon lists when set.</summary>
    /// <exception cref="ArgumentException">an unknown profile or a malformed horizon list.</exception>
    public static RunProfile Current
    {
        get
        {
            var p = For(Workbench.Profile);
            var h = Workbench.Parameter("horizons", "");
            return h.Length == 0 ? p : p.WithHorizons(ParseHorizons(h, "horizons"));
        }
    }

    /// <summary>This profile restricted to the given horizons (both lists).</summary>
    /// <exception cref="ArgumentException">an empty list or a horizon &lt; 1.</exception>
    public RunProfile WithHorizons(IReadOnlyList<int> horizons)
    {
        if (horizons.Count == 0 || horizons.Any(h => h < 1)) throw new ArgumentException("horizons must be a non-empty list of integers ≥ 1.", nameof(horizons));
        var hs = horizons.Distinct().Order().ToArray();
        return this with { Horizons = hs, SearchedHorizons = hs };
    }

    /// <summary>The horizons a model runs at in this profile: <see cref="SearchedHorizons"/> for expensive models,
    /// <see cref="Horizons"/> otherwise.</summary>
    public IReadOnlyList<int> HorizonsFor(ModelSpec spec) => spec.Expensive ? SearchedHorizons : Horizons;

    /// <summary>Parses "5,21,63" (the option or parameter named <paramref name="what"/> in the error).</summary>
    /// <exception cref="ArgumentException">an entry that is not an integer ≥ 1.</exception>
    public static int[] ParseHorizons(string text, string what) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1
                ? v : throw new ArgumentException($"{what}: '{s}' is not an integer ≥ 1.")).ToArray();

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: horizons {string.Join(",", Horizons)} (searched {string.Join(",", SearchedHorizons)}), " +
                                         $"{ValidationFolds} folds, search {Search.Trials} trials on {Search.Folds} folds, ≤ {Training.MaxRounds} rounds";
}
