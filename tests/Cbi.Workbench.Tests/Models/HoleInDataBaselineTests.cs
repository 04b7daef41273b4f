using Cbi.Workbench.Models;
using Cbi.Workbench.Models.Baselines;
using Cbi.Workbench.Validation;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Tests.Models;

/// <summary>The time-series baselines on a constructed price path with a hole in the data (a gap of more than
/// Frame.HoleCalendarDays, like ZL's 2003-11-24…12-26): the splits skip the rows whose target crosses the hole,
/// so the training rows are not one series, and no model may treat the month-long gap as one daily step.</summary>
public class HoleInDataBaselineTests
{
    const int Before = 200, After = 700, H = 5;

    // Business days from 2000-01-03 with a 45-calendar-day gap after row Before−1; log price a Gaussian random
    // walk (fixed seed) with a 40 % jump across the hole, so that a stitched series would show it.
    static Frame WithHole()
    {
        var dates = ConstructedSeries.Dates(Before + After);
        for (var i = Before; i < dates.Length; i++) dates[i] = dates[i].AddDays(63); // nine weeks: still weekdays
        var rng = new Random(7);
        var y = new double[dates.Length];
        y[0] = Math.Log(30);
        for (var t = 1; t < y.Length; t++) y[t] = y[t - 1] + (t == Before ? 0.4 : 0) + 0.015 * Normal.Sample(rng, 0, 1);
        return new Frame(dates, y.Select(Math.Exp).ToArray(), [], []);
    }

    // What the split generator hands out: rows with a target, so the H rows before the hole are left out.
    static int[] SplitTrainRows(Frame f) => Splits.RowsWithTarget(f, 0, Before + After - 60, H);

    static int[] AfterHole(Frame f) => ConstructedSeries.Range(Before, Before + After - 60 + 1);

    [Fact]
    public void split_training_rows_around_a_hole_are_not_contiguous()
    {
        var rows = SplitTrainRows(WithHole());
        Assert.DoesNotContain(Before - 1, rows);
        Assert.Contains(Before - H - 1, rows);
    }

    [Fact]
    public void garch_is_fitted_on_the_unbroken_run_after_the_hole()
    {
        var f = WithHole();
        var a = new Garch11(false); a.Fit(f, SplitTrainRows(f), H);
        var b = new Garch11(false); b.Fit(f, AfterHole(f), H);
        Assert.Equal(b.Fitted, a.Fitted);
        Assert.Equal(f.Dates[Before], a.Info!.TrainStart);
        Assert.Equal(b.HorizonVariance(f, Before + After - 1, H), a.HorizonVariance(f, Before + After - 1, H), 15);
    }

    [Fact]
    public void ets_and_arima_are_fitted_on_the_unbroken_run_after_the_hole()
    {
        var f = WithHole();
        var e1 = new Ets(); e1.Fit(f, SplitTrainRows(f), H);
        var e2 = new Ets(); e2.Fit(f, AfterHole(f), H);
        Assert.Equal(e2.Fitted, e1.Fitted);
        var a1 = new AutoArima(); a1.Fit(f, SplitTrainRows(f), H);
        var a2 = new AutoArima(); a2.Fit(f, AfterHole(f), H);
        Assert.Equal(a2.Fitted!.ToString(), a1.Fitted!.ToString());
        Assert.Equal(a2.Fitted.LogLikelihood, a1.Fitted.LogLikelihood, 12);
        int[] origin = [Before + After - 1];
        Assert.Equal(a2.Predict(f, origin)[0], a1.Predict(f, origin)[0]);
    }

    [Fact]
    public void an_origin_across_a_hole_from_the_training_rows_is_rejected()
    {
        var f = WithHole();
        var e = new Ets(); e.Fit(f, ConstructedSeries.Range(0, Before - H - 1), H);
        var ex = Assert.Throws<ArgumentException>(() => e.Predict(f, [Before + 10]));
        Assert.Contains("hole", ex.Message);
    }
}

public class HoleInDataEmpiricalSpreadTests
{
    [Fact]
    public void random_walk_spread_leaves_out_returns_across_a_hole()
    {
        // 120 business days, a 45-day gap after row 59, daily log returns cycling −0.02…0.02 and a +0.4 jump across
        // the gap. At origin 99 with a 40-day window the 5-day returns end at rows 60…99; the four ending at rows
        // 60…63 start before the gap. Without them the remaining 36 returns are all sums of five consecutive cycle
        // returns, i.e. exactly 0, so P10 = P90 = 0; with them P90 would pick up part of the 0.4 jump.
        var dates = ConstructedSeries.Dates(120);
        for (var i = 60; i < dates.Length; i++) dates[i] = dates[i].AddDays(63); // nine weeks: still weekdays
        double[] cyc = [-0.02, -0.01, 0, 0.01, 0.02];
        var y = new double[120];
        y[0] = Math.Log(50);
        for (var t = 1; t < y.Length; t++) y[t] = y[t - 1] + cyc[(t - 1) % 5] + (t == 60 ? 0.4 : 0);
        var f = new Frame(dates, y.Select(Math.Exp).ToArray(), [], []);
        var rw = new RandomWalk(40);
        rw.Fit(f, Splits.RowsWithTarget(f, 0, 93, 5), 5);
        var q = rw.Predict(f, [99])[0];
        Assert.Equal(0, q.Q10, 12);
        Assert.Equal(0, q.Q90, 12);
    }
}
