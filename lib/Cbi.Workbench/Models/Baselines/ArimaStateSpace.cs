namespace Cbi.Workbench.Models.Baselines;

/// <summary>The exact Gaussian likelihood of ARIMA(p,d,q) by the Kalman filter, in the state-space form of R's
/// <c>stats::arima</c> (Gardner, Harvey &amp; Phillips 1980; Durbin &amp; Koopman 2012 §3.4): the ARMA part in Harvey's
/// form with r = max(p, q+1) states, started from its stationary covariance (the solution of P = TPT' + RR'), and the
/// d integration states started diffuse with variance κ = 1e6. Observations whose prediction variance is ≥ 1e4 (the
/// first d) are left out of the likelihood but keep a residual, as in R's <c>ARIMA_Like</c>. Once the state
/// covariance has converged (max |ΔP| &lt; 1e-13) the gain is frozen, which changes nothing but the cost.</summary>
internal sealed class ArimaStateSpace
{
    internal const double Kappa = 1e6;
    readonly int p, r, d, rd;
    readonly double[] phi, theta, delta, v;
    double[] a, pm;
    double[] anew, pnew, tmp, m;
    bool frozen;
    double frozenGain;
    int steps;

    /// <summary>Sum of squared standardised innovations v²/F over the observations in the likelihood.</summary>
    internal double Ssq { get; private set; }
    /// <summary>Σ ln F over the observations in the likelihood.</summary>
    internal double SumLog { get; private set; }
    /// <summary>Observations in the likelihood.</summary>
    internal int Used { get; private set; }

    /// <param name="ar">AR coefficients φ (stationary).</param>
    /// <param name="ma">MA coefficients θ.</param>
    /// <param name="d">Differences, 0–2.</param>
    /// <exception cref="InvalidOperationException">The stationary covariance does not exist (AR on the unit circle).</exception>
    internal ArimaStateSpace(double[] ar, double[] ma, int d)
    {
        p = ar.Length; this.d = d;
        r = Math.Max(p, ma.Length + 1);
        rd = r + d;
        phi = new double[r]; Array.Copy(ar, phi, p);
        theta = new double[r]; Array.Copy(ma, 0, theta, 1, ma.Length); theta[0] = 1;
        delta = d switch { 0 => [], 1 => [1.0], 2 => [2.0, -1.0], _ => throw new ArgumentOutOfRangeException(nameof(d)) };
        v = new double[rd * rd];
        for (var i = 0; i < r; i++) for (var j = 0; j < r; j++) v[i * rd + j] = theta[i] * theta[j];
        a = new double[rd]; pm = new double[rd * rd];
        anew = new double[rd]; pnew = new double[rd * rd]; tmp = new double[rd * rd]; m = new double[rd];

        var q0 = StationaryCovariance(phi, theta, r);
        for (var i = 0; i < r; i++) for (var j = 0; j < r; j++) pm[i * rd + j] = q0[i * r + j];
        for (var i = r; i < rd; i++) pm[i * rd + i] = Kappa;
    }

