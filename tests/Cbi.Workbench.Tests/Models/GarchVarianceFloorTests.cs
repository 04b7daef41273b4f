using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Models.Baselines;
using Cbi.Workbench.Tests.Data;

namespace Cbi.Workbench.Tests.Models;

/// <summary>GARCH on training windows whose variance collapses: real ZL daily returns, then closes that stop moving
/// (a stale quote) or returns that are mostly zero. The likelihood rewards a variance near zero there, so without a
/// floor the 21-day band shrinks to ±1e-31; ETS and ARIMA on the same closes give a band of a few percent.</summary>
[Trait("Category", "Slow")]
[Collection("warehouse")]
public class GarchVarianceFloorTests(WarehouseFixture wh)
{
    Frame? zl;
    Frame Zl => zl ??= ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL"));

    /// <summary><paramref name="n"/> consecutive real ZL daily log returns (no session missing) from 2014 on.</summary>
    double[] RealReturns(int n)
    {
        var f = Zl;
        var start = f.RowOf(f.Dates.First(d => d >= new DateOnly(2014, 1, 1)));
        for (var s = start; s + n < f.Rows; s++)
        {
            var ok = true;
            for (var r = s + 1; r <= s + n && ok; r++) ok = f.FollowsWithoutGap(r);
            if (ok) return Enumerable.Range(s + 1, n).Select(r => Math.Log(f.Close[r] / f.Close[r - 1])).ToArray();
        }
        throw new InvalidOperationException("no unbroken run of real returns");
    }

    static Frame FromReturns(IEnumerable<double> r)
    {
        var y = new List<double> { Math.Log(StartPrice) };
        foreach (var v in r) y.Add(y[^1] + v);
        return ConstructedSeries.FromLogPrice(y.ToArray());
    }
    const double StartPrice = 40; // US cents per pound, a typical ZL level

    static QuantileForecast Forecast(IForecaster m, Frame f, int h)
    {
        var train = ConstructedSeries.Range(0, f.Rows);
        m.Fit(f, train, h);
        return m.Predict(f, [f.Rows - 1])[0];
    }

    [Fact]
    public void garch_n_on_real_returns_then_unchanged_closes_floors_its_variance_and_says_so()
    {
        var f = FromReturns(RealReturns(500).Concat(Enumerable.Repeat(0.0, 100)));
        var g = new Garch11(false);
        var q = Forecast(g, f, 21);
        var ets = Forecast(new Ets(), f, 21);
        var arima = Forecast(new AutoArima(), f, 21);
        var width = q.Q90 - q.Q10;
        Assert.True(width > 0.2 * (ets.Q90 - ets.Q10) && width > 0.2 * (arima.Q90 - arima.Q10),
            $"garch_n P10..P90 {q.Q10:G3}..{q.Q90:G3}, ets {ets.Q10:G3}..{ets.Q90:G3}, arima {arima.Q10:G3}..{arima.Q90:G3}");
        Assert.Equal("yes", g.Info!.Parameters["variance_floored"]);
        Assert.True(double.Parse(g.Info.Parameters["variance_floor"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        // The stale run pushes the fit to a persistence of 0.9999, the search bound, which the fit records.
        Assert.Contains("alpha+beta=0.9999 (upper)", g.Info.Parameters["at_bound"]);
    }

    [Fact]
    public void garch_t_on_real_returns_that_are_ninety_percent_zero_floors_its_variance_and_says_so()
    {
        var real = RealReturns(600);
        var f = FromReturns(real.Select((v, i) => i % 10 == 0 ? v : 0.0));
        var g = new Garch11(true);
        var q = Forecast(g, f, 21);
        var ets = Forecast(new Ets(), f, 21);
        var info = string.Join("; ", g.Info!.Parameters.Select(kv => kv.Key + "=" + kv.Value));
        // The t fit runs to ν's lower bound (most days' moves are zero, a few are large), which keeps its 80 % band
        // narrower than ETS's; the floor (read back at 6 digits) still holds the 21-day variance at 21 floored days, not 1e-310.
        var floor = double.Parse(g.Info.Parameters["variance_floor"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(g.HorizonVariance(f, f.Rows - 1, 21) >= 21 * floor * (1 - 1e-5), $"21-day variance {g.HorizonVariance(f, f.Rows - 1, 21):G6}; {info}");
        Assert.True(q.Q90 - q.Q10 > 0.05 * (ets.Q90 - ets.Q10), $"garch_t P10..P90 {q.Q10:G3}..{q.Q90:G3}, ets {ets.Q10:G3}..{ets.Q90:G3}; {info}");
        Assert.Equal("yes", g.Info.Parameters["variance_floored"]);
        Assert.Contains("nu=2.05 (lower)", g.Info.Parameters["at_bound"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void garch_on_the_real_zl_training_history_never_reaches_the_floor(bool studentT)
    {
        // The floor is for degenerate windows: on real ZL (validation training rows, h = 1) the least fitted daily
        // variance stays about three times above the floor (a tenth of the sample variance), so the real-data fits are unchanged.
        var g = new Garch11(studentT);
        g.Fit(Zl, Cbi.Workbench.Validation.Splits.TrainRows(Zl, 1), 1);
        var least = g.Info!.Parameters["variance_least"]; var floor = g.Info.Parameters["variance_floor"];
        Assert.True(g.Info.Parameters["variance_floored"] == "no", $"least {least} floor {floor}");
        Assert.Equal("none", g.Info.Parameters["at_bound"]);
    }
}
