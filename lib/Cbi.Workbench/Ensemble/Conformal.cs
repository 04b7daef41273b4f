using MathNet.Numerics.Statistics;
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
    /// <summary>Conformal scaling by the base model's own spread (normalised conformity scores: Papadopoulos et al. 2002,
    /// Lei et al. 2018 §5.2; for quantile bands Kivaranovic, Johnson &amp; Leeb 2020): each side's score is the outcome's
    /// distance beyond P50 in units of that side's spread, (P50 − y)/(P50 − P10) and (y − P50)/(P90 − P50); P10/P90 =
    /// P50 ∓ the ⌈0.9(n+1)⌉-th smallest score × the spread. The band keeps the base's timing (wide when its volatility
    /// forecast is high) instead of adding one constant, so it stays sharp where the base is.</summary>
    Scaled,
    /// <summary>Conformal scaling (as <see cref="Scaled"/>) calibrated on the base model's own out-of-sample forecasts
    /// already scored — its walk-forward rows in the run context's scored history whose outcomes are known by the end of
    /// training (the latest <see cref="ConformalOptions.CalibrationRows"/>) — instead of on an in-sample tail of its
    /// training window; the base is fitted on every training row. Below <see cref="ConformalOptions.MinCalibration"/>
    /// such forecasts the base's bands are left as they are (factor 1), and its fit info says so. Split conformal on
    /// genuinely out-of-sample scores is what the coverage guarantee assumes (Vovk et al. 2005; Angelopoulos &amp; Bates
    /// 2023 §3); an in-sample tail understates the errors of a model that overfits.</summary>
    Oos,
    /// <summary>CQR scores with adaptive conformal inference (Gibbs &amp; Candès 2021, eq. 2): each side's miscoverage level
    /// αₜ₊₁ = αₜ + γ(α − errₜ) follows the realised misses, using every outcome known by the origin (outcomes arrive h
    /// sessions late) and the scores of all outcomes known so far.</summary>
    Aci,
}

/// <summary>Settings of a conformal wrapper.</summary>
/// <param name="CalibrationRows">The latest this many training rows (with a target) are held out for calibration (≈ 2
/// years by default; at most half the rows); the base model is fitted on the rows before them, purged by the horizon.
/// A fixed length rather than a share keeps the base model's training recent (the ensemble learns from 2020 on).</param>
/// <param name="MinCalibration">Calibration outcomes needed (≥ 20, enforced: below that the ⌈0.9(n+1)⌉-th score of an
/// 80 % band does not exist for small n and the band would not be valid); fewer outcomes is an error naming the dates.</param>
/// <param name="Gamma">ACI step γ (&gt; 0); larger adapts faster. The long-run miscoverage of ACI is within
/// (max(α₁, 1 − α₁) + γ)/(γT) of α after T updates (Gibbs &amp; Candès 2021, Prop. 4.1).</param>
/// <param name="Window">ACI: scores of only the latest this many known outcomes (a rolling window, so the score
/// distribution follows volatility regimes); 0 keeps every outcome since calibration. The defaults (γ 0.03, 250) were
/// chosen among γ ∈ {0.01, 0.03, 0.06} × window ∈ {250, 500} on the validation folds (P10–P90 coverage of rw+aci
/// closest to 80 % at 5 and 21 days): the holdout, not the validation folds, is their honest test.</param>
/// <param name="MaxAlpha">ACI: when finite, each side's adaptive miscoverage level is kept in [0, MaxAlpha]. Unbounded (the
/// default, Gibbs &amp; Candès's rule), a long one-sided run of outcomes (a trend: no outcome below P10 for months) drives αₜ
/// past 1, where that side's set is empty: the side collapses onto the median (seen in operations on the 2025–26 holdout
/// days at 63 and 126 days: P10 = P50). Bounding it at 0.2 was measured and not adopted: on the smoke validation release
/// folds the bounded rw_garch+aci scored +2.6 % / +1.5 % against the random walk at 63 / 126 days instead of +6.5 % /
/// +2.8 % (the proper score prefers the collapsed side in the 2020–22 trend); operations flag a collapsed band instead
/// (<c>band-collapse</c> alert).</param>
public sealed record ConformalOptions(int CalibrationRows = 500, int MinCalibration = 60, double Gamma = 0.03, int Window = 250, double MaxAlpha = double.PositiveInfinity);