    /// <summary>Q = TQT' + RR' for the ARMA block, as a linear system in the r(r+1)/2 distinct entries of the symmetric Q
    /// (r ≤ 6: at most 21 unknowns). With T's first column φ and its superdiagonal of ones, the (i,j) equation reads
    /// Q_ij − φ_iφ_j Q_00 − φ_i Q_{0,j+1} − φ_j Q_{i+1,0} − Q_{i+1,j+1} = θ_iθ_j (terms past r − 1 vanish); it is solved
    /// by Gaussian elimination with partial pivoting. This runs once per likelihood evaluation, thousands of times per
    /// auto-ARIMA search, so it avoids a general dense r²×r² solve.</summary>
    internal static double[] StationaryCovariance(double[] phi, double[] theta, int r)
    {
        if (r == 1) return [phi[0] != 0 ? 1 / (1 - phi[0] * phi[0]) : 1];
        var n = r * (r + 1) / 2;
        int Index(int i, int j) { if (i > j) (i, j) = (j, i); return i * r - i * (i - 1) / 2 + (j - i); }
        var mat = new double[n * (n + 1)];   // augmented, row-major, n + 1 columns
        var w = n + 1;
        for (var i = 0; i < r; i++)
            for (var j = i; j < r; j++)
            {
                var row = Index(i, j) * w;
                mat[row + Index(i, j)] += 1;
                mat[row + Index(0, 0)] -= phi[i] * phi[j];
                if (j + 1 < r) mat[row + Index(0, j + 1)] -= phi[i];
                if (i + 1 < r) mat[row + Index(i + 1, 0)] -= phi[j];
                if (i + 1 < r && j + 1 < r) mat[row + Index(i + 1, j + 1)] -= 1;
                mat[row + n] = theta[i] * theta[j];
            }
        for (var c = 0; c < n; c++)
        {
            var piv = c;
            for (var k = c + 1; k < n; k++) if (Math.Abs(mat[k * w + c]) > Math.Abs(mat[piv * w + c])) piv = k;
            if (mat[piv * w + c] == 0) throw new InvalidOperationException("ARMA state covariance does not exist (AR root on the unit circle).");
            if (piv != c) for (var k = c; k < w; k++) (mat[c * w + k], mat[piv * w + k]) = (mat[piv * w + k], mat[c * w + k]);
            var inv = 1 / mat[c * w + c];
            for (var k = c + 1; k < n; k++)
            {
                var f = mat[k * w + c] * inv;
                if (f == 0) continue;
                for (var l = c; l < w; l++) mat[k * w + l] -= f * mat[c * w + l];
            }
        }
        var x = new double[n];
        for (var c = n - 1; c >= 0; c--)
        {
            var s = mat[c * w + n];
            for (var k = c + 1; k < n; k++) s -= mat[c * w + k] * x[k];
            x[c] = s / mat[c * w + c];
        }
        var q = new double[r * r];
        for (var i = 0; i < r; i++) for (var j = 0; j < r; j++) q[i * r + j] = x[Index(i, j)];
        if (q.Any(v => !double.IsFinite(v)) || q[0] <= 0)
            throw new InvalidOperationException("ARMA state covariance does not exist (AR root on the unit circle).");
        return q;
    }

    void Transition(double[] src, double[] dst)
    {
        for (var i = 0; i < r; i++) dst[i] = phi[i] * src[0] + (i < r - 1 ? src[i + 1] : 0);
        if (d == 0) return;
        var s = src[0];
        for (var k = 0; k < d; k++) s += delta[k] * src[r + k];
        dst[r] = s;
        for (var k = 1; k < d; k++) dst[r + k] = src[r + k - 1];
    }

    /// <summary>pnew = T·pm·T' + V, written out for T's structure (φ in the first column and ones on the superdiagonal
    /// of the ARMA block; the integration rows sum the observation and shift): the same sums in the same order as
    /// applying <see cref="Transition"/> to pm's columns and then to the rows of the result, without the copies. This
    /// runs once per observation until the gain converges, thousands of times per auto-ARIMA search.</summary>
    void PredictCovariance()
    {
        // tmp = T·pm.
        for (var j = 0; j < rd; j++)
        {
            var p0j = pm[j];
            for (var i = 0; i < r - 1; i++) tmp[i * rd + j] = phi[i] * p0j + pm[(i + 1) * rd + j];
            tmp[(r - 1) * rd + j] = phi[r - 1] * p0j + 0;
            if (d == 0) continue;
            var s = p0j;
            for (var k = 0; k < d; k++) s += delta[k] * pm[(r + k) * rd + j];
            tmp[r * rd + j] = s;
            for (var k = 1; k < d; k++) tmp[(r + k) * rd + j] = pm[(r + k - 1) * rd + j];
        }
        // pnew = tmp·T' + V.
        for (var i = 0; i < rd; i++)
        {
            var row = i * rd;
            var a0 = tmp[row];
            for (var j = 0; j < r - 1; j++) pnew[row + j] = phi[j] * a0 + tmp[row + j + 1] + v[row + j];
            pnew[row + r - 1] = phi[r - 1] * a0 + 0 + v[row + r - 1];
            if (d == 0) continue;
            var s = a0;
            for (var k = 0; k < d; k++) s += delta[k] * tmp[row + r + k];
            pnew[row + r] = s + v[row + r];
            for (var k = 1; k < d; k++) pnew[row + r + k] = tmp[row + r + k - 1] + v[row + r + k];
        }
    }

