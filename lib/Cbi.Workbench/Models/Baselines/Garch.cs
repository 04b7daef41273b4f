using System.Globalization;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Fitted GARCH(1,1) on daily log returns: r_t = μ + ε_t, σ²_t = ω + α ε²_{t−1} + β σ²_{t−1}, with
/// Gaussian or standardised Student-t innovations (Bollerslev 1986, 1987). The recursion starts from the
/// sample variance of ε (a common backcast). <paramref name="VarianceFloor"/> (squared log return per day, ≥ 0) is the
/// least conditional variance the recursion may reach (<see cref="Garch11.VarianceFloorFraction"/>); 0 = none.</summary>
internal sealed record GarchFit(double Mu, double Omega, double Alpha, double Beta, double Nu, double LogLikelihood, int N,
    double VarianceFloor = 0)
{
    public bool StudentT => !double.IsNaN(Nu);
    public double Persistence => Alpha + Beta;
    /// <summary>ω / (1 − α − β), never below <see cref="VarianceFloor"/> (the forecast recursion reverts to it).</summary>
    public double UnconditionalVariance => Math.Max(Omega / (1 - Alpha - Beta), VarianceFloor);
}

/// <summary>GARCH(1,1) baseline (<c>garch_n</c> / <c>garch_t</c>): centre h·μ, spread from the h-day variance
/// of the GARCH forecast recursion, Σ_{k=1..h} [σ̄² + (α+β)^{k−1}(σ²_{T+1} − σ̄²)].
/// <para><c>garch_n</c> uses Gaussian quantiles of that variance at every h: a deliberate simple benchmark (the
/// h-day sum of a Gaussian GARCH is itself fat-tailed through the variance path, so its P10–P90 are if anything a
/// little too wide, not too narrow, at the 10 %/90 % levels: a simulation with α = 0.05, β = 0.94 from σ̄², 8,000
/// paths, gave 0.8 quantiles of |S − hμ|/√Var_h of 1.288, 1.260, 1.254 at h = 5, 21, 63 against Φ⁻¹(0.9) = 1.282,
/// standard error ≈ 0.013).</para>
/// <para><c>garch_t</c> uses the standardised t quantile at h = 1. For h &gt; 1 the h-day sum of t innovations fed
/// through the fitted recursion has no closed form, and Gaussian quantiles of its variance would understate the
/// tails, so its quantiles come from a seeded Monte-Carlo of the fitted recursion (<see cref="SimulatedHalfWidth"/>,
/// 4,000 paths, fixed seed, deterministic). Simulating each origin would cost origins × paths × h steps
/// (~10⁹ for a validation run), so once per fit the standardised 80 % half-width — the 0.8 quantile of
/// |S − hμ| / √Var_h — is simulated from starting variances {¼, ½, 1, 2, 4}·σ̄² with common random numbers,
/// interpolated in ln(σ²_{T+1}/σ̄²) (clamped outside that range) and scaled by the origin's exact h-day sd. The
/// sum is symmetric about hμ (flipping every innovation's sign leaves the variance path unchanged), so P50 = hμ
/// and P10/P90 = hμ ∓ half-width.</para>
/// <para>The conditional variance never falls below <see cref="VarianceFloorFraction"/> of the training returns' sample
/// variance (in the likelihood and in the forecast). FitInfo records <c>variance_floor</c>, <c>variance_least</c> (least
/// fitted daily variance), <c>variance_floored_days</c>, <c>variance_floored</c> (yes/no) and <c>at_bound</c> (parameters
/// pinned at a bound of the search, or "none"), so a degenerate fit is visible wherever fits are listed.</para></summary>
internal sealed class Garch11(bool studentT) : IForecaster
{
    public string Name => studentT ? "garch_t" : "garch_n";
    public FitInfo? Info { get; private set; }
    public GarchFit? Fitted { get; private set; }
    int horizon;
    DateOnly firstDate, lastTrainDate;
    double trainBackcast;
    double[]? mcHalfWidth; // standardised 80 % half-width at the start ratios McStartRatios (garch_t, h > 1)

