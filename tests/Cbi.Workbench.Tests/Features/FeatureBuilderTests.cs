using Cbi.Workbench.Data;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Features;

/// <summary>The feature builder on the real warehouse built from data/raw. Spot values are recomputed by hand
/// from the raw rows quoted in each comment.</summary>
[Collection("warehouse")]
public class FeatureBuilderTests(WarehouseFixture wh)
{
    Frame Full => full ??= FeatureBuilder.Build(wh.Path);
    Frame? full;

    double At(string feature, int y, int m, int d)
    {
        var row = Array.IndexOf(Full.Dates, new DateOnly(y, m, d));
        Assert.True(row >= 0, $"{y}-{m}-{d} is not a ZL trading day");
        return Full.Features[Array.IndexOf(Full.FeatureNames, feature)][row];
    }

    [Fact]
    public void frame_is_the_zl_grid_with_the_locked_feature_order()
    {
        var zl = Snapshot.Load(wh.Path).Bars("ZL");
        Assert.Equal(zl.Select(b => b.Date), Full.Dates);
        Assert.Equal(zl.Select(b => b.Close), Full.Close);
        Assert.Equal(FeatureCatalogue.Names, Full.FeatureNames);
        Assert.NotNull(Full.Weights);
        // Every feature has real values somewhere (none is a silent all-NaN column).
        for (var j = 0; j < Full.FeatureNames.Length; j++)
            Assert.True(Full.Features[j].Count(v => !double.IsNaN(v)) > 1000, Full.FeatureNames[j]);
    }

    [Fact]
    public void price_and_crush_features_match_the_raw_rows()
    {
        // yahoo_commodities_ubitron: ZL 2008-02-29 close 68.150002; 2008-03-03 high 70.82, low 68.410004,
        // close 70.400002; ZS 2008-03-03 close 1544.5 c/bu; ZM 2008-03-03 close 377.0 USD/short ton.
        Assert.Equal(Math.Log(70.400002 / 68.150002), At("ret_1d", 2008, 3, 3), 1e-6);          // 0.032482
        Assert.Equal((70.82 - 68.410004) / 70.400002, At("hl_range", 2008, 3, 3), 1e-6);         // 0.034233
        // Board crush: 70.400002 × 0.11 + 377.0 × 0.022 − 1544.5/100 = 7.744000 + 8.294 − 15.445 = 0.593000 USD/bu.
        Assert.Equal(0.593, At("crush_margin", 2008, 3, 3), 1e-5);
        // Oil share: 7.744 / (7.744 + 8.294) = 0.482853.
        Assert.Equal(7.744000 / (7.744000 + 8.294), At("oil_share", 2008, 3, 3), 1e-6);
    }

    [Fact]
    public void a_thin_single_price_bar_has_no_range_but_keeps_its_close()
    {
        // yahoo_commodities_ubitron/Soybean Oil.csv line 476: "2002-01-08,16.240000,16.240000,16.240000,16.240000,16.240000,1"
        // (open = high = low = close, volume 1: an electronic-session print); line 475: "2002-01-07,…,15.810000,15.810000,1".
        var bar = Snapshot.Load(wh.Path).Bars("ZL").Single(b => b.Date == new DateOnly(2002, 1, 8));
        Assert.True(QualityGate.IsFlatBar(bar));
        Assert.Equal(Math.Log(16.24 / 15.81), At("ret_1d", 2002, 1, 8), 1e-6);   // close stays: 0.026835
        foreach (var f in new[] { "hl_range", "oc_range", "atr_14", "adx_14", "cci_14" })
            Assert.True(double.IsNaN(At(f, 2002, 1, 8)), $"{f} on a single-price bar should be missing, is {At(f, 2002, 1, 8)}");
        // and the quality report counts such bars per year
        Assert.Contains(Snapshot.Load(wh.Path).Quality, q => q is { Check: "flat_bar", Severity: "warning", Symbol: "ZL" }
            && q.Date!.Value.Year == 2002 && q.Detail.StartsWith("74 bars in 2002"));
    }

    [Fact]
    public void palm_in_usd_uses_the_previous_days_exchange_rate()
    {
        // palm_fcpo_omar: FCPO 2022-04-28 close 6914 MYR/t; USDMYR dated 2022-04-27 close 4.322500228881836
        // (the 2022-04-28 rate, 4.3575, is only available on 2022-04-29). 6914 / 4.3225 = 1599.537 USD/t.
        Assert.Equal(6914 / 4.322500228881836, At("palm_usd", 2022, 4, 28), 1e-6);
        // ZL 2022-04-28 close 90.5999984741211 c/lb × 22.0462 = 1997.386 USD/t; spread = 1599.537 − 1997.386.
        Assert.Equal(6914 / 4.322500228881836 - 90.5999984741211 * 22.0462, At("palm_soy_spread", 2022, 4, 28), 1e-6);
    }

