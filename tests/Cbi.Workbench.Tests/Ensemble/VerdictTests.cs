using System.Text.RegularExpressions;
using Cbi.Workbench.Ensemble;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;
using MathNet.Numerics.Distributions;
using static Cbi.Workbench.Tests.Models.ConstructedSeries;

namespace Cbi.Workbench.Tests.Ensemble;

/// <summary>The ensemble on an in-memory scored history (constructed forecasts with known quality): what it adopts, from
/// how much history, and that it never sees a scored row beyond its fold.</summary>
public class EnsembleHistoryTests
{
    static readonly Frame F = Cycle(1200);
    const int H = 1;

    /// <summary>Validation rows of one model at every origin in [from, to): outcomes y ~ N(0, 0.01²) (seeded, shared by
    /// every model); a model's P50 is y plus its own error of sd <paramref name="errorSd"/> (seeded per model), its band
    /// ±1.28 × √(0.01² + s²) with s = <paramref name="bandErrorSd"/> (default the true error sd). The first
    /// <paramref name="luckyRows"/> rows have a tenth of the error (luck).</summary>
    internal static List<PredictionRow> Rows(string model, int from, int to, double errorSd, int seed, int luckyRows = 0, int foldSize = 100, double? bandErrorSd = null)
    {
        var outcomes = new Random(1);
        var errors = new Random(seed);
        var list = new List<PredictionRow>();
        var s = bandErrorSd ?? errorSd;
        var half = 1.2816 * Math.Sqrt(0.01 * 0.01 + s * s);
        for (var t = 0; t < to; t++)
        {
            var y = Normal.Sample(outcomes, 0, 0.01);
            var e = Normal.Sample(errors, 0, errorSd);
            if (t < from) continue;
            var p50 = y + (t - from < luckyRows ? 0.1 * e : e);
            list.Add(new PredictionRow(model, H, F.Dates[t], F.Dates[t + H], y, p50 - half, p50, p50 + half, (t - from) / foldSize, "validation"));
        }
        return list;
    }

    /// <summary>Three sound models (error sd 0.004–0.005) and a poor, overconfident one (error sd 0.02, band sized for 0.002)
    /// that, like the seasonal naive in January–May 2020, scored best on the first 100 rows by luck.</summary>
    static List<PredictionRow> History(int rows) =>
        [.. Rows("rw", 300, 300 + rows, 0.005, 11), .. Rows("mean", 300, 300 + rows, 0.0045, 12), .. Rows("ets", 300, 300 + rows, 0.004, 13),
         .. Rows("snaive", 300, 300 + rows, 0.02, 14, luckyRows: 100, bandErrorSd: 0.002)];

