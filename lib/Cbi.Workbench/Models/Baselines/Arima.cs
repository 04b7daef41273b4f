using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Fitted ARIMA(p,d,q) with optional constant on the d-times differenced series w:
/// (w_t − μ) = Σφ_i (w_{t−i} − μ) + e_t + Σθ_j e_{t−j}.</summary>
internal sealed record ArimaFit(int P, int D, int Q, bool Constant, double[] Ar, double[] Ma, double Mu, double Sigma2,
    double LogLikelihood, double Aicc, int N)
{
    public override string ToString() => $"ARIMA({P},{D},{Q}){(Constant ? " with constant" : "")} AICc {Aicc:F1}";
}

/// <summary>Auto-ARIMA on log price (<c>arima</c>) after Hyndman &amp; Khandakar (2008): d from repeated KPSS
/// tests at 5 % (Kwiatkowski et al. 1992), then a stepwise search over (p, q, constant) by AICc with
/// p, q ≤ 5. Estimation is conditional sum of squares (Box &amp; Jenkins), every candidate conditioned on the
/// same first 5 values of the differenced series so their AICc compare on one sample; stationarity and
/// invertibility are enforced by the partial-autocorrelation parametrisation (Jones 1980). Quantiles are
/// Gaussian with the ψ-weight forecast variance σ²Σ_{j&lt;h}ψ_j² of the integrated model.</summary>
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
        var sd = Math.Sqrt(ForecastVariance(f, horizon));
        var z = Normal.InvCDF(0, 1, 0.9);
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < originRows.Count; i++)
        {
            var o = originRows[i];
            SeriesInput.CheckOrigin(Name, frame, o, lastTrainRow);
            var y = SeriesInput.LogClosesThrough(Name, frame, firstRow, o);
            var c = PointForecast(f, y, horizon) - y[^1];
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

    // ---- order selection ----

    internal static ArimaFit Select(double[] y, out int tried)
    {
        var d = ChooseD(y);
        var w = Difference(y, d);
        if (w.Length < 2 * MaxOrder + 10) throw new ArgumentException($"arima: too short a series after differencing ({w.Length} values).");
        var cache = new Dictionary<(int, int, bool), ArimaFit>();
        ArimaFit Get(int p, int q, bool c)
        {
            if (!cache.TryGetValue((p, q, c), out var fit)) cache[(p, q, c)] = fit = FitCss(w, d, p, q, c);
            return fit;
        }
        var allowConst = d <= 1;
        var best = new[] { (2, 2), (0, 0), (1, 0), (0, 1) }.Select(o => Get(o.Item1, o.Item2, allowConst)).MinBy(f => f.Aicc)!;
        if (allowConst) { var nc = Get(0, 0, false); if (nc.Aicc < best.Aicc) best = nc; }
        for (var improved = true; improved;)
        {
            improved = false;
            foreach (var (dp, dq) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1) })
            {
                int p = best.P + dp, q = best.Q + dq;
                if (p < 0 || q < 0 || p > MaxOrder || q > MaxOrder || p + q > MaxOrder) continue;
                var c = Get(p, q, best.Constant);
                if (c.Aicc < best.Aicc - 1e-9) { best = c; improved = true; }
            }
            if (allowConst)
            {
                var c = Get(best.P, best.Q, !best.Constant);
                if (c.Aicc < best.Aicc - 1e-9) { best = c; improved = true; }
            }
        }
        tried = cache.Count;
        return best;
    }

    /// <summary>Number of differences: difference while the KPSS level-stationarity test rejects at 5 % (at most 2).</summary>
    internal static int ChooseD(double[] y)
    {
        var x = y;
        for (var d = 0; d < 2; d++)
        {
            if (Kpss(x) < KpssCritical5) return d;
            x = Difference(x, 1);
        }
        return 2;
    }

    /// <summary>5 % critical value of the KPSS level-stationarity statistic (Kwiatkowski et al. 1992, Table 1).</summary>
    internal const double KpssCritical5 = 0.463;

    /// <summary>KPSS level-stationarity statistic η = Σ S_t² / (n² σ̂²_LR) with a Bartlett long-run variance at
    /// lag ⌊4(n/100)^{1/4}⌋ (the "short" truncation of Kwiatkowski et al. 1992).</summary>
    internal static double Kpss(double[] x)
    {
        // Missing values (sessions the data lacks) are left out; the statistic is computed on the observed ones.
        x = x.Where(v => !double.IsNaN(v)).ToArray();
        var n = x.Length;
        var mean = x.Average();
        var e = x.Select(v => v - mean).ToArray();
        double s = 0, ss = 0;
        foreach (var v in e) { s += v; ss += s * s; }
        var l = (int)Math.Floor(4 * Math.Pow(n / 100.0, 0.25));
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
    /// autocorrelations r_k = tanh(u_k) and the Durbin–Levinson recursion (Jones 1980).</summary>
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

    /// <summary>Conditional residuals e_t for t ≥ MaxOrder (earlier residuals are taken as 0). A missing value
    /// (NaN: a session the data lacks, or a difference touching one) has no residual: it is replaced, in
    /// <paramref name="filled"/> only, by its one-step conditional expectation and e_t = 0, the conditional treatment
    /// of a missing observation (Box, Jenkins, Reinsel &amp; Ljung, Time Series Analysis, 5th ed., §5.2 for the
    /// conditional expectations); the data are never changed.</summary>
    internal static double Css(double[] w, double[] ar, double[] ma, double mu, double[]? residuals = null, double[]? filled = null)
    {
        var e = residuals ?? new double[w.Length];
        var x = filled ?? new double[w.Length];
        double sse = 0;
        for (var t = 0; t < w.Length; t++)
        {
            if (t < MaxOrder) { e[t] = 0; x[t] = double.IsNaN(w[t]) ? mu : w[t]; continue; }
            var v = 0.0;
            for (var i = 0; i < ar.Length; i++) v += ar[i] * (x[t - 1 - i] - mu);
            for (var j = 0; j < ma.Length; j++) v += ma[j] * e[t - 1 - j];
            if (double.IsNaN(w[t])) { x[t] = mu + v; e[t] = 0; continue; }
            x[t] = w[t];
            e[t] = w[t] - mu - v;
            sse += e[t] * e[t];
        }
        return sse;
    }

    internal static ArimaFit FitCss(double[] w, int d, int p, int q, bool constant)
    {
        var n = w.Skip(MaxOrder).Count(v => !double.IsNaN(v));
        var observed = w.Where(v => !double.IsNaN(v)).ToArray();
        var mean = constant ? observed.Average() : 0;
        var sdw = Math.Sqrt(observed.Sum(v => (v - mean) * (v - mean)) / observed.Length);
        if (!(sdw > 0)) throw new ArgumentException("arima: constant series after differencing.");
        var e = new double[w.Length];
        (double[] ar, double[] ma, double mu) Map(double[] u)
        {
            var ar = PacfToAr(u.AsSpan(0, p));
            var ma = PacfToAr(u.AsSpan(p, q)).Select(v => -v).ToArray();
            return (ar, ma, constant ? mean + sdw * u[p + q] : 0);
        }
        var k = p + q + (constant ? 1 : 0);
        double sse;
        double[] point;
        if (k == 0) { point = []; }
        else
        {
            (point, _) = Mle.Minimise($"arima({p},{d},{q})", u =>
            {
                var m = Map(u);
                var s = Css(w, m.ar, m.ma, m.mu, e);
                return 0.5 * n * Math.Log(s / n);
            }, new double[k], 1e-10, 20000);
        }
        var mm = Map(point);
        sse = Css(w, mm.ar, mm.ma, mm.mu, e);
        var ll = -0.5 * n * (Math.Log(2 * Math.PI * sse / n) + 1);
        return new ArimaFit(p, d, q, constant, mm.ar, mm.ma, mm.mu, sse / n, ll, Mle.Aicc(ll, k + 1, n), n);
    }

    // ---- forecasting ----

    /// <summary>Point forecast of y at h steps after the last value of <paramref name="y"/>.</summary>
    internal static double PointForecast(ArimaFit f, double[] y, int h)
    {
        var w = Difference(y, f.D);
        var e = new double[w.Length];
        var x = new double[w.Length];
        Css(w, f.Ar, f.Ma, f.Mu, e, x);
        var ext = new double[w.Length + h];
        Array.Copy(x, ext, x.Length);
        var ee = new double[w.Length + h];
        Array.Copy(e, ee, e.Length);
        for (var t = w.Length; t < ext.Length; t++)
        {
            var v = f.Mu;
            for (var i = 0; i < f.Ar.Length; i++) v += f.Ar[i] * (ext[t - 1 - i] - f.Mu);
            for (var j = 0; j < f.Ma.Length; j++) v += f.Ma[j] * ee[t - 1 - j];
            ext[t] = v;
        }
        // Integrate the differenced forecasts back to the level d times, from the last value of each lower-order
        // difference; a difference touching a missing session takes its conditional expectation (built up from the
        // filled highest-order differences), never a filled price.
        var levels = new List<double[]> { y };
        for (var k = 1; k <= f.D; k++) levels.Add(Difference(y, k));
        for (var k = f.D - 1; k >= 1; k--)
        {
            var upper = k + 1 == f.D ? x : levels[k + 1];
            var lk = levels[k];
            for (var t = 0; t < lk.Length; t++)
                if (double.IsNaN(lk[t])) lk[t] = t == 0 ? 0 : lk[t - 1] + upper[t - 1];
        }
        var fc = ext[w.Length..];
        for (var k = f.D - 1; k >= 0; k--)
        {
            var last = levels[k][^1];
            var acc = new double[h];
            for (var t = 0; t < h; t++) { last += fc[t]; acc[t] = last; }
            fc = acc;
        }
        return fc[h - 1];
    }

    /// <summary>σ² Σ_{j&lt;h} ψ_j² with ψ from θ(B)/(φ(B)(1−B)^d).</summary>
    internal static double ForecastVariance(ArimaFit f, int h)
    {
        var phi = f.Ar.ToList();
        for (var k = 0; k < f.D; k++)
        {
            // multiply by (1 − B): new_i = phi_i − phi_{i−1}, with phi_0 = −1 convention on the lag polynomial.
            var poly = new double[phi.Count + 2];
            poly[0] = 1;
            for (var i = 0; i < phi.Count; i++) poly[i + 1] = -phi[i];
            var prod = new double[poly.Length];
            for (var i = 0; i < poly.Length - 1; i++) { prod[i] += poly[i]; prod[i + 1] -= poly[i]; }
            phi = prod.Skip(1).Take(phi.Count + 1).Select(v => -v).ToList();
        }
        var psi = new double[h];
        psi[0] = 1;
        double v = 1;
        for (var j = 1; j < h; j++)
        {
            var s = j <= f.Ma.Length ? f.Ma[j - 1] : 0;
            for (var i = 1; i <= Math.Min(j, phi.Count); i++) s += phi[i - 1] * psi[j - i];
            psi[j] = s;
            v += s * s;
        }
        return f.Sigma2 * v;
    }
}
