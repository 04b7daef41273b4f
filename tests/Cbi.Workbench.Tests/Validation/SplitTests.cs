using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Validation;

public class SplitTests
{
    /// <summary>A weekday calendar 2000-03-15 → 2026-07-14 (the ZL span). Splits are date arithmetic only,
    /// so the frame carries no prices at all (close NaN) and one empty feature column.</summary>
    internal static Frame Calendar(DateOnly? end = null)
    {
        var dates = new List<DateOnly>();
        for (var d = new DateOnly(2000, 3, 15); d <= (end ?? new DateOnly(2026, 7, 14)); d = d.AddDays(1))
            if (d.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday) dates.Add(d);
        var nan = Enumerable.Repeat(double.NaN, dates.Count).ToArray();
        return new Frame(dates.ToArray(), nan, ["none"], [nan]);
    }

    public static TheoryData<int> Horizons => new() { 1, 5, 20, 21, 63, 126, 252 };

    [Theory, MemberData(nameof(Horizons))]
    public void no_training_target_date_reaches_the_first_scored_date(int h)
    {
        var f = Calendar();
        foreach (var (opts, label) in new[]
                 {
                     (new WalkForwardOptions { Horizon = h, Folds = 7 }, "expanding"),
                     (new WalkForwardOptions { Horizon = h, Folds = 5, Window = TrainWindow.Rolling, WindowRows = 750, Embargo = 5 }, "rolling+embargo"),
                 })
        {
            var folds = WalkForwardSplit.Create(f, opts);
            Assert.Equal(opts.Folds, folds.Count);
            foreach (var fold in folds)
            {
                var firstScored = f.Dates[fold.ScoreRows.Min()];
                var lastTrainTarget = f.Dates[f.TargetRow(fold.TrainRows.Max(), h)];
                Assert.True(lastTrainTarget < firstScored, $"{label} fold {fold.Index} h={h}: training target {lastTrainTarget} ≥ first scored {firstScored}");
                // The purge is tight: the gap is exactly horizon (+ embargo) rows, not more.
                Assert.Equal(fold.ScoreRows.Min() - h - 1 - opts.Embargo, fold.TrainRows.Max());
                Assert.All(fold.ScoreRows, r => Assert.InRange(f.Dates[r], Splits.ValidationStart, Splits.ValidationEnd));
                Assert.All(fold.ScoreRows, r => Assert.True(f.Dates[f.TargetRow(r, h)] < Splits.HoldoutStart));
                if (opts.Window == TrainWindow.Rolling) Assert.Equal(750, fold.TrainRows.Length);
            }
            // Folds are consecutive, non-overlapping and in time order.
            for (var k = 1; k < folds.Count; k++) Assert.True(folds[k].ScoreRows.Min() > folds[k - 1].ScoreRows.Max());
        }
    }

    [Theory, MemberData(nameof(Horizons))]
    public void seed_training_rows_end_before_2020_including_their_targets(int h)
    {
        var f = Calendar();
        var train = Splits.TrainRows(f, h);
        Assert.True(f.Dates[f.TargetRow(train[^1], h)] < Splits.ValidationStart);
        Assert.True(f.Dates[f.TargetRow(train[^1] + 1, h)] >= Splits.ValidationStart);
    }

    [Fact]
    public void development_frame_stops_before_the_holdout()
    {
        var dev = Splits.Development(Calendar());
        Assert.True(dev.Dates[^1] < Splits.HoldoutStart);
        Assert.Equal(new DateOnly(2023, 6, 30), dev.Dates[^1]);
    }

    [Fact]
    public void horizon_below_one_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WalkForwardSplit.Create(Calendar(), 0));
        Assert.Equal("horizon", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.TrainRows(Calendar(), -5));
    }

    [Fact]
    public void a_fold_without_training_rows_is_an_error_naming_the_fold()
    {
        // Scoring from the first day of data leaves nothing to train on.
        var e = Assert.Throws<InvalidOperationException>(() => WalkForwardSplit.Create(Calendar(),
            new WalkForwardOptions { Horizon = 5, Folds = 2, ScoreStart = new DateOnly(2000, 3, 15), ScoreEnd = new DateOnly(2001, 1, 1) }));
        Assert.Contains("fold 0", e.Message);
        Assert.Contains("0 training rows", e.Message);
    }

    [Fact]
    public void unknown_split_options_are_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => WalkForwardOptions.Parse(new Dictionary<string, string> { ["horizn"] = "5" }));
        Assert.Contains("horizn", e.Message);
        var o = WalkForwardOptions.Parse(new Dictionary<string, string> { ["horizon"] = "21", ["window"] = "rolling", ["window-rows"] = "500" });
        Assert.Equal(21, o.Horizon); Assert.Equal(TrainWindow.Rolling, o.Window);
        Assert.Throws<ArgumentException>(() => WalkForwardSplit.Create(Calendar(), new WalkForwardOptions { Window = TrainWindow.Rolling }));
    }

    [Fact]
    public void validation_folds_never_contain_holdout_rows_even_when_asked_to_score_there()
    {
        var f = Calendar();
        var folds = WalkForwardSplit.Create(f, new WalkForwardOptions { Horizon = 5, Folds = 3, ScoreEnd = new DateOnly(2026, 1, 1) });
        Assert.All(folds.SelectMany(x => x.ScoreRows.Concat(x.TrainRows)), r => Assert.True(f.Dates[r] < Splits.HoldoutStart));
    }

    [Fact]
    public void every_fold_count_that_leaves_each_fold_a_row_works_with_balanced_folds()
    {
        // Issue 11: with step = ⌈n/K⌉, 243 of the fold counts 2…300 left the last fold empty and were refused.
        var f = Calendar();
        var n = WalkForwardSplit.Create(f, 5, 1)[0].ScoreRows.Length;
        for (var k = 1; k <= 300; k++)
        {
            var folds = WalkForwardSplit.Create(f, 5, k);
            Assert.Equal(k, folds.Count);
            var sizes = folds.Select(x => x.ScoreRows.Length).ToArray();
            // Every scorable row is scored exactly once, in order.
            Assert.Equal(n, sizes.Sum());
            Assert.Equal(folds.SelectMany(x => x.ScoreRows).Distinct().Count(), n);
            // Either the ⌈n/K⌉ layout with a last block of at least half a block, or sizes within one row of each other.
            var c = (n + k - 1) / k;
            var ceilLayout = sizes[..^1].All(z => z == c) && 2 * sizes[^1] >= c;
            Assert.True(ceilLayout || sizes.Max() - sizes.Min() <= 1, $"K={k}: sizes {string.Join(",", sizes)}");
            Assert.True(sizes.Max() <= 2 * sizes.Min(), $"K={k}: sizes {string.Join(",", sizes)}");
        }
        var e = Assert.Throws<InvalidOperationException>(() => WalkForwardSplit.Create(f, 5, n + 1));
        Assert.Contains($"use at most {n} folds", e.Message);
    }
}
