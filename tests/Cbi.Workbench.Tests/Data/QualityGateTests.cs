using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Each defect kind on a small constructed series (defect detection, not market data).</summary>
public class QualityGateTests
{
    static List<Bar> Walk(int n, DateOnly start, double vol = 0.01)
    {
        // Deterministic zig-zag ±vol around 100 on consecutive weekdays.
        var bars = new List<Bar>();
        var d = start;
        for (var i = 0; i < n; i++)
        {
            var c = 100 * Math.Exp(vol * (i % 2 == 0 ? 1 : -1) * (1 + i % 3) / 2);
            bars.Add(new Bar(d, c, c + 1, c - 1, c, 1000 + i));
            d = Availability.NextWeekday(d);
        }
        return bars;
    }

    static List<QualityFinding> Check(List<Bar> b) => QualityGate.Check("T", "test", b);

    [Fact]
    public void clean_series_has_no_findings() => Assert.Empty(Check(Walk(300, new DateOnly(2020, 1, 1))));

    [Fact]
    public void duplicate_date_is_an_error()
    {
        var b = Walk(10, new DateOnly(2020, 1, 6));
        b.Insert(5, b[4]);
        Assert.Contains(Check(b), f => f is { Check: "duplicate_date", Severity: "error" });
    }

    [Fact]
    public void dates_out_of_order_are_an_error()
    {
        var b = Walk(10, new DateOnly(2020, 1, 6));
        (b[3], b[4]) = (b[4], b[3]);
        Assert.Contains(Check(b), f => f is { Check: "non_monotonic_date", Severity: "error" });
    }

    [Fact]
    public void gaps_warn_then_fail()
    {
        var b = Walk(10, new DateOnly(2020, 1, 6));
        b.AddRange(Walk(5, new DateOnly(2020, 1, 31)).Select(x => x with { Volume = 1 + x.Volume })); // 10 bars end Fri 2020-01-17; 9 business days missing
        Assert.Contains(Check(b), f => f is { Check: "gap", Severity: "warning" });
        b.AddRange(Walk(5, new DateOnly(2020, 4, 1)).Select(x => x with { Volume = 2 + x.Volume }));   // > 20 missing
        Assert.Contains(Check(b), f => f is { Check: "gap", Severity: "error" });
    }

    [Fact]
    public void single_price_bars_are_counted_per_year_as_warnings()
    {
        var b = Walk(300, new DateOnly(2020, 11, 2));
        // Three single prints in 2020, one in 2021 (a bar with only open = close is not one: it has a range).
        foreach (var i in new[] { 3, 10, 20 }) b[i] = b[i] with { Open = 99, High = 99, Low = 99, Close = 99, Volume = 1 };
        b[60] = b[60] with { Open = 101, High = 101, Low = 101, Close = 101, Volume = 3 };
        b[70] = b[70] with { Open = 100, High = 101, Low = 99, Close = 100 };
        var flat = Check(b).Where(f => f.Check == "flat_bar").ToList();
        Assert.Equal(2, flat.Count);
        Assert.All(flat, f => Assert.Equal("warning", f.Severity));
        Assert.StartsWith("3 bars in 2020", flat[0].Detail);
        Assert.Equal(b[3].Date, flat[0].Date);
        Assert.StartsWith("1 bars in 2021", flat[1].Detail);
        Assert.True(QualityGate.IsFlatBar(b[60]));
        Assert.False(QualityGate.IsFlatBar(b[70]));
    }

    [Fact]
    public void repeated_bars_warn_and_a_long_run_fails()
    {
        var b = Walk(20, new DateOnly(2020, 1, 6));
        b[6] = b[5] with { Date = b[6].Date };
        var f = Check(b);
        Assert.Contains(f, x => x is { Check: "stale_bar", Severity: "warning" });
        Assert.DoesNotContain(f, x => x.Check == "stale_run");
        for (var i = 7; i < 10; i++) b[i] = b[5] with { Date = b[i].Date };
        Assert.Contains(Check(b), x => x is { Check: "stale_run", Severity: "error" });
    }

    [Fact]
    public void isolated_spike_fails_one_way_jump_warns()
    {
        var b = Walk(200, new DateOnly(2019, 1, 1));
        b[150] = b[150] with { Close = b[150].Close * 1.5, High = b[150].Close * 1.5 + 1 };
        Assert.Contains(Check(b), x => x is { Check: "spike", Severity: "error" } && x.Date == b[150].Date);
        var c = Walk(200, new DateOnly(2019, 1, 1));
        for (var i = 150; i < 200; i++) c[i] = c[i] with { Open = c[i].Open * 1.5, High = c[i].High * 1.5, Low = c[i].Low * 1.5, Close = c[i].Close * 1.5 };
        var f = Check(c);
        Assert.Contains(f, x => x is { Check: "extreme_move", Severity: "warning" } && x.Date == c[150].Date);
        Assert.DoesNotContain(f, x => x.Severity == "error");
    }

    [Fact]
    public void non_positive_price_fails_unless_known_real()
    {
        var b = Walk(10, new DateOnly(2020, 4, 13));
        var i = b.FindIndex(x => x.Date == new DateOnly(2020, 4, 20));
        b[i] = b[i] with { Close = -37.63, Low = -40.32 };
        Assert.Contains(QualityGate.Check("T", "test", b), x => x is { Check: "non_positive_price", Severity: "error" });
        Assert.Contains(QualityGate.Check("CL", "test", b), x => x is { Check: "non_positive_price", Severity: "warning" });
    }

    [Fact]
    public void last_bar_repeating_the_volume_is_flagged_intraday()
    {
        var b = Walk(10, new DateOnly(2021, 6, 1));
        b[^1] = b[^1] with { Volume = b[^2].Volume };
        Assert.Contains(Check(b), x => x is { Check: "intraday_last_bar", Severity: "warning" });
    }
}
