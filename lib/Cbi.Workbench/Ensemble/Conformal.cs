using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Ensemble;

/// <summary>How a conformal wrapper calibrates its base model's P10/P90.</summary>
public enum ConformalMethod
{
    /// <summary>Split conformal on absolute residuals around P50 (Vovk, Gammerman &amp; Shafer 2005; Lei et al. 2018):
    /// P10/P90 = P50 ∓ the ⌈0.8(n+1)⌉-th smallest calibration residual, a symmetric 80 % band.</summary>
    Split,
    /// <summary>Conformalised quantile regression (Romano, Patterson &amp; Candès 2019), each side calibrated on its own
    /// (§6, asymmetric scores): P10 −= the ⌈0.9(n+1)⌉-th smallest of (P10 − y), P90 += that of (y − P90).</summary>
    Cqr,
    /// <summary>CQR scores with adaptive conformal inference (Gibbs &amp; Candès 2021, eq. 2): each side's miscoverage level
    /// αₜ₊₁ = αₜ + γ(α − errₜ) follows the realised misses, using every outcome known by the origin (outcomes arrive h
    /// sessions late) and the scores of all outcomes known so far.</summary>
    Aci,
}

/// <summary>Settings of a conformal wrapper.</summary>
/// <param name="CalibrationRows">The latest this many training rows (with a target) are held out for calibration (≈ 2
/// years by default; at most half the rows); the base model is fitted on the rows before them, purged by the horizon.
/// A fixed length rather than a share keeps the base model's training recent (the ensemble learns from 2020 on).</param>
/// <param name="MinCalibration">Calibration outcomes needed (≥ 20); fewer is an error naming the dates.</param>
/// <param name="Gamma">ACI step γ (&gt; 0); larger adapts faster. The long-run miscoverage of ACI is within
/// (max(α₁, 1 − α₁) + γ)/(γT) of α after T updates (Gibbs &amp; Candès 2021, Prop. 4.1).</param>
/// <param name="Window">ACI: scores of only the latest this many known outcomes (a rolling window, so the score
/// distribution follows volatility regimes); 0 keeps every outcome since calibration. The defaults (γ 0.03, 250) were
/// chosen among γ ∈ {0.01, 0.03, 0.06} × window ∈ {250, 500} on the validation folds (P10–P90 coverage of rw+aci
/// closest to 80 % at 5 and 21 days): the holdout, not the validation folds, is their honest test.</param>
public sealed record ConformalOptions(int CalibrationRows = 500, int MinCalibration = 60, double Gamma = 0.03, int Window = 250);