    [Fact]
    public void a_poor_model_that_scored_best_by_luck_on_a_short_history_is_not_adopted()
    {
        var history = History(102);
        var luckyBest = history.GroupBy(r => r.Model).MinBy(g => g.Average(r => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90)))!.Key;
        Assert.Equal("snaive", luckyBest); // the constructed luck is real: on these 102 rows it is the best
        var plan = EnsemblePlan.Learn(history, F, H, F.Dates[^1], new EnsembleOptions());
        Assert.Equal(["rw_garch"], plan.Members);
        Assert.Equal("prior", plan.Method);
        Assert.Contains("no candidate has 250 scored validation rows", plan.Reason);
    }

    [Fact]
    public void with_a_year_of_history_the_lucky_model_gets_no_weight()
    {
        var plan = EnsemblePlan.Learn(History(600), F, H, F.Dates[^1], new EnsembleOptions());
        Assert.DoesNotContain("snaive", plan.Members);
        Assert.Equal(3, plan.Members.Count);
        Assert.NotEmpty(plan.Comparison);
        Assert.Equal(plan.Comparison.MinBy(c => c.QuantileScore)!.Method, plan.Method);
    }

    [Fact]
    public void the_ensemble_model_fitted_from_an_in_memory_context_follows_its_plan()
    {
        var context = RunContext.Detached(RunProfile.Smoke) with { ScoredHistory = History(600) };
        using var e = (EnsembleForecaster)ModelCatalog.Get("ensemble").Create(context: context);
        e.Fit(F, Range(0, 950), H);
        Assert.Equal(e.Plan!.Members, e.Members.Select(m => m.Name).ToArray());
        Assert.DoesNotContain("snaive", e.Info!.Parameters["members"]);
        Assert.Equal(e.Plan.Method, e.Info.Parameters["method"]);
        Assert.Equal("600", e.Info.Parameters["history_rows"]);
    }

    [Fact]
    public void a_model_never_receives_a_scored_row_whose_outcome_is_after_its_fold_cutoff()
    {
        // A probe records the latest target date in the context it is handed; history and validation rows run past the folds.
        var history = History(600).Select((r, i) => i % 2 == 0 ? r with { Split = Splits.HistorySplit } : r).ToList();
        // Folds are fitted side by side, so the probes report in either order (and from two threads).
        var seen = new System.Collections.Concurrent.ConcurrentBag<DateOnly>();
        var probe = new ModelSpec
        {
            Name = "probe", Description = "test", Inputs = ModelInputs.Prices, MissingInputs = MissingInputRule.NotRead,
            Factory = (_, _, _, c) => new ContextProbe(c, seen.Add), Loader = _ => throw new NotSupportedException(),
        };
        var folds = new[] { new Fold(0, H, Range(0, 398), Range(400, 500), "validation"), new Fold(1, H, Range(0, 698), Range(700, 800), "validation") };
        Backtest.Run(probe, F, folds, [H], progress: false, context: RunContext.Detached(RunProfile.Smoke) with { ScoredHistory = history });
        // Each fold's model saw exactly the rows scored by its own cutoff: the two cutoffs differ, so each was seen once.
        Assert.Equal([Backtest.FoldCutoff(F, folds[0]), Backtest.FoldCutoff(F, folds[1])], seen.Order().ToArray());
    }

    /// <summary>Forecasts 0 ± 1 %; reports the latest scored target date in its context when created.</summary>
    sealed class ContextProbe : IForecaster
    {
        public ContextProbe(RunContext c, Action<DateOnly> report) => report(c.ScoredHistory.Count == 0 ? DateOnly.MinValue : c.ScoredHistory.Max(r => r.TargetDate));
        public string Name => "probe";
        public FitInfo? Info { get; private set; }
        public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon) =>
            Info = new FitInfo(Name, horizon, frame.Dates[trainRows[0]], frame.Dates[trainRows[^1]], trainRows.Count, "none", new Dictionary<string, string>(), 0);
        public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows) => originRows.Select(_ => new QuantileForecast(-0.01, 0, 0.01)).ToArray();
        public void Save(string directory) => throw new NotSupportedException();
    }

    [Fact]
    public void members_scored_over_different_periods_are_ranked_against_the_random_walk_on_their_own_origins()
    {
        // "calm" is scored only over a quiet stretch (small absolute scores), "busy" over everything; relative to the random
        // walk on the same origins "busy" is the better model, although its mean score is larger.
        var rows = new List<PredictionRow>();
        var rng = new Random(3);
        for (var t = 300; t < 900; t++)
        {
            var sd = t < 600 ? 0.005 : 0.03;
            var y = Normal.Sample(rng, 0, sd);
            PredictionRow Row(string m, double err, double width) => new(m, H, F.Dates[t], F.Dates[t + H], y, y + err - width * sd, y + err, y + err + width * sd, t / 100, "validation");
            rows.Add(Row("rw", sd, 1.28));
            rows.Add(Row("busy", 0.2 * sd, 1.28));
            if (t < 600) rows.Add(Row("calm", 0.8 * sd, 1.28));
        }
        var ranked = EnsemblePlan.RankMembers(rows, new EnsembleOptions(MaxMembers: 2));
        Assert.Equal("busy", ranked[0]);
    }

    [Fact]
    public void a_shrinkage_grid_outside_zero_to_one_or_out_of_order_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new EnsembleOptions(Shrinkage: [0.5, 1.5]).ShrinkageGrid);
        Assert.Throws<ArgumentException>(() => new EnsembleOptions(Shrinkage: [0.75, 0.25]).ShrinkageGrid);
        Assert.Throws<ArgumentException>(() => new EnsembleOptions(Shrinkage: [0.25, 0.251]).ShrinkageGrid);
        Assert.Equal([0.25, 0.5, 0.75, 1.0], new EnsembleOptions().ShrinkageGrid);
    }

    [Fact]
    public void the_walk_forward_engine_hands_each_fold_only_the_outcomes_known_before_it()
    {
        // Scored rows over origins 300–900; the fold starting at 600 may learn only from targets ≤ its cutoff.
        var history = History(600);
        var fold = new Fold(0, H, Range(0, 598), Range(600, 650), "validation");
        var run = Backtest.Run(ModelCatalog.Get("ensemble"), F, [fold], [H], progress: false, context: RunContext.Detached(RunProfile.Smoke) with { ScoredHistory = history });
        var info = Assert.Single(run.Fits).Info;
        var cutoff = Backtest.FoldCutoff(F, fold);
        Assert.Equal(cutoff.ToString("yyyy-MM-dd"), info.Parameters["history_cutoff"]);
        var known = history.Where(r => r.TargetDate <= cutoff).Select(r => r.OriginDate).Distinct().Count();
        Assert.Equal(known.ToString(), info.Parameters["history_rows"]);
        Assert.True(known < 300);
    }
}

