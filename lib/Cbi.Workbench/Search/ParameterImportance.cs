namespace Cbi.Workbench.Search;

/// <summary>How much of the spread in the objective each parameter accounts for across a study's completed
/// trials: the correlation ratio η² (between-group over total sum of squares) of the objective's ranks,
/// grouped by category or by quantile bins of the parameter. Ranks keep one disastrous trial from
/// deciding; η² catches non-monotone effects that a correlation would miss. With ~25 trials this is a
/// screening aid, not an estimate with small error (fANOVA would need many more trials).</summary>
public static class ParameterImportance
{
    /// <summary>Importance of one parameter.</summary>
    /// <param name="Parameter">Parameter name.</param>
    /// <param name="EtaSquared">η² in [0, 1]: share of the variance of the objective ranks explained by the parameter's groups.</param>
    /// <param name="Share">This η² as a fraction of the sum over all parameters (0 when that sum is 0); not a variance decomposition.</param>
    /// <param name="Trials">Completed trials with a finite value used.</param>
    public sealed record Entry(string Parameter, double EtaSquared, double Share, int Trials);

    /// <summary>η² per parameter over the completed trials with a finite value. Numeric parameters are grouped into
    /// clamp(n/5, 2, 5) equal-count bins by rank; categorical ones by choice.</summary>
    /// <param name="space">The search space whose parameters are scored.</param>
    /// <param name="trials">The study's trials (any state; only COMPLETE ones with a finite value count).</param>
    /// <returns>One entry per parameter, largest η² first.</returns>
    /// <exception cref="InvalidOperationException">Fewer than 4 completed trials with a finite value.</exception>
    /// <exception cref="KeyNotFoundException">A trial lacks a parameter of <paramref name="space"/>.</exception>
    public static IReadOnlyList<Entry> Compute(SearchSpace space, IReadOnlyList<TrialRecord> trials)
    {
        var done = trials.Where(t => t.State == TrialState.Complete && double.IsFinite(t.Value)).ToList();
        if (done.Count < 4) throw new InvalidOperationException($"Parameter importance needs at least 4 completed trials; the study has {done.Count}.");
        var ranks = Ranks(done.Select(t => t.Value).ToArray());
        var raw = space.Parameters.Select(p =>
        {
            var x = done.Select(t => p.ToSampling(t.Params[p.Name])).ToArray();
            int[] group;
            if (p.IsCategorical) group = x.Select(v => (int)v).ToArray();
            else
            {
                var bins = Math.Clamp(done.Count / 5, 2, 5);
                var xr = Ranks(x);
                group = xr.Select(r => Math.Min(bins - 1, (int)((r - 1) * bins / done.Count))).ToArray();
            }
            return (p.Name, Eta: EtaSquared(ranks, group));
        }).ToList();
        var total = raw.Sum(r => r.Eta);
        return raw.Select(r => new Entry(r.Name, r.Eta, total > 0 ? r.Eta / total : 0, done.Count)).OrderByDescending(e => e.EtaSquared).ToList();
    }

    static double EtaSquared(double[] y, int[] group)
    {
        var mean = y.Average();
        var total = y.Sum(v => (v - mean) * (v - mean));
        if (total == 0) return 0;
        var between = y.Zip(group).GroupBy(t => t.Second).Sum(g => g.Count() * Math.Pow(g.Average(t => t.First) - mean, 2));
        return between / total;
    }

    /// <summary>Average ranks (1-based; ties share their mean rank).</summary>
    internal static double[] Ranks(double[] v)
    {
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var r = new double[v.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            for (var k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return r;
    }
}
