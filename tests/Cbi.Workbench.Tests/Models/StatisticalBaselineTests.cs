using Cbi.Workbench.Models;
using Cbi.Workbench.Models.Baselines;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Tests.Models;

public class StatisticalBaselineTests
{
    [Fact]
    public void garch_gaussian_log_likelihood_matches_hand_calculation()
    {
        // r = (0.1, −0.2, 0.3), μ = 0, ω = 0.01, α = 0.1, β = 0.8. Backcast σ²₁ = (0.01+0.04+0.09)/3 = 0.046667;
        // σ²₂ = 0.01 + 0.1·0.01 + 0.8·0.046667 = 0.048333; σ²₃ = 0.01 + 0.1·0.04 + 0.8·0.048333 = 0.052667.
        // ℓ = −½Σ[ln 2π + ln σ²_t + r²_t/σ²_t] = 0.386884 (calculator).
        Assert.Equal(0.38688381249496073, Garch11.LogLikelihood([0.1, -0.2, 0.3], 0, 0.01, 0.1, 0.8, double.NaN), 10);
    }

    [Fact]
    public void garch_student_t_log_likelihood_matches_hand_calculation()
    {
        // Same σ²_t, ν = 5: ℓ_t = lnΓ(3) − lnΓ(2.5) − ½ln(3π) − ½ln σ²_t − 3·ln(1 + r²_t/(3σ²_t)); Σ = 0.0890994.
        Assert.Equal(0.0890994190836063, Garch11.LogLikelihood([0.1, -0.2, 0.3], 0, 0.01, 0.1, 0.8, 5), 10);
    }

    [Fact]
    public void garch_recovers_known_parameters_from_a_simulated_path()
    {
        // 6000 returns simulated from GARCH(1,1), ω = 2e-6, α = 0.08, β = 0.90, Gaussian, fixed seed. Asymptotic
        // standard errors at this n are about 0.01 for α and 0.015 for β, so ±0.03/±0.045 is three of them.
        var rng = new Random(20261124);
        var r = new double[6000];
        double s2 = 2e-6 / (1 - 0.98), e = 0;
        for (var t = 0; t < r.Length; t++)
        {
            s2 = 2e-6 + 0.08 * e * e + 0.90 * s2;
            e = Math.Sqrt(s2) * Normal.Sample(rng, 0, 1);
            r[t] = e;
        }
        var fit = Garch11.FitReturns(r, studentT: false);
        Assert.InRange(fit.Alpha, 0.05, 0.11);
        Assert.InRange(fit.Beta, 0.855, 0.945);
        Assert.InRange(fit.Persistence, 0.96, 0.995);
        // The fitted likelihood is at least that of the true parameters (it is the maximum).
        Assert.True(fit.LogLikelihood >= Garch11.LogLikelihood(r, 0, 2e-6, 0.08, 0.90, double.NaN) - 1e-6);
    }

    [Fact]
    public void garch_multi_day_variance_follows_the_forecast_recursion()
    {
        // Σ_{k=1..h} [σ̄² + (α+β)^{k−1}(σ²_{T+1} − σ̄²)]: for h = 1 it is σ²_{T+1}, and the second day adds
        // σ̄² + (α+β)(σ²_{T+1} − σ̄²) (Bollerslev 1986 forecast recursion, written out for h = 2).
        var f = ConstructedSeries.Cycle(400);
        var g = new Garch11(false);
        g.Fit(f, ConstructedSeries.Range(0, 380), 1);
        var bar = g.Fitted!.UnconditionalVariance;
        var v1 = g.HorizonVariance(f, 390, 1);
        var v2 = g.HorizonVariance(f, 390, 2);
        Assert.Equal(v1 + bar + g.Fitted.Persistence * (v1 - bar), v2, 12);
    }

