using Cbi.Workbench.Evaluation;

namespace Cbi.Workbench.Tests.Evaluation;

public class MetricsTests
{
    // Hand calculation shared by the point scores: actual (100, 110, 120), forecast (102, 105, 126),
    // errors (−2, 5, −6).
    static readonly double[] A = [100, 110, 120];
    static readonly double[] F = [102, 105, 126];

    [Fact]
    public void mae_and_rmse_match_hand_calculation()
    {
        // MAE = (2+5+6)/3 = 4.333333; RMSE = sqrt((4+25+36)/3) = sqrt(21.6667) = 4.654747.
        Assert.Equal(13.0 / 3, Metrics.Mae(A, F), 12);
        Assert.Equal(4.654746681256314, Metrics.Rmse(A, F), 12);
    }

    [Fact]
    public void mape_and_smape_are_in_percent_and_match_hand_calculation()
    {
        // MAPE = 100·(2/100 + 5/110 + 6/120)/3 = 3.848485 %.
        Assert.Equal(3.848484848484849, Metrics.Mape(A, F), 10);
        // sMAPE = 100·(4/202 + 10/215 + 12/246)/3 = 3.836470 % (Hyndman & Koehler 2006 definition).
        Assert.Equal(3.8364698636624865, Metrics.Smape(A, F), 10);
    }

    [Fact]
    public void mase_scales_by_in_sample_no_change_error()
    {
        // In-sample (1, 3, 2, 5): no-change errors 2, 1, 3 → scale 2; MASE = 4.333333/2 = 2.166667.
        Assert.Equal(13.0 / 6, Metrics.Mase(A, F, [1, 3, 2, 5]), 12);
    }

