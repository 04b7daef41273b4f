namespace Cbi.Workbench.Search;

/// <summary>Decides whether a running trial should stop early from its intermediate values.</summary>
public interface IPruner
{
    /// <summary>Whether <paramref name="running"/> should stop after reporting <paramref name="step"/>.</summary>
    /// <param name="running">The running trial with its intermediate values so far.</param>
    /// <param name="step">The step just reported.</param>
    /// <param name="finished">The study's COMPLETE and PRUNED trials.</param>
    /// <returns>True to prune (the trial then ends as PRUNED via <see cref="TrialPrunedException"/>).</returns>
    bool ShouldPrune(TrialRecord running, int step, IReadOnlyList<TrialRecord> finished);
}

/// <summary>Never prunes.</summary>
public sealed class NoPruner : IPruner
{
    /// <summary>Always false.</summary>
    /// <param name="running">Ignored.</param>
    /// <param name="step">Ignored.</param>
    /// <param name="finished">Ignored.</param>
    public bool ShouldPrune(TrialRecord running, int step, IReadOnlyList<TrialRecord> finished) => false;
}

/// <summary>Median stopping rule (Golovin et al., "Google Vizier", KDD 2017, §3.2.2): stop a trial whose
/// intermediate value at a step is worse than the median of the completed trials' values at the same step.
/// Steps are whatever the objective reports (walk-forward folds, boosting checkpoints); with folds, report the
/// running mean of the fold losses so that early easy/hard folds do not decide alone. Minimisation.</summary>
/// <param name="startupTrials">Never prune before this many trials have completed.</param>
/// <param name="warmupSteps">Never prune at a step below this.</param>
/// <param name="minComparable">Never prune unless at least max(1, this) completed trials have a finite value at the step.</param>
public sealed class MedianPruner(int startupTrials = 5, int warmupSteps = 0, int minComparable = 3) : IPruner
{
    /// <summary>Completed trials needed before any pruning.</summary>
    public int StartupTrials { get; } = startupTrials;
    /// <summary>Steps below this are never pruned.</summary>
    public int WarmupSteps { get; } = warmupSteps;

    /// <summary>True when <paramref name="running"/>'s value at <paramref name="step"/> is NaN or greater than the median
    /// of the completed trials' finite values at that step (subject to the startup, warm-up and comparability limits).</summary>
    /// <param name="running">The running trial; false when it has no value at <paramref name="step"/>.</param>
    /// <param name="step">The step just reported.</param>
    /// <param name="finished">Finished trials; only COMPLETE ones are compared.</param>
    public bool ShouldPrune(TrialRecord running, int step, IReadOnlyList<TrialRecord> finished)
    {
        if (step < WarmupSteps) return false;
        if (!running.Intermediate.TryGetValue(step, out var mine)) return false;
        var complete = finished.Where(t => t.State == TrialState.Complete).ToList();
        if (complete.Count < StartupTrials) return false;
        var peers = complete.Where(t => t.Intermediate.ContainsKey(step)).Select(t => t.Intermediate[step]).Where(double.IsFinite).OrderBy(v => v).ToArray();
        if (peers.Length < Math.Max(1, minComparable)) return false;
        var median = peers.Length % 2 == 1 ? peers[peers.Length / 2] : (peers[peers.Length / 2 - 1] + peers[peers.Length / 2]) / 2;
        return double.IsNaN(mine) || mine > median;
    }
}
