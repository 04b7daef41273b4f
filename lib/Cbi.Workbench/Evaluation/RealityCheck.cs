namespace Cbi.Workbench.Evaluation;

/// <summary>The multiple-testing verdict for one horizon: does the best of many models and search trials beat the
/// benchmark by more than luck among that many tries would give?</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Candidates">Models and trials compared with the benchmark (k).</param>
/// <param name="Origins">Common origins scored (n).</param>
/// <param name="Best">The candidate with the largest mean loss improvement over the benchmark.</param>
/// <param name="BestSkill">Its raw skill: 1 − mean loss / benchmark mean loss on the common origins.</param>
/// <param name="RealityCheckP">White's (2000) Reality Check p-value (statistic max √n d̄ₖ, every model re-centred).</param>
/// <param name="SpaLowerP">Hansen's (2005) SPA p-value, lower bound (re-centre only models that beat the benchmark).</param>
/// <param name="SpaConsistentP">Hansen's SPA, consistent p-value (re-centre models within √(2 ln ln n)·ω/√n of it).</param>
/// <param name="SpaUpperP">Hansen's SPA, upper bound (re-centre every model).</param>
/// <param name="Bootstraps">Stationary-bootstrap replications.</param>
/// <param name="MeanBlock">Mean block length of the stationary bootstrap (sessions).</param>
/// <param name="Studentized">True when the SPA statistic is max √n d̄ₖ/ω̂ₖ (Hansen 2005); false for unstudentized maxima.</param>
/// <param name="SpaBest">The candidate with the largest studentized statistic (the one the SPA p-value is about: a small
/// but very steady improvement can lead it while another model has the larger mean gain).</param>
/// <param name="SpaBestSkill">That candidate's raw skill.</param>
public sealed record MultipleTestResult(int Horizon, int Candidates, int Origins, string Best, double BestSkill, double RealityCheckP,
    double SpaLowerP, double SpaConsistentP, double SpaUpperP, int Bootstraps, double MeanBlock, bool Studentized, string SpaBest, double SpaBestSkill);

/// <summary>White's Reality Check and Hansen's test for Superior Predictive Ability of k models against a benchmark on a
/// common set of n origins, with Politis &amp; Romano's (1994) stationary bootstrap of the loss differentials
/// dₖₜ = L₀ₜ − Lₖₜ (positive: the model's loss is lower). H₀: no model is better than the benchmark, max E[dₖ] ≤ 0.
/// Variances ω̂ₖ² are the stationary bootstrap's long-run variance in closed form (Hansen 2005, §2, with weights
/// κᵢ = (1 − i/n)(1 − p)ⁱ + (i/n)(1 − p)ⁿ⁻ⁱ, p = 1/mean block). p-values are the share of replications whose maximum
/// reaches the sample maximum (as in the arch package's SPA, whose output on the same indices the tests reproduce).</summary>
public static class RealityCheck
{
    /// <summary>Runs both tests.</summary>
    /// <param name="benchmark">Benchmark loss per origin, length n ≥ 20.</param>
    /// <param name="models">k candidate loss series, each of length n (same origins).</param>
    /// <param name="names">k candidate names.</param>
    /// <param name="horizon">Trading days ahead (for the record; with overlapping h-day targets a mean block of at least
    /// h keeps the dependence).</param>
    /// <param name="meanBlock">Mean block length (≥ 1); default max(h, √n).</param>
    /// <param name="bootstraps">Replications (≥ 100).</param>
    /// <param name="seed">Seed of the bootstrap (System.Random): the same seed gives the same p-values.</param>
    /// <param name="studentize">Divide each mean differential by its ω̂ₖ (Hansen 2005; default).</param>
    /// <exception cref="ArgumentException">no model, unequal lengths, fewer than 20 origins, or a non-finite loss.</exception>
    public static MultipleTestResult Test(IReadOnlyList<double> benchmark, IReadOnlyList<IReadOnlyList<double>> models, IReadOnlyList<string> names,
        int horizon, double? meanBlock = null, int bootstraps = 2000, int seed = 42, bool studentize = true)
    {
        var d = Differentials(benchmark, models, names);
        var n = benchmark.Count;
        var block = meanBlock ?? Math.Max(horizon, Math.Sqrt(n));
        if (block < 1) throw new ArgumentOutOfRangeException(nameof(meanBlock), block, "mean block length must be ≥ 1.");
        if (bootstraps < 100) throw new ArgumentOutOfRangeException(nameof(bootstraps), bootstraps, "need at least 100 replications.");
        var rng = new Random(seed);
        var indices = new int[bootstraps][];
        for (var b = 0; b < bootstraps; b++) indices[b] = StationaryIndices(n, block, rng);
        var (rc, lo, co, up) = PValues(d, indices, block, studentize);
        var means = d.Select(x => x.Average()).ToArray();
        var best = Array.IndexOf(means, means.Max());
        var omega = Variances(d, means, block).Select(Math.Sqrt).ToArray();
        var t = means.Select((m, j) => omega[j] > 0 ? m / omega[j] : m > 0 ? double.PositiveInfinity : 0).ToArray();
        var spaBest = Array.IndexOf(t, t.Max());
        var benchMean = benchmark.Average();
        double Skill(int j) => benchMean > 0 ? means[j] / benchMean : double.NaN;
        return new MultipleTestResult(horizon, models.Count, n, names[best], Skill(best), rc, lo, co, up, bootstraps, block, studentize, names[spaBest], Skill(spaBest));
    }

