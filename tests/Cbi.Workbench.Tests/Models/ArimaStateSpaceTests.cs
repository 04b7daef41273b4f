using Cbi.Workbench.Models.Baselines;

namespace Cbi.Workbench.Tests.Models;

/// <summary>The stationary covariance that starts the ARIMA Kalman filter (Harvey's state-space form).</summary>
public class ArimaStateSpaceTests
{
    [Fact]
    public void arma11_state_variance_is_the_textbook_autocovariance()
    {
        // γ₀ of ARMA(1,1) with unit innovation variance: x_t = φx_{t−1} + ε_t + θε_{t−1} gives γ₀ = φ²γ₀ + 1 + θ² + 2φθ
        // (Cov(x_{t−1}, ε_{t−1}) = 1), so γ₀ = (1 + 2φθ + θ²)/(1 − φ²). The first state is x_t itself.
        double phi = 0.6, theta = -0.3;
        var q = ArimaStateSpace.StationaryCovariance([phi, 0], [1, theta], 2);
        Assert.Equal((1 + 2 * phi * theta + theta * theta) / (1 - phi * phi), q[0], 1e-13);
        // The second state is θε_t, whose variance is θ² and whose covariance with x_t is θ·Cov(x_t, ε_t) = θ.
        Assert.Equal(theta * theta, q[3], 1e-13);
        Assert.Equal(theta, q[1], 1e-13);
        Assert.Equal(q[1], q[2]);
    }

    [Fact]
    public void stationary_covariance_solves_the_lyapunov_equation_for_an_arma53()
    {
        // A constructed stationary AR(5) (asserted: every root of 1 − φ₁z − … − φ₅z⁵ outside the unit circle) and an
        // MA(3); the result must satisfy Q = TQT' + RR' to rounding.
        double[] phi = [0.3, 0.23, -0.021, -0.0012, 0.00012];
        Assert.True(AutoArima.MinRootModulus(phi.Select(x => -x).ToArray()) > 1);
        const int r = 5;
        var theta = new double[] { 1, 0.4, -0.2, 0.1, 0 };
        var q = ArimaStateSpace.StationaryCovariance(phi, theta, r);
        double T(int i, int j) => (j == 0 ? phi[i] : 0) + (j == i + 1 ? 1 : 0);
        for (var i = 0; i < r; i++)
            for (var j = 0; j < r; j++)
            {
                var tqt = 0.0;
                for (var k = 0; k < r; k++) for (var l = 0; l < r; l++) tqt += T(i, k) * q[k * r + l] * T(j, l);
                Assert.Equal(q[i * r + j], tqt + theta[i] * theta[j], 1e-12);
                Assert.Equal(q[i * r + j], q[j * r + i]);
            }
    }
}
