using Cbi.Workbench.IO;
using Cbi.Workbench.Data;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Evaluation;

/// <summary>One line of the baseline comparison table shown in the notebooks.</summary>
public sealed record BaselineComparison(string Model, int Horizon, int N, double QuantileScoreSkillVsRw, double MaeSkillVsRw,
    double DmPValueVsRw, double Coverage80, double Sharpness80, double QuantileScore, double MapePrice, double DmEffectiveN, double Mase);

/// <summary>GARCH volatility forecasts against realised volatility at one horizon: QLIKE (Patton 2011) of the GARCH
/// h-day variance and of a constant (training-sample) variance, and the correlation of forecast and realised
/// volatility.</summary>
public sealed record VolatilityCheck(string Model, int Horizon, int N, double QLikeGarch, double QLikeConstant,
    double Correlation, double MeanForecastVol, double MeanRealisedVol);

/// <summary>Models side by side on the real ZL series: the price frame the baselines need, validation
/// walk-forwards of several catalogue models on the same folds, the comparison table against the random walk, and
/// the no-change reference figures.</summary>
public static class ModelComparison
{
    /// <summary>The ZL frame a model of the given inputs reads, from the warehouse (built if needed): the price
    /// frame (<see cref="PriceFrame"/>) for price-only models, the point-in-time feature table for the others.</summary>
    public static Frame FrameFor(ModelInputs inputs, string? warehousePath = null)
    {
        var wh = warehousePath ?? Warehouse.EnsureBuilt();
        return inputs == ModelInputs.Prices ? PriceFrame(Snapshot.Load(wh).Bars("ZL")) : Features.FeatureBuilder.Build(wh);
    }

    /// <summary>A frame of quoted ZL closes with no feature columns (enough for every baseline). Bars without
    /// a close are left out and reported, never filled: a trading day without a price is not a row.</summary>
    public static Frame PriceFrame(IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var kept = bars.Where(b => double.IsFinite(b.Close) && b.Close > 0).ToArray();
        if (kept.Length < bars.Count)
            Log.Progress($"[baselines] {bars.Count - kept.Length} of {bars.Count} bars have no usable close; left out.");
        if (kept.Length == 0) throw new ArgumentException("no bar has a close.", nameof(bars));
        return new Frame(kept.Select(b => b.Date).ToArray(), kept.Select(b => b.Close).ToArray(), [], [], calendar: SessionCalendar.Cbot);
    }

    /// <summary>No-change (random walk) MAPE of the price in percent, 100·mean|C[t+h] − C[t]| / C[t+h], over the
    /// given origin rows whose target lies inside the data (for the holdout, pass the rows of <c>Holdout.Read</c>).</summary>
    public static double NoChangeMape(Frame frame, IEnumerable<int> originRows, int horizon)
    {
        var actual = new List<double>();
        var forecast = new List<double>();
        foreach (var t in originRows)
        {
            var r = frame.TargetRow(t, horizon);
            if (r < 0) continue;
            actual.Add(frame.Close[r]);
            forecast.Add(frame.Close[t]);
        }
        if (actual.Count == 0) throw new ArgumentException($"no origin row has an h = {horizon} target inside the data.");
        return Metrics.Mape(actual, forecast);
    }

    /// <summary>Validation walk-forward of each model at the profile's horizons for it (every validation fold,
    /// 2020-01 → 2023-06), on the development frame (rows before the holdout), default parameters.</summary>
    public static BacktestResult RunValidation(Frame frame, IEnumerable<ModelSpec> models, RunProfile profile)
    {
        var dev = Splits.Development(frame);
        return Combine(models.Select(m =>
        {
            var hs = profile.HorizonsFor(m);
            return (m, Backtest.Run(m, dev, Backtest.ValidationFolds(dev, hs, profile.ValidationFolds), hs, budget: profile.Training, progress: false));
        }));
    }

    /// <summary>Walk-forward of each model over the given folds and horizons (default parameters).</summary>
    public static BacktestResult Run(Frame frame, IEnumerable<ModelSpec> models, IEnumerable<Fold> folds, IEnumerable<int> horizons)
    {
        var hs = horizons.ToArray();
        var foldList = folds.ToList();
        return Combine(models.Select(m => (m, Backtest.Run(m, frame, foldList, hs, progress: false))));
    }