    [Fact]
    public void garch_t_one_day_monte_carlo_matches_the_analytic_t_quantile_within_monte_carlo_error()
    {
        // At h = 1, S − μ = σ·z with z standardised t(ν): the 0.8 quantile of |S − μ| is σ·√((ν−2)/ν)·t_ν⁻¹(0.9).
        // Monte-Carlo standard error of a sample τ-quantile: √(τ(1−τ)/n) / density at the quantile (Serfling 1980,
        // §2.3.3), here τ = 0.8, n = 4,000 and the density of |S − μ| is 2·f_t(q/(σs))/(σs). Tolerance 4 SE.
        const double nu = 6, sigma2 = 1e-4;
        var fit = new GarchFit(0.0003, 2e-6, 0.08, 0.90, nu, 0, 1000);
        var s = Math.Sqrt((nu - 2) / nu) * Math.Sqrt(sigma2);
        var tq = StudentT.InvCDF(0, 1, nu, 0.9);
        var analytic = s * tq;
        var se = Math.Sqrt(0.8 * 0.2 / Garch11.McPaths) / (2 * StudentT.PDF(0, 1, nu, tq) / s);
        var sim = Garch11.SimulatedHalfWidth(fit, 1, [sigma2], Garch11.McPaths, Garch11.McSeed)[0];
        Assert.InRange(sim, analytic - 4 * se, analytic + 4 * se);
    }

    [Fact]
    public void garch_t_monte_carlo_is_reproducible_for_a_fixed_seed()
    {
        var fit = new GarchFit(0.0003, 2e-6, 0.08, 0.90, 5, 0, 1000);
        double[] starts = [5e-5, 1e-4, 4e-4];
        var a = Garch11.SimulatedHalfWidth(fit, 21, starts, Garch11.McPaths, Garch11.McSeed);
        var b = Garch11.SimulatedHalfWidth(fit, 21, starts, Garch11.McPaths, Garch11.McSeed);
        Assert.Equal(a, b);
        // A higher starting variance gives a wider interval (same draws for every start).
        Assert.True(a[0] < a[1] && a[1] < a[2]);
    }

    [Fact]
    public void garch_t_monte_carlo_sum_of_many_iid_t_days_approaches_the_gaussian_quantile()
    {
        // α = β = 0 makes the days iid: S − hμ is a sum of h = 50 scaled t(6) variables with variance hω. By the CLT
        // the 0.8 quantile of |S − hμ|/√(hω) tends to Φ⁻¹(0.9) = 1.281552; the Cornish–Fisher kurtosis term
        // (z³ − 3z)/24 · κ with the sum's excess kurtosis κ = 6/(ν−4)/h = 0.06 moves it by −0.0044. MC SE for the
        // Gaussian case √(0.16/4000)/(2φ(1.2816)) = 0.018; tolerance 4 SE around 1.281552 − 0.0044.
        var fit = new GarchFit(0.0, 1e-4, 0, 0, 6, 0, 1000);
        var w = Garch11.SimulatedHalfWidth(fit, 50, [1e-4], Garch11.McPaths, Garch11.McSeed)[0] / Math.Sqrt(50 * 1e-4);
        var z = Normal.InvCDF(0, 1, 0.9);
        var se = Math.Sqrt(0.16 / Garch11.McPaths) / (2 * Normal.PDF(0, 1, z));
        Assert.InRange(w, z - 0.0044 - 4 * se, z - 0.0044 + 4 * se);
    }

    [Fact]
    public void garch_t_multi_day_quantiles_are_symmetric_about_the_drift_and_reproducible()
    {
        var f = ConstructedSeries.Cycle(400);
        QuantileForecast Run()
        {
            var g = new Garch11(true);
            g.Fit(f, ConstructedSeries.Range(0, 380), 5);
            return g.Predict(f, [390])[0];
        }
        var a = Run();
        Assert.Equal(a, Run());
        Assert.Equal(a.Q50 - a.Q10, a.Q90 - a.Q50, 12);
        Assert.True(a.Q90 > a.Q50);
    }

    [Fact]
    public void ets_simple_recursion_and_likelihood_match_hand_calculation()
    {
        // y = (1, 2, 4), l0 = 1, α = 0.5: errors 0, 1, 2.5 (levels 1, 1.5, 2.75) → SSE 7.25;
        // ℓ = −(3/2)(ln(2π·7.25/3) + 1) = −5.580399.
        var (level, _) = Ets.Run([1, 2, 4], EtsKind.Simple, 0.5, 0, 1, 1, 0, out var sse);
        Assert.Equal(2.75, level, 12);
        Assert.Equal(7.25, sse, 12);
        Assert.Equal(-5.580399369911729, Ets.LogLikelihood(sse, 3), 10);
    }