/// <summary>A catalogue model whose P10 and P90 are calibrated by conformal prediction on a calibration period after its
/// own training period (<c>lgbm+cqr</c>, <c>ensemble+aci</c>, …). P50 is the base model's. Fitted on training rows only
/// (so in a validation walk-forward only on rows before each fold, never on the holdout). Point in time: an adaptive
/// wrapper uses at an origin only outcomes whose target date is at or before it.</summary>
internal sealed class ConformalForecaster(ModelSpec baseSpec, ConformalMethod method, ConformalOptions options, RunProfile profile, int seed)
    : IForecaster, IDisposable
{
    const double Alpha = 0.1; // per side: P10 and P90
    public string Name { get; } = NameFor(baseSpec.Name, method);
    public FitInfo? Info { get; private set; }

    IForecaster? model;
    int horizon;
    double lower, upper; // fixed adjustments (Split: both the band half-width)
    List<Calibrated> calibration = [];
    DateOnly calibrationEnd;

    /// <summary>One calibration or past forecast: its origin and target dates, the base quantiles and the outcome.</summary>
    internal sealed record Calibrated(DateOnly Origin, DateOnly Target, double Q10, double Q50, double Q90, double Y);

    internal static string NameFor(string baseName, ConformalMethod m) => $"{baseName}+{m.ToString().ToLowerInvariant()}";

    /// <summary>Adjustments in effect after fitting (lower: subtracted from P10; upper: added to P90).</summary>
    public (double Lower, double Upper) Adjustments => (lower, upper);

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        if (options.CalibrationRows < options.MinCalibration) throw new ArgumentOutOfRangeException(nameof(options), options.CalibrationRows, $"{Name}: CalibrationRows must be ≥ MinCalibration ({options.MinCalibration}).");
        var rows = trainRows.Where(r => frame.TargetRow(r, horizon) >= 0).Distinct().Order().ToArray();
        var nCal = Math.Min(options.CalibrationRows, rows.Length / 2);
        var cal = rows.Length == 0 ? [] : rows[^nCal..];
        var head = cal.Length == 0 ? rows : rows.Where(r => r + horizon < cal[0]).ToArray();
        if (cal.Length < options.MinCalibration)
            throw new ArgumentException($"{Name} h={horizon}: {cal.Length} calibration outcomes " +
                (rows.Length == 0 ? "(no training row has a target)" : $"({frame.Dates[rows[0]]:yyyy-MM-dd} … {frame.Dates[rows[^1]]:yyyy-MM-dd})") +
                $", need at least {options.MinCalibration}: the calibration set is empty or too small.", nameof(trainRows));
        (model as IDisposable)?.Dispose();
        var tuned = baseSpec.Space is null ? null : ModelSearch.ReadBest(baseSpec, profile).FirstOrDefault(r => r.Horizon == horizon)?.Parameters;
        model = baseSpec.Create(tuned, profile.Training, seed);
        model.Fit(frame, head, horizon);
        this.horizon = horizon;
        var f = model.Predict(frame, cal);
        calibration = cal.Select((r, i) => (r, f[i])).Where(x => !x.Item2.IsAbstention)
            .Select(x => { var q = x.Item2.Repaired().Ordered; return new Calibrated(frame.Dates[x.r], frame.Dates[x.r + horizon], q.Q10, q.Q50, q.Q90, frame.Target(x.r, horizon)); })
            .ToList();
        if (calibration.Count < options.MinCalibration)
            throw new ArgumentException($"{Name} h={horizon}: the base model abstained on the calibration set ({calibration.Count} usable outcomes).", nameof(trainRows));
        calibrationEnd = frame.Dates[cal[^1]];
        (lower, upper) = method == ConformalMethod.Split
            ? Twice(ConformalQuantile(calibration.Select(c => Math.Abs(c.Y - c.Q50)), 0.8))
            : (ConformalQuantile(calibration.Select(c => c.Q10 - c.Y), 1 - Alpha), ConformalQuantile(calibration.Select(c => c.Y - c.Q90), 1 - Alpha));
        Info = new FitInfo(Name, horizon, frame.Dates[rows[0]], frame.Dates[rows[^1]], rows.Length, frame.FeatureHash, new Dictionary<string, string>
        {
            ["base"] = baseSpec.Name, ["method"] = method.ToString(), ["calibration"] = $"{calibration[0].Origin:yyyy-MM-dd} … {calibrationEnd:yyyy-MM-dd} ({calibration.Count} outcomes)",
            ["base_fit"] = $"{model.Info!.TrainStart:yyyy-MM-dd} … {model.Info.TrainEnd:yyyy-MM-dd}",
            ["adjust_lower"] = lower.ToString("G6", CultureInfo.InvariantCulture), ["adjust_upper"] = upper.ToString("G6", CultureInfo.InvariantCulture),
            ["gamma"] = method == ConformalMethod.Aci ? options.Gamma.ToString("G4", CultureInfo.InvariantCulture) : "",
        }, seed);
    }

    static (double, double) Twice(double x) => (x, x);

    /// <summary>The ⌈level·(n + 1)⌉-th smallest score (finite-sample conformal quantile); the largest when that rank
    /// exceeds n.</summary>
    internal static double ConformalQuantile(IEnumerable<double> scores, double level)
    {
        var s = scores.Where(double.IsFinite).Order().ToArray();
        if (s.Length == 0) throw new ArgumentException("no conformity scores.");
        var k = (int)Math.Ceiling(level * (s.Length + 1));
        return s[Math.Clamp(k, 1, s.Length) - 1];
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        var m = model ?? throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var raw = m.Predict(frame, originRows);
        if (method != ConformalMethod.Aci)
            return raw.Select(q => q.IsAbstention ? q : Adjust(q.Repaired().Ordered, lower, upper)).ToArray();
        return PredictAdaptive(frame, originRows, raw);
    }

    static QuantileForecast Adjust(QuantileForecast q, double lo, double hi) => new(q.Q10 - lo, q.Q50, q.Q90 + hi);

    /// <summary>ACI over every session from the end of calibration to the latest origin asked for, so an origin's band
    /// depends only on data at or before it, never on which other origins were asked in the same call.</summary>
    IReadOnlyList<QuantileForecast> PredictAdaptive(Frame frame, IReadOnlyList<int> originRows, IReadOnlyList<QuantileForecast> raw)
    {
        var first = frame.RowOf(calibrationEnd);
        if (first < 0) first = Array.FindIndex(frame.Dates, d => d > calibrationEnd) - 1;
        var last = originRows.Count == 0 ? -1 : originRows.Max();
        var path = Enumerable.Range(first + 1, Math.Max(0, last - first)).ToArray();
        var basePath = path.Length == 0 ? [] : model!.Predict(frame, path);
        var band = new Dictionary<int, QuantileForecast>();
        var lowScores = calibration.Select(c => c.Q10 - c.Y).ToList();
        var highScores = calibration.Select(c => c.Y - c.Q90).ToList();
        double aLo = Alpha, aHi = Alpha;
        // Outcomes still to arrive: (target row, origin row's base quantiles, band used) of the path's origins.
        var pending = new List<(int Target, int Origin, QuantileForecast Base, QuantileForecast Band)>();
        for (var i = 0; i < path.Length; i++)
        {
            var o = path[i];
            foreach (var p in pending.Where(p => p.Target <= o).ToList())
            {
                var y = frame.Target(p.Origin, horizon);
                aLo += options.Gamma * (Alpha - (y < p.Band.Q10 ? 1 : 0));
                aHi += options.Gamma * (Alpha - (y > p.Band.Q90 ? 1 : 0));
                lowScores.Add(p.Base.Q10 - y);
                highScores.Add(y - p.Base.Q90);
                pending.Remove(p);
            }
            if (basePath[i].IsAbstention) { band[o] = basePath[i]; continue; }
            var q = basePath[i].Repaired().Ordered;
            var b = new QuantileForecast(q.Q10 - Level(lowScores, aLo), q.Q50, q.Q90 + Level(highScores, aHi));
            band[o] = b;
            var t = frame.TargetRow(o, horizon);
            if (t >= 0) pending.Add((t, o, q, b));
        }
        return originRows.Select((o, i) => band.TryGetValue(o, out var b) ? b
            : raw[i].IsAbstention ? raw[i] : Adjust(raw[i].Repaired().Ordered, Level(lowScores, Alpha), Level(highScores, Alpha))).ToArray();
    }

    /// <summary>The adjustment for a side at adaptive miscoverage level α: the conformal (1 − α) quantile of the scores,
    /// the largest score when α ≤ 0 (an infinite band is capped at the widest seen), the smallest when α ≥ 1.</summary>
    double Level(List<double> scores, double alpha)
    {
        IEnumerable<double> s = options.Window > 0 && scores.Count > options.Window ? scores.Skip(scores.Count - options.Window) : scores;
        return alpha <= 0 ? s.Max() : alpha >= 1 ? s.Min() : ConformalQuantile(s, 1 - alpha);
    }

    sealed record State(string Base, ConformalMethod Method, int Horizon, double Lower, double Upper, DateOnly CalibrationEnd,
        List<Calibrated> Calibration, FitInfo Info);

    public void Save(string directory)
    {
        var m = model ?? throw new InvalidOperationException($"{Name}: Save before Fit.");
        m.Save(Path.Combine(directory, "base"));
        ModelFiles.Write(directory, "state.json", new State(baseSpec.Name, method, horizon, lower, upper, calibrationEnd, calibration, Info!));
    }

    internal static ConformalForecaster Load(string directory, ModelSpec baseSpec, ConformalMethod method, ConformalOptions options, RunProfile profile)
    {
        var s = ModelFiles.Read<State>(directory, "state.json", NameFor(baseSpec.Name, method));
        if (s.Base != baseSpec.Name || s.Method != method)
            throw new InvalidDataException($"{directory}: a saved {NameFor(s.Base, s.Method)} model, not {NameFor(baseSpec.Name, method)}.");
        return new ConformalForecaster(baseSpec, method, options, profile, s.Info.Seed)
        {
            model = baseSpec.Loader(Path.Combine(directory, "base")), horizon = s.Horizon, lower = s.Lower, upper = s.Upper,
            calibrationEnd = s.CalibrationEnd, calibration = s.Calibration, Info = s.Info,
        };
    }

    public void Dispose()
    {
        (model as IDisposable)?.Dispose();
        model = null;
    }
}

