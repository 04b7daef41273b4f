using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>Additive-error ETS variants on log price (Hyndman, Koehler, Ord &amp; Snyder 2008):
/// ANN (simple exponential smoothing), AAN (Holt's linear trend), AAdN (damped trend).</summary>
internal enum EtsKind { Simple, Holt, Damped }

/// <summary>Fitted ETS: smoothing parameters, initial states, σ², log-likelihood and AICc.</summary>
internal sealed record EtsFit(EtsKind Kind, double Alpha, double Beta, double Phi, double Level0, double Trend0, double Sigma2,
    double LogLikelihood, double Aicc, int N)
{
    internal int ParameterCount => Kind switch { EtsKind.Simple => 2, EtsKind.Holt => 4, _ => 5 } + 1;
}

/// <summary>ETS baseline (<c>ets</c>): fits the three variants by maximum likelihood on the training log closes
/// and keeps the lowest AICc. Quantiles are Gaussian around the point forecast of log price with the class-1
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

    internal static EtsFit FitKind(double[] y, EtsKind kind)
    {
        var n = y.Count(v => !double.IsNaN(v));
        var seen = y.Where(v => !double.IsNaN(v)).Take(11).ToArray();
        // α ∈ (0,1); β ∈ (0,α); φ ∈ [0.8, 0.98] as in R's forecast::ets; l0, b0 free.
        (double a, double b, double phi, double l0, double b0) Map(double[] u) => kind switch
        {
            EtsKind.Simple => (Mle.Logistic(u[0]), 0, 1, u[1], 0),
            EtsKind.Holt => (Mle.Logistic(u[0]), Mle.Logistic(u[0]) * Mle.Logistic(u[1]), 1, u[2], u[3]),
            _ => (Mle.Logistic(u[0]), Mle.Logistic(u[0]) * Mle.Logistic(u[1]), 0.8 + 0.18 * Mle.Logistic(u[4]), u[2], u[3]),
        };
        var slope = seen.Length > 1 ? (seen[^1] - seen[0]) / (seen.Length - 1) : 0;
        var start = kind switch
        {
            EtsKind.Simple => new[] { Mle.Logit(0.5), y[0] },
            EtsKind.Holt => new[] { Mle.Logit(0.5), Mle.Logit(0.1), y[0], slope },
            _ => new[] { Mle.Logit(0.5), Mle.Logit(0.1), y[0], slope, 0.0 },
        };
        var (u, _) = Mle.Minimise("ets " + kind, v =>
        {
            var p = Map(v);
            Run(y, kind, p.a, p.b, p.phi, p.l0, p.b0, out var sse);
            return sse > 0 ? -LogLikelihood(sse, n) : double.PositiveInfinity;
        }, start);
        var m = Map(u);
        Run(y, kind, m.a, m.b, m.phi, m.l0, m.b0, out var s);
        var ll = LogLikelihood(s, n);
        var fit = new EtsFit(kind, m.a, m.b, m.phi, m.l0, m.b0, s / n, ll, 0, n);
        return fit with { Aicc = Mle.Aicc(ll, fit.ParameterCount, n) };
    }
}
