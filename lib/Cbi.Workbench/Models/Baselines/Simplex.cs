namespace Cbi.Workbench.Models.Baselines;

/// <summary>Nelder–Mead simplex minimisation (Nelder &amp; Mead 1965; coefficients 1, 2, ½, ½ as in R's <c>optim</c>)
/// with an explicit initial step per coordinate and restarts from the best vertex until a restart no longer
/// improves: a single simplex can collapse on a ridge and stop short of the optimum (issue 11: ETS(A,A,N) on
/// log(austres) stopped 7 log-likelihood units short).</summary>
internal static class Simplex
{
    /// <summary>Minimises <paramref name="f"/> from <paramref name="start"/>; non-finite values count as +∞.</summary>
    /// <param name="f">Objective (not modified, not retained).</param>
    /// <param name="start">Start point (not modified).</param>
    /// <param name="step">Initial simplex edge per coordinate (same length as the start, each &gt; 0).</param>
    /// <param name="tolerance">Stop when the simplex's values span at most tolerance·(|best| + tolerance).</param>
    /// <param name="maxEvaluations">Evaluation budget over all restarts.</param>
    /// <param name="restarts">Maximum restarts after the first run.</param>
    /// <returns>The best point and its value.</returns>
    internal static (double[] Point, double Value) Minimise(Func<double[], double> f, double[] start, double[] step,
        double tolerance = 1e-10, int maxEvaluations = 20000, int restarts = 4)
    {
        var k = start.Length;
        double F(double[] x) { var v = f(x); return double.IsFinite(v) ? v : double.PositiveInfinity; }
        if (k == 0) return ([], F([]));
        var evals = 0;
        var best = (Point: (double[])start.Clone(), Value: F(start));
        evals++;
        for (var run = 0; run <= restarts && evals < maxEvaluations; run++)
        {
            var scale = run == 0 ? 1.0 : 0.5;
            var (p, v) = Run(F, best.Point, step.Select(s => s * scale).ToArray(), tolerance, maxEvaluations - evals, ref evals);
            var improved = v < best.Value - tolerance * (Math.Abs(best.Value) + tolerance);
            if (v <= best.Value) best = (p, v);
            if (run > 0 && !improved) break;
        }
        return best;
    }

    static (double[], double) Run(Func<double[], double> f, double[] x0, double[] step, double tol, int budget, ref int evals)
    {
        var k = x0.Length;
        var pts = new double[k + 1][];
        var val = new double[k + 1];
        pts[0] = (double[])x0.Clone();
        val[0] = f(pts[0]);
        for (var i = 0; i < k; i++)
        {
            pts[i + 1] = (double[])x0.Clone();
            pts[i + 1][i] += step[i];
            val[i + 1] = f(pts[i + 1]);
        }
        var used = k + 1;
        var centroid = new double[k];
        var xr = new double[k];
        var xe = new double[k];
        var xc = new double[k];
        var order = Enumerable.Range(0, k + 1).ToArray();
        while (used < budget)
        {
            Array.Sort(order, (a, b) => val[a].CompareTo(val[b]));
            int lo = order[0], hi = order[k], nh = order[k - 1];
            if (double.IsFinite(val[hi]) && val[hi] - val[lo] <= tol * (Math.Abs(val[lo]) + tol)) break;
            Array.Clear(centroid);
            for (var j = 0; j <= k; j++)
                if (j != hi) for (var i = 0; i < k; i++) centroid[i] += pts[j][i] / k;
            for (var i = 0; i < k; i++) xr[i] = centroid[i] + (centroid[i] - pts[hi][i]);
            var fr = f(xr); used++;
            if (fr < val[lo])
            {
                for (var i = 0; i < k; i++) xe[i] = centroid[i] + 2 * (centroid[i] - pts[hi][i]);
                var fe = f(xe); used++;
                if (fe < fr) { Array.Copy(xe, pts[hi], k); val[hi] = fe; }
                else { Array.Copy(xr, pts[hi], k); val[hi] = fr; }
                continue;
            }
            if (fr < val[nh]) { Array.Copy(xr, pts[hi], k); val[hi] = fr; continue; }
            var outside = fr < val[hi];
            for (var i = 0; i < k; i++)
                xc[i] = outside ? centroid[i] + 0.5 * (xr[i] - centroid[i]) : centroid[i] + 0.5 * (pts[hi][i] - centroid[i]);
            var fc = f(xc); used++;
            if (fc < (outside ? fr : val[hi])) { Array.Copy(xc, pts[hi], k); val[hi] = fc; continue; }
            // Shrink towards the best vertex.
            for (var j = 0; j <= k; j++)
            {
                if (j == lo) continue;
                for (var i = 0; i < k; i++) pts[j][i] = pts[lo][i] + 0.5 * (pts[j][i] - pts[lo][i]);
                val[j] = f(pts[j]); used++;
            }
        }
        evals += used;
        var b = 0;
        for (var j = 1; j <= k; j++) if (val[j] < val[b]) b = j;
        return (pts[b], val[b]);
    }
}

/// <summary>Quasi-Newton minimisation (MathNet's BFGS with central-difference gradients), the method R's
/// <c>stats::arima</c> uses; falls back to <see cref="Simplex"/> where the line search fails (an infinite value on
/// the way, a flat ridge).</summary>
internal static class QuasiNewton
{
    internal static (double[] Point, double Value) Minimise(Func<double[], double> f, double[] start, double[] fallbackStep,
        double tolerance = 1e-10)
    {
        if (start.Length == 0) return ([], f([]));
        double F(double[] x) { var v = f(x); return double.IsFinite(v) ? v : double.PositiveInfinity; }
        try
        {
            var k = start.Length;
            var obj = MathNet.Numerics.Optimization.ObjectiveFunction.Gradient(
                v => F(v.ToArray()),
                v =>
                {
                    var x = v.ToArray();
                    var g = new double[k];
                    for (var i = 0; i < k; i++)
                    {
                        var h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
                        var xi = x[i];
                        x[i] = xi + h; var up = F(x);
                        x[i] = xi - h; var dn = F(x);
                        x[i] = xi;
                        g[i] = (up - dn) / (2 * h);
                    }
                    return MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(g);
                });
            var r = new MathNet.Numerics.Optimization.BfgsMinimizer(1e-7, 1e-10, tolerance, 500)
                .FindMinimum(obj, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(start));
            var p = r.MinimizingPoint.ToArray();
            var val = F(p);
            if (double.IsFinite(val)) return (p, val);
        }
        // OptimizationException covers MathNet's iteration cap, non-finite evaluations and a failed line search (an
        // infinite gradient where a central difference straddles the edge of the admissible region).
        catch (Exception e) when (e is MathNet.Numerics.Optimization.OptimizationException or ArgumentException or InvalidOperationException)
        {
            // The simplex below copes with what the line search could not.
        }
        return Simplex.Minimise(f, start, fallbackStep, tolerance, 20000, 2);
    }
}