/// <summary>A catalogue model whose P10 and P90 are calibrated by conformal prediction on a calibration period after its
/// own training period (<c>lgbm+cqr</c>, <c>ensemble+aci</c>, …), or on its base's scored out-of-sample forecasts
/// (<c>+oos</c>). P50 is the base model's: a calibrated side that would cross it stops at it. Fitted on training rows only
/// (so in a validation walk-forward only on rows before each fold, never on the holdout). Point in time: an adaptive
/// wrapper uses at an origin only outcomes whose target date is at or before it.</summary>
internal sealed class ConformalForecaster(ModelSpec baseSpec, ConformalMethod method, ConformalOptions options, TrainingBudget budget, int seed, RunContext context)
    : IForecaster, IDisposable
{
    const double Alpha = 0.1; // per side: P10 and P90
    public string Name { get; } = NameFor(baseSpec.Name, method);
    public FitInfo? Info { get; private set; }

    IForecaster? model;
    int horizon;
    double lower, upper; // fixed adjustments (Split: both the band half-width; Scaled: factors of each side's spread)
    double typicalLower, typicalUpper; // Scaled: median calibration spreads, for a base forecast whose band has collapsed
    double? maxAlpha = double.IsFinite(options.MaxAlpha) ? options.MaxAlpha : null; // ACI bound; null: unbounded
    List<Calibrated> calibration = [];
    DateOnly calibrationEnd;

    /// <summary>One calibration or past forecast: its origin and target dates, the base quantiles and the outcome.</summary>
    internal sealed record Calibrated(DateOnly Origin, DateOnly Target, double Q10, double Q50, double Q90, double Y);

    internal static string NameFor(string baseName, ConformalMethod m) => $"{baseName}+{m.ToString().ToLowerInvariant()}";

    /// <summary>Adjustments in effect after fitting (lower: subtracted from P10; upper: added to P90).</summary>
    public (double Lower, double Upper) Adjustments => (lower, upper);

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        if (options.MinCalibration < 20) throw new ArgumentOutOfRangeException(nameof(options), options.MinCalibration, $"{Name}: MinCalibration must be ≥ 20.");
        if (options.CalibrationRows < options.MinCalibration) throw new ArgumentOutOfRangeException(nameof(options), options.CalibrationRows, $"{Name}: CalibrationRows must be ≥ MinCalibration ({options.MinCalibration}).");
        var rows = trainRows.Where(r => frame.TargetRow(r, horizon) >= 0).Distinct().Order().ToArray();
        var nCal = Math.Min(options.CalibrationRows, rows.Length / 2);
        var cal = rows.Length == 0 ? [] : rows[^nCal..];
        var head = cal.Length == 0 ? rows : rows.Where(r => r + horizon < cal[0]).ToArray();
        if (cal.Length < options.MinCalibration && method != ConformalMethod.Oos)
            throw new ArgumentException($"{Name} h={horizon}: {cal.Length} calibration outcomes " +
                (rows.Length == 0 ? "(no training row has a target)" : $"({frame.Dates[rows[0]]:yyyy-MM-dd} … {frame.Dates[rows[^1]]:yyyy-MM-dd})") +
                $", need at least {options.MinCalibration}: the calibration set is empty or too small.", nameof(trainRows));
        (model as IDisposable)?.Dispose();
        model = baseSpec.Create(context.TunedFor(baseSpec, horizon), budget, seed, context);
        if (method == ConformalMethod.Oos) { FitOutOfSample(frame, rows, horizon); return; }
        model.Fit(frame, head, horizon);
        this.horizon = horizon;
        var f = model.Predict(frame, cal);
        calibration = cal.Select((r, i) => (r, f[i])).Where(x => !x.Item2.IsAbstention)
            .Select(x => { var q = x.Item2.Repaired().Ordered; return new Calibrated(frame.Dates[x.r], frame.Dates[x.r + horizon], q.Q10, q.Q50, q.Q90, frame.Target(x.r, horizon)); })
            .ToList();
        if (calibration.Count < options.MinCalibration)
            throw new ArgumentException($"{Name} h={horizon}: the base model abstained on the calibration set ({calibration.Count} usable outcomes).", nameof(trainRows));
        calibrationEnd = frame.Dates[cal[^1]];
        (typicalLower, typicalUpper) = TypicalSpreads(calibration);
        switch (method)
        {
            case ConformalMethod.Split: (lower, upper) = Twice(ConformalQuantile(calibration.Select(c => Math.Abs(c.Y - c.Q50)), 0.8)); break;
            case ConformalMethod.Scaled: ScaleBy(calibration); break;
            default:
                (lower, upper) = (ConformalQuantile(calibration.Select(c => c.Q10 - c.Y), 1 - Alpha), ConformalQuantile(calibration.Select(c => c.Y - c.Q90), 1 - Alpha));
                break;
        }
        Info = InfoFor(frame, rows, $"{calibration[0].Origin:yyyy-MM-dd} … {calibrationEnd:yyyy-MM-dd} ({calibration.Count} outcomes)");
    }

    /// <summary>Median spread of each side over <paramref name="cal"/>: what a base band that has collapsed to its median
    /// is scaled by instead.</summary>
    static (double Lower, double Upper) TypicalSpreads(IReadOnlyList<Calibrated> cal) =>
        (cal.Select(c => c.Q50 - c.Q10).Where(double.IsFinite).Median(), cal.Select(c => c.Q90 - c.Q50).Where(double.IsFinite).Median());

    /// <summary>Conformal scaling factors of each side from <paramref name="cal"/>: the (1 − α) conformal quantile of the
    /// outcome's distance beyond P50 in units of that side's spread (the typical spreads set first).</summary>
    void ScaleBy(IReadOnlyList<Calibrated> cal)
    {
        lower = ConformalQuantile(cal.Select(c => (c.Q50 - c.Y) / Spread(c.Q50 - c.Q10, typicalLower)), 1 - Alpha);
        upper = ConformalQuantile(cal.Select(c => (c.Y - c.Q50) / Spread(c.Q90 - c.Q50, typicalUpper)), 1 - Alpha);
    }

    FitInfo InfoFor(Frame frame, int[] rows, string calibrationText)
    {
        var parameters = new Dictionary<string, string>
        {
            ["base"] = baseSpec.Name, ["method"] = method.ToString(), ["calibration"] = calibrationText,
            ["base_fit"] = $"{model!.Info!.TrainStart:yyyy-MM-dd} … {model.Info.TrainEnd:yyyy-MM-dd}",
            ["adjust_lower"] = lower.ToString("G6", CultureInfo.InvariantCulture), ["adjust_upper"] = upper.ToString("G6", CultureInfo.InvariantCulture),
            ["gamma"] = method == ConformalMethod.Aci ? options.Gamma.ToString("G4", CultureInfo.InvariantCulture) : "",
        };
        // Only a bounded ACI records its bound, so every other fit record (and version) is what it was before the option.
        if (method == ConformalMethod.Aci && maxAlpha is { } cap) parameters["max_alpha"] = cap.ToString("G4", CultureInfo.InvariantCulture);
        return new(Name, horizon, frame.Dates[rows[0]], frame.Dates[rows[^1]], rows.Length, frame.FeatureHash, parameters, seed);
    }

    static (double, double) Twice(double x) => (x, x);

    /// <summary><see cref="ConformalMethod.Oos"/>: the base on every training row, scaled by its scored out-of-sample forecasts.</summary>
    void FitOutOfSample(Frame frame, int[] rows, int horizon)
    {
        if (rows.Length == 0) throw new ArgumentException($"{Name} h={horizon}: no training row has a target.", nameof(rows));
        model!.Fit(frame, rows, horizon);
        this.horizon = horizon;
        var cutoff = Backtest.KnownBy(frame, rows[^1], horizon);
        calibration = context.ScoredHistory.Where(r => r.Model == baseSpec.Name && r.Horizon == horizon && Validation.Splits.IsValidationOrHistory(r.Split) && r.TargetDate <= cutoff)
            .OrderBy(r => r.OriginDate).TakeLast(options.CalibrationRows)
            .Select(r => new Calibrated(r.OriginDate, r.TargetDate, r.Q10, r.Q50, r.Q90, r.Y)).ToList();
        string what;
        if (calibration.Count < options.MinCalibration)
        {
            (lower, upper, typicalLower, typicalUpper) = (1, 1, 0, 0);
            calibrationEnd = DateOnly.MinValue;
            what = $"none: {calibration.Count} scored out-of-sample forecasts of {baseSpec.Name} by {cutoff:yyyy-MM-dd}, need {options.MinCalibration}; the base's bands unchanged";
        }
        else
        {
            calibrationEnd = calibration[^1].Origin;
            (typicalLower, typicalUpper) = TypicalSpreads(calibration);
            ScaleBy(calibration);
            what = $"{calibration[0].Origin:yyyy-MM-dd} … {calibrationEnd:yyyy-MM-dd} ({calibration.Count} scored out-of-sample forecasts of {baseSpec.Name})";
        }
        Info = InfoFor(frame, rows, what);
    }

    /// <summary>A side's spread, or the calibration set's median spread where the base band has collapsed to its median
    /// (a zero spread would make the score infinite and the band zero-width).</summary>
    static double Spread(double d, double typical) => d > 1e-12 ? d : typical > 1e-12 ? typical : 1e-12;

    /// <summary>The ⌈level·(n + 1)⌉-th smallest score (finite-sample conformal quantile, Lei et al. 2018, Lemma 2).</summary>
    /// <exception cref="ArgumentException">no finite score, or ⌈level·(n + 1)⌉ &gt; n: the quantile is infinite (the band
    /// would be unbounded), which is refused rather than clamped to the largest score (MAPIE refuses the same way).</exception>
    internal static double ConformalQuantile(IEnumerable<double> scores, double level)
    {
        var s = scores.Where(double.IsFinite).Order().ToArray();
        if (s.Length == 0) throw new ArgumentException("no conformity scores.");
        var k = (int)Math.Ceiling(level * (s.Length + 1));
        if (k > s.Length)
            throw new ArgumentException($"{s.Length} conformity scores are too few for a level-{level:G3} conformal quantile " +
                                        $"(rank ⌈{level:G3}·{s.Length + 1}⌉ = {k} > {s.Length}): the band would be unbounded.");
        return s[Math.Max(k, 1) - 1];
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        var m = model ?? throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var raw = m.Predict(frame, originRows);
        if (method is ConformalMethod.Scaled or ConformalMethod.Oos)
            return raw.Select(q => q.IsAbstention ? q : Scale(q.Repaired().Ordered)).ToArray();
        if (method != ConformalMethod.Aci)
            return raw.Select(q => q.IsAbstention ? q : Adjust(q.Repaired().Ordered, lower, upper)).ToArray();
        return PredictAdaptive(frame, originRows, raw);
    }

    // A calibration may narrow a side past the median (an adjustment or factor below zero); the band then stops at P50, so
    // the median stays the base's (sorting the three afterwards would move it) and a side never crosses it.
    static QuantileForecast Adjust(QuantileForecast q, double lo, double hi) => new(Math.Min(q.Q10 - lo, q.Q50), q.Q50, Math.Max(q.Q90 + hi, q.Q50));

    QuantileForecast Scale(QuantileForecast q) =>
        new(q.Q50 - Math.Max(lower, 0) * Spread(q.Q50 - q.Q10, typicalLower), q.Q50, q.Q50 + Math.Max(upper, 0) * Spread(q.Q90 - q.Q50, typicalUpper));

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
                aLo = Bounded(aLo + options.Gamma * (Alpha - (y < p.Band.Q10 ? 1 : 0)));
                aHi = Bounded(aHi + options.Gamma * (Alpha - (y > p.Band.Q90 ? 1 : 0)));
                lowScores.Add(p.Base.Q10 - y);
                highScores.Add(y - p.Base.Q90);
                pending.Remove(p);
            }
            if (basePath[i].IsAbstention) { band[o] = basePath[i]; continue; }
            var q = basePath[i].Repaired().Ordered;
            var b = Adjust(q, Level(lowScores, aLo), Level(highScores, aHi));
            band[o] = b;
            var t = frame.TargetRow(o, horizon);
            if (t >= 0) pending.Add((t, o, q, b));
        }
        return originRows.Select((o, i) => band.TryGetValue(o, out var b) ? b
            : raw[i].IsAbstention ? raw[i] : Adjust(raw[i].Repaired().Ordered, Level(lowScores, Alpha), Level(highScores, Alpha))).ToArray();
    }

    /// <summary>αₜ kept in [0, <see cref="ConformalOptions.MaxAlpha"/>] when that is finite; unbounded otherwise (and in
    /// every state saved without a bound, so a saved version reproduces its forecasts).</summary>
    double Bounded(double alpha) => maxAlpha is { } cap ? Math.Clamp(alpha, 0, cap) : alpha;

    /// <summary>The adjustment for a side at adaptive miscoverage level α: the conformal (1 − α) quantile of the scores,
    /// the largest score when α ≤ 0 or when the rank exceeds the window (ACI's infinite band is capped at the widest seen,
    /// as Gibbs &amp; Candès 2021 §2 allow for a bounded score), the smallest when α ≥ 1.</summary>
    double Level(List<double> scores, double alpha)
    {
        IEnumerable<double> s = options.Window > 0 && scores.Count > options.Window ? scores.Skip(scores.Count - options.Window) : scores;
        if (alpha <= 0) return s.Max();
        if (alpha >= 1) return s.Min();
        var a = s.Where(double.IsFinite).Order().ToArray();
        return a[Math.Clamp((int)Math.Ceiling((1 - alpha) * (a.Length + 1)), 1, a.Length) - 1];
    }

    sealed record State(string Base, ConformalMethod Method, int Horizon, double Lower, double Upper, DateOnly CalibrationEnd,
        List<Calibrated> Calibration, FitInfo Info, double TypicalLower = 0, double TypicalUpper = 0,
        // Written only when set, so an unbounded model's state (and version) is what it was before the option existed.
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] double? MaxAlpha = null);

    public void Save(string directory)
    {
        var m = model ?? throw new InvalidOperationException($"{Name}: Save before Fit.");
        m.Save(Path.Combine(directory, "base"));
        ModelFiles.Write(directory, "state.json", new State(baseSpec.Name, method, horizon, lower, upper, calibrationEnd, calibration, Info!, typicalLower, typicalUpper,
            method == ConformalMethod.Aci ? maxAlpha : null));
    }

    internal static ConformalForecaster Load(string directory, ModelSpec baseSpec, ConformalMethod method, ConformalOptions options)
    {
        var s = ModelFiles.Read<State>(directory, "state.json", NameFor(baseSpec.Name, method));
        if (s.Base != baseSpec.Name || s.Method != method)
            throw new InvalidDataException($"{directory}: a saved {NameFor(s.Base, s.Method)} model, not {NameFor(baseSpec.Name, method)}.");
        return new ConformalForecaster(baseSpec, method, options, TrainingBudget.Default, s.Info.Seed, RunContext.Detached(RunProfile.Smoke))
        {
            typicalLower = s.TypicalLower, typicalUpper = s.TypicalUpper, maxAlpha = s.MaxAlpha,
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
    /// head of each training window and calibrates its P10/P90 on the tail (<see cref="ConformalMethod.Oos"/>: fits it on
    /// every training row and calibrates on its scored out-of-sample forecasts from the run context); register it with
    /// <see cref="ModelCatalog.Register"/> to backtest, save and compare it like any model.</summary>
    public static ModelSpec Wrap(ModelSpec baseSpec, ConformalMethod method, ConformalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseSpec);
        var o = options ?? new ConformalOptions();
        return new ModelSpec
        {
            Name = ConformalForecaster.NameFor(baseSpec.Name, method),
            Description = $"{baseSpec.Name} with {method switch { ConformalMethod.Split => "split conformal (residuals)", ConformalMethod.Cqr => "conformalised quantile regression", ConformalMethod.Scaled => "conformal scaling of its own spread", ConformalMethod.Oos => "conformal scaling on its own scored out-of-sample forecasts", _ => "adaptive conformal inference on CQR scores" }} bands",
            Inputs = baseSpec.Inputs,
            MissingInputs = baseSpec.MissingInputs,
            Expensive = baseSpec.Expensive,
            ThreadsPerFit = baseSpec.ThreadsPerFit,
            SerialFits = baseSpec.SerialFits,
            Factory = (_, budget, seed, context) => new ConformalForecaster(baseSpec, method, o, budget, seed, context),
            Loader = dir => ConformalForecaster.Load(dir, baseSpec, method, o),
        };
    }
}