/// <summary>The release rule on constructed validation rows with known answers.</summary>
public class ReleaseRuleTests
{
    static readonly Frame F = Cycle(1200);

    static List<PredictionRow> Rows(string model, int h, Func<int, double, (double, double, double)> q)
    {
        var rng = new Random(7);
        var list = new List<PredictionRow>();
        for (var t = 200; t < 900; t++)
        {
            var y = Normal.Sample(rng, 0, 0.02);
            var (a, b, c) = q(t, y);
            list.Add(new PredictionRow(model, h, F.Dates[t], F.Dates[t + h], y, a, b, c, (t - 200) / 100, "validation"));
        }
        return list;
    }

    // The random walk with a too-narrow band (covers ≈ 50 %), the random walk with a calibrated band (≈ 80 %), a model with
    // a real edge (knows 60 % of the outcome, calibrated band), its calibrated variant that is wider than needed, and a
    // model worse than the random walk.
    static List<PredictionRow> Table(double rwHalfWidth = 0.0135, double rwGarchHalfWidth = 0.0256) =>
    [
        .. Rows("rw", 5, (_, _) => (-rwHalfWidth, 0, rwHalfWidth)),
        .. Rows("rw_garch", 5, (_, _) => (-rwGarchHalfWidth, 0, rwGarchHalfWidth)),
        .. Rows("lgbm", 5, (_, y) => (0.6 * y - 0.01025, 0.6 * y, 0.6 * y + 0.01025)),
        .. Rows("lgbm+cqr", 5, (_, y) => (0.6 * y - 0.04, 0.6 * y, 0.6 * y + 0.04)),
        .. Rows("snaive", 5, (t, _) => (0.03 * Math.Sin(t) - 0.0256, 0.03 * Math.Sin(t), 0.03 * Math.Sin(t) + 0.0256)),
    ];

    static readonly int[] AllFolds = [0, 1, 2, 3, 4, 5, 6];
    static readonly ReleaseOptions Quick = new(Bootstraps: 200);

    [Fact]
    public void a_calibrated_variant_worse_than_its_base_is_not_eligible()
    {
        var card = Release.Choose(Table(), [5], AllFolds, Quick).Single();
        var cqr = card.Candidates.Single(c => c.Model == "lgbm+cqr");
        Assert.False(cqr.Eligible);
        Assert.StartsWith("not better than its base lgbm", cqr.Note);
    }

    [Fact]
    public void a_calibrated_model_with_a_real_edge_is_released_with_skill()
    {
        var card = Release.Choose(Table(), [5], AllFolds, Quick).Single();
        Assert.Equal("lgbm", card.Model);
        Assert.True(card.Skill);
        Assert.True(card.SpaPValue < 0.05);
        Assert.InRange(card.Coverage80, 0.77, 0.83);
    }

    [Fact]
    public void a_random_walk_median_with_better_bands_is_released_as_skill_in_the_bands_only()
    {
        var card = Release.Choose(Table().Where(r => !r.Model.StartsWith("lgbm")).ToList(), [5], AllFolds, Quick).Single();
        Assert.Equal("rw_garch", card.Model);
        Assert.True(card.Skill);
        Assert.Contains("its median is the random walk's", card.Reason);
    }

