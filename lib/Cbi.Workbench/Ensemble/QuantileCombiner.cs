using Cbi.Workbench.Evaluation;

namespace Cbi.Workbench.Ensemble;

/// <summary>Weights of a quantile-averaging ensemble: for each quantile level one weight per member, non-negative and
/// summing to one (the combined quantile is Σ wᵢ qᵢ: quantile averaging or Vincentization, Ratcliff 1979; Lichtendahl,
/// Grushka-Cockayne &amp; Winkler 2013).</summary>
/// <param name="Members">Member model names, in a fixed order.</param>
/// <param name="Q10">Weights for P10, one per member.</param>
/// <param name="Q50">Weights for P50.</param>
/// <param name="Q90">Weights for P90.</param>
public sealed record QuantileWeights(IReadOnlyList<string> Members, double[] Q10, double[] Q50, double[] Q90)
{
    /// <summary>The weights of one level (0.1, 0.5, 0.9).</summary>
    /// <exception cref="ArgumentException">another level.</exception>
    public double[] For(double level) => level switch
    {
        0.1 => Q10, 0.5 => Q50, 0.9 => Q90,
        _ => throw new ArgumentException($"level {level} is not 0.1, 0.5 or 0.9.", nameof(level)),
    };

    /// <summary>Equal weights 1/K for every level.</summary>
    public static QuantileWeights Equal(IReadOnlyList<string> members)
    {
        var w = Enumerable.Repeat(1.0 / members.Count, members.Count).ToArray();
        return new QuantileWeights(members, w, (double[])w.Clone(), (double[])w.Clone());
    }

    /// <summary>All weight on one member.</summary>
    public static QuantileWeights Single(IReadOnlyList<string> members, int index)
    {
        var w = new double[members.Count];
        w[index] = 1;
        return new QuantileWeights(members, w, (double[])w.Clone(), (double[])w.Clone());
    }

    /// <summary>The combined forecast from member forecasts in <see cref="Members"/> order.</summary>
    public (double Q10, double Q50, double Q90) Combine(IReadOnlyList<(double Q10, double Q50, double Q90)> members)
    {
        double a = 0, b = 0, c = 0;
        for (var i = 0; i < members.Count; i++) { a += Q10[i] * members[i].Q10; b += Q50[i] * members[i].Q50; c += Q90[i] * members[i].Q90; }
        return (a, b, c);
    }
}

/// <summary>Learns quantile-averaging weights on the probability simplex by minimising the mean pinball loss of each
/// quantile level separately (a convex problem): exponentiated-gradient (mirror) descent on the simplex (Kivinen &amp;
/// Warmuth 1997; Beck &amp; Teboulle 2003) with a 1/√k step, keeping the best iterate.</summary>
internal static class QuantileCombiner
{
    internal const int Iterations = 3000;

    /// <summary>Weights minimising Σₜ ρ_τ(yₜ − Σᵢ wᵢ qᵢₜ) over w ≥ 0, Σw = 1.</summary>
    /// <param name="q">Member forecasts: q[i][t] for member i, origin t (all the same length).</param>
    /// <param name="y">Outcomes, length n (finite).</param>
    /// <param name="tau">Quantile level in (0, 1).</param>
    internal static double[] Fit(IReadOnlyList<double[]> q, IReadOnlyList<double> y, double tau)
    {
        var k = q.Count;
        var n = y.Count;
        if (k == 0 || n == 0) throw new ArgumentException("no members or no outcomes to learn weights from.");
        if (k == 1) return [1.0];
        var w = Enumerable.Repeat(1.0 / k, k).ToArray();
        var best = (double[])w.Clone();
        var bestLoss = Loss(q, y, tau, w);
        var scale = q.SelectMany(x => x).Concat(y).Max(Math.Abs);
        if (!(scale > 0)) return best;
        var g = new double[k];
        for (var it = 1; it <= Iterations; it++)
        {
            // One pass gives the loss of the current weights (tracked for the best iterate) and the subgradient.
            Array.Clear(g);
            double loss = 0;
            for (var t = 0; t < n; t++)
            {
                double f = 0;
                for (var i = 0; i < k; i++) f += w[i] * q[i][t];
                loss += Metrics.Pinball(y[t], f, tau);
                var psi = y[t] - f < 0 ? tau - 1 : tau; // −∂ρ/∂f
                for (var i = 0; i < k; i++) g[i] -= psi * q[i][t] / n;
            }
            if (loss / n < bestLoss) { bestLoss = loss / n; Array.Copy(w, best, k); }
            var eta = 2.0 / (scale * Math.Sqrt(it));
            var max = g.Select(v => -eta * v).Max();
            double z = 0;
            for (var i = 0; i < k; i++) { w[i] *= Math.Exp(-eta * g[i] - max); z += w[i]; }
            for (var i = 0; i < k; i++) w[i] /= z;
        }
        var last = Loss(q, y, tau, w);
        if (last < bestLoss) Array.Copy(w, best, k);
        return best;
    }

    internal static double Loss(IReadOnlyList<double[]> q, IReadOnlyList<double> y, double tau, double[] w)
    {
        double s = 0;
        for (var t = 0; t < y.Count; t++)
        {
            double f = 0;
            for (var i = 0; i < w.Length; i++) f += w[i] * q[i][t];
            s += Metrics.Pinball(y[t], f, tau);
        }
        return s / y.Count;
    }

    /// <summary>Pinball-optimal weights for P10, P50 and P90 from member rows aligned by origin.</summary>
    internal static QuantileWeights FitAll(IReadOnlyList<string> members, IReadOnlyList<MemberRow> rows)
    {
        double[][] Col(Func<MemberRow, int, double> f) => members.Select((_, i) => rows.Select(r => f(r, i)).ToArray()).ToArray();
        var y = rows.Select(r => r.Y).ToArray();
        return new QuantileWeights(members,
            Fit(Col((r, i) => r.Q10[i]), y, 0.1), Fit(Col((r, i) => r.Q50[i]), y, 0.5), Fit(Col((r, i) => r.Q90[i]), y, 0.9));
    }

    /// <summary>Mean quantile score (<see cref="Metrics.QuantileScore(double, double, double, double)"/>, the workbench's one
    /// score scale) of a weighted combination on aligned rows, after crossing repair; NaN for no rows.</summary>
    internal static double Score(QuantileWeights w, IReadOnlyList<MemberRow> rows)
    {
        if (rows.Count == 0) return double.NaN;
        double s = 0;
        foreach (var r in rows)
        {
            var members = Enumerable.Range(0, w.Members.Count).Select(i => (r.Q10[i], r.Q50[i], r.Q90[i])).ToArray();
            var (a, b, c) = w.Combine(members);
            Span<double> sorted = [a, b, c];
            sorted.Sort(); // scored as the backtester would emit it (crossings repaired)
            s += Metrics.QuantileScore(r.Y, sorted[0], sorted[1], sorted[2]);
        }
        return s / rows.Count;
    }
}

/// <summary>Member forecasts at one origin, aligned in a fixed member order, with the outcome and the regime then.</summary>
internal sealed record MemberRow(DateOnly Origin, DateOnly Target, double Y, double[] Q10, double[] Q50, double[] Q90, int Fold, string Regime);