    static double[][] Differentials(IReadOnlyList<double> benchmark, IReadOnlyList<IReadOnlyList<double>> models, IReadOnlyList<string> names)
    {
        if (models.Count == 0) throw new ArgumentException("no candidate model to test.", nameof(models));
        if (names.Count != models.Count) throw new ArgumentException($"{names.Count} names for {models.Count} models.", nameof(names));
        var n = benchmark.Count;
        if (n < 20) throw new ArgumentException($"only {n} common origins; the bootstrap needs at least 20.", nameof(benchmark));
        var d = new double[models.Count][];
        for (var k = 0; k < models.Count; k++)
        {
            if (models[k].Count != n) throw new ArgumentException($"{names[k]} has {models[k].Count} losses, the benchmark {n}: the origins are not aligned.", nameof(models));
            d[k] = new double[n];
            for (var t = 0; t < n; t++)
            {
                d[k][t] = benchmark[t] - models[k][t];
                if (!double.IsFinite(d[k][t])) throw new ArgumentException($"{names[k]}: non-finite loss at position {t}.", nameof(models));
            }
        }
        return d;
    }

    /// <summary>Stationary-bootstrap resample of positions 0…n−1: a new block starts with probability 1/meanBlock,
    /// otherwise the next position (wrapping round).</summary>
    internal static int[] StationaryIndices(int n, double meanBlock, Random rng)
    {
        var p = 1 / meanBlock;
        var idx = new int[n];
        idx[0] = rng.Next(n);
        for (var t = 1; t < n; t++) idx[t] = rng.NextDouble() < p ? rng.Next(n) : (idx[t - 1] + 1) % n;
        return idx;
    }

    /// <summary>p-values of the Reality Check and the SPA (lower, consistent, upper) from given bootstrap index sets.</summary>
    /// <param name="d">k loss-differential series dₖₜ = L₀ₜ − Lₖₜ of length n.</param>
    /// <param name="indices">Bootstrap resamples of positions, each of length n.</param>
    /// <param name="meanBlock">Mean block length, for the closed-form variance.</param>
    /// <param name="studentize">Studentize the SPA statistic by ω̂ₖ.</param>
    internal static (double RealityCheck, double Lower, double Consistent, double Upper) PValues(double[][] d, IReadOnlyList<int[]> indices,
        double meanBlock, bool studentize)
    {
        var k = d.Length;
        var n = d[0].Length;
        var mean = d.Select(x => x.Average()).ToArray();
        var omega = Variances(d, mean, meanBlock).Select(Math.Sqrt).ToArray();
        // Re-centring (Hansen 2005, eq. 9): upper re-centres every model; lower leaves models worse than the benchmark at
        // zero; consistent leaves at zero those below −ω̂ₖ√(2 ln ln n / n).
        var threshold = omega.Select(w => -w * Math.Sqrt(2 * Math.Log(Math.Log(n)) / n)).ToArray();
        var upperMu = mean;
        var lowerMu = mean.Select(m => Math.Max(m, 0)).ToArray();
        var consistentMu = mean.Select((m, j) => m >= threshold[j] ? m : 0).ToArray();
        double Scale(int j) => studentize && omega[j] > 0 ? Math.Sqrt(n) / omega[j] : 1;
        var statRc = mean.Max();
        var statSpa = Enumerable.Range(0, k).Max(j => mean[j] * Scale(j));
        if (studentize) statSpa = Math.Max(statSpa, 0);
        int rc = 0, lo = 0, co = 0, up = 0;
        foreach (var idx in indices)
        {
            double maxRc = double.NegativeInfinity, maxLo = double.NegativeInfinity, maxCo = double.NegativeInfinity, maxUp = double.NegativeInfinity;
            for (var j = 0; j < k; j++)
            {
                double s = 0;
                foreach (var t in idx) s += d[j][t];
                var star = s / n;
                maxRc = Math.Max(maxRc, star - mean[j]);
                maxLo = Math.Max(maxLo, (star - lowerMu[j]) * Scale(j));
                maxCo = Math.Max(maxCo, (star - consistentMu[j]) * Scale(j));
                maxUp = Math.Max(maxUp, (star - upperMu[j]) * Scale(j));
            }
            if (studentize) { maxLo = Math.Max(maxLo, 0); maxCo = Math.Max(maxCo, 0); maxUp = Math.Max(maxUp, 0); }
            // "≥": a replication tying the sample statistic counts against the alternative (a model identical to the
            // benchmark, whose differentials are all zero, then gets p = 1, not 0); with continuous losses ties do not occur.
            if (maxRc >= statRc) rc++;
            if (maxLo >= statSpa) lo++;
            if (maxCo >= statSpa) co++;
            if (maxUp >= statSpa) up++;
        }
        double B = indices.Count;
        return (rc / B, lo / B, co / B, up / B);
    }

    /// <summary>Long-run variance of √n d̄ₖ under the stationary bootstrap (Politis &amp; Romano 1994, as in Hansen 2005):
    /// γ₀ + 2 Σᵢ κᵢ γᵢ with κᵢ = (1 − i/n)(1 − p)ⁱ + (i/n)(1 − p)ⁿ⁻ⁱ and γᵢ the sample autocovariance (divisor n).</summary>
    internal static double[] Variances(double[][] d, double[] mean, double meanBlock)
    {
        var p = 1 / meanBlock;
        var n = d[0].Length;
        var v = new double[d.Length];
        for (var j = 0; j < d.Length; j++)
        {
            var e = d[j].Select(x => x - mean[j]).ToArray();
            double s = 0;
            foreach (var x in e) s += x * x;
            s /= n;
            for (var i = 1; i < n; i++)
            {
                var kappa = (1 - (double)i / n) * Math.Pow(1 - p, i) + (double)i / n * Math.Pow(1 - p, n - i);
                if (kappa < 1e-300) continue;
                double g = 0;
                for (var t = i; t < n; t++) g += e[t - i] * e[t];
                s += 2 * kappa * g / n;
            }
            v[j] = s;
        }
        return v;
    }
}