    [Fact]
    public void negative_wti_is_kept_as_a_level_and_never_logged()
    {
        // yahoo_commodities_ubitron Crude Oil.csv: 2020-04-17 close 18.27, 2020-04-20 close −37.630001,
        // 2020-04-21 close 10.01. NYMEX closes after the ZL settlement, so the close of day d is used on the
        // next ZL trading day: the −37.63 appears on 2020-04-21.
        Assert.Equal(18.27, At("wti", 2020, 4, 20), 1e-6);
        Assert.Equal(-37.630001, At("wti", 2020, 4, 21), 1e-6);
        Assert.True(double.IsNaN(At("zl_wti_log_ratio", 2020, 4, 21)));
        Assert.True(double.IsNaN(At("wti_ret_21d", 2020, 4, 21)));
        Assert.False(double.IsNaN(At("zl_wti_log_ratio", 2020, 4, 22))); // 10.01
    }

    [Fact]
    public void cot_is_used_only_from_the_trading_day_after_the_friday_release()
    {
        // cftc_cot_legacy_vitor SBO: as-of 2019-12-31 comm long 205154 short 350333 (net −145179), released
        // Fri 2020-01-03 → usable Mon 2020-01-06; as-of 2020-01-07 comm long 212280 short 351504 (net −139224),
        // OI 517741, released Fri 2020-01-10 → usable Mon 2020-01-13.
        Assert.Equal(-145179, At("cot_comm_net", 2020, 1, 10));
        Assert.Equal(-139224, At("cot_comm_net", 2020, 1, 13));
        Assert.Equal(-139224 + 145179, At("cot_comm_net_chg_1w", 2020, 1, 13));
        Assert.Equal(-139224 / 517741.0, At("cot_comm_net_pct_oi", 2020, 1, 13), 1e-12);
    }

    [Fact]
    public void calendar_features_follow_the_published_schedules()
    {
        // WASDE 2020-01-10 and 2020-02-11 (wasde_dates_josea). From Mon 2020-01-13 to 2020-02-11: 21 weekdays.
        Assert.Equal(1, At("wasde_day", 2020, 1, 10));
        Assert.Equal(0, At("days_to_wasde", 2020, 1, 10));
        Assert.Equal(1, At("days_to_wasde", 2020, 1, 9));
        Assert.Equal(21, At("days_to_wasde", 2020, 1, 13));
        // The calendar starts 2001-01-11 (wasde_dates_dubilava first row 2001,1,11): the 2000 releases are not in
        // it, so in 2000 the distance to the next release is unknown, not ~200 weekdays to January 2001.
        Assert.True(double.IsNaN(At("days_to_wasde", 2000, 12, 28)));
        Assert.True(double.IsNaN(At("wasde_day", 2000, 12, 28)));
        // Next ZL day in the file, Tue 2001-01-16, to the 2001-02-08 release (second row): 17 weekdays.
        Assert.Equal(17, At("days_to_wasde", 2001, 1, 16));
        // ZLN20: 15 July 2020 is a Wednesday → last trading day Tue 2020-07-14; the July delivery month starts 07-01.
        Assert.Equal(0, At("days_to_expiry", 2020, 7, 14));
        Assert.Equal(1, At("days_to_expiry", 2020, 7, 13));
        Assert.Equal(0, At("roll_window", 2020, 6, 30));
        Assert.Equal(1, At("roll_window", 2020, 7, 1));
        Assert.Equal(0, At("roll_window", 2020, 7, 15)); // front is now ZLQ20
        Assert.Equal(3, At("day_of_week", 2020, 7, 15));  // Wednesday
    }

