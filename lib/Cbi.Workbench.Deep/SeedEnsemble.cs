using Cbi.Workbench.Models;

namespace Cbi.Workbench.Deep;

/// <summary>One configuration trained with several seeds (seed, seed + 1, …) and averaged per quantile: the seeds'
/// remedy for the variance of a single network fit (Lakshminarayanan et al. 2017 average independently initialised
/// nets; here the P10, P50 and P90 are each the mean of the members'). The members' disagreement is kept: for every
/// predicted origin the standard deviation of the members' P50 across seeds (log-return units) is appended to the
/// list given at construction. An origin where any member abstains is an abstention.</summary>
internal sealed class SeedEnsemble : IForecaster, IDisposable
{
    readonly IForecaster[] members;
    readonly List<double> spread;

    /// <param name="members">Unfitted forecasters of one spec and point with distinct seeds (≥ 2).</param>
    /// <param name="spread">Receives the per-origin standard deviation of the members' P50 (shared by the ensembles of a run).</param>
    internal SeedEnsemble(IForecaster[] members, List<double> spread)
    {
        if (members.Length < 2) throw new ArgumentException("a seed ensemble needs at least 2 members.", nameof(members));
        if (members.Select(m => m.Name).Distinct().Count() != 1) throw new ArgumentException("seed ensemble members must be one model.", nameof(members));
        this.members = members; this.spread = spread;
    }

    public string Name => members[0].Name;
    public FitInfo? Info { get; private set; }

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        foreach (var m in members) m.Fit(frame, trainRows, horizon);
        var first = members[0].Info!;
        Info = first with { Parameters = new Dictionary<string, string>(first.Parameters) { ["seeds"] = string.Join(",", members.Select(m => m.Info!.Seed)) } };
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        if (Info is null) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var each = members.Select(m => m.Predict(frame, originRows)).ToArray();
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (each.Any(f => f[i].IsAbstention)) { result[i] = QuantileForecast.Abstain; continue; }
            var p50 = each.Select(f => f[i].Q50).ToArray();
            var mean = p50.Average();
            result[i] = new QuantileForecast(each.Average(f => f[i].Q10), mean, each.Average(f => f[i].Q90));
            lock (spread) spread.Add(Math.Sqrt(p50.Sum(v => (v - mean) * (v - mean)) / (p50.Length - 1)));
        }
        return result;
    }

    public void Save(string directory)
    {
        if (Info is null) throw new InvalidOperationException($"{Name}: Save before Fit.");
        for (var k = 0; k < members.Length; k++) members[k].Save(Path.Combine(directory, $"seed-{members[k].Info!.Seed}"));
    }

    public void Dispose()
    {
        foreach (var m in members) (m as IDisposable)?.Dispose();
    }
}
