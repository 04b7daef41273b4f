using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;

namespace Cbi.Workbench;

/// <summary>Everything a run hands to the science besides the data: the profile, the run's artifact folder, the forecasts
/// already scored (validation prediction rows, cut point in time by the walk-forward engine at each fold) and the tuned
/// parameters per model and horizon. Model factories (<see cref="ModelSpec.Create"/>), the walk-forward engine
/// (<see cref="Backtest"/>), the ensemble, the conformal wrappers and the release rule receive it and read nothing else:
/// no environment variable, no <see cref="RunProfile.Current"/>, no artifact file. Only the entry points (the CLI, the
/// notebooks through <see cref="Current"/>) build it from disk, so a test can give a model any history it likes.</summary>
/// <param name="Profile">Horizons, folds and budgets of the run.</param>
public sealed record RunContext(RunProfile Profile)
{
    /// <summary>artifacts/&lt;profile&gt;/ of the run (where entry points read and write); null for an in-memory context.</summary>
    public string? ProfileDir { get; init; }

    /// <summary>Scored forecasts (prediction rows of split <c>validation</c>, and <c>history</c>: the walk-forward before the
    /// validation period, <see cref="Validation.Splits.History"/>; any models) a combination or a calibration may learn from.
    /// Inside the walk-forward engine it holds only rows whose target date is at or before the fold's last known
    /// outcome (<see cref="ScoredBy"/>).</summary>
    public IReadOnlyList<PredictionRow> ScoredHistory { get; init; } = [];

    /// <summary>Tuned points per model name and horizon (from <c>best-params.json</c> at the entry points).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>>> Tuned { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>>>();

    /// <summary>A context with no history, no tuned parameters and no artifact folder: what a model created outside a
    /// run gets (default points, nothing scored).</summary>
    public static RunContext Detached(RunProfile profile) => new(profile);

    /// <summary>The tuned point of <paramref name="model"/> at <paramref name="horizon"/>, or that of the nearest tuned
    /// horizon (ties: the shorter), or null when the model was never tuned (its default point applies).</summary>
    public IReadOnlyDictionary<string, double>? TunedFor(string model, int horizon)
    {
        if (!Tuned.TryGetValue(model, out var byH) || byH.Count == 0) return null;
        if (byH.TryGetValue(horizon, out var exact)) return exact;
        return byH.OrderBy(kv => Math.Abs(kv.Key - horizon)).ThenBy(kv => kv.Key).First().Value;
    }

    /// <summary>The tuned point for <paramref name="spec"/> at <paramref name="horizon"/> as <see cref="TunedFor(string, int)"/>;
    /// null for a model without a search space (it has no parameters to take).</summary>
    public IReadOnlyDictionary<string, double>? TunedFor(ModelSpec spec, int horizon) => spec.Space is null ? null : TunedFor(spec.Name, horizon);

    /// <summary>This context with only the scored rows whose target date is at or before <paramref name="cutoff"/>.</summary>
    public RunContext ScoredBy(DateOnly cutoff) => this with { ScoredHistory = ScoredHistory.Where(r => r.TargetDate <= cutoff).ToArray() };

    /// <summary>The entry points' context: the active profile (<see cref="RunProfile.Current"/>), its artifact folder, the
    /// validation and history rows of the run's prediction table (artifacts/&lt;profile&gt;/predictions.parquet, empty when absent) and
    /// every searched model's best-params.json. Read once per call; the science never calls this.</summary>
    /// <exception cref="InvalidDataException">a prediction table or best-params.json that cannot be read.</exception>
    public static RunContext Current
    {
        get
        {
            var profile = RunProfile.Current;
            return FromArtifacts(profile, Path.Combine(Workbench.ArtifactsDir, profile.Name));
        }
    }

    /// <summary>The context of <paramref name="profile"/> read from the artifact folder <paramref name="profileDir"/> (see
    /// <see cref="Current"/>).</summary>
    public static RunContext FromArtifacts(RunProfile profile, string profileDir)
    {
        var predictions = Path.Combine(profileDir, "predictions.parquet");
        var history = File.Exists(predictions) ? PredictionStore.ReadParquet(predictions).Where(r => Validation.Splits.IsValidationOrHistory(r.Split)).ToArray() : [];
        var tuned = new Dictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>>>();
        foreach (var spec in ModelCatalog.All.Where(s => s.Space != null))
        {
            var best = ModelSearch.ReadBest(spec, Path.Combine(profileDir, spec.Name));
            if (best.Count > 0) tuned[spec.Name] = best.ToDictionary(r => r.Horizon, r => r.Parameters);
        }
        return new RunContext(profile) { ProfileDir = profileDir, ScoredHistory = history, Tuned = tuned };
    }
}