    internal const int McPaths = 4000;
    internal const int McSeed = 20_240_601;
    static readonly double[] McStartRatios = [0.25, 0.5, 1, 2, 4];

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        trainRows = SeriesInput.UnbrokenTrainingRows(Name, frame, trainRows);
        var y = SeriesInput.TrainingLogCloses(Name, frame, trainRows, horizon, 250);
        // Daily returns on the session grid: NaN where either session is missing (a two-day move is not a daily return).
        var r = new double[y.Length - 1];
        for (var i = 1; i < y.Length; i++) r[i - 1] = y[i] - y[i - 1];
        Fitted = FitReturns(r, studentT, Name);
        trainBackcast = Backcast(r, Fitted.Mu);
        this.horizon = horizon; firstDate = frame.Dates[trainRows[0]]; lastTrainDate = frame.Dates[trainRows[^1]];
        var f = Fitted;
        mcHalfWidth = null;
        if (studentT && horizon > 1)
        {
            var bar = f.UnconditionalVariance;
            var widths = SimulatedHalfWidth(f, horizon, McStartRatios.Select(r => r * bar).ToArray(), McPaths, McSeed);
            mcHalfWidth = McStartRatios.Select((r, k) => widths[k] / Math.Sqrt(RecursionVariance(f, r * bar, horizon))).ToArray();
        }
        var p = new Dictionary<string, string>
        {
            ["mu"] = f.Mu.ToString("G6", CultureInfo.InvariantCulture), ["omega"] = f.Omega.ToString("G6", CultureInfo.InvariantCulture),
            ["alpha"] = f.Alpha.ToString("G6", CultureInfo.InvariantCulture), ["beta"] = f.Beta.ToString("G6", CultureInfo.InvariantCulture),
            ["loglik"] = f.LogLikelihood.ToString("G8", CultureInfo.InvariantCulture),
        };
        if (studentT) p["nu"] = f.Nu.ToString("G6", CultureInfo.InvariantCulture);
        // A collapsed variance or a parameter pinned at its bound is a fit the forecast should not be trusted on
        // blindly: say so where every fit is recorded rather than let a ±1e-31 band pass as a forecast.
        Filter(r, f.Mu, f.Omega, f.Alpha, f.Beta, out var s2, trainBackcast, f.VarianceFloor);
        var flooredDays = s2.Count(v => v <= f.VarianceFloor);
        var rawBar = f.Omega / (1 - f.Persistence);
        p["variance_floor"] = f.VarianceFloor.ToString("G6", CultureInfo.InvariantCulture);
        p["variance_floored_days"] = flooredDays.ToString(CultureInfo.InvariantCulture);
        p["variance_least"] = s2.Min().ToString("G6", CultureInfo.InvariantCulture);
        p["variance_floored"] = flooredDays > 0 || rawBar < f.VarianceFloor ? "yes" : "no";
        p["at_bound"] = AtBound(f);
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
        var lastTrainRow = ModelFiles.Row(Name, frame, lastTrainDate, "last training date");
        for (var i = 0; i < originRows.Count; i++)
        {
            SeriesInput.CheckOrigin(Name, frame, originRows[i], lastTrainRow);
            var c = horizon * f.Mu;
            if (mcHalfWidth != null)
            {
                var next = NextVariance(frame, originRows[i]);
                var w = InterpolateHalfWidth(mcHalfWidth, next / f.UnconditionalVariance) * Math.Sqrt(RecursionVariance(f, next, horizon));
                result[i] = new(c - w, c, c + w);
                continue;
            }
            var sd = Math.Sqrt(HorizonVariance(frame, originRows[i], horizon));
            result[i] = new(c + zLo * sd, c, c + zHi * sd);
        }
        return result;
    }

    internal sealed record State(bool StudentT, int Horizon, DateOnly FirstDate, DateOnly LastTrainDate, GarchFit Fitted, double TrainBackcast,
        double[]? McHalfWidth, FitInfo Info);

    public void Save(string directory) => ModelFiles.Write(directory, "state.json", new State(studentT, horizon, firstDate, lastTrainDate,
        Fitted ?? throw new InvalidOperationException($"{Name}: Save before Fit."), trainBackcast, mcHalfWidth, Info!));

    internal static Garch11 Load(string directory, bool studentT)
    {
        var s = ModelFiles.Read<State>(directory, "state.json", studentT ? "garch_t" : "garch_n");
        if (s.StudentT != studentT) throw new InvalidDataException($"{directory}: a saved {(s.StudentT ? "garch_t" : "garch_n")} model, not {(studentT ? "garch_t" : "garch_n")}.");
        return new Garch11(studentT)
        {
            horizon = s.Horizon, firstDate = s.FirstDate, lastTrainDate = s.LastTrainDate, Fitted = s.Fitted, trainBackcast = s.TrainBackcast,
            mcHalfWidth = s.McHalfWidth, Info = s.Info,
        };
    }

    /// <summary>The fitted parameters that sit at a bound of the search (within 1e-6 of it on the scale the optimiser
    /// maps through a logistic), as "name=value (lower|upper)" joined by ", ", or "none". ω counts as at its lower
    /// bound 0 when below 1e-8 of the variance floor's reference (arch's own lower variance bound, see
    /// <see cref="VarianceFloorFraction"/>).</summary>
    internal static string AtBound(GarchFit f)
    {
        var hits = new List<string>();
        const double eps = 1e-6;
        if (f.Persistence >= MaxPersistence * (1 - eps)) hits.Add($"alpha+beta={f.Persistence:G6} (upper)");
        if (f.Alpha <= eps * MaxPersistence) hits.Add($"alpha={f.Alpha:G3} (lower)");
        if (f.Beta <= eps * MaxPersistence) hits.Add($"beta={f.Beta:G3} (lower)");
        if (f.VarianceFloor > 0 && f.Omega < 1e-8 * f.VarianceFloor / VarianceFloorFraction) hits.Add($"omega={f.Omega:G3} (lower)");
        if (f.StudentT && f.Nu <= MinNu + eps * NuRange) hits.Add($"nu={f.Nu:G6} (lower)");
        if (f.StudentT && f.Nu >= MinNu + (1 - eps) * NuRange) hits.Add($"nu={f.Nu:G6} (upper)");
        return hits.Count == 0 ? "none" : string.Join(", ", hits);
    }

    static double InterpolateHalfWidth(double[] z, double ratio)
    {
        var x = Math.Log(ratio);
        var xs = McStartRatios.Select(r => Math.Log(r)).ToArray();
        if (x <= xs[0]) return z[0];
        if (x >= xs[^1]) return z[^1];
        var k = 1;
        while (xs[k] < x) k++;
        var u = (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
        return z[k - 1] + u * (z[k] - z[k - 1]);
    }

    /// <summary>h-day variance of the forecast recursion from a given next-day variance σ²_{T+1}.</summary>
    internal static double RecursionVariance(GarchFit f, double next, int h)
    {
        var bar = f.UnconditionalVariance;
        double v = 0, pk = 1;
        for (var k = 1; k <= h; k++) { v += bar + pk * (next - bar); pk *= f.Persistence; }
        return v;
    }

    /// <summary>Monte-Carlo of the fitted GARCH(1,1)-t recursion over h days: for each starting variance σ²_{T+1},
    /// <paramref name="paths"/> paths of S = Σ_{k=1..h} (μ + σ_k z_k), z standardised t(ν) (unit variance),
    /// σ²_{k+1} = ω + α(σ_k z_k)² + βσ²_k. Returns, per starting variance, the 0.8 quantile of |S − hμ| (the
    /// half-width of the central P10–P90 interval of a law symmetric about hμ). The same draws (one
    /// Mersenne-Twister stream from <paramref name="seed"/>) serve every starting variance, so results are
    /// reproducible and smooth across starting variances.</summary>
    internal static double[] SimulatedHalfWidth(GarchFit f, int h, double[] startVariances, int paths, int seed)
    {
        if (!f.StudentT) throw new ArgumentException("the Monte-Carlo is for the Student-t fit.", nameof(f));
        if (h < 1) throw new ArgumentOutOfRangeException(nameof(h), h, "must be ≥ 1.");
        if (paths < 100) throw new ArgumentOutOfRangeException(nameof(paths), paths, "need at least 100 paths.");
        var rng = new MathNet.Numerics.Random.MersenneTwister(seed);
        var scale = Math.Sqrt((f.Nu - 2) / f.Nu);
        var z = new double[paths * h];
        StudentT.Samples(rng, z, 0, 1, f.Nu);
        for (var i = 0; i < z.Length; i++) z[i] *= scale;
        var result = new double[startVariances.Length];
        var dev = new double[paths];
        for (var v = 0; v < startVariances.Length; v++)
        {
            for (var p = 0; p < paths; p++)
            {
                double s2 = startVariances[v], sum = 0;
                var row = p * h;
                for (var k = 0; k < h; k++)
                {
                    var e = Math.Sqrt(s2) * z[row + k];
                    sum += e;
                    s2 = Math.Max(f.Omega + f.Alpha * e * e + f.Beta * s2, f.VarianceFloor);
                }
                dev[p] = Math.Abs(sum);
            }
            result[v] = MathNet.Numerics.Statistics.Statistics.Quantile(dev, 0.8);
        }
        return result;
    }

    /// <summary>Forecast variance of the h-day log return from the origin, filtering the fitted recursion through
    /// every close from the first training row up to the origin.</summary>
    public double HorizonVariance(Frame frame, int origin, int h)
    {
        var f = Fitted ?? throw new InvalidOperationException($"{Name}: not fitted.");
        return RecursionVariance(f, NextVariance(frame, origin), h);
    }

    double NextVariance(Frame frame, int origin)
    {
        var f = Fitted!;
        var y = SeriesInput.LogClosesThrough(Name, frame, ModelFiles.Row(Name, frame, firstDate, "first training date"), origin);
        var r = new double[y.Length - 1];
        for (var i = 0; i < r.Length; i++) r[i] = y[i + 1] - y[i];
        // Same starting variance as in training, so the filter through the training span reproduces the fit.
        return Filter(r, f.Mu, f.Omega, f.Alpha, f.Beta, out _, trainBackcast, f.VarianceFloor);
    }

    /// <summary>Runs the variance recursion; returns σ² for the day after the last return and fills the
    /// per-day variances. A missing return (NaN: a session the data lacks on either side) updates the variance by its
    /// expectation, σ²_{t+1} = ω + (α + β)σ²_t, since E[ε²_t] = σ²_t. Every variance is kept at or above
    /// <paramref name="floor"/> (as arch's recursion applies its variance bounds).</summary>
    internal static double Filter(double[] r, double mu, double omega, double alpha, double beta, out double[] sigma2, double? start = null,
        double floor = 0)
    {
        var n = r.Length;
        sigma2 = new double[n];
        var s = Math.Max(start ?? Backcast(r, mu), floor);
        for (var t = 0; t < n; t++)
        {
            sigma2[t] = s;
            var e = r[t] - mu;
            s = Math.Max(double.IsNaN(e) ? omega + (alpha + beta) * s : omega + alpha * e * e + beta * s, floor);
        }
        return s;
    }

    /// <summary>Mean squared deviation of the observed returns from μ (missing ones left out).</summary>
    internal static double Backcast(double[] r, double mu)
    {
        double b = 0; var n = 0;
        foreach (var v in r) { if (double.IsNaN(v)) continue; b += (v - mu) * (v - mu); n++; }
        return b / n;
    }

    internal static double LogLikelihood(double[] r, double mu, double omega, double alpha, double beta, double nu, double floor = 0)
    {
        Filter(r, mu, omega, alpha, beta, out var s2, floor: floor);
        double ll = 0;
        var t = !double.IsNaN(nu);
        var c = t ? SpecialFunctions.GammaLn((nu + 1) / 2) - SpecialFunctions.GammaLn(nu / 2) - 0.5 * Math.Log(Math.PI * (nu - 2)) : 0;
        for (var i = 0; i < r.Length; i++)
        {
            if (double.IsNaN(r[i])) continue; // a missing return has no likelihood term
            var e2 = (r[i] - mu) * (r[i] - mu);
            ll += t
                ? c - 0.5 * Math.Log(s2[i]) - (nu + 1) / 2 * Math.Log(1 + e2 / ((nu - 2) * s2[i]))
                : -0.5 * (Math.Log(2 * Math.PI) + Math.Log(s2[i]) + e2 / s2[i]);
        }
        return ll;
    }

    /// <summary>Least conditional variance as a fraction of the training returns' sample variance: 0.1, a daily sd of
    /// √0.1 ≈ 0.32 of the sample's. Where returns stop (a stale quote, a run of unchanged closes) the Gaussian and t
    /// likelihoods grow without bound as σ² → 0, and the unfloored fit drove ω to 1e-75 and the 21-day band to ±1e-31.
    /// The idea is the variance bounds of Kevin Sheppard's <c>arch</c> package (<c>VolatilityProcess.variance_bounds</c>,
    /// which floors σ²_t at the sample variance / 1e8 inside the recursion and the likelihood); that fraction only keeps
    /// the arithmetic finite, this one keeps a usable band. On the real ZL validation training history (2003-12 → 2019)
    /// the least fitted daily variance is 0.33 of the sample variance (7.3e-5 against 2.2e-4, garch_t), so the floor
    /// changes degenerate fits only (<c>GarchVarianceFloorTests</c>).</summary>
    internal const double VarianceFloorFraction = 0.1;
    internal const double MaxPersistence = 0.9999;
    const double MinNu = 2.05, NuRange = 198;

    /// <summary>Maximum-likelihood GARCH(1,1) on daily returns, the conditional variance floored at
    /// <see cref="VarianceFloorFraction"/> × the sample variance of <paramref name="r"/>. Optimised on percent returns
    /// (ω near 1e-6 is badly scaled for a simplex) and mapped back; the log-likelihood is on the original scale.</summary>
    /// <exception cref="ArgumentException">fewer than 250 observed returns, a non-finite return, or constant returns.</exception>
    internal static GarchFit FitReturns(double[] r, bool studentT, string name = "garch")
    {
        var observed = r.Count(v => !double.IsNaN(v));
        if (observed < 250) throw new ArgumentException($"{name}: too short a series: {observed} returns, need ≥ 250.", nameof(r));
        for (var i = 0; i < r.Length; i++)
            if (double.IsInfinity(r[i])) throw new ArgumentException($"{name}: non-finite return at position {i}.", nameof(r));
        var x = r.Select(v => 100 * v).ToArray();
        var mean = x.Where(v => !double.IsNaN(v)).Average();
        var variance = x.Where(v => !double.IsNaN(v)).Sum(v => (v - mean) * (v - mean)) / observed;
        if (!(variance > 0)) throw new ArgumentException($"{name}: constant series: every return is {r[0]}.", nameof(r));

        (double mu, double omega, double alpha, double beta, double nu) Map(double[] u)
        {
            var pers = MaxPersistence * Mle.Logistic(u[2]);
            var alpha = pers * Mle.Logistic(u[3]);
            return (u[0], Math.Exp(u[1]), alpha, pers - alpha, studentT ? MinNu + NuRange * Mle.Logistic(u[4]) : double.NaN);
        }
        // Start at persistence 0.95, α = 0.05, ω matching the sample variance, ν = 8.
        var start = new List<double> { mean, Math.Log(variance * 0.05), Mle.Logit(0.95 / MaxPersistence), Mle.Logit(0.05 / 0.95) };
        if (studentT) start.Add(Mle.Logit((8 - MinNu) / NuRange));
        var floorPct = VarianceFloorFraction * variance;
        var (u, _) = Mle.Minimise(name, v =>
        {
            var p = Map(v);
            return -LogLikelihood(x, p.mu, p.omega, p.alpha, p.beta, p.nu, floorPct);
        }, start.ToArray());
        var m = Map(u);
        var mu = m.mu / 100; var omega = m.omega / 1e4; var floor = floorPct / 1e4;
        return new GarchFit(mu, omega, m.alpha, m.beta, m.nu, LogLikelihood(r, mu, omega, m.alpha, m.beta, m.nu, floor), observed, floor);
    }
}
