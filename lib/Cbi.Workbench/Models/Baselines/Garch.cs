using System.Globalization;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Fitted GARCH(1,1) on daily log returns: r_t = μ + ε_t, σ²_t = ω + α ε²_{t−1} + β σ²_{t−1}, with
/// Gaussian or standardised Student-t innovations (Bollerslev 1986, 1987). The recursion starts from the
/// sample variance of ε (a common backcast).</summary>
public sealed record GarchFit(double Mu, double Omega, double Alpha, double Beta, double Nu, double LogLikelihood, int N)
{
    public bool StudentT => !double.IsNaN(Nu);
    public double Persistence => Alpha + Beta;
    public double UnconditionalVariance => Omega / (1 - Alpha - Beta);
}

/// <summary>GARCH(1,1) baseline (<c>garch_n</c> / <c>garch_t</c>): centre h·μ, spread from the h-day variance
/// of the GARCH forecast recursion, Σ_{k=1..h} [σ̄² + (α+β)^{k−1}(σ²_{T+1} − σ̄²)]. At h = 1 the Student-t
/// variant uses the standardised t quantile; for h &gt; 1 both use Gaussian quantiles because a sum of h
/// GARCH innovations is closer to normal than any single one (and its exact law has no closed form).</summary>
internal sealed class Garch11(bool studentT) : IForecaster
{
    public string Name => studentT ? "garch_t" : "garch_n";
    public FitInfo? Info { get; private set; }
    public GarchFit? Fitted { get; private set; }
    int horizon, firstRow, lastTrainRow;
    Frame? frame;
    double trainBackcast;

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        trainRows = SeriesInput.UnbrokenTrainingRows(Name, frame, trainRows);
        var y = SeriesInput.TrainingLogCloses(Name, frame, trainRows, horizon, 250);
        var r = new double[y.Length - 1];
        for (var i = 1; i < y.Length; i++) r[i - 1] = y[i] - y[i - 1];
        Fitted = FitReturns(r, studentT, Name);
        trainBackcast = Backcast(r, Fitted.Mu);
        this.frame = frame; this.horizon = horizon; firstRow = trainRows[0]; lastTrainRow = trainRows[^1];
        var f = Fitted;
        var p = new Dictionary<string, string>
        {
            ["mu"] = f.Mu.ToString("G6", CultureInfo.InvariantCulture), ["omega"] = f.Omega.ToString("G6", CultureInfo.InvariantCulture),
            ["alpha"] = f.Alpha.ToString("G6", CultureInfo.InvariantCulture), ["beta"] = f.Beta.ToString("G6", CultureInfo.InvariantCulture),
            ["loglik"] = f.LogLikelihood.ToString("G8", CultureInfo.InvariantCulture),
        };
        if (studentT) p["nu"] = f.Nu.ToString("G6", CultureInfo.InvariantCulture);
        Info = SeriesInput.Info(Name, frame, trainRows, horizon, p);
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        if (Fitted is null) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var f = Fitted;
        var result = new QuantileForecast[originRows.Count];
        double zLo, zHi;
        if (studentT && horizon == 1)
        {
            var s = Math.Sqrt((f.Nu - 2) / f.Nu);
            zLo = s * StudentT.InvCDF(0, 1, f.Nu, 0.1); zHi = s * StudentT.InvCDF(0, 1, f.Nu, 0.9);
        }
        else { zLo = Normal.InvCDF(0, 1, 0.1); zHi = Normal.InvCDF(0, 1, 0.9); }
        for (var i = 0; i < originRows.Count; i++)
        {
            SeriesInput.CheckOrigin(Name, frame, originRows[i], lastTrainRow);
            var sd = Math.Sqrt(HorizonVariance(frame, originRows[i], horizon));
            var c = horizon * f.Mu;
            result[i] = new(c + zLo * sd, c, c + zHi * sd);
        }
        return result;
    }

    /// <summary>Forecast variance of the h-day log return from the origin, filtering the fitted recursion through
    /// every close from the first training row up to the origin.</summary>
    public double HorizonVariance(Frame frame, int origin, int h)
    {
        var f = Fitted ?? throw new InvalidOperationException($"{Name}: not fitted.");
        var next = NextVariance(frame, origin);
        var bar = f.UnconditionalVariance;
        var p = f.Persistence;
        double v = 0, pk = 1;
        for (var k = 1; k <= h; k++) { v += bar + pk * (next - bar); pk *= p; }
        return v;
    }

    double NextVariance(Frame frame, int origin)
    {
        var f = Fitted!;
        var y = SeriesInput.LogClosesThrough(Name, frame, firstRow, origin);
        var r = new double[y.Length - 1];
        for (var i = 0; i < r.Length; i++) r[i] = y[i + 1] - y[i];
        // Same starting variance as in training, so the filter through the training span reproduces the fit.
        return Filter(r, f.Mu, f.Omega, f.Alpha, f.Beta, out _, trainBackcast);
    }

    /// <summary>Runs the variance recursion; returns σ² for the day after the last return and fills the
    /// per-day variances.</summary>
    internal static double Filter(double[] r, double mu, double omega, double alpha, double beta, out double[] sigma2, double? start = null)
    {
        var n = r.Length;
        sigma2 = new double[n];
        var s = start ?? Backcast(r, mu);
        for (var t = 0; t < n; t++)
        {
            sigma2[t] = s;
            var e = r[t] - mu;
            s = omega + alpha * e * e + beta * s;
        }
        return s;
    }

    internal static double Backcast(double[] r, double mu)
    {
        double b = 0;
        foreach (var v in r) b += (v - mu) * (v - mu);
        return b / r.Length;
    }

    internal static double LogLikelihood(double[] r, double mu, double omega, double alpha, double beta, double nu)
    {
        Filter(r, mu, omega, alpha, beta, out var s2);
        double ll = 0;
        var t = !double.IsNaN(nu);
        var c = t ? SpecialFunctions.GammaLn((nu + 1) / 2) - SpecialFunctions.GammaLn(nu / 2) - 0.5 * Math.Log(Math.PI * (nu - 2)) : 0;
        for (var i = 0; i < r.Length; i++)
        {
            var e2 = (r[i] - mu) * (r[i] - mu);
            ll += t
                ? c - 0.5 * Math.Log(s2[i]) - (nu + 1) / 2 * Math.Log(1 + e2 / ((nu - 2) * s2[i]))
                : -0.5 * (Math.Log(2 * Math.PI) + Math.Log(s2[i]) + e2 / s2[i]);
        }
        return ll;
    }

    /// <summary>Maximum-likelihood GARCH(1,1) on daily returns. Optimised on percent returns (ω near 1e-6 is
    /// badly scaled for a simplex) and mapped back; the log-likelihood is on the original scale.</summary>
    internal static GarchFit FitReturns(double[] r, bool studentT, string name = "garch")
    {
        if (r.Length < 250) throw new ArgumentException($"{name}: too short a series: {r.Length} returns, need ≥ 250.", nameof(r));
        for (var i = 0; i < r.Length; i++)
            if (!double.IsFinite(r[i])) throw new ArgumentException($"{name}: non-finite return at position {i}.", nameof(r));
        var x = r.Select(v => 100 * v).ToArray();
        var mean = x.Average();
        var variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
        if (!(variance > 0)) throw new ArgumentException($"{name}: constant series: every return is {r[0]}.", nameof(r));

        (double mu, double omega, double alpha, double beta, double nu) Map(double[] u)
        {
            var pers = 0.9999 * Mle.Logistic(u[2]);
            var alpha = pers * Mle.Logistic(u[3]);
            return (u[0], Math.Exp(u[1]), alpha, pers - alpha, studentT ? 2.05 + 198 * Mle.Logistic(u[4]) : double.NaN);
        }
        // Start at persistence 0.95, α = 0.05, ω matching the sample variance, ν = 8.
        var start = new List<double> { mean, Math.Log(variance * 0.05), Mle.Logit(0.95 / 0.9999), Mle.Logit(0.05 / 0.95) };
        if (studentT) start.Add(Mle.Logit((8 - 2.05) / 198));
        var (u, _) = Mle.Minimise(name, v =>
        {
            var p = Map(v);
            return -LogLikelihood(x, p.mu, p.omega, p.alpha, p.beta, p.nu);
        }, start.ToArray());
        var m = Map(u);
        var mu = m.mu / 100; var omega = m.omega / 1e4;
        return new GarchFit(mu, omega, m.alpha, m.beta, m.nu, LogLikelihood(r, mu, omega, m.alpha, m.beta, m.nu), r.Length);
    }
}