    [Fact]
    public void without_a_skilled_candidate_the_release_is_the_calibrated_random_walk_distribution_and_says_no_skill()
    {
        // The random walk's band is calibrated; rw_garch's is a little too wide (worse than the random walk), snaive is poor.
        var table = Table(rwHalfWidth: 0.0256, rwGarchHalfWidth: 0.0275).Where(r => !r.Model.StartsWith("lgbm")).ToList();
        var card = Release.Choose(table, [5], AllFolds, Quick).Single();
        Assert.False(card.Skill);
        Assert.Equal("rw", card.Model);
        Assert.StartsWith("no skill", card.Reason);
        Assert.InRange(card.Coverage80, 0.77, 0.83);
        Assert.All(card.Candidates.Where(c => c.Model != "rw"), c => Assert.True(c.SkillVsRw < 0 || !c.Calibrated));
    }

    [Fact]
    public void an_uncalibrated_release_says_how_far_its_coverage_is_from_nominal_and_on_which_side_it_misses()
    {
        // Only the random walk with a band too narrow for N(0, 0.02²) outcomes (±0.0135 covers ≈ 50 %, missing both sides
        // equally), and the same band shifted down by 0.01 (misses mostly above P90, as a median that lags a rally does).
        var shifted = Rows("rw", 5, (_, _) => (-0.0235, -0.01, 0.0035)).Select(r => r with { Model = "rw_low" });
        var card = Release.Choose([.. Rows("rw", 5, (_, _) => (-0.0135, 0, 0.0135)), .. shifted], [5], AllFolds, Quick).Single();
        Assert.Equal("rw", card.Model);
        var rows = Rows("rw", 5, (_, _) => (-0.0135, 0, 0.0135));
        Assert.Equal(rows.Average(r => r.Y < r.Q10 ? 1.0 : 0), card.BelowP10, 12);
        Assert.Equal(rows.Average(r => r.Y > r.Q90 ? 1.0 : 0), card.AboveP90, 12);
        Assert.Equal(1 - card.BelowP10 - card.AboveP90, card.Coverage80, 12);
        Assert.True(card.CoveragePValue < 1e-3, $"coverage {card.Coverage80:P1}, p = {card.CoveragePValue}");
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"misses {card.BelowP10:0.0%} below P10 and {card.AboveP90:0.0%} above P90"), card.Reason);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"p = {card.CoveragePValue:G2} against 80%"), card.Reason);
        var low = card.Candidates.Single(c => c.Model == "rw_low");
        Assert.True(low.AboveP90 > 3 * low.BelowP10, $"below {low.BelowP10:P1}, above {low.AboveP90:P1}");
    }

    [Fact]
    public void coverage_is_untestable_where_the_release_folds_hold_fewer_than_ten_periods()
    {
        // Both random-walk bands too narrow, so the release is uncalibrated and its reason carries the diagnosis.
        var table = Table(rwHalfWidth: 0.0135, rwGarchHalfWidth: 0.0135).Select(r => r with { Horizon = 126, TargetDate = F.Dates[F.RowOf(r.OriginDate) + 126] }).ToList();
        var card = Release.Choose(table, [126], AllFolds, Quick).Single();
        Assert.All(card.Candidates, c => Assert.True(double.IsNaN(c.CoveragePValue)));
        Assert.Contains("untestable: too few non-overlapping periods", card.Reason);
    }

    [Fact]
    public void the_release_is_never_worse_than_the_random_walk()
    {
        foreach (var (rw, garch) in new[] { (0.0135, 0.0256), (0.0256, 0.0275), (0.03, 0.0256), (0.0256, 0.0256) })
            foreach (var withLgbm in new[] { true, false })
            {
                var card = Release.Choose(Table(rw, garch).Where(r => withLgbm || !r.Model.StartsWith("lgbm")).ToList(), [5], AllFolds, Quick).Single();
                Assert.True(card.SkillVsRw >= 0, $"{card.Model} released with skill {card.SkillVsRw} (rw ±{rw}, rw_garch ±{garch})");
            }
    }

    [Fact]
    public void only_the_release_folds_are_judged()
    {
        // lgbm forecasts only the last two folds (as a model scored on its searched folds would be): it is not ranked.
        var table = Table().Where(r => r.Model != "lgbm" || r.Fold >= 5).ToList();
        var card = Release.Choose(table, [5], [0, 1, 2, 3, 4], Quick).Single();
        Assert.DoesNotContain(card.Candidates, c => c.Model == "lgbm");
        Assert.NotEqual("lgbm", card.Model);
        Assert.All(card.Folds, f => Assert.InRange(f, 0, 4));
    }

    [Fact]
    public void skill_is_not_claimed_where_the_release_folds_hold_fewer_than_ten_non_overlapping_periods()
    {
        // The same clear edge at h = 126: 700 origins are 5.6 periods, too few for the SPA or the DM test.
        var table = Table().Select(r => r with { Horizon = 126, TargetDate = F.Dates[F.RowOf(r.OriginDate) + 126] }).ToList();
        var card = Release.Choose(table, [126], AllFolds, Quick).Single();
        Assert.False(card.Skill);
        Assert.Contains("skill cannot be tested", card.Reason);
        Assert.True(double.IsNaN(card.SpaPValue));
        Assert.True(card.Candidates.Single(c => c.Model == card.Model).NoSkillFamily);
    }

    [Fact]
    public void holdout_rows_never_enter_the_release()
    {
        // A perfect model that exists only on the holdout is not a candidate.
        var perfect = Table().Where(r => r.Model == "rw").Select(r => r with { Model = "oracle", Q10 = r.Y, Q50 = r.Y, Q90 = r.Y, Split = "holdout" });
        var card = Release.Choose(Table().Concat(perfect).ToList(), [5], AllFolds, Quick).Single();
        Assert.DoesNotContain(card.Candidates, c => c.Model == "oracle");
    }

    [Fact]
    public void the_release_folds_leave_out_the_folds_a_search_is_scored_on()
    {
        Assert.Equal([0, 1, 2, 3, 4], Release.ReleaseFolds(RunProfile.Smoke));
        Assert.Equal([0, 1, 2, 3], Release.ReleaseFolds(RunProfile.Full));
    }
}

