using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Search;

/// <summary>Proposes the next trial's parameters from the finished trials (COMPLETE and PRUNED).</summary>
public interface ISampler
{
    /// <summary>Sampler name with its settings, stored with a new study.</summary>
    string Name { get; }
    /// <summary>Proposes a value for every parameter of <paramref name="space"/>.</summary>
    /// <param name="space">The search space.</param>
    /// <param name="finished">The study's COMPLETE and PRUNED trials.</param>
    /// <param name="rng">The random source (seeded per trial by the study, so proposals are reproducible).</param>
    /// <returns>Parameter name → legal value (a category as its index).</returns>
    IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<TrialRecord> finished, Random rng);
}

/// <summary>Uniform sampling (log-uniform for log parameters): the baseline every smarter sampler must beat.</summary>
public sealed class RandomSampler : ISampler
{
    /// <summary>"random".</summary>
    public string Name => "random";

    /// <summary>Draws every parameter independently and uniformly in its sampling space, ignoring <paramref name="finished"/>.</summary>
    /// <param name="space">The search space.</param>
    /// <param name="finished">Ignored.</param>
    /// <param name="rng">The random source.</param>
    /// <returns>Parameter name → legal value (a category as its index).</returns>
    public IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<TrialRecord> finished, Random rng) =>
        space.Parameters.ToDictionary(p => p.Name, p => Draw(p, rng));

    internal static double Draw(Parameter p, Random rng)
    {
        if (p is CategoricalParameter c) return rng.Next(c.Choices.Count);
        var (a, b) = p.SamplingRange;
        return p.FromSampling(a + rng.NextDouble() * (b - a));
    }
}

/// <summary>Tree-structured Parzen Estimator settings (Bergstra, Bardenet, Bengio, Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011).</summary>
public sealed record TpeOptions
{
    /// <summary>Random trials before the model takes over: TPE starts once this many (at least 2) trials have
    /// completed with a finite value (default 10).</summary>
    public int StartupTrials { get; init; } = 10;
    /// <summary>Fraction of completed trials counted as "good" (the paper's γ), capped at <see cref="MaxGood"/>.</summary>
    public double Gamma { get; init; } = 0.25;
    /// <summary>Upper bound on the number of "good" trials (default 25).</summary>
    public int MaxGood { get; init; } = 25;
    /// <summary>Candidates drawn from l(x) per parameter; the one with the largest l(x)/g(x) wins
    /// (maximising l/g maximises expected improvement, paper §4.1).</summary>
    public int Candidates { get; init; } = 24;
    /// <summary>Weight of the flat prior component in each Parzen mixture (one observation's worth).</summary>
    public double PriorWeight { get; init; } = 1.0;
}

/// <summary>Independent (per-parameter) TPE. Completed trials are split at the γ-quantile of their objective
/// into good and bad; each parameter gets two Parzen mixtures l (good) and g (bad) of truncated Gaussians in the
/// sampling space (log space for log parameters) plus a flat prior component, with bandwidths from the
/// neighbour distances clipped as in hyperopt; categorical parameters get smoothed frequencies. Pruned trials
/// count as bad. Minimisation.</summary>
/// <param name="options">Settings; null = <see cref="TpeOptions"/> defaults.</param>
public sealed class TpeSampler(TpeOptions? options = null) : ISampler
{
    readonly TpeOptions o = options ?? new TpeOptions();
    /// <summary>"tpe(startup=…,gamma=…,candidates=…,prior=…)" with the option values.</summary>
    public string Name => $"tpe(startup={o.StartupTrials},gamma={o.Gamma},candidates={o.Candidates},prior={o.PriorWeight})";

