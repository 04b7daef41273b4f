using Cbi.Workbench.Features;

namespace Cbi.Workbench.Tests.Features;

/// <summary>The as-of join rule on a constructed grid (dates and values made up to show the rule).</summary>
public class AsOfJoinTests
{
    static readonly DateOnly[] Grid = [new(2024, 1, 1), new(2024, 1, 2), new(2024, 1, 3), new(2024, 1, 4), new(2024, 1, 5), new(2024, 1, 8)];

    [Fact]
    public void a_value_is_used_from_its_available_date_and_carried_at_most_the_staleness_limit()
    {
        // Available Tue 01-02 with staleness 2: Tue, Wed, Thu carry it; Fri is 3 rows later → NaN.
        var r = FeatureBuilder.AsOfJoin(Grid, [(new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 1), 5.0)], 2);
        Assert.True(double.IsNaN(r[0]));
        Assert.Equal([5.0, 5.0, 5.0], r[1..4]);
        Assert.True(double.IsNaN(r[4]) && double.IsNaN(r[5]));
    }

    [Fact]
    public void a_value_available_on_a_non_trading_day_starts_on_the_next_grid_day()
    {
        // Available Saturday 01-06 → first usable on Monday 01-08, with age 0 there.
        var r = FeatureBuilder.AsOfJoin(Grid, [(new DateOnly(2024, 1, 6), new DateOnly(2024, 1, 5), 7.0)], 0);
        Assert.All(r[..5], v => Assert.True(double.IsNaN(v)));
        Assert.Equal(7.0, r[5]);
    }

    [Fact]
    public void the_latest_observation_wins_and_a_missing_report_replaces_the_carried_value_when_asked()
    {
        // Two values available the same day: the later observation date wins.
        var r = FeatureBuilder.AsOfJoin(Grid, [(new DateOnly(2024, 1, 2), new DateOnly(2023, 12, 29), 1.0), (new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 1), 2.0)], 10);
        Assert.Equal(2.0, r[1]);
        // A report without the value (NaN) on 01-04: with keepMissing it blanks the carried 2.0, without it the 2.0 stays.
        (DateOnly, DateOnly, double)[] obs = [(new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 1), 2.0), (new DateOnly(2024, 1, 4), new DateOnly(2024, 1, 3), double.NaN)];
        Assert.True(double.IsNaN(FeatureBuilder.AsOfJoin(Grid, obs, 10, keepMissing: true)[3]));
        Assert.Equal(2.0, FeatureBuilder.AsOfJoin(Grid, obs, 10)[3]);
    }

    [Fact]
    public void rolling_z_score_by_hand()
    {
        // 1, 2, 3 with n = 3: mean 2, sample σ 1 → z(3) = 1.
        var z = Indicators.RollingZScore([1, 2, 3], 3);
        Assert.True(double.IsNaN(z[1]));
        Assert.Equal(1.0, z[2], 1e-12);
    }

    [Fact]
    public void a_late_backlog_of_older_observations_never_displaces_a_newer_one()
    {
        // Observation dated 01-03 available 01-04 (value 3); a backlog dated 01-01 published 01-05 (value 1):
        // the join keeps 3 and keeps ageing it from 01-04.
        var r = FeatureBuilder.AsOfJoin(Grid, [(new DateOnly(2024, 1, 4), new DateOnly(2024, 1, 3), 3.0), (new DateOnly(2024, 1, 5), new DateOnly(2024, 1, 1), 1.0)], 1);
        Assert.Equal(3.0, r[3]);
        Assert.Equal(3.0, r[4]);
        Assert.True(double.IsNaN(r[5])); // 2 rows after 01-04 > staleness 1
    }
}
