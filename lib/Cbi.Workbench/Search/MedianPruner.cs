namespace Cbi.Workbench.Search;

/// <summary>Decides whether a running trial should stop early from its intermediate values.</summary>
public interface IPruner
{
    bool ShouldPrune(TrialRecord running, int step, IReadOnlyList<TrialRecord> finished);
}

/// <summary>Never prunes.</summary>
public sealed class NoPruner : IPruner
{
    public bool ShouldPrune(TrialRecord running, int step, IReadOnlyList<TrialRecord> finished) => false;
}

/// <summary>Median stopping rule (Golovin et al., "Google Vizier", KDD 2017, §3.2.2): stop a trial whose
/// intermediate value at a step is worse than the median of the completed trials' values at the same step.
/// Steps are whatever the objective reports (walk-forward folds, boosting checkpoints); with folds, report the
/// running mean of the fold losses so that early easy/hard folds do not decide alone. Minimisation.</summary>
public sealed class MedianPruner(int startupTrials = 5, int warmupSteps = 0, int minComparable = 3) : IPruner
{
    public int StartupTrials { get; } = startupTrials;
    public int WarmupSteps { get; } = warmupSteps;

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
