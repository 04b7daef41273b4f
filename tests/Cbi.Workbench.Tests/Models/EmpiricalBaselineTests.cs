using Cbi.Workbench.Models;
using Cbi.Workbench.Models.Baselines;
using static Cbi.Workbench.Tests.Models.ConstructedSeries;

namespace Cbi.Workbench.Tests.Models;

public class EmpiricalBaselineTests
{
    [Fact]
    public void random_walk_centres_on_zero_with_trailing_return_quantiles()
    {
        // 1-day returns cycle −0.02…0.02; a 100-day window holds 20 of each. Type-7 quantiles of the sorted
        // window: P10 at position 9.9 → −0.02, P50 at 49.5 → 0, P90 at 89.1 → 0.02 (hand calculation).
        var f = Cycle(400);
        var m = new RandomWalk(100);
        m.Fit(f, Range(0, 300), 1);
        var q = m.Predict(f, [350])[0];
        Assert.Equal(0, q.Q50, 14);
        Assert.Equal(-0.02, q.Q10, 12);
        Assert.Equal(0.02, q.Q90, 12);
        Assert.Equal("rw", m.Name);
    }

    [Fact]
    public void random_walk_with_drift_uses_the_average_slope_since_the_first_training_row()
    {
        // Drift 0.001/day on top of a zero-sum 5-day cycle: from row 0 to origin 350 (a multiple of 5) the slope is
        // exactly 0.001; every 5-day return is 5·0.001, so the centre is 0.005 and the spread is 0.
        var f = Cycle(400, drift: 0.001);
        var m = new RandomWalkWithDrift(100);
        m.Fit(f, Range(0, 300), 5);
        var q = m.Predict(f, [350])[0];
        Assert.Equal(0.005, q.Q50, 12);
        Assert.Equal(0.005, q.Q10, 12);
        Assert.Equal(0.005, q.Q90, 12);
    }

    [Fact]
    public void seasonal_naive_repeats_the_price_one_season_back()
    {
        // Linear log price 0.001·t: the centre ln(C[t+h−252]/C[t]) = (h − 252)·0.001 = −0.231 for h = 21;
        // every 252-day return is 0.252, so the spread is 0.
        var f = FromLogPrice(Enumerable.Range(0, 800).Select(t => 3 + 0.001 * t).ToArray());
        var m = new SeasonalNaive(300);
        m.Fit(f, Range(0, 700), 21);
        var q = m.Predict(f, [760])[0];
        Assert.Equal(-0.231, q.Q50, 10);
        Assert.Equal(-0.231, q.Q10, 10);
        Assert.Equal(-0.231, q.Q90, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeasonalNaive().Fit(f, Range(0, 700), 253));
    }

    [Fact]
    public void historical_mean_uses_training_targets_only()
    {
        // Training rows 0..299 have 1-day targets = cycle + 0.001: 60 full cycles → mean exactly 0.001;
        // sorted 300 values, 60 of each of −0.019, −0.009, 0.001, 0.011, 0.021: P10 (29.9) → −0.019, P90 (269.1) → 0.021.
        var f = Cycle(400, drift: 0.001);
        var m = new HistoricalMean();
        m.Fit(f, Range(0, 300), 1);
        var q = m.Predict(f, [310, 390]);
        Assert.Equal(0.001, q[0].Q50, 12);
        Assert.Equal(-0.019, q[0].Q10, 12);
        Assert.Equal(0.021, q[0].Q90, 12);
        Assert.Equal(q[0], q[1]);
    }

    [Theory]
    [InlineData("rw")]
    [InlineData("rw_drift")]
    [InlineData("snaive")]
    [InlineData("mean")]
    [InlineData("ets")]
    [InlineData("arima")]
    [InlineData("garch_n")]
    public void bad_input_gets_clear_errors(string name)
    {
        var ok = Cycle(400);
        // too short
        var e1 = Assert.Throws<ArgumentException>(() => ModelCatalog.Get(name).Create().Fit(ok, Range(0, 20), 1));
        Assert.Contains("too short", e1.Message);
        // constant series
        var flat = FromLogPrice(Enumerable.Repeat(4.0, 400).ToArray());
        var e2 = Assert.Throws<ArgumentException>(() => ModelCatalog.Get(name).Create().Fit(flat, Range(0, 380), 1));
        Assert.Contains("constant", e2.Message);
        // NaN in the closes names the row and date
        var close = ok.Close.ToArray(); close[100] = double.NaN;
        var holed = new Frame(ok.Dates, close, [], []);
        var e3 = Assert.Throws<ArgumentException>(() => ModelCatalog.Get(name).Create().Fit(holed, Range(0, 380), 1));
        Assert.Contains("row 100", e3.Message);
        // horizon longer than the data
        Assert.ThrowsAny<ArgumentException>(() => ModelCatalog.Get(name).Create().Fit(ok, Range(0, 380), 400));
    }

    [Fact]
    public void predict_before_fit_and_origins_before_training_end_are_refused()
    {
        var f = Cycle(400);
        Assert.Throws<InvalidOperationException>(() => new RandomWalk().Predict(f, [300]));
        var m = new RandomWalk(100);
        m.Fit(f, Range(0, 300), 1);
        Assert.Contains("precedes", Assert.Throws<ArgumentException>(() => m.Predict(f, [200])).Message);
    }
}
