using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Models.Baselines;
using Cbi.Workbench.Tests.Data;

namespace Cbi.Workbench.Tests.Models;

/// <summary>snaive on real ZL closes from which one session has been taken out.</summary>
[Trait("Category", "Slow")]
[Collection("warehouse")]
public class SeasonalNaiveGapTests(WarehouseFixture wh)
{
    [Fact]
    public void snaive_with_a_session_missing_in_its_seasonal_lag_says_which_session_is_missing()
    {
        // 400 consecutive real ZL sessions from 2015 without the 200th: every 252-day return ending at the origin spans
        // the missing session, so none is known. The error said "history too short", though 399 sessions are there.
        var zl = ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL"));
        var start = zl.RowOf(zl.Dates.First(d => d >= new DateOnly(2015, 1, 2)));
        var rows = Enumerable.Range(start, 400).ToList();
        Assert.All(rows.Skip(1), r => Assert.True(zl.FollowsWithoutGap(r), $"{zl.Dates[r]} follows a gap"));
        var missing = zl.Dates[rows[200]];
        rows.RemoveAt(200);
        var f = new Frame(rows.Select(r => zl.Dates[r]).ToArray(), rows.Select(r => zl.Close[r]).ToArray(), [], [], calendar: zl.Calendar);
        var m = new SeasonalNaive();
        m.Fit(f, ConstructedSeries.Range(0, f.Rows - 5), 5);
        var e = Assert.Throws<ArgumentException>(() => m.Predict(f, [f.Rows - 1]));
        Assert.DoesNotContain("too short", e.Message);
        Assert.Contains($"the data lack the session {missing:yyyy-MM-dd}", e.Message);
    }
}
