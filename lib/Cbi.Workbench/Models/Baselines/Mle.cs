using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Maximum likelihood through MathNet's Nelder–Mead simplex on unconstrained parameters (each model
/// maps them into its admissible region), restarted once from the optimum because a simplex can collapse
/// early on ridged likelihoods.</summary>
internal static class Mle
{
    internal static (double[] Point, double NegLogLik) Minimise(string model, Func<double[], double> negLogLik, double[] start,
        double tolerance = 1e-9, int maxIterations = 20000)
    {
        double F(Vector<double> v)
        {
            var x = negLogLik(v.ToArray());
            return double.IsFinite(x) ? x : 1e300;
        }
        var obj = ObjectiveFunction.Value(F);
        var x0 = Vector<double>.Build.DenseOfArray(start);
        try
        {
            var r1 = NelderMeadSimplex.Minimum(obj, x0, tolerance, maxIterations);
            var r2 = NelderMeadSimplex.Minimum(obj, r1.MinimizingPoint, tolerance, maxIterations);
            var best = r2.FunctionInfoAtMinimum.Value <= r1.FunctionInfoAtMinimum.Value ? r2 : r1;
            if (!(best.FunctionInfoAtMinimum.Value < 1e299))
                throw new InvalidOperationException($"{model}: likelihood is not finite anywhere the optimiser looked.");
            return (best.MinimizingPoint.ToArray(), best.FunctionInfoAtMinimum.Value);
        }
        catch (MaximumIterationsException e)
        {
            throw new InvalidOperationException($"{model}: maximum-likelihood fit did not converge in {maxIterations} iterations.", e);
        }
    }

    internal static double Logistic(double u) => 1 / (1 + Math.Exp(-u));
    internal static double Logit(double p) => Math.Log(p / (1 - p));

    /// <summary>Corrected AIC (Hurvich &amp; Tsai 1989) with k estimated parameters on n observations.</summary>
    internal static double Aicc(double logLik, int k, int n) =>
        n - k - 1 > 0 ? -2 * logLik + 2 * k + 2.0 * k * (k + 1) / (n - k - 1) : double.PositiveInfinity;
}