    [Fact]
    public void mase_of_constant_in_sample_series_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.Mase(A, F, [2, 2, 2]));
        Assert.Contains("constant", e.Message);
    }

    [Fact]
    public void pinball_weights_under_and_over_prediction_by_level()
    {
        // y above q: τ(y−q) = 0.9·1; y below q: (1−τ)(q−y) = 0.1·1.
        Assert.Equal(0.9, Metrics.Pinball(1, 0, 0.9), 14);
        Assert.Equal(0.1, Metrics.Pinball(-1, 0, 0.9), 14);
        Assert.Equal(0.5, Metrics.Pinball([1.0, -1.0], [0.0, 0.0], 0.5), 14);
    }

    [Fact]
    public void gaussian_crps_matches_closed_form_values()
    {
        // Gneiting et al. (2005) eq. 5. At z = 0: σ(2φ(0) − 1/√π) = 0.2336950σ.
        // At z = 1: (2Φ(1)−1) + 2φ(1) − 1/√π = 0.6826895 + 0.4839414 − 0.5641896 = 0.6024414 (hand/erf calc).
        Assert.Equal(0.23369497725510913 * 2, Metrics.CrpsGaussian(3, 3, 2), 12);
        Assert.Equal(0.6024413576276163, Metrics.CrpsGaussian(1, 0, 1), 12);
    }

    [Fact]
    public void quantile_crps_converges_to_gaussian_crps_with_many_levels()
    {
        // CRPS = 2∫ pinball_τ dτ (Laio & Tamea 2007): with 999 equally spaced levels of N(0,1) the mean of
        // 2·pinball approximates the closed form to about 1e-3 (midpoint rule error).
        var levels = Enumerable.Range(1, 999).Select(k => k / 1000.0).ToArray();
        var q = levels.Select(t => MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, t)).ToArray();
        foreach (var y in new[] { 0.0, 0.7, -2.0 })
            Assert.Equal(Metrics.CrpsGaussian(y, 0, 1), Metrics.CrpsFromQuantiles(y, levels, q), 2e-3);
    }

    [Fact]
    public void three_quantile_score_is_two_thirds_of_the_summed_pinball_losses()
    {
        // y = 0.05, (q10, q50, q90) = (−0.1, 0, 0.1): pinball₀.₁ = 0.1·0.15 = 0.015, pinball₀.₅ = 0.5·0.05 = 0.025,
        // pinball₀.₉ = (1−0.9)·0.05 = 0.005 → QS = 2·0.045/3 = 0.03. Second row y = −0.2: 0.9·0.1 = 0.09,
        // 0.5·0.2 = 0.1, 0.1·0.3 = 0.03 → 2·0.22/3 = 0.146667; mean of both = 0.088333.
        Assert.Equal(0.03, Metrics.QuantileScore(0.05, -0.1, 0, 0.1), 14);
        Assert.Equal((0.03 + 0.44 / 3) / 2, Metrics.QuantileScore([0.05, -0.2], [-0.1, -0.1], [0, 0], [0.1, 0.1]), 14);
        // It is CrpsFromQuantiles at the levels 0.1, 0.5, 0.9, and for N(0,1) quantiles at y = 0 it is far from the
        // closed-form CRPS 0.233695 (Gneiting et al. 2005 eq. 5): 2/3·(0.1·1.281552 + 0 + 0.1·1.281552) = 0.170874.
        var z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.9);
        Assert.Equal(Metrics.CrpsFromQuantiles(0, [0.1, 0.5, 0.9], [-z, 0, z]), Metrics.QuantileScore(0, -z, 0, z), 14);
        Assert.Equal(0.4 * z / 3, Metrics.QuantileScore(0, -z, 0, z), 12);
        Assert.True(Metrics.CrpsGaussian(0, 0, 1) - Metrics.QuantileScore(0, -z, 0, z) > 0.06);
    }

    [Fact]
    public void coverage_sharpness_and_interval_score()
    {
        double[] y = [-1, 0.5, 2], lo = [0, 0, 0], hi = [1, 1, 1];
        Assert.Equal(1.0 / 3, Metrics.Coverage(y, lo, hi), 14);
        Assert.Equal(1.0, Metrics.Sharpness(lo, hi), 14);
        // Gneiting & Raftery (2007) eq. 43, α = 0.2: width 1 + (2/0.2)·miss → 11, 1, 11; mean 23/3.
        Assert.Equal(11, Metrics.IntervalScore(-1, 0, 1, 0.2), 12);
        Assert.Equal(23.0 / 3, Metrics.IntervalScore(y, lo, hi, 0.2), 12);
    }

    [Fact]
    public void directional_accuracy_ignores_zero_directions()
    {
        // Pairs (1,2) hit, (−1,1) miss, (0,1) no direction, (−2,−1) hit → 2/3.
        Assert.Equal(2.0 / 3, Metrics.DirectionalAccuracy([1, -1, 0, -2], [2, 1, 1, -1]), 14);
    }

    [Fact]
    public void skill_is_one_minus_loss_ratio()
    {
        Assert.Equal(0.25, Metrics.Skill(0.75, 1.0), 14);
        Assert.Equal(-0.5, Metrics.Skill(1.5, 1.0), 14);
    }

    [Fact]
    public void diebold_mariano_one_step_matches_hand_calculation()
    {
        // d = (1, −1, 2, 0, 3): mean 1, γ0 = (0+4+1+1+4)/5 = 2, Var(d̄) = 2/5, DM = 1/√0.4 = 1.581139;
        // HLN factor √((5+1−2+0)/5) = √0.8 → 1.414214. Two-sided p from t(4): the t(4) CDF has the closed form
        // ½ + (3/8)·(t/√(1+t²/4))·(1 − t²/(12(1+t²/4))) = 0.884900 at t = √2, so p = 0.230200.
        var r = Metrics.DieboldMariano([2, 0, 3, 1, 4], [1, 1, 1, 1, 1], 1);
        Assert.Equal(Math.Sqrt(2), r.Statistic, 10);
        Assert.Equal(0.23019964108049873, r.PValue, 6);
        Assert.Equal(5, r.N);
    }

    [Fact]
    public void diebold_mariano_two_step_uses_lag_one_autocovariance()
    {
        // d = (1,2,3,1,2,3), h = 2: mean 2, γ0 = 4/6, γ1 = −1/6, LRV = γ0 + 2γ1 = 1/3, DM = 2/√(1/18) = 8.485281;
        // HLN √((6+1−4+2/6)/6) = 0.745356 → 6.324555. t(5) table (two-sided): 4.032 at 1 %, 6.869 at 0.1 %,
        // so 0.001 < p < 0.01.
        var r = Metrics.DieboldMariano([1, 2, 3, 1, 2, 3], [0, 0, 0, 0, 0, 0], 2);
        Assert.Equal(6.324555320336758, r.Statistic, 9);
        Assert.InRange(r.PValue, 0.001, 0.01);
    }

    [Fact]
    public void diebold_mariano_falls_back_to_bartlett_when_rectangular_variance_is_not_positive()
    {
        // d = (1,−1,2,0,3,1), h = 2: γ0 = 10/6, γ1 = −5/6 → rectangular LRV = 0; Bartlett LRV = 10/6 − 5/6 = 5/6.
        // DM = 1/√(5/36) = 2.683282; × HLN 0.745356 = 2.0.
        var r = Metrics.DieboldMariano([1, -1, 2, 0, 3, 1], [0, 0, 0, 0, 0, 0], 2);
        Assert.Equal(2.0, r.Statistic, 9);
    }

    [Fact]
    public void pesaran_timmermann_matches_hand_calculation()
    {
        // n = 8, hits 6 → P = 0.75; P(y>0) = P(x>0) = 5/8; P* = 0.625² + 0.375² = 0.53125;
        // V(P) = P*(1−P*)/8 = 0.0311279; V(P*) = 2·(0.25²·0.234375/8) + 4·0.625²·0.375²/64 = 0.0070953;
        // S = 0.21875/√0.0240326 = 1.411067; one-sided p = 1 − Φ(1.411067) = 0.079112.
        var r = Metrics.PesaranTimmermann([1, 1, -1, -1, 1, -1, 1, 1], [1, 1, -1, 1, 1, -1, -1, 1]);
        Assert.Equal(1.411067365901115, r.Statistic, 9);
        Assert.Equal(0.07911237569996765, r.PValue, 7);
    }

    [Fact]
    public void pesaran_timmermann_drops_zero_pairs_like_directional_accuracy()
    {
        // The hand-calculated sample above (S = 1.411067, n = 8) with three pairs added whose outcome or forecast is
        // exactly 0: they carry no direction, so the test must equal the one on the eight directional pairs.
        var r = Metrics.PesaranTimmermann([1, 0, 1, -1, -1, 1, 2, -1, 1, 1, -3], [1, 1, 1, -1, 1, 1, 0, -1, -1, 1, 0]);
        Assert.Equal(1.411067365901115, r.Statistic, 9);
        Assert.Equal(0.07911237569996765, r.PValue, 7);
        Assert.Equal(8, r.N);
        // Directional accuracy on the same pairs: 6 hits of 8 directional pairs.
        Assert.Equal(0.75, Metrics.DirectionalAccuracy([1, 0, 1, -1, -1, 1, 2, -1, 1, 1, -3], [1, 1, 1, -1, 1, 1, 0, -1, -1, 1, 0]), 14);
    }

    [Fact]
    public void a_zero_forecast_has_no_direction_so_both_scores_are_undefined()
    {
        // The random walk's P50 is exactly 0: no pair is left, so directional accuracy is NaN and PT throws.
        double[] y = [0.01, -0.02, 0.03, -0.01], zero = [0, 0, 0, 0];
        Assert.True(double.IsNaN(Metrics.DirectionalAccuracy(y, zero)));
        Assert.Throws<ArgumentException>(() => Metrics.PesaranTimmermann(y, zero));
    }

    [Fact]
    public void qlike_matches_hand_calculation_and_is_minimised_by_the_true_variance()
    {
        // Patton (2011) QLIKE in the form r/f + ln f: (r, f) = (2, 1) → 2; (0, 4) → ln 4; mean (2 + 1.386294)/2.
        Assert.Equal((2 + Math.Log(4)) / 2, Metrics.QLike([2, 0], [1, 4]), 12);
        // For a fixed realised r = 2, f = 2 scores lower than f = 1 or f = 4 (minimum at f = r).
        var at = (double f) => Metrics.QLike([2.0], [f]);
        Assert.True(at(2) < at(1) && at(2) < at(4));
    }

    [Fact]
    public void nan_and_length_mismatch_are_clear_errors()
    {
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => Metrics.Mae([1, double.NaN], [1, 2])).Message);
        Assert.Contains("lengths differ", Assert.Throws<ArgumentException>(() => Metrics.Rmse([1, 2], [1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Pinball(0, 0, 1.0));
    }

    [Fact]
    public void diebold_mariano_on_equal_losses_or_a_constant_offset_is_refused_as_zero_variance()
    {
        // R 4.2.2, forecast 8.20: dm.test(c(0.1,0.1,0.1), c(0,0,0), h = 1, power = 1) stops with "Variance of DM
        // statistic is zero". dm.test(c(0.3,0.4,0.5,0.6), c(0.2,0.3,0.4,0.5), h = 1, power = 1) returns DM = 7.2e15,
        // p < 2.2e-16 only because 0.3−0.2 and 0.4−0.3 differ in their last bits: the same constant offset, refused here too.
        foreach (var (a, b) in new (double[], double[])[]
                 {
                     ([0.1, 0.1, 0.1], [0, 0, 0]),
                     ([0.3, 0.4, 0.5, 0.6], [0.2, 0.3, 0.4, 0.5]),
                     ([1, 2, 3], [1, 2, 3]),
                 })
        {
            var e = Assert.Throws<ArgumentException>(() => Metrics.DieboldMariano(a, b, 1));
            Assert.Contains("zero", e.Message);
            Assert.Contains("constant", e.Message);
        }
        Assert.Throws<ArgumentException>(() => Metrics.DieboldMariano([0.1, 0.1, 0.1, 0.1], [0, 0, 0, 0], 2));
    }

    [Fact]
    public void coverage_test_of_overlapping_hits_matches_hand_calculation()
    {
        // Hits (1,1,0,0,1,1,0,0,1,1) against 80 %: mean 0.6, d̄ = −0.2; deviations ±(0.4, −0.6) give γ0 = 0.24 and
        // γ1 = 0.24/10 = 0.024. h = 2: LRV = γ0 + 2γ1 = 0.288, DM = −0.2/√0.0288 = −1.178511, HLN √((10+1−4+0.2)/10) = √0.72
        // → exactly −1. h = 1: DM = −0.2/√0.024 = −1.290994, HLN √0.9 → −1.224745.
        // R 4.2.2, forecast 8.20 (the same test on the same differential, digits 17):
        //   dm.test(hits, rep(0.8, 10), h = 2, power = 1) → DM −1, p 0.34343639613791355
        //   dm.test(hits, rep(0.8, 10), h = 1, power = 1) → DM −1.2247448713915892, p 0.25175947606701277
        bool[] hits = [true, true, false, false, true, true, false, false, true, true];
        var two = Metrics.CoverageTest(hits, 0.8, 2);
        Assert.Equal(-1.0, two.Statistic, 12);
        Assert.Equal(0.34343639613791355, two.PValue, 10);
        var one = Metrics.CoverageTest(hits, 0.8, 1);
        Assert.Equal(-1.2247448713915892, one.Statistic, 12);
        Assert.Equal(0.25175947606701277, one.PValue, 10);
        Assert.Equal(10, one.N);
    }

    [Fact]
    public void overlapping_outcomes_make_the_same_coverage_shortfall_weaker_evidence()
    {
        // 200 origins whose hits come in runs of 5 (as 5-day outcomes of neighbouring origins do), 70 % inside: tested as
        // independent (h = 1) the shortfall from 80 % looks significant; as 5-day outcomes it rests on about 40 periods.
        var hits = Enumerable.Range(0, 200).Select(i => i / 5 % 10 < 7).ToArray();
        Assert.Equal(0.7, hits.Average(x => x ? 1.0 : 0), 12);
        // R 4.2.2, forecast 8.20: runs <- as.numeric((0:199) %/% 5 %% 10 < 7);
        //   dm.test(runs, rep(0.8, 200), h = 1, power = 1) → DM −3.0783421635988528, p 0.0023751766687223927
        //   dm.test(runs, rep(0.8, 200), h = 5, power = 1) → DM −1.1246000833416387, p 0.26211319149891921
        var independent = Metrics.CoverageTest(hits, 0.8, 1);
        var overlapping = Metrics.CoverageTest(hits, 0.8, 5);
        Assert.Equal(-3.0783421635988528, independent.Statistic, 10);
        Assert.Equal(0.0023751766687223927, independent.PValue, 12);
        Assert.Equal(-1.1246000833416387, overlapping.Statistic, 10);
        Assert.Equal(0.26211319149891921, overlapping.PValue, 10);
    }

    [Fact]
    public void coverage_test_refuses_hits_without_variance_and_a_nominal_outside_zero_to_one()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.CoverageTest(Enumerable.Repeat(true, 30).ToArray(), 0.8, 1));
        Assert.Contains("all 30 outcomes fell inside", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.CoverageTest([true, false, true], 1.2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.CoverageTest([true, false, true], 0.8, 0));
    }

    [Fact]
    public void diebold_mariano_p_values_keep_their_digits_far_into_the_tail()
    {
        // R 4.2.2, forecast 8.20 (print digits 17):
        //   dm.test(c(5.1,4.9,5.2,4.8,5.0,5.05), rep(0,6), h = 1, power = 1) → DM 85.857142857142861, p 4.0624746947601262e-09
        //   dm.test(c(2.1,1.9,2.2,1.8,2.0,2.05,1.95,2.0,2.1,1.9,2.02,1.98), rep(0,12), h = 1, power = 1)
        //     → DM 64.785324841242925, p 1.4690359833326411e-15 (1 − CDF would keep about one digit here)
        var r = Metrics.DieboldMariano([5.1, 4.9, 5.2, 4.8, 5.0, 5.05], [0, 0, 0, 0, 0, 0], 1);
        Assert.Equal(85.857142857142861, r.Statistic, 1e-9);
        Assert.Equal(4.0624746947601262e-09, r.PValue, 4.0624746947601262e-09 * 1e-9);
        r = Metrics.DieboldMariano([2.1, 1.9, 2.2, 1.8, 2.0, 2.05, 1.95, 2.0, 2.1, 1.9, 2.02, 1.98], new double[12], 1);
        Assert.Equal(64.785324841242925, r.Statistic, 1e-9);
        Assert.Equal(1.4690359833326411e-15, r.PValue, 1.4690359833326411e-15 * 1e-9);
    }

    [Fact]
    public void tail_probabilities_come_from_survival_functions_not_one_minus_a_cdf()
    {
        // R 4.2.2: 2*pt(40, 4, lower.tail = FALSE) = 2.3340163226012694e-06; 2*pt(12, 30, lower.tail = FALSE) =
        // 5.5801854151992606e-13; pnorm(9, lower.tail = FALSE) = 1.1285884059538408e-19; pnorm(-1, lower.tail = FALSE)
        // = 0.84134474606854293. Relative tolerance 1e-10.
        static void Near(double expected, double actual) => Assert.Equal(expected, actual, Math.Abs(expected) * 1e-10);
        Near(2.3340163226012694e-06, ComparisonTests.StudentTTwoSided(40, 4));
        Near(5.5801854151992606e-13, ComparisonTests.StudentTTwoSided(12, 30));
        Near(1.1285884059538408e-19, ComparisonTests.NormalUpperTail(9));
        Near(0.84134474606854293, ComparisonTests.NormalUpperTail(-1));
        Assert.Equal(1.0, ComparisonTests.StudentTTwoSided(0, 5));
    }

    [Fact]
    public void nan_propagates_through_every_scalar_score()
    {
        var nan = double.NaN;
        Assert.True(double.IsNaN(Metrics.IntervalScore(nan, -1, 1, 0.2)));
        Assert.True(double.IsNaN(Metrics.IntervalScore(0, nan, 1, 0.2)));
        Assert.True(double.IsNaN(Metrics.IntervalScore(0, -1, nan, 0.2)));
        Assert.True(double.IsNaN(Metrics.Pinball(nan, 0, 0.5)));
        Assert.True(double.IsNaN(Metrics.Pinball(0, nan, 0.5)));
        Assert.True(double.IsNaN(Metrics.QuantileScore(nan, -1, 0, 1)));
        Assert.True(double.IsNaN(Metrics.QuantileScore(0, -1, nan, 1)));
        Assert.True(double.IsNaN(Metrics.CrpsFromQuantiles(nan, [0.1, 0.9], [-1, 1])));
        Assert.True(double.IsNaN(Metrics.CrpsGaussian(nan, 0, 1)));
        Assert.True(double.IsNaN(Metrics.CrpsGaussian(0, nan, 1)));
        Assert.True(double.IsNaN(Metrics.CrpsGaussian(0, 0, nan)));
    }

    [Fact]
    public void swapped_interval_bounds_are_refused_naming_the_row()
    {
        double[] y = [0, 0.5], lo = [0, 1], hi = [1, 0];
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => Metrics.Coverage(y, lo, hi)).Message);
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => Metrics.Sharpness(lo, hi)).Message);
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => Metrics.IntervalScore(y, lo, hi, 0.2)).Message);
        Assert.Contains("exceeds", Assert.Throws<ArgumentException>(() => Metrics.IntervalScore(0.5, 1, 0, 0.2)).Message);
        // A zero-width interval is a legal (if bold) forecast: width 0, scored by its misses.
        Assert.Equal(0.0, Metrics.Sharpness([1.0], [1.0]));
    }
}