    [Fact]
    public void ets_damped_forecast_variance_matches_table_6_1()
    {
        // Hyndman et al. (2008) Table 6.1, ETS(A,Ad,N): c_j = α + β(φ + … + φ^j). α = 0.5, β = 0.1, φ = 0.9, σ² = 1:
        // c1 = 0.59, c2 = 0.671 → v3 = 1 + 0.3481 + 0.450241 = 1.798341.
        var f = new EtsFit(EtsKind.Damped, 0.5, 0.1, 0.9, 0, 0, 1, 0, 0, 10);
        Assert.Equal(1.798341, Ets.ForecastVariance(f, 3), 10);
    }

    [Fact]
    public void ets_recovers_the_smoothing_weight_of_an_arima_011_process()
    {
        // SES is optimal for ARIMA(0,1,1) y_t = y_{t−1} + e_t + θe_{t−1} with α = 1 + θ (Hyndman et al. 2008 §3.5);
        // θ = −0.6 → α = 0.4. Simulated 3000 steps, fixed seed; the s.e. of α at this n is ≈ 0.015, tolerance 0.05.
        // Without a trend AICc must prefer the simple model.
        var rng = new Random(7);
        var y = new double[3000];
        double prev = 0;
        for (var t = 1; t < y.Length; t++)
        {
            var e = 0.01 * Normal.Sample(rng, 0, 1);
            y[t] = y[t - 1] + e - 0.6 * prev;
            prev = e;
        }
        var fit = Ets.FitKind(y, EtsKind.Simple);
        Assert.InRange(fit.Alpha, 0.35, 0.45);
        var ets = new Ets();
        ets.Fit(ConstructedSeries.FromLogPrice(y.Select(v => v + 3).ToArray()), ConstructedSeries.Range(0, 3000), 1);
        Assert.Equal(EtsKind.Simple, ets.Fitted!.Kind);
    }

    [Fact]
    public void pacf_parametrisation_follows_durbin_levinson()
    {
        // Partial autocorrelations (0.5, 0.2): φ_{2,1} = 0.5 − 0.2·0.5 = 0.4, φ_{2,2} = 0.2 (Durbin–Levinson by hand).
        var a = AutoArima.PacfToAr([Math.Atanh(0.5), Math.Atanh(0.2)]);
        Assert.Equal(0.4, a[0], 12);
        Assert.Equal(0.2, a[1], 12);
    }

    [Fact]
    public void kpss_statistic_matches_hand_calculation()
    {
        // x = (1,2,3,4): e = (−1.5,−0.5,0.5,1.5), partial sums (−1.5,−2,−1.5,0), ΣS² = 8.5; lag trunc(3·√4/13) = 0
        // (forecast::ndiffs' lag), so LRV = γ0 = 1.25 and η = 8.5/(16·1.25) = 0.425.
        Assert.Equal(0.425, AutoArima.Kpss([1, 2, 3, 4]), 12);
        // n = 100: trunc(3·10/13) = 2 lags. x_t = (−1)^t: e = x (mean 0), S alternates −1, 0 → ΣS² = 50; γ0 = 1,
        // γ1 = −99/100, γ2 = 98/100; LRV = 1 + 2·(2/3)(−0.99) + 2·(1/3)(0.98) = 0.33333; η = 50/(10⁴·0.33333) = 0.015.
        var alt = Enumerable.Range(0, 100).Select(t => t % 2 == 0 ? -1.0 : 1.0).ToArray();
        Assert.Equal(50 / (1e4 * (1 - 4 * 0.99 / 3 + 2 * 0.98 / 3)), AutoArima.Kpss(alt), 12);
    }

    [Fact]
    public void arima_forecast_variance_equals_psi_weights_once_the_state_is_known()
    {
        // ARIMA(1,1,0), φ = 0.5: φ*(B) = (1 − 0.5B)(1 − B) → φ* = (1.5, −0.5); ψ = 1, 1.5, 1.75;
        // v3 = σ²(1 + 2.25 + 3.0625) = 6.3125σ². The Kalman forecast variance equals it when the state at the origin is
        // known, which after 40 observations of a pure AR model it is up to the diffuse prior's 1/κ = 1e-6.
        var y = Enumerable.Range(0, 40).Select(t => Math.Sin(t / 3.0)).ToArray();
        var f = new ArimaFit(1, 1, 0, false, [0.5], [], 0, 1, 0, 0, 39);
        Assert.Equal(6.3125, AutoArima.Forecast(f, y, 3).Variance, 1e-5);
        // Random walk: variance grows linearly, σ²h.
        Assert.Equal(21, AutoArima.Forecast(new ArimaFit(0, 1, 0, false, [], [], 0, 1, 0, 0, 39), y, 21).Variance, 1e-5);
    }

