using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Additive-error ETS variants on log price (Hyndman, Koehler, Ord &amp; Snyder 2008):
/// ANN (simple exponential smoothing), AAN (Holt's linear trend), AAdN (damped trend).</summary>
internal enum EtsKind { Simple, Holt, Damped }

/// <summary>Fitted ETS: smoothing parameters, initial states, σ² (SSE/(n − k), k the estimated smoothing parameters and
/// initial states, as <c>forecast::ets</c> reports it and uses for its intervals), the Gaussian log-likelihood
/// −½n(ln(2π·SSE/n) + 1) and AICc on it (k + 1 parameters with σ). R's <c>ets</c> reports −½n·ln(SSE) instead; the two
/// differ by the constant ½n(ln(2π/n) + 1), so AICc values compare within either convention.</summary>
internal sealed record EtsFit(EtsKind Kind, double Alpha, double Beta, double Phi, double Level0, double Trend0, double Sigma2,
    double LogLikelihood, double Aicc, int N)
{
    internal int ParameterCount => Kind switch { EtsKind.Simple => 2, EtsKind.Holt => 4, _ => 5 } + 1;
}

/// <summary>ETS baseline (<c>ets</c>): fits the three variants by maximum likelihood on the training log closes
/// and keeps the lowest AICc, as <c>forecast::ets(y, additive.only = TRUE)</c> does for non-seasonal data (its
/// parameter bounds, its σ²). Quantiles are Gaussian around the point forecast of log price with the class-1
/// forecast variance σ²[1 + Σ_{j=1}^{h−1} c_j²], c_j = α + β(φ + … + φ^j) (Hyndman et al. 2008, Table 6.1),
/// turned into log returns by subtracting the origin's log close.</summary>
internal sealed class Ets : IForecaster
{
    public string Name => "ets";
    public FitInfo? Info { get; private set; }
    public EtsFit? Fitted { get; private set; }
    public IReadOnlyList<EtsFit> Candidates { get; private set; } = [];
    int horizon;
    DateOnly firstDate, lastTrainDate;

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        trainRows = SeriesInput.UnbrokenTrainingRows(Name, frame, trainRows);
        var y = SeriesInput.TrainingLogCloses(Name, frame, trainRows, horizon, 30);
        Candidates = [FitKind(y, EtsKind.Simple), FitKind(y, EtsKind.Holt), FitKind(y, EtsKind.Damped)];
        Fitted = Candidates.MinBy(c => c.Aicc)!;
        this.horizon = horizon; firstDate = frame.Dates[trainRows[0]]; lastTrainDate = frame.Dates[trainRows[^1]];
        var f = Fitted;
        string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        Info = SeriesInput.Info(Name, frame, trainRows, horizon, new Dictionary<string, string>
        {
            ["kind"] = f.Kind.ToString(), ["alpha"] = G(f.Alpha), ["beta"] = G(f.Beta), ["phi"] = G(f.Phi),
            ["sigma2"] = G(f.Sigma2), ["loglik"] = G(f.LogLikelihood), ["aicc"] = G(f.Aicc),
        });
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        var f = Fitted ?? throw new InvalidOperationException($"{Name}: Predict before Fit.");
        int firstRow = ModelFiles.Row(Name, frame, firstDate, "first training date"), lastTrainRow = ModelFiles.Row(Name, frame, lastTrainDate, "last training date");
        var z = Normal.InvCDF(0, 1, 0.9);
        var sd = Math.Sqrt(ForecastVariance(f, horizon));
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < originRows.Count; i++)
        {
            var o = originRows[i];
            SeriesInput.CheckOrigin(Name, frame, o, lastTrainRow);
            var y = SeriesInput.LogClosesThrough(Name, frame, firstRow, o);
            var (level, trend) = Run(y, f.Kind, f.Alpha, f.Beta, f.Phi, f.Level0, f.Trend0, out _);
            var c = level + DampSum(f.Phi, horizon) * trend - y[^1];
            result[i] = new(c - z * sd, c, c + z * sd);
        }
        return result;
    }

    internal sealed record State(int Horizon, DateOnly FirstDate, DateOnly LastTrainDate, EtsFit Fitted, FitInfo Info);

    public void Save(string directory) => ModelFiles.Write(directory, "state.json",
        new State(horizon, firstDate, lastTrainDate, Fitted ?? throw new InvalidOperationException($"{Name}: Save before Fit."), Info!));

    internal static Ets Load(string directory)
    {
        var s = ModelFiles.Read<State>(directory, "state.json", "ets");
        return new Ets { horizon = s.Horizon, firstDate = s.FirstDate, lastTrainDate = s.LastTrainDate, Fitted = s.Fitted, Info = s.Info };
    }

    static double DampSum(double phi, int h)
    {
        double s = 0, p = 1;
        for (var j = 1; j <= h; j++) { p *= phi; s += p; }
        return s;
    }

    internal static double ForecastVariance(EtsFit f, int h)
    {
        double v = 1;
        for (var j = 1; j < h; j++)
        {
            var c = f.Alpha + f.Beta * DampSum(f.Phi, j);
            v += c * c;
        }
        return f.Sigma2 * v;
    }

    /// <summary>Runs the state recursion; returns the final level and trend and the sum of squared one-step errors.
    /// A missing value (NaN: a session the data lacks) has no error: the state moves on by its forecast
    /// (l = l + φb, b = φb), the state-space treatment of a missing observation (Hyndman et al. 2008, §5.2).</summary>
    internal static (double Level, double Trend) Run(double[] y, EtsKind kind, double alpha, double beta, double phi, double l0, double b0, out double sse)
    {
        double l = l0, b = kind == EtsKind.Simple ? 0 : b0;
        sse = 0;
        for (var t = 0; t < y.Length; t++)
        {
            var fc = l + phi * b;
            if (double.IsNaN(y[t])) { l = fc; b = phi * b; continue; }
            var e = y[t] - fc;
            sse += e * e;
            l = fc + alpha * e;
            b = phi * b + beta * e;
        }
        return (l, b);
    }

    internal static double LogLikelihood(double sse, int n) => -0.5 * n * (Math.Log(2 * Math.PI * sse / n) + 1);

    /// <summary>R's <c>forecast::ets</c> parameter region ("usual" bounds): α ∈ [1e-4, 0.9999], β ∈ [1e-4, α],
    /// φ ∈ [0.8, 0.98].</summary>
    internal const double Lower = 1e-4, Upper = 0.9999, PhiLower = 0.8, PhiUpper = 0.98;

    /// <summary>Fits one ETS kind by maximum likelihood. The one-step errors are linear in the initial states (l0, b0)
    /// for fixed smoothing parameters, so those are solved exactly by least squares inside every evaluation and the
    /// optimiser searches only (α, β, φ): a grid of starts, then Nelder–Mead with restarts from the best two. This
    /// reaches the optimum where a joint simplex over all five values stopped short (issue 11: log(austres)).</summary>
    internal static EtsFit FitKind(double[] y, EtsKind kind)
    {
        var n = y.Count(v => !double.IsNaN(v)); // observed values: a missing session adds no error term
        var dims = kind switch { EtsKind.Simple => 1, EtsKind.Holt => 2, _ => 3 };
        static double L(double u) => 1 / (1 + Math.Exp(-u));
        (double a, double b, double phi) Map(double[] u)
        {
            var a = Lower + (Upper - Lower) * L(u[0]);
            var b = dims >= 2 ? Lower + (Math.Min(a, Upper) - Lower) * L(u[1]) : 0;
            var phi = dims == 3 ? PhiLower + (PhiUpper - PhiLower) * L(u[2]) : 1;
            return (a, b, phi);
        }
        double Objective(double[] u)
        {
            var (a, b, phi) = Map(u);
            var (l0, b0) = InitialStates(y, kind, a, b, phi);
            Run(y, kind, a, b, phi, l0, b0, out var sse);
            return sse > 0 ? 0.5 * n * Math.Log(sse) : double.PositiveInfinity;
        }
        static double Logit(double p) => Math.Log(p / (1 - p));
        var starts = new List<double[]>();
        foreach (var fa in new[] { 0.02, 0.2, 0.5, 0.8, 0.999 })
            foreach (var fb in dims >= 2 ? new[] { 0.01, 0.1, 0.5 } : [0.5])
                foreach (var fp in dims == 3 ? new[] { 0.2, 0.8 } : [0.5])
                    starts.Add(new[] { Logit(fa), Logit(fb), Logit(fp) }[..dims]);
        var ranked = starts.Select(u => (U: u, V: Objective(u))).OrderBy(t => t.V).Take(2).ToList();
        var best = ranked.Select(r => Simplex.Minimise(Objective, r.U, Enumerable.Repeat(1.0, dims).ToArray(), 1e-12, 4000))
            .MinBy(r => r.Value);
        if (!double.IsFinite(best.Value)) throw new InvalidOperationException($"ets {kind}: no finite likelihood anywhere the optimiser looked.");
        var m = Map(best.Point);
        var (ml0, mb0) = InitialStates(y, kind, m.a, m.b, m.phi);
        Run(y, kind, m.a, m.b, m.phi, ml0, mb0, out var s);
        var ll = LogLikelihood(s, n);
        var k = dims + (kind == EtsKind.Simple ? 1 : 2);
        var fit = new EtsFit(kind, m.a, m.b, m.phi, ml0, mb0, s / (n - k), ll, 0, n);
        return fit with { Aicc = Mle.Aicc(ll, fit.ParameterCount, n) };
    }

    /// <summary>The initial level (and trend) minimising the sum of squared one-step errors for fixed α, β, φ: the
    /// errors are e = e_y + l0·e_l + b0·e_b, where e_y is the error path from zero initial states and e_l, e_b the
    /// paths of a unit initial level or trend with zero data, so the optimum solves 2×2 normal equations.</summary>
    internal static (double L0, double B0) InitialStates(double[] y, EtsKind kind, double alpha, double beta, double phi)
    {
        // Centring on y[0] keeps the normal equations well conditioned; the level shifts back at the end.
        var y0 = y[0];
        double ly = 0, by = 0, ll = 1, bl = 0, lb = 0, bb = 1;
        double syl = 0, syb = 0, sll = 0, slb = 0, sbb = 0;
        var trend = kind != EtsKind.Simple;
        for (var t = 0; t < y.Length; t++)
        {
            if (double.IsNaN(y[t]))
            {
                // No observation, no error: every path moves on by its own forecast (as in Run).
                ly += phi * by; by *= phi; ll += phi * bl; bl *= phi; lb += phi * bb; bb *= phi;
                continue;
            }
            var fy = ly + phi * by; var ey = y[t] - y0 - fy; ly = fy + alpha * ey; by = phi * by + beta * ey;
            var fl = ll + phi * bl; var el = -fl; ll = fl + alpha * el; bl = phi * bl + beta * el;
            syl += ey * el; sll += el * el;
            if (!trend) continue;
            var fb = lb + phi * bb; var eb = -fb; lb = fb + alpha * eb; bb = phi * bb + beta * eb;
            syb += ey * eb; slb += el * eb; sbb += eb * eb;
        }
        if (!trend) return (y0 - syl / sll, 0);
        var det = sll * sbb - slb * slb;
        // A singular system (level and trend paths proportional) leaves the trend unidentified: keep b0 = 0.
        if (!(det > 1e-12 * sll * sbb)) return (y0 - syl / sll, 0);
        var l0 = (-syl * sbb + syb * slb) / det;
        var b0 = (-syb * sll + syl * slb) / det;
        return (y0 + l0, b0);
    }
}