    /// <summary>Random draws until max(2, <see cref="TpeOptions.StartupTrials"/>) trials have completed with a finite value;
    /// then, per parameter, the best of <see cref="TpeOptions.Candidates"/> draws from l by l/g. The good set is the
    /// ceil(γ·n) best completed trials, clamped to [1, min(<see cref="TpeOptions.MaxGood"/>, n − 1)].</summary>
    /// <param name="space">The search space.</param>
    /// <param name="finished">The study's COMPLETE and PRUNED trials; each must hold a value for every parameter of <paramref name="space"/>.</param>
    /// <param name="rng">The random source.</param>
    /// <returns>Parameter name → legal value (a category as its index).</returns>
    /// <exception cref="KeyNotFoundException">A finished trial lacks a parameter of <paramref name="space"/>.</exception>
    public IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<TrialRecord> finished, Random rng)
    {
        var complete = finished.Where(t => t.State == TrialState.Complete && double.IsFinite(t.Value)).OrderBy(t => t.Value).ThenBy(t => t.Number).ToList();
        if (complete.Count < Math.Max(2, o.StartupTrials))
            return space.Parameters.ToDictionary(p => p.Name, p => RandomSampler.Draw(p, rng));
        var nGood = Math.Clamp((int)Math.Ceiling(o.Gamma * complete.Count), 1, Math.Min(o.MaxGood, complete.Count - 1));
        var good = complete.Take(nGood).ToList();
        var bad = complete.Skip(nGood).Concat(finished.Where(t => t.State == TrialState.Pruned)).ToList();
        var result = new Dictionary<string, double>();
        foreach (var p in space.Parameters)
        {
            var gv = good.Select(t => t.Params[p.Name]).ToArray();
            var bv = bad.Select(t => t.Params[p.Name]).ToArray();
            result[p.Name] = p is CategoricalParameter c ? SampleCategorical(c, gv, bv, rng) : SampleNumeric(p, gv, bv, rng);
        }
        return result;
    }

    double SampleCategorical(CategoricalParameter c, double[] good, double[] bad, Random rng)
    {
        var k = c.Choices.Count;
        double[] Probs(double[] obs)
        {
            var w = Enumerable.Repeat(o.PriorWeight / k, k).ToArray();
            foreach (var v in obs) w[(int)v] += 1;
            var s = w.Sum();
            return w.Select(x => x / s).ToArray();
        }
        var l = Probs(good); var g = Probs(bad);
        double best = double.NegativeInfinity, choice = 0;
        for (var i = 0; i < o.Candidates; i++)
        {
            var u = rng.NextDouble(); var j = 0;
            for (var acc = l[0]; acc < u && j < k - 1; acc += l[++j]) { }
            var score = Math.Log(l[j]) - Math.Log(g[j]);
            if (score > best) { best = score; choice = j; }
        }
        return choice;
    }

    double SampleNumeric(Parameter p, double[] good, double[] bad, Random rng)
    {
        var (a, b) = p.SamplingRange;
        if (b <= a) return p.FromSampling(a);
        var l = Parzen.Fit(good.Select(p.ToSampling).ToArray(), a, b, o.PriorWeight);
        var g = Parzen.Fit(bad.Select(p.ToSampling).ToArray(), a, b, o.PriorWeight);
        double best = double.NegativeInfinity, choice = p.FromSampling((a + b) / 2);
        for (var i = 0; i < o.Candidates; i++)
        {
            var value = p.FromSampling(l.Sample(rng));
            // Score the value actually proposed (after rounding an integer), not the raw draw.
            var x = Math.Clamp(p.ToSampling(value), a, b);
            var score = l.LogDensity(x) - g.LogDensity(x);
            if (score > best) { best = score; choice = value; }
        }
        return choice;
    }

    /// <summary>A mixture of Gaussians truncated to [a, b].</summary>
    internal sealed class Parzen
    {
        internal double[] Mu = [], Sigma = [], Weight = [], LogMass = [];
        double a, b;

        internal static Parzen Fit(double[] obs, double a, double b, double priorWeight)
        {
            var range = b - a;
            // Observations plus the prior (centre of the range, as wide as the range), sorted for neighbour distances.
            var pts = obs.Select(x => (mu: x, prior: false)).Append((mu: (a + b) / 2, prior: true)).OrderBy(t => t.mu).ToArray();
            var n = pts.Length;
            var z = new Parzen { a = a, b = b, Mu = new double[n], Sigma = new double[n], Weight = new double[n], LogMass = new double[n] };
            var minSigma = range / Math.Min(100.0, 1.0 + obs.Length);
            var total = obs.Length + priorWeight;
            for (var i = 0; i < n; i++)
            {
                var left = pts[i].mu - (i > 0 ? pts[i - 1].mu : a);
                var right = (i < n - 1 ? pts[i + 1].mu : b) - pts[i].mu;
                var s = pts[i].prior ? range : Math.Clamp(Math.Max(left, right), minSigma, range);
                z.Mu[i] = pts[i].mu; z.Sigma[i] = s;
                z.Weight[i] = (pts[i].prior ? priorWeight : 1.0) / total;
                var mass = Normal.CDF(0, 1, (b - pts[i].mu) / s) - Normal.CDF(0, 1, (a - pts[i].mu) / s);
                z.LogMass[i] = Math.Log(Math.Max(mass, 1e-300));
            }
            return z;
        }

        internal double Sample(Random rng)
        {
            var u = rng.NextDouble(); var k = 0;
            for (var acc = Weight[0]; acc < u && k < Weight.Length - 1; acc += Weight[++k]) { }
            var lo = Normal.CDF(0, 1, (a - Mu[k]) / Sigma[k]);
            var hi = Normal.CDF(0, 1, (b - Mu[k]) / Sigma[k]);
            var q = lo + rng.NextDouble() * (hi - lo);
            q = Math.Clamp(q, 1e-12, 1 - 1e-12);
            return Math.Clamp(Mu[k] + Sigma[k] * Normal.InvCDF(0, 1, q), a, b);
        }

        internal double LogDensity(double x)
        {
            // log Σ w φ((x−μ)/σ)/(σ·mass), via log-sum-exp.
            var terms = new double[Mu.Length];
            for (var i = 0; i < Mu.Length; i++)
            {
                var zz = (x - Mu[i]) / Sigma[i];
                terms[i] = Math.Log(Weight[i]) - 0.5 * zz * zz - Math.Log(Sigma[i] * Math.Sqrt(2 * Math.PI)) - LogMass[i];
            }
            var m = terms.Max();
            return m + Math.Log(terms.Sum(t => Math.Exp(t - m)));
        }
    }
}