    [Fact]
    public void auto_arima_identifies_a_simulated_arima_110()
    {
        // Differences follow AR(1) with φ = 0.6 (3000 steps, fixed seed): KPSS must call for d = 1 and the stepwise
        // AICc search must land on p = 1, q = 0 with φ̂ within 0.05 (s.e. √((1−0.36)/3000) ≈ 0.015).
        var rng = new Random(11);
        var y = new double[3000];
        double w = 0;
        y[0] = 3;
        for (var t = 1; t < y.Length; t++)
        {
            w = 0.6 * w + 0.01 * Normal.Sample(rng, 0, 1);
            y[t] = y[t - 1] + w;
        }
        var fit = AutoArima.Select(y, out var tried);
        Assert.Equal(1, fit.D);
        Assert.Equal((1, 0), (fit.P, fit.Q));
        Assert.InRange(fit.Ar[0], 0.55, 0.65);
        Assert.True(tried >= 5);
    }

    [Fact]
    public void arima_conditional_sum_of_squares_matches_hand_calculation()
    {
        // R's ARIMA_CSS conditions on the first p values; earlier MA residuals are 0. w = (1, 0.5, −0.2):
        // AR(1), φ = 0.5: e = 0.5 − 0.5·1 = 0; −0.2 − 0.5·0.5 = −0.45 → SSE 0.2025 over 2 residuals.
        // MA(1), θ = 0.5: e = 1; 0.5 − 0.5·1 = 0; −0.2 − 0.5·0 = −0.2 → SSE 1.04 over 3.
        double[] w = [1, 0.5, -0.2];
        Assert.Equal(0.2025, AutoArima.CssSumOfSquares(w, [0.5], [], 0, out var n1), 12);
        Assert.Equal(2, n1);
        Assert.Equal(1.04, AutoArima.CssSumOfSquares(w, [], [0.5], 0, out var n2), 12);
        Assert.Equal(3, n2);
    }

    [Fact]
    public void arima_point_forecast_integrates_the_differenced_forecast()
    {
        // ARIMA(1,1,0), φ = 0.5, μ = 0, last difference 0.2: forecast differences 0.1, 0.05 → y_T + 0.15 at h = 2
        // (up to the diffuse prior's 1/κ = 1e-6 on the first level).
        double[] y = [1, 1, 1, 1, 1, 1, 1.2];
        var f = new ArimaFit(1, 1, 0, false, [0.5], [], 0, 1, 0, 0, 6);
        Assert.Equal(1.35, AutoArima.PointForecast(f, y, 2), 1e-5);
    }

    [Fact]
    public void garch_student_t_recovers_the_degrees_of_freedom_of_a_simulated_path()
    {
        // 6000 returns from GARCH(1,1) with standardised t(6) innovations (scale √(4/6) gives unit variance),
        // ω = 2e-6, α = 0.06, β = 0.92, fixed seed. ν̂ has a standard error near 0.6 at this n: tolerance 4.5–8.5;
        // α, β within about three standard errors as in the Gaussian test.
        var rng = new Random(424242);
        var r = new double[6000];
        double s2 = 2e-6 / 0.02, e = 0;
        for (var t = 0; t < r.Length; t++)
        {
            s2 = 2e-6 + 0.06 * e * e + 0.92 * s2;
            e = Math.Sqrt(s2) * StudentT.Sample(rng, 0, Math.Sqrt(4.0 / 6), 6);
            r[t] = e;
        }
        var fit = Garch11.FitReturns(r, studentT: true);
        Assert.InRange(fit.Nu, 4.5, 8.5);
        Assert.InRange(fit.Alpha, 0.03, 0.09);
        Assert.InRange(fit.Beta, 0.875, 0.965);
    }
}