/// <summary>Conformal settings and the scaled method (constructed i.i.d. data with known answers).</summary>
public class ConformalValidityTests
{
    [Fact]
    public void fewer_than_20_minimum_calibration_rows_is_refused()
    {
        var spec = Conformal.Wrap(ModelCatalog.Get("rw"), ConformalMethod.Cqr, new ConformalOptions(CalibrationRows: 30, MinCalibration: 6));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => spec.Create().Fit(Cycle(400), Range(0, 300), 1));
        Assert.Contains("MinCalibration must be ≥ 20", e.Message);
    }

    [Fact]
    public void a_conformal_quantile_beyond_the_sample_is_refused_not_clamped()
    {
        // n = 6 scores at level 0.9: rank ⌈0.9 · 7⌉ = 7 > 6, an unbounded band (Lei et al. 2018, Lemma 2).
        var e = Assert.Throws<ArgumentException>(() => ConformalForecaster.ConformalQuantile([1, 2, 3, 4, 5, 6], 0.9));
        Assert.Contains("the band would be unbounded", e.Message);
        Assert.Equal(19, ConformalForecaster.ConformalQuantile(Enumerable.Range(1, 20).Select(i => (double)i), 0.9)); // rank ⌈0.9·21⌉ = 19
    }

    [Theory]
    [InlineData(30)]
    [InlineData(100)]
    [InlineData(400)]
    public void split_conformal_covers_at_least_nominal_on_iid_data_for_small_n(int n)
    {
        // Exchangeable scores: P(next ≤ the ⌈0.8(n+1)⌉-th smallest) ≥ 0.8 (Vovk et al. 2005); averaged over 2,000 draws
        // the coverage must be ≥ 0.8 − 3 standard errors.
        var rng = new Random(n);
        var hits = 0; const int reps = 2000;
        for (var r = 0; r < reps; r++)
        {
            var scores = Enumerable.Range(0, n).Select(_ => Math.Abs(Normal.Sample(rng, 0, 1))).ToArray();
            if (Math.Abs(Normal.Sample(rng, 0, 1)) <= ConformalForecaster.ConformalQuantile(scores, 0.8)) hits++;
        }
        Assert.True(hits / (double)reps >= 0.8 - 3 * Math.Sqrt(0.16 / reps), $"coverage {hits / (double)reps}");
    }

    [Fact]
    public void conformal_scaling_keeps_the_base_volatility_timing_and_beats_a_constant_adjustment()
    {
        // Returns with σ alternating 0.005 and 0.03 in 20-session blocks; the base knows σ but its band is half as wide as
        // needed (±0.64σ). Scaling restores 80 % coverage and keeps the band proportional to σ; CQR adds one constant and
        // scores worse.
        var rng = new Random(5);
        var n = 3000;
        var y = new double[n];
        y[0] = Math.Log(40);
        double Sigma(int t) => (t / 20) % 2 == 0 ? 0.005 : 0.03;
        for (var t = 1; t < n; t++) y[t] = y[t - 1] + Sigma(t) * Normal.Sample(rng, 0, 1);
        var f = FromLogPrice(y);
        var band = new ModelSpec
        {
            Name = "known_sigma", Description = "test", Inputs = ModelInputs.Prices, MissingInputs = MissingInputRule.NotRead,
            Factory = (_, _, _, _) => new KnownSigma(Sigma), Loader = _ => throw new NotSupportedException(),
        };
        var origins = Range(2000, n - 1);
        (double Coverage, double Score) Judge(ConformalMethod m)
        {
            using var model = (IDisposable)Conformal.Wrap(band, m).Create();
            var fc = ((IForecaster)model);
            fc.Fit(f, Range(0, 1990), 1);
            var q = fc.Predict(f, origins);
            var pairs = origins.Select((o, i) => (Y: f.Target(o, 1), Q: q[i])).ToArray();
            return (pairs.Average(p => p.Y >= p.Q.Q10 && p.Y <= p.Q.Q90 ? 1.0 : 0), pairs.Average(p => Metrics.QuantileScore(p.Y, p.Q.Q10, p.Q.Q50, p.Q.Q90)));
        }
        var scaled = Judge(ConformalMethod.Scaled);
        var cqr = Judge(ConformalMethod.Cqr);
        Assert.InRange(scaled.Coverage, 0.76, 0.84);
        Assert.True(scaled.Score < cqr.Score, $"scaled {scaled.Score} vs cqr {cqr.Score}");
    }

    [Fact]
    public void out_of_sample_calibration_leaves_the_base_unchanged_until_it_has_enough_scored_forecasts_and_then_uses_only_known_ones()
    {
        var f = Cycle(900);
        var spec = Conformal.Wrap(ModelCatalog.Get("rw"), ConformalMethod.Oos);
        var baseModel = ModelCatalog.Get("rw").Create(); baseModel.Fit(f, Range(0, 700), 1);
        var origins = Range(702, 720);
        // 30 scored rows by the cutoff (fewer than 60): the base's bands, unchanged.
        List<PredictionRow> Scored(int from, int to, double width) => Range(from, to).Select(t =>
            new PredictionRow("rw", 1, f.Dates[t], f.Dates[t + 1], f.Target(t, 1), -width, 0, width, 0, "validation")).ToList();
        var few = spec.Create(context: RunContext.Detached(RunProfile.Smoke) with { ScoredHistory = Scored(670, 700, 0.001) });
        few.Fit(f, Range(0, 700), 1);
        Assert.Equal(baseModel.Predict(f, origins), few.Predict(f, origins));
        Assert.StartsWith("none: 30 scored", few.Info!.Parameters["calibration"]);
        // 200 scored rows with bands far too narrow, and 100 more whose outcomes are after the cutoff (ignored): wider bands.
        var many = spec.Create(context: RunContext.Detached(RunProfile.Smoke) with { ScoredHistory = [.. Scored(500, 700, 0.001), .. Scored(700, 800, 0.5)] });
        many.Fit(f, Range(0, 700), 1);
        Assert.Contains("(200 scored out-of-sample forecasts of rw)", many.Info!.Parameters["calibration"]);
        var a = baseModel.Predict(f, origins); var b = many.Predict(f, origins);
        Assert.All(a.Zip(b), p => { Assert.Equal(p.First.Q50, p.Second.Q50); Assert.True(p.Second.Q90 - p.Second.Q10 > p.First.Q90 - p.First.Q10); });
    }

    [Fact]
    public void a_calibration_that_narrows_a_side_stops_at_the_median_and_keeps_the_base_median()
    {
        // Scored forecasts whose outcomes all lie far above P50: the lower factor is negative; P10 must stop at P50.
        var f = Cycle(900);
        var scored = Range(500, 700).Select(t => new PredictionRow("rw", 1, f.Dates[t], f.Dates[t + 1], 0.05, -0.01, 0, 0.01, 0, "validation")).ToList();
        var m = Conformal.Wrap(ModelCatalog.Get("rw"), ConformalMethod.Oos).Create(context: RunContext.Detached(RunProfile.Smoke) with { ScoredHistory = scored });
        m.Fit(f, Range(0, 700), 1);
        var baseModel = ModelCatalog.Get("rw").Create(); baseModel.Fit(f, Range(0, 700), 1);
        var origins = Range(702, 720);
        Assert.All(m.Predict(f, origins).Zip(baseModel.Predict(f, origins)), p =>
        {
            Assert.Equal(p.Second.Q50, p.First.Q50);
            Assert.True(p.First.Q10 <= p.First.Q50 && p.First.Q50 <= p.First.Q90);
        });
    }

    /// <summary>P50 = 0, P10/P90 = ∓0.64σₜ₊₁ with the true σ of the next session (half the width an 80 % band needs).</summary>
    sealed class KnownSigma(Func<int, double> sigma) : IForecaster
    {
        public string Name => "known_sigma";
        public FitInfo? Info { get; private set; }
        public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon) =>
            Info = new FitInfo(Name, horizon, frame.Dates[trainRows[0]], frame.Dates[trainRows[^1]], trainRows.Count, "none", new Dictionary<string, string>(), 0);
        public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows) =>
            originRows.Select(o => new QuantileForecast(-0.64 * sigma(o + 1), 0, 0.64 * sigma(o + 1))).ToArray();
        public void Save(string directory) => throw new NotSupportedException();
    }
}

