using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Fitted ARIMA(p,d,q) with optional constant on the d-times differenced series w:
/// (w_t − μ) = Σφ_i (w_{t−i} − μ) + e_t + Σθ_j e_{t−j}; μ is the mean for d = 0 and the drift for d = 1 (R's
/// intercept or drift regressor 1…n). <see cref="LogLikelihood"/> is the exact Gaussian log-likelihood of the n − d
/// differenced values, <see cref="Aicc"/> the AICc on it with p + q + constant + 1 parameters, and <see cref="Sigma2"/>
/// the innovation variance as <c>forecast::Arima</c> reports it and builds its intervals from: the squared
/// standardised residuals of all n values (the first d, diffuse, included) over n − d − parameters + 1.
/// <see cref="N"/> is n − d.</summary>
internal sealed record ArimaFit(int P, int D, int Q, bool Constant, double[] Ar, double[] Ma, double Mu, double Sigma2,
    double LogLikelihood, double Aicc, int N)
{
    public override string ToString() => $"ARIMA({P},{D},{Q}){(Constant ? " with constant" : "")} AICc {Aicc:F1}";
}

/// <summary>Auto-ARIMA on log price (<c>arima</c>) as <c>forecast::auto.arima(y, seasonal = FALSE)</c> 8.20 does it
/// (Hyndman &amp; Khandakar 2008): d from repeated KPSS tests at 5 % with lag trunc(3√n/13) (<c>ndiffs</c>), then R's
/// stepwise search over (p, q, constant), p, q ≤ min(5, n/3), by AICc. Series of up to 150 values fit every candidate
/// by exact Gaussian maximum likelihood (started from conditional sum of squares, R's "CSS-ML"); longer ones rank the
/// candidates by the CSS approximation with R's offset and refit them by exact ML in that order until one is
/// admissible. A candidate whose AR or MA polynomial has a root of modulus below 1.01 is rejected (such a model is
/// a unit root or cancels one). Quantiles are Gaussian with the Kalman forecast variance σ²F_{T+h}.</summary>
internal sealed class AutoArima : IForecaster
{
    internal const int MaxOrder = 5;
    public string Name => "arima";
    public FitInfo? Info { get; private set; }
    public ArimaFit? Fitted { get; private set; }
    public int ModelsTried { get; private set; }
    int horizon;
    DateOnly firstDate, lastTrainDate;

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        trainRows = SeriesInput.UnbrokenTrainingRows(Name, frame, trainRows);
        var y = SeriesInput.TrainingLogCloses(Name, frame, trainRows, horizon, 60);
        Fitted = Select(y, out var tried);
        ModelsTried = tried;
        this.horizon = horizon; firstDate = frame.Dates[trainRows[0]]; lastTrainDate = frame.Dates[trainRows[^1]];
        var f = Fitted;
        string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        Info = SeriesInput.Info(Name, frame, trainRows, horizon, new Dictionary<string, string>
        {
            ["order"] = $"({f.P},{f.D},{f.Q})", ["constant"] = f.Constant.ToString(), ["ar"] = string.Join(" ", f.Ar.Select(G)),
            ["ma"] = string.Join(" ", f.Ma.Select(G)), ["mu"] = G(f.Mu), ["sigma2"] = G(f.Sigma2), ["loglik"] = G(f.LogLikelihood),
            ["aicc"] = G(f.Aicc), ["models_tried"] = tried.ToString(CultureInfo.InvariantCulture),
        });
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        var f = Fitted ?? throw new InvalidOperationException($"{Name}: Predict before Fit.");
        int firstRow = ModelFiles.Row(Name, frame, firstDate, "first training date"), lastTrainRow = ModelFiles.Row(Name, frame, lastTrainDate, "last training date");
        var z = Normal.InvCDF(0, 1, 0.9);
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < originRows.Count; i++)
        {
            var o = originRows[i];
            SeriesInput.CheckOrigin(Name, frame, o, lastTrainRow);
            var y = SeriesInput.LogClosesThrough(Name, frame, firstRow, o);
            var (mean, variance) = Forecast(f, y, horizon);
            var c = mean - y[^1];
            var sd = Math.Sqrt(variance);
            result[i] = new(c - z * sd, c, c + z * sd);
        }
        return result;
    }

    internal sealed record State(int Horizon, DateOnly FirstDate, DateOnly LastTrainDate, ArimaFit Fitted, int ModelsTried, FitInfo Info);

    public void Save(string directory) => ModelFiles.Write(directory, "state.json",
        new State(horizon, firstDate, lastTrainDate, Fitted ?? throw new InvalidOperationException($"{Name}: Save before Fit."), ModelsTried, Info!));

    internal static AutoArima Load(string directory)
    {
        var s = ModelFiles.Read<State>(directory, "state.json", "arima");
        return new AutoArima { horizon = s.Horizon, firstDate = s.FirstDate, lastTrainDate = s.LastTrainDate, Fitted = s.Fitted, ModelsTried = s.ModelsTried, Info = s.Info };
    }

    // ---- order selection (forecast::auto.arima 8.20, non-seasonal, stepwise) ----

    /// <summary>R's <c>nmodels</c>: the stepwise search stops after this many candidates.</summary>
    const int MaxModels = 94;

    /// <summary>Series longer than this are searched with the CSS approximation (R: approximation = n &gt; 150).</summary>
    internal const int ApproximationAbove = 150;

    internal static ArimaFit Select(double[] y, out int tried)
    {
        var n = Observed(y);
        if (IsConstant(y)) throw new ArgumentException("arima: constant series.");
        var d = ChooseD(y);
        var w = Difference(y, d);
        if (w.Length < 3) throw new ArgumentException($"arima: too short a series after {d} differences ({w.Length} values).");
        if (IsConstant(w))
            throw new ArgumentException($"arima: the series is a straight line after {d} difference(s); ARIMA has nothing to estimate.");
        int maxP = Math.Min(MaxOrder, n / 3), maxQ = Math.Min(MaxOrder, n / 3);
        var approximation = n > ApproximationAbove;
        double offset = 0;
        if (approximation)
        {
            // R: offset = −2ℓ − n·ln σ² of ARIMA(0,d,0) (with a mean when d = 0) fitted by ML.
            var baseFit = FitMl(y, d, 0, 0, d == 0) ?? throw new InvalidOperationException("arima: ARIMA(0,d,0) could not be fitted.");
            offset = -2 * baseFit.Fit.LogLikelihood - n * Math.Log(baseFit.MlSigma2);
        }
        var allowConst = d <= 1;
        var results = new List<(int P, int Q, bool C, double Ic, ArimaFit? Fit)>();
        (double Ic, ArimaFit? Fit) Try(int p, int q, bool c)
        {
            var fit = approximation ? FitCss(y, d, p, q, c, offset) : FitMl(y, d, p, q, c)?.Fit;
            var ic = fit is null || !Admissible(fit) ? double.PositiveInfinity : fit.Aicc;
            results.Add((p, q, c, ic, fit));
            return (ic, fit);
        }
        bool New(int p, int q, bool c) => !results.Any(r => r.P == p && r.Q == q && r.C == c);

        int bp = Math.Min(2, maxP), bq = Math.Min(2, maxQ);
        var constant = allowConst;
        var best = Try(bp, bq, constant);
        var f = Try(0, 0, constant);
        if (f.Ic < best.Ic) { best = f; bp = bq = 0; }
        if (maxP > 0) { f = Try(1, 0, constant); if (f.Ic < best.Ic) { best = f; bp = 1; bq = 0; } }
        if (maxQ > 0) { f = Try(0, 1, constant); if (f.Ic < best.Ic) { best = f; bp = 0; bq = 1; } }
        // R keeps searching with the constant even when the model without it wins here (auto.arima leaves its
        // `constant` flag alone at this step); only the toggle move below can drop it.
        if (constant) { f = Try(0, 0, false); if (f.Ic < best.Ic) { best = f; bp = bq = 0; } }

        // R's loop: the neighbours in a fixed order; the first improvement moves the search and starts the list again.
        (int Dp, int Dq)[] moves = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)];
        var startK = 0;
        while (startK < results.Count && results.Count < MaxModels)
        {
            startK = results.Count;
            var moved = false;
            foreach (var (dp, dq) in moves)
            {
                int p = bp + dp, q = bq + dq;
                if (p < 0 || q < 0 || p > maxP || q > maxQ || !New(p, q, constant)) continue;
                if (results.Count + 1 > MaxModels) { moved = true; break; }
                f = Try(p, q, constant);
                if (f.Ic < best.Ic) { best = f; bp = p; bq = q; moved = true; break; }
            }
            if (moved) continue;
            if (allowConst && New(bp, bq, !constant) && results.Count + 1 <= MaxModels)
            {
                f = Try(bp, bq, !constant);
                if (f.Ic < best.Ic) { best = f; constant = !constant; }
            }
        }
        tried = results.Count;
        if (!approximation)
            return best.Fit is { } b && double.IsFinite(best.Ic) ? b : throw new InvalidOperationException("arima: no admissible ARIMA model.");
        // R refits the candidates by exact ML in the order of their approximate AICc; the first admissible one wins.
        foreach (var c in results.Where(r => !double.IsNaN(r.Ic)).OrderBy(r => r.Ic).ToList())
        {
            var ml = FitMl(y, d, c.P, c.Q, c.C)?.Fit;
            tried++;
            if (ml != null && Admissible(ml)) return ml;
        }
        throw new InvalidOperationException("arima: no admissible ARIMA model.");
    }

    static bool IsConstant(double[] x)
    {
        // forecast::is.constant uses all.equal, i.e. a relative tolerance of 1.5e-8 (missing values left out).
        x = x.Where(v => !double.IsNaN(v)).ToArray();
        if (x.Length == 0) return true;
        var scale = x.Max(Math.Abs);
        return x.All(v => Math.Abs(v - x[0]) <= 1.5e-8 * Math.Max(scale, 1e-300));
    }

    /// <summary>R's root check: every AR and MA root must have modulus ≥ 1.01 (coefficients below 1e-8 at the end of a
    /// polynomial are dropped first).</summary>
    internal static bool Admissible(ArimaFit f) =>
        double.IsFinite(f.Aicc) && MinRootModulus(f.Ar.Select(x => -x).ToArray()) >= 1.01 && MinRootModulus(f.Ma) >= 1.01;

    /// <summary>Smallest root modulus of 1 + c₁z + … + c_k z^k (∞ for a constant polynomial).</summary>
    internal static double MinRootModulus(double[] c)
    {
        var last = c.Length - 1;
        while (last >= 0 && Math.Abs(c[last]) <= 1e-8) last--;
        if (last < 0) return double.PositiveInfinity;
        var coeffs = new double[last + 2];
        coeffs[0] = 1;
        Array.Copy(c, 0, coeffs, 1, last + 1);
        return new MathNet.Numerics.Polynomial(coeffs).Roots().Min(z => z.Magnitude);
    }

    /// <summary>Number of differences as <c>forecast::ndiffs(test = "kpss")</c>: difference while the KPSS
    /// level-stationarity test rejects at 5 % (at most 2), stopping at a constant series.</summary>
    internal static int ChooseD(double[] y)
    {
        var x = y;
        if (IsConstant(x)) return 0;
        var d = 0;
        while (d < 2 && Kpss(x) > KpssCritical5)
        {
            d++;
            x = Difference(x, 1);
            if (IsConstant(x)) return d;
        }
        return d;
    }

    /// <summary>5 % critical value of the KPSS level-stationarity statistic (Kwiatkowski et al. 1992, Table 1); ndiffs
    /// differences when the interpolated p-value is below 0.05, i.e. when the statistic exceeds this value.</summary>
    internal const double KpssCritical5 = 0.463;

    /// <summary>KPSS level-stationarity statistic η = Σ S_t² / (n² σ̂²_LR) with a Bartlett long-run variance at lag
    /// trunc(3√n/13), the lag <c>forecast::ndiffs</c> passes to <c>urca::ur.kpss</c>.</summary>
    internal static double Kpss(double[] x)
    {
        // Missing values (sessions the data lacks) are left out; the statistic is computed on the observed ones.
        x = x.Where(v => !double.IsNaN(v)).ToArray();
        var n = x.Length;
        var mean = x.Average();
        var e = x.Select(v => v - mean).ToArray();
        double s = 0, ss = 0;
        foreach (var v in e) { s += v; ss += s * s; }
        var l = (int)Math.Truncate(3 * Math.Sqrt(n) / 13);
        double lrv = e.Sum(v => v * v) / n;
        for (var k = 1; k <= l; k++)
        {
            double g = 0;
            for (var t = k; t < n; t++) g += e[t] * e[t - k];
            lrv += 2 * (1 - k / (l + 1.0)) * g / n;
        }
        if (!(lrv > 0)) throw new ArgumentException("arima: constant series (KPSS long-run variance is 0).");
        return ss / ((double)n * n * lrv);
    }

    internal static double[] Difference(double[] y, int d)
    {
        var x = y;
        for (var k = 0; k < d; k++)
        {
            var z = new double[x.Length - 1];
            for (var t = 1; t < x.Length; t++) z[t - 1] = x[t] - x[t - 1];
            x = z;
        }
        return x;
    }

    // ---- estimation ----

    /// <summary>Maps unconstrained values to the coefficients of a stationary AR polynomial through partial
    /// autocorrelations r_k = tanh(u_k) and the Durbin–Levinson recursion (Jones 1980; R's <c>partrans</c>).</summary>
    internal static double[] PacfToAr(ReadOnlySpan<double> u)
    {
        var p = u.Length;
        var a = new double[p];
        var tmp = new double[p];
        for (var k = 0; k < p; k++)
        {
            var r = Math.Tanh(u[k]);
            for (var j = 0; j < k; j++) tmp[j] = a[j] - r * a[k - 1 - j];
            for (var j = 0; j < k; j++) a[j] = tmp[j];
            a[k] = r;
        }
        return a;
    }

    /// <summary>Inverse of <see cref="PacfToAr"/> for a stationary AR polynomial (R's <c>invpartrans</c>).</summary>
    internal static double[] ArToPacf(double[] ar)
    {
        var cur = (double[])ar.Clone();
        var u = new double[ar.Length];
        for (var k = ar.Length - 1; k >= 0; k--)
        {
            var r = cur[k];
            u[k] = Math.Atanh(Math.Clamp(r, -0.999999, 0.999999));
            var prev = new double[k];
            for (var j = 0; j < k; j++) prev[j] = (cur[j] + r * cur[k - 1 - j]) / (1 - r * r);
            cur = prev;
        }
        return u;
    }

    /// <summary>R's <c>maInvert</c>: MA roots inside the unit circle replaced by their reciprocals (same
    /// autocovariances up to σ², so the same exact likelihood), giving the invertible representation.</summary>
    internal static double[] MaInvert(double[] ma)
    {
        var q0 = ma.Length;
        while (q0 > 0 && ma[q0 - 1] == 0) q0--;
        if (q0 == 0) return ma;
        var coeffs = new double[q0 + 1];
        coeffs[0] = 1;
        Array.Copy(ma, 0, coeffs, 1, q0);
        var roots = new MathNet.Numerics.Polynomial(coeffs).Roots();
        if (roots.All(z => z.Magnitude >= 1)) return ma;
        if (q0 == 1) { var o = new double[ma.Length]; o[0] = 1 / ma[0]; return o; }
        var x = new System.Numerics.Complex[] { 1 };
        foreach (var z0 in roots)
        {
            var z = z0.Magnitude < 1 ? 1 / z0 : z0;
            var nx = new System.Numerics.Complex[x.Length + 1];
            for (var i = 0; i < x.Length; i++) { nx[i] += x[i]; nx[i + 1] -= x[i] / z; }
            x = nx;
        }
        var res = new double[ma.Length];
        for (var i = 1; i < x.Length; i++) res[i - 1] = x[i].Real;
        return res;
    }

    /// <summary>The series with the fitted mean (d = 0) or drift × (1…n) (d = 1) taken out, as R subtracts its regressor.</summary>
    static double[] Deregress(double[] y, int d, bool constant, double beta)
    {
        if (!constant) return y;
        var x = new double[y.Length];
        for (var t = 0; t < y.Length; t++) x[t] = y[t] - (d == 0 ? beta : beta * (t + 1));
        return x;
    }

    /// <summary>R's <c>ARIMA_CSS</c>: residuals of the differenced, de-meaned series from position p on (earlier MA
    /// residuals 0); returns the residual sum of squares and how many residuals it has.</summary>
    internal static double CssSumOfSquares(double[] w, double[] ar, double[] ma, double mu, out int count)
    {
        int p = ar.Length, q = ma.Length;
        var e = new double[w.Length];
        // A missing value (NaN: a session the data lacks, or a difference touching one) has no residual: in a working
        // copy it takes its one-step conditional expectation and e = 0 (the conditional treatment of a missing
        // observation, Box, Jenkins, Reinsel &amp; Ljung 2015, §5.2); the data are not changed.
        var x = (double[])w.Clone();
        for (var t = 0; t < Math.Min(p, x.Length); t++) if (double.IsNaN(x[t])) x[t] = mu;
        double ssq = 0;
        count = 0;
        for (var t = p; t < w.Length; t++)
        {
            var v = 0.0;
            for (var i = 0; i < p; i++) v += ar[i] * (x[t - 1 - i] - mu);
            var lim = Math.Min(t - p, q);
            for (var j = 0; j < lim; j++) v += ma[j] * e[t - 1 - j];
            if (double.IsNaN(w[t])) { x[t] = mu + v; e[t] = 0; continue; }
            e[t] = w[t] - mu - v;
            ssq += e[t] * e[t];
            count++;
        }
        return ssq;
    }

    /// <summary>Conditional-sum-of-squares estimate (unconstrained, as R's method "CSS"): φ, θ, and the mean or drift.</summary>
    static (double[] Ar, double[] Ma, double Mu, double Sigma2) EstimateCss(double[] w, int p, int q, bool constant, double tolerance = 1e-9)
    {
        var (mean, se) = MeanAndStandardError(w, constant);
        var k = p + q + (constant ? 1 : 0);
        double Obj(double[] u)
        {
            var ssq = CssSumOfSquares(w, u[..p], u[p..(p + q)], constant ? mean + se * u[p + q] : 0, out var cnt);
            return ssq > 0 ? 0.5 * Math.Log(ssq / cnt) : double.NegativeInfinity;
        }
        var u = new double[k];
        // R's optim stops at a relative change of 1e-8 (reltol); the CSS fit is only a start or an approximate ranking.
        if (k > 0) u = Simplex.Minimise(Obj, u, Enumerable.Repeat(0.1, k).ToArray(), tolerance, 4000, 1).Point;
        var mu = constant ? mean + se * u[p + q] : 0;
        var s = CssSumOfSquares(w, u[..p], u[p..(p + q)], mu, out var c);
        return (u[..p], u[p..(p + q)], mu, s / c);
    }

    /// <summary>Mean of the observed values (0 without a constant) and its standard error, the scale of the mean's step.</summary>
    static (double Mean, double Se) MeanAndStandardError(double[] w, bool constant)
    {
        var obs = w.Where(v => !double.IsNaN(v)).ToArray();
        var mean = constant ? obs.Average() : 0;
        var sd = Math.Sqrt(obs.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, obs.Length - 1));
        return (mean, Math.Max(sd / Math.Sqrt(obs.Length), 1e-12));
    }

    /// <summary>Observed values of a series on the session grid (NaN: a session the data lacks).</summary>
    static int Observed(double[] y) => y.Count(v => !double.IsNaN(v));

    /// <summary>A candidate ranked by R's approximation: CSS fit, AICc = offset + (n−d)·ln σ²_CSS + 2k + 2k(k+1)/(n−d−k−1).</summary>
    static ArimaFit? FitCss(double[] y, int d, int p, int q, bool constant, double offset)
    {
        var w = Difference(y, d);
        var (ar, ma, mu, s2) = EstimateCss(w, p, q, constant);
        if (!(s2 > 0)) return null;
        var k = p + q + (constant ? 1 : 0) + 1;
        var nstar = Observed(y) - d;
        var aic = offset + nstar * Math.Log(s2) + 2 * k;
        var aicc = nstar - k - 1 > 0 ? aic + 2.0 * k * (k + 1) / (nstar - k - 1) : double.PositiveInfinity;
        return new ArimaFit(p, d, q, constant, ar, ma, mu, s2, double.NaN, aicc, nstar);
    }

    /// <summary>Exact-likelihood fit of one order (R's "CSS-ML"): CSS start (refused, as in R, when its AR part is not
    /// stationary), then the concentrated exact likelihood over φ (through partial autocorrelations), θ and the mean or
    /// drift by Nelder–Mead with restarts, then the MA part made invertible. Null when it cannot be fitted.</summary>
    internal static (ArimaFit Fit, double MlSigma2)? FitMl(double[] y, int d, int p, int q, bool constant)
    {
        var w = Difference(y, d);
        var (ar0, ma0, mu0, _) = p + q + (constant ? 1 : 0) > 0 ? EstimateCss(w, p, q, constant, StartTolerance) : ([], [], MeanAndStandardError(w, constant).Mean, 0);
        if (p > 0 && MinRootModulus(ar0.Select(x => -x).ToArray()) <= 1) return null;
        var (_, se) = MeanAndStandardError(w, constant);
        var k = p + q + (constant ? 1 : 0);
        (double[] Ar, double[] Ma, double Mu) Map(double[] u) =>
            (PacfToAr(u.AsSpan(0, p)), u[p..(p + q)], constant ? mu0 + se * u[p + q] : 0);
        double Obj(double[] u)
        {
            var (ar, ma, mu) = Map(u);
            return Likelihood(y, d, ar, ma, constant, mu, null);
        }
        var start = new double[k];
        Array.Copy(ArToPacf(ar0), start, p);
        Array.Copy(MaInvert(ma0), 0, start, p, q);
        var u = k > 0 ? QuasiNewton.Minimise(Obj, start, Enumerable.Repeat(0.1, k).ToArray(), 1e-10).Point : start;
        var (far, fma, fmu) = Map(u);
        fma = MaInvert(fma);
        var resid = new double[y.Length];
        ArimaStateSpace ss;
        try { ss = Filter(y, d, far, fma, constant, fmu, resid); }
        catch (InvalidOperationException) { return null; }
        var value = ss.ConcentratedObjective;
        if (!double.IsFinite(value)) return null;
        var nUsed = Observed(y) - d;
        var ll = -0.5 * (2 * nUsed * value + nUsed + nUsed * Math.Log(2 * Math.PI));
        var npar = k + 1;
        var aicc = nUsed - npar - 1 > 0 ? -2 * ll + 2 * npar + 2.0 * npar * (npar + 1) / (nUsed - npar - 1) : double.PositiveInfinity;
        var sigma2 = resid.Where(double.IsFinite).Sum(e => e * e) / (nUsed - npar + 1);
        return (new ArimaFit(p, d, q, constant, far, fma, fmu, sigma2, ll, aicc, nUsed), ss.Ssq / ss.Used);
    }

    static ArimaStateSpace Filter(double[] y, int d, double[] ar, double[] ma, bool constant, double mu, double[]? residuals)
    {
        var x = Deregress(y, d, constant, mu);
        var ss = new ArimaStateSpace(ar, ma, d);
        for (var t = 0; t < x.Length; t++)
        {
            var e = ss.Step(x[t]);
            if (residuals != null) residuals[t] = e;
        }
        return ss;
    }

    /// <summary>Relative tolerance of the CSS fit when it only starts the exact-ML fit (R's CSS-ML): the ML optimiser
    /// finishes the job, so the start need not be polished to the 1e-9 that ranking by CSS alone needs.</summary>
    const double StartTolerance = 1e-6;

    /// <summary>R's <c>armafn</c>: ½[ln(Σv²/F ÷ m) + Σ ln F ÷ m] over the m = n − d observations in the likelihood; +∞
    /// where the model has no stationary covariance.</summary>
    internal static double Likelihood(double[] y, int d, double[] ar, double[] ma, bool constant, double mu, double[]? residuals)
    {
        try { return Filter(y, d, ar, ma, constant, mu, residuals).ConcentratedObjective; }
        catch (InvalidOperationException) { return double.PositiveInfinity; }
    }

    // ---- forecasting ----

    /// <summary>Mean and variance of y at h steps after the last value of <paramref name="y"/> (R's
    /// <c>predict.Arima</c>: Kalman forecast of the de-regressed series, regressor added back, variance × σ²).
    /// <paramref name="y"/> must start where the training series started (the drift counts from there).</summary>
    internal static (double Mean, double Variance) Forecast(ArimaFit f, double[] y, int h)
    {
        var ss = Filter(y, f.D, f.Ar, f.Ma, f.Constant, f.Mu, null);
        var (mean, v) = ss.Forecast(h);
        if (f.Constant) mean += f.D == 0 ? f.Mu : f.Mu * (y.Length + h);
        return (mean, v * f.Sigma2);
    }

    /// <summary>Point forecast of y at h steps after the last value of <paramref name="y"/>.</summary>
    internal static double PointForecast(ArimaFit f, double[] y, int h) => Forecast(f, y, h).Mean;
}