/// <summary>The ensemble and the conformal wrappers in the catalogue.</summary>
internal sealed class EnsembleModels : IModelProvider
{
    public int Order => 100;

    /// <summary>Bases whose calibrated variants are registered: the ensemble and LightGBM (CQR, scaling, ACI, out-of-sample
    /// scaling; LightGBM also split), the random walk with GARCH bands (scaling, ACI, out-of-sample scaling: the no-skill
    /// release's candidates) and GARCH (scaling, out-of-sample scaling).</summary>
    public IEnumerable<ModelSpec> Specs()
    {
        var ensemble = new ModelSpec
        {
            Name = EnsembleForecaster.ModelName,
            Description = "quantile averaging of the best 3 models by scored validation history; equal, best-single, shrunk pinball-optimal or regime-aware weights by nested comparison; the prior rw_garch below 250 scored rows",
            Inputs = ModelInputs.Features,
            MissingInputs = MissingInputRule.DropAbstainingMembers,
            Factory = (_, budget, seed, context) => new EnsembleForecaster(new EnsembleOptions(), budget, seed, context),
            Loader = dir => EnsembleForecaster.Load(dir, new EnsembleOptions()),
            ExtraBenchmarks = (dev, _, _, repeats, context) => [InferenceBenchmark(dev, repeats, context)],
        };
        yield return ensemble;
        var lgbm = ModelCatalog.All.FirstOrDefault(s => s.Name == Models.LightGbm.LightGbmSpec.Name);
        if (lgbm != null)
            foreach (var m in new[] { ConformalMethod.Split, ConformalMethod.Cqr, ConformalMethod.Scaled, ConformalMethod.Aci, ConformalMethod.Oos })
                yield return Conformal.Wrap(lgbm, m);
        foreach (var m in new[] { ConformalMethod.Cqr, ConformalMethod.Scaled, ConformalMethod.Aci, ConformalMethod.Oos })
            yield return Conformal.Wrap(ensemble, m);
        foreach (var name in new[] { BaselineSpecs.RandomWalkGarchName, "garch_n" })
            if (ModelCatalog.All.FirstOrDefault(s => s.Name == name) is { } b)
                foreach (var m in new[] { ConformalMethod.Scaled, ConformalMethod.Aci, ConformalMethod.Oos })
                    if (m != ConformalMethod.Aci || name == BaselineSpecs.RandomWalkGarchName)
                        yield return Conformal.Wrap(b, m);
    }

    /// <summary>Inference of the ensemble for every horizon at one origin (the latest development row), members fitted
    /// once beforehand from the run's scored history: median of repeated runs; the goal is ≤ 10 ms.</summary>
    static string InferenceBenchmark(Models.Frame dev, int repeats, RunContext context)
    {
        var spec = ModelCatalog.Get(EnsembleForecaster.ModelName);
        var models = RunProfile.AllHorizons.Select(h => ModelSearch.FitLatest(spec, dev, h, null, context)).ToList();
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
                ["work"] = $"Predict of the fitted ensemble at one origin ({dev.Dates[last]:yyyy-MM-dd}) for horizons {string.Join(",", RunProfile.AllHorizons)} (profile {context.Profile.Name})",
                ["members"] = string.Join(" | ", models.Select(m => $"h{m.Info!.Horizon}: {m.Info.Parameters["members"]}")),
                ["goal"] = "≤ 10 ms",
            });
            return name;
        }
        finally { foreach (var m in models) (m as IDisposable)?.Dispose(); }
    }
}