    [Fact]
    public void sources_beyond_their_staleness_limit_are_missing_not_carried()
    {
        // The Refinitiv D4 RIN column ends 2025-04-16 (available 04-17); 5 ZL days later it must be NaN.
        var row = Array.FindIndex(Full.Dates, d => d >= new DateOnly(2025, 4, 17));
        var rin = Full.Features[Array.IndexOf(Full.FeatureNames, "rin_d4")];
        Assert.False(double.IsNaN(rin[row]));
        Assert.True(double.IsNaN(rin[row + 6]));
        Assert.All(rin[(row + 6)..], v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void an_as_of_build_has_no_row_after_the_as_of_date()
    {
        var f = FeatureBuilder.Build(wh.Path, new DateOnly(2015, 6, 30));
        Assert.Equal(new DateOnly(2015, 6, 30), f.Dates[^1]);
        var g = FeatureBuilder.Build(wh.Path, new DateOnly(2015, 7, 4)); // a Saturday
        Assert.True(g.Dates[^1] <= new DateOnly(2015, 7, 4));
    }

    [Fact]
    public void regime_weights_are_applied_by_calendar_regime()
    {
        var f = FeatureBuilder.Build(wh.Path, new DateOnly(2009, 1, 31), new FeatureOptions
        {
            Features = ["ret_1d"], Weights = new RegimeWeights { Crisis = 3, Base = 0.5 },
        });
        Assert.Equal(["ret_1d"], f.FeatureNames);
        for (var i = 0; i < f.Rows; i++) Assert.Equal(f.Dates[i].Year == 2008 ? 3 : 0.5, f.Weights![i]);
        Assert.Throws<ArgumentException>(() => FeatureBuilder.Build(wh.Path, null, new FeatureOptions { Features = ["no_such_feature"] }));
    }

    [Fact]
    public void leakage_guard_passes_for_every_feature_on_60_dates_2001_to_2026()
    {
        var r = LeakageGuard.Run(wh.Path, count: 60);
        Assert.True(r.Dates.Count >= 50);
        Assert.True(r.Dates[0].Year == 2001 && r.Dates[^1].Year == 2026);
        Assert.Equal(FeatureCatalogue.Names, r.Features);
        Assert.True(r.Passed, string.Join("\n", r.Mismatches.Take(20)));
    }

    [Fact]
    public void leakage_guard_catches_a_feature_that_reads_tomorrows_close()
    {
        IFeatureSource Load(DateOnly? asOf) => new FeatureBuilder.SnapshotSource(Snapshot.Load(wh.Path, asOf));
        static Frame Leaky(IFeatureSource src)
        {
            var f = FeatureBuilder.Build(src, new FeatureOptions { Features = ["ret_1d", "rsi_14"] });
            // close[t+1]: a value from the future, as the old system's LEAD() feature did.
            var next = Enumerable.Range(0, f.Rows).Select(i => i + 1 < f.Rows ? f.Close[i + 1] : double.NaN).ToArray();
            return new Frame(f.Dates, f.Close, [.. f.FeatureNames, "leaky_next_close"], [.. f.Features, next], f.Weights, f.Calendar);
        }
        var grid = Snapshot.Load(wh.Path).Bars("ZL").Select(b => b.Date).ToArray();
        var dates = LeakageGuard.SpreadDates(grid, 50, new DateOnly(2001, 1, 1), grid[^2]);
        var r = LeakageGuard.Run(Load, Leaky, dates);
        Assert.False(r.Passed);
        Assert.All(r.Mismatches, m => Assert.Equal("leaky_next_close", m.Feature));
        Assert.Equal(dates.Length, r.Mismatches.Count); // caught on every date, and named with it
        Assert.Contains("leaky_next_close at " + dates[0].ToString("yyyy-MM-dd"), r.Mismatches[0].ToString());
    }

    [Fact]
    public void validation_folds_on_the_real_grid_purge_every_horizon_and_stop_before_the_holdout()
    {
        foreach (var h in new[] { 1, 5, 20, 21, 63, 126, 252 })
        {
            var folds = Splits.Validation(Full, h);
            foreach (var f in folds)
            {
                var firstScored = Full.Dates[f.ScoreRows[0]];
                Assert.All(f.TrainRows, r => Assert.True(Full.Dates[Full.TargetRow(r, h)] < firstScored));
                Assert.All(f.ScoreRows, r => Assert.True(Full.Dates[Full.TargetRow(r, h)] < Holdout.Start));
            }
            var dev = Splits.Development(Full);
            Assert.Equal(new DateOnly(2023, 6, 30), dev.Dates[^1]);
        }
    }

    [Fact]
    public void cot_backlog_after_a_shutdown_does_not_leak_into_weekly_changes()
    {
        // cot_weekly SBO: the 2013-10-01/08/15 reports were released late (available 2013-11-18) while the
        // 2013-10-22 report was usable from 2013-10-28. A weekly change on 10-28 computed against the 10-15 report
        // would use a report not yet published; the full-history build once did exactly that. Same for the
        // 2025 shutdown around 2026-01-15. These dates were found by running the guard on every trading day.
        IFeatureSource Load(DateOnly? asOf) => new FeatureBuilder.SnapshotSource(Snapshot.Load(wh.Path, asOf));
        DateOnly[] dates = [new(2013, 10, 28), new(2013, 11, 4), new(2013, 11, 18), new(2013, 11, 19), new(2026, 1, 15), new(2026, 2, 2)];
        var r = LeakageGuard.Run(Load, src => FeatureBuilder.Build(src), dates);
        Assert.True(r.Passed, string.Join("\n", r.Mismatches));
        // On 2013-10-28 the previous report as published then (as-of 09-24) is 28 days older: no weekly change.
        Assert.True(double.IsNaN(At("cot_comm_net_chg_1w", 2013, 10, 28)));
        // On 2013-11-18 the backlog and the 11-12 report are all usable; the newest wins: net 9022 (comm long −
        // short of 11-12 in cot_weekly SBO), changed by 9022 − 6202 = 2820 against the 11-05 report.
        Assert.Equal(9022, At("cot_comm_net", 2013, 11, 18));
        Assert.Equal(9022 - 6202, At("cot_comm_net_chg_1w", 2013, 11, 18));
    }
}