    double Observe(double[] state)
    {
        var s = state[0];
        for (var k = 0; k < d; k++) s += delta[k] * state[r + k];
        return s;
    }

    /// <summary>Filters one observation; returns its standardised residual v/√F.</summary>
    internal double Step(double x)
    {
        Transition(a, anew);
        if (double.IsNaN(x))
        {
            // A missing observation (a session the data lacks): prediction only, no update and no likelihood term,
            // as R's ARIMA_Like does for NA; the covariance grows, so a converged (frozen) gain no longer applies.
            if (frozen) frozen = false;
            else if (steps == 0) Array.Copy(pm, pnew, pm.Length);
            if (steps > 0) PredictCovariance();
            Array.Copy(pnew, pm, pm.Length);
            Array.Copy(anew, a, a.Length);
            steps++;
            return double.NaN;
        }
        var resid = x - Observe(anew);
        double gain;
        if (frozen)
        {
            gain = frozenGain;
            for (var i = 0; i < rd; i++) a[i] = anew[i] + m[i] * resid / gain;
        }
        else
        {
            if (steps > 0) PredictCovariance(); else Array.Copy(pm, pnew, pm.Length);
            for (var i = 0; i < rd; i++)
            {
                var s = pnew[i * rd];
                for (var k = 0; k < d; k++) s += delta[k] * pnew[i * rd + r + k];
                m[i] = s;
            }
            gain = Observe(m);
            var change = 0.0;
            for (var i = 0; i < rd; i++)
            {
                a[i] = anew[i] + m[i] * resid / gain;
                for (var j = 0; j < rd; j++)
                {
                    var nv = pnew[i * rd + j] - m[i] * m[j] / gain;
                    change = Math.Max(change, Math.Abs(nv - pm[i * rd + j]));
                    pm[i * rd + j] = nv;
                }
            }
            if (steps > d && change < 1e-13) { frozen = true; frozenGain = gain; }
        }
        if (gain < 1e4)
        {
            Used++;
            Ssq += resid * resid / gain;
            SumLog += Math.Log(gain);
        }
        steps++;
        return resid / Math.Sqrt(gain);
    }

    /// <summary>R's <c>armafn</c> objective after filtering a series: ½[ln(Ssq/Used) + SumLog/Used].</summary>
    internal double ConcentratedObjective => 0.5 * (Math.Log(Ssq / Used) + SumLog / Used);

    /// <summary>Mean and (σ²-free) variance of the observation h steps after the last filtered one, as R's
    /// <c>KalmanForecast</c>; the filter itself is not changed.</summary>
    internal (double Mean, double Variance) Forecast(int h)
    {
        var sa = (double[])a.Clone();
        var savedP = (double[])pm.Clone();
        var next = new double[rd];
        double mean = 0, variance = 0;
        for (var k = 0; k < h; k++)
        {
            Transition(sa, next);
            (sa, next) = (next, sa);
            PredictCovariance();
            Array.Copy(pnew, pm, pm.Length);
            mean = Observe(sa);
            for (var i = 0; i < rd; i++)
            {
                var s = pm[i * rd];
                for (var j = 0; j < d; j++) s += delta[j] * pm[i * rd + r + j];
                m[i] = s;
            }
            variance = Observe(m);
        }
        pm = savedP;
        if (frozen)
        {
            // m held the frozen gain vector; restore it from the converged covariance for further steps.
            PredictCovariance();
            for (var i = 0; i < rd; i++)
            {
                var s = pnew[i * rd];
                for (var k = 0; k < d; k++) s += delta[k] * pnew[i * rd + r + k];
                m[i] = s;
            }
        }
        return (mean, variance);
    }
}