/// <summary>The science reads nothing but what it is handed: no environment variable, no active profile, no artifact path
/// under Models/, Ensemble/ and Evaluation/ outside the named entry points that store and read results for the CLI and
/// the notebooks.</summary>
public class RunContextPurityTests
{
    // Entry points: default locations of the stores the notebooks and the CLI call (each a path default, never read by a
    // model, the ensemble, a wrapper, the walk-forward engine or the release rule).
    static readonly string[] EntryPoints =
    [
        "Evaluation/PredictionStore.cs: DefaultParquetPath", "Evaluation/PredictionStore.cs: DefaultAbstentionsPath",
        "Evaluation/ForecastExport.cs: DefaultParquetPath", "Models/ModelStore.cs: DefaultRoot",
        "Evaluation/ModelSearch.cs: OutputDir", "Evaluation/ModelSearch.cs: studies.duckdb",
        "Validation/Holdout.cs: DefaultLogPath", "Validation/Holdout.cs: profile ?? Workbench.Parameter(\"profile\"",
    ];

    [Fact]
    public void no_profile_environment_or_artifact_read_remains_in_the_science()
    {
        var lib = Path.Combine(Workbench.Root, "lib", "Cbi.Workbench");
        var forbidden = new Regex(@"RunProfile\.Current|RunContext\.Current|Environment\.GetEnvironmentVariable|Workbench\.(Parameter|Profile\b|ProfileDir|ArtifactsDir)");
        var hits = new List<string>();
        foreach (var folder in new[] { "Models", "Ensemble", "Evaluation", "Validation" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(lib, folder), "*.cs", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(lib, file).Replace('\\', '/');
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (!forbidden.IsMatch(lines[i]) || lines[i].TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
                    if (EntryPoints.Any(e => e.StartsWith(rel + ":", StringComparison.Ordinal) && lines[i].Contains(e[(rel.Length + 2)..], StringComparison.Ordinal))) continue;
                    hits.Add($"{rel}:{i + 1}: {lines[i].Trim()}");
                }
            }
        Assert.Empty(hits);
    }

    [Fact]
    public void the_tuned_point_of_an_unsearched_horizon_is_the_nearest_searched_one()
    {
        var p5 = new Dictionary<string, double> { ["x"] = 5 };
        var p21 = new Dictionary<string, double> { ["x"] = 21 };
        var c = RunContext.Detached(RunProfile.Smoke) with
        {
            Tuned = new Dictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>>> { ["lgbm"] = new Dictionary<int, IReadOnlyDictionary<string, double>> { [5] = p5, [21] = p21 } },
        };
        Assert.Same(p5, c.TunedFor("lgbm", 1));
        Assert.Same(p5, c.TunedFor("lgbm", 5));
        Assert.Same(p21, c.TunedFor("lgbm", 63));
        Assert.Same(p21, c.TunedFor("lgbm", 252));
        Assert.Null(c.TunedFor("tft", 5));
    }
}