/// <summary>Builds conformal wrappers of catalogue specs.</summary>
public static class Conformal
{
    /// <summary>A spec named "&lt;base&gt;+&lt;method&gt;" (e.g. <c>lgbm+cqr</c>) that fits <paramref name="baseSpec"/> on the
    /// head of each training window and calibrates its P10/P90 on the tail; register it with
    /// <see cref="ModelCatalog.Register"/> to backtest, save and compare it like any model.</summary>
    public static ModelSpec Wrap(ModelSpec baseSpec, ConformalMethod method, ConformalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseSpec);
        var o = options ?? new ConformalOptions();
        return new ModelSpec
        {
            Name = ConformalForecaster.NameFor(baseSpec.Name, method),
            Description = $"{baseSpec.Name} with {method switch { ConformalMethod.Split => "split conformal (residuals)", ConformalMethod.Cqr => "conformalised quantile regression", _ => "adaptive conformal inference on CQR scores" }} bands",
            Inputs = baseSpec.Inputs,
            MissingInputs = baseSpec.MissingInputs,
            Expensive = baseSpec.Expensive,
            Factory = (_, _, seed) => new ConformalForecaster(baseSpec, method, o, RunProfile.Current, seed),
            Loader = dir => ConformalForecaster.Load(dir, baseSpec, method, o, RunProfile.Current),
        };
    }
}