    static BacktestResult Combine(IEnumerable<(ModelSpec Spec, BacktestResult Result)> runs)
    {
        var rows = new List<PredictionRow>();
        var abstentions = new List<Abstention>();
        int crossings = 0, noTarget = 0;
        var elapsed = TimeSpan.Zero;
        foreach (var (m, r) in runs)
        {
            rows.AddRange(r.Rows); abstentions.AddRange(r.Abstentions);
            crossings += r.QuantileCrossings; noTarget += r.OriginsWithoutTarget; elapsed += r.Elapsed;
            Log.Progress($"[models] {m.Name}: {r.Rows.Count} rows in {r.Elapsed.TotalSeconds:F1} s, {r.QuantileCrossings} crossings repaired");
        }
        return new BacktestResult(rows, crossings, noTarget, abstentions, elapsed);
    }

    /// <summary>Fits GARCH(1,1) once on the seed scheme's training rows (before 2020) of the development frame and
    /// compares its h-day volatility forecast with the realised volatility √Σr² at every validation origin.</summary>
    public static VolatilityCheck GarchVolatilityCheck(Frame frame, int horizon, bool studentT = false)
    {
        var dev = Splits.Development(frame);
        var train = Splits.TrainRows(dev, horizon);
        var origins = Splits.Validation(dev, horizon, 1).Single().ScoreRows;
        var v = BaselineSpecs.GarchVolatility(dev, train, origins, horizon, studentT);
        // The constant benchmark's variance comes from the same daily returns GARCH is fitted on (no return across
        // the 2003 hole in the data).
        var fitted = Models.Baselines.SeriesInput.UnbrokenTrainingRows("constant variance", dev, train);
        var rets = fitted.Skip(1).Where(dev.FollowsWithoutGap).Select(i => Math.Log(dev.Close[i] / dev.Close[i - 1])).ToArray();
        var m = rets.Average();
        var constVar = horizon * rets.Sum(r => (r - m) * (r - m)) / rets.Length;
        var realised = v.Select(x => x.Realised * x.Realised).ToArray();
        var fc = v.Select(x => x.Forecast * x.Forecast).ToArray();
        return new VolatilityCheck(new Models.Baselines.Garch11(studentT).Name, horizon, v.Count,
            Metrics.QLike(realised, fc), Metrics.QLike(realised, v.Select(_ => constVar).ToArray()),
            MathNet.Numerics.Statistics.Correlation.Pearson(v.Select(x => x.Forecast), v.Select(x => x.Realised)),
            v.Average(x => x.Forecast), v.Average(x => x.Realised));
    }

    /// <summary>The comparison table: skill over rw (three-quantile score, MAE), DM p-value vs rw, coverage, sharpness,
    /// three-quantile score (not a closed-form CRPS),
    /// price MAPE, and the non-overlapping periods behind the DM test (its p-value is NaN below
    /// <see cref="MetricsSummary.MinDmEffectiveN"/>) and MASE (NaN unless the summary had the folds) — one line per model × horizon of the given split,
    /// by horizon and best quantile score first, at full precision (a <see cref="Reporting.ResultTable"/> formats it for reading,
    /// so a p-value of 1.8e-6 never reads 0).</summary>
    public static IReadOnlyList<BaselineComparison> Compare(IReadOnlyList<SummaryRow> summary, string split = "validation") =>
        summary.Where(s => s.Split == split).OrderBy(s => s.Horizon).ThenBy(s => s.QuantileScore).ThenBy(s => s.Model, StringComparer.Ordinal)
            .Select(s => new BaselineComparison(s.Model, s.Horizon, s.N, s.QuantileScoreSkill, s.MaeSkill, s.DmPValue, s.Coverage80, s.Sharpness80,
                s.QuantileScore, s.MapePrice, s.DmEffectiveN, s.Mase))
            .ToList();

    /// <summary>Quantile-score skill against the random walk as a model × horizon matrix (one row per model, one column per
    /// horizon, best average skill first): the holdout or validation comparison at a glance.</summary>
    public static Reporting.ResultTable SkillMatrix(IReadOnlyList<BaselineComparison> comparison, string? title = null) =>
        Reporting.ResultTable.Matrix(comparison.Select(c => (c.Model, c.Horizon, c.QuantileScoreSkillVsRw)), "Model", "SkillVsRw", title);
}