/// <summary>The ensemble and the conformal wrappers in the catalogue.</summary>
internal sealed class EnsembleModels : IModelProvider
{
    public int Order => 100;

    public IEnumerable<ModelSpec> Specs()
    {
        var ensemble = new ModelSpec
        {
            Name = EnsembleForecaster.ModelName,
            Description = "quantile averaging of the best 3 models by validation score, pinball-optimal weights per quantile (regime-aware where it wins out of sample)",
            Inputs = ModelInputs.Features,
            MissingInputs = MissingInputRule.DropAbstainingMembers,
            Expensive = true,
            Factory = (_, _, _) => new EnsembleForecaster(DefaultOptions()),
            Loader = dir => EnsembleForecaster.Load(dir, DefaultOptions()),
            ExtraBenchmarks = (dev, _, _, repeats) => [InferenceBenchmark(dev, repeats)],
        };
        yield return ensemble;
        var lgbm = ModelCatalog.All.FirstOrDefault(s => s.Name == Models.LightGbm.LightGbmSpec.Name);
        if (lgbm != null)
        {
            yield return Conformal.Wrap(lgbm, ConformalMethod.Split);
            yield return Conformal.Wrap(lgbm, ConformalMethod.Cqr);
            yield return Conformal.Wrap(lgbm, ConformalMethod.Aci);
        }
        yield return Conformal.Wrap(ensemble, ConformalMethod.Cqr);
        yield return Conformal.Wrap(ensemble, ConformalMethod.Aci);
    }

    /// <summary>Inference of the ensemble for every horizon of the profile at one origin (the latest development row),
    /// members fitted once beforehand: median of repeated runs; the goal is ≤ 10 ms.</summary>
    static string InferenceBenchmark(Models.Frame dev, int repeats)
    {
        var profile = RunProfile.Current;
        var spec = ModelCatalog.Get(EnsembleForecaster.ModelName);
        var models = profile.SearchedHorizons.Select(h => ModelSearch.FitLatest(spec, dev, h, null, profile)).ToList();
        try
        {
            var last = dev.Rows - 1;
            foreach (var m in models) m.Predict(dev, [last]); // warm-up
            var samples = new double[Math.Max(repeats, 5) * 4];
            for (var i = 0; i < samples.Length; i++)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                foreach (var m in models) m.Predict(dev, [last]);
                samples[i] = sw.Elapsed.TotalMilliseconds;
            }
            const string name = "ensemble-inference-all-horizons";
            Reporting.Benchmark.Record(name, "ms", samples, new Dictionary<string, string>
            {
                ["work"] = $"Predict of the fitted ensemble at one origin ({dev.Dates[last]:yyyy-MM-dd}) for horizons {string.Join(",", profile.SearchedHorizons)} (profile {profile.Name})",
                ["members"] = string.Join(" | ", models.Select(m => $"h{m.Info!.Horizon}: {m.Info.Parameters["members"]}")),
                ["goal"] = "≤ 10 ms",
            });
            return name;
        }
        finally { foreach (var m in models) (m as IDisposable)?.Dispose(); }
    }

    static EnsembleOptions DefaultOptions() => new(PredictionStore.DefaultParquetPath, RunProfile.Current);
}
