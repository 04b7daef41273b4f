using Cbi.Workbench.Data;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Tests.Data;

[Collection("warehouse")]
public class WarehouseTests(WarehouseFixture wh)
{
    T Scalar<T>(string sql)
    {
        using var db = new DuckDBConnection($"Data Source={wh.Path};ACCESS_MODE=READ_ONLY");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return (T)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void zl_is_one_continuous_series_2000_to_2026()
    {
        var zl = Snapshot.Load(wh.Path).Bars("ZL");
        Assert.Equal(new DateOnly(2000, 3, 15), zl[0].Date);
        Assert.Equal(new DateOnly(2026, 7, 14), zl[^1].Date);
        Assert.True(zl.Zip(zl.Skip(1)).All(p => p.First.Date < p.Second.Date));
        // ubitron before its (possibly intraday) last bar 2021-06-09, omar from then on
        Assert.Equal("yahoo_ubitron", Scalar<string>("SELECT source FROM market_daily WHERE symbol='ZL' AND date='2021-06-08'"));
        Assert.Equal("yahoo_omar", Scalar<string>("SELECT source FROM market_daily WHERE symbol='ZL' AND date='2021-06-09'"));
        Assert.Equal(59930.0, zl.Single(b => b.Date == new DateOnly(2021, 6, 9)).Volume); // omar line: 2021-06-09,…,59930 (ubitron repeats 66524)
    }

    [Fact]
    public void market_daily_has_the_contract_symbols()
    {
        var s = Snapshot.Load(wh.Path);
        foreach (var sym in new[] { "ZL", "ZL_BACKADJ", "ZS", "ZM", "ZC", "CL", "HO", "BZ", "DX", "FCPO", "ZL2" })
            Assert.NotEmpty(s.Bars(sym));
        Assert.Equal(-37.630001, s.Bars("CL").Single(b => b.Date == new DateOnly(2020, 4, 20)).Close, 1e-9); // Crude Oil.csv line 5010
    }

    [Fact]
    public void targets_equal_hand_computed_log_returns()
    {
        // Soybean Oil.csv line 3043: 2012-01-10 close 52.200001; line 3044: 2012-01-11 close 51.590000;
        // 5 ZL trading days after 2012-01-10 is 2012-01-18 (11, 12, 13, 17 [16th MLK holiday], 18), line 3048 close 50.400002.
        // ln(51.59/52.200001) = -0.0117546588, ln(50.400002/52.200001) = -0.0350912993 (python math.log)
        Assert.Equal(-0.011754658789122407, Scalar<double>("SELECT ret_fwd_1d FROM zl_targets WHERE date='2012-01-10'"), 1e-12);
        Assert.Equal(-0.03509129928581915, Scalar<double>("SELECT ret_fwd_5d FROM zl_targets WHERE date='2012-01-10'"), 1e-12);
        Assert.Equal(new DateOnly(2012, 1, 18), Scalar<DateOnly>("SELECT target_date_5d FROM zl_targets WHERE date='2012-01-10'"));
        // the last bar has no forward return; nothing is filled
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(ret_fwd_1d) FROM zl_targets WHERE date='2026-07-14'"));
        Assert.Equal(252L, Scalar<long>("SELECT COUNT(*) - COUNT(ret_fwd_252d) FROM zl_targets WHERE date > '2025-01-01'"));
    }

    [Fact]
    public void targets_do_not_span_the_2003_hole()
    {
        // 2003-11-21 is followed in the file by null rows until 2003-12-26; a "1-day" return over 5 weeks would be wrong.
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(ret_fwd_1d) FROM zl_targets WHERE date='2003-11-21'"));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(ret_fwd_5d) FROM zl_targets WHERE date BETWEEN '2003-11-17' AND '2003-11-21'"));
    }

    [Fact]
    public void cot_is_released_friday_and_usable_the_next_trading_day()
    {
        var sbo = Snapshot.Load(wh.Path).Cot("SBO");
        var r = sbo.Single(c => c.AsOfDate == new DateOnly(2009, 1, 6)); // Tuesday
        Assert.Equal(new DateOnly(2009, 1, 9), r.ReleaseDate);
        Assert.Equal(new DateOnly(2009, 1, 12), r.AvailableDate);
        Assert.Equal(new DateOnly(1987, 1, 30), sbo[0].AsOfDate); // Quandl commercial history before 2009
        Assert.True(double.IsNaN(sbo[0].OpenInterest));
        Assert.All(sbo, c => Assert.True(c.AvailableDate > c.AsOfDate));
    }

    [Fact]
    public void fred_values_are_available_the_next_business_day()
    {
        var dgs = Snapshot.Load(wh.Path).Series("DGS10");
        var fri = dgs.Single(o => o.Date == new DateOnly(2020, 8, 7)); // a Friday
        Assert.Equal(new DateOnly(2020, 8, 10), fri.AvailableDate);
    }

    [Theory]
    [InlineData("2005-06-15")]
    [InlineData("2013-10-04")]
    [InlineData("2019-11-05")]
    [InlineData("2025-11-20")]
    public void as_of_snapshot_never_returns_anything_published_later(string date)
    {
        var asOf = DateOnly.Parse(date);
        var s = Snapshot.Load(wh.Path, asOf);
        foreach (var sym in s.Symbols) Assert.All(s.Bars(sym), b => Assert.True(b.Date <= asOf, $"{sym} {b.Date}"));
        foreach (var name in s.SeriesNames) Assert.All(s.Series(name), o => Assert.True(o.AvailableDate <= asOf, $"{name} {o.Date}"));
        foreach (var m in s.CotMarkets) Assert.All(s.Cot(m), c => Assert.True(c.AvailableDate <= asOf, $"{m} {c.AsOfDate}"));
        Assert.All(s.ZlRollDays, d => Assert.True(d <= asOf));
        // and it is not empty: what was published by then is there
        Assert.True(s.Bars("ZL")[^1].Date >= asOf.AddDays(-7));
    }

    [Fact]
    public void markets_that_settle_after_zl_are_not_in_the_snapshot_of_that_day()
    {
        // Friday 2015-06-05. Raw quotes: yahoo_commodities_ubitron/Soybean Oil.csv line 3899 "2015-06-05,34.500000,…,34.779999";
        // Crude Oil.csv line 3783 "2015-06-04,…,58.000000" and line 3784 "2015-06-05,…,59.130001";
        // vix_cboe_datasets/vix-daily.csv line 6405 "2015-06-04,…,14.710000". ZL settles 13:15 CT, CL 13:30 CT, VIX 16:15 ET.
        var friday = Snapshot.Load(wh.Path, new DateOnly(2015, 6, 5));
        Assert.Equal(new DateOnly(2015, 6, 5), friday.Bars("ZL")[^1].Date);
        Assert.Equal(34.779999, friday.Bars("ZL")[^1].Close, 1e-6);
        Assert.Equal(new DateOnly(2015, 6, 4), friday.Bars("CL")[^1].Date);
        Assert.Equal(58.0, friday.Bars("CL")[^1].Close, 1e-6);
        foreach (var sym in new[] { "CL", "HO", "BZ", "DX" })
            Assert.True(friday.Bars(sym)[^1].Date < friday.AsOf, $"{sym} bar dated {friday.Bars(sym)[^1].Date} in the snapshot of its own day");
        Assert.Equal(new DateOnly(2015, 6, 4), friday.Series("VIX")[^1].Date);
        Assert.Equal(14.71, friday.Series("VIX")[^1].Value, 1e-6);
        // The Friday close is usable from the next ZL trading day, Monday 2015-06-08.
        var monday = Snapshot.Load(wh.Path, new DateOnly(2015, 6, 8));
        Assert.Equal(new DateOnly(2015, 6, 5), monday.Bars("CL")[^1].Date);
        Assert.Equal(59.130001, monday.Bars("CL")[^1].Close, 1e-6);
        Assert.Equal(new DateOnly(2015, 6, 5), monday.Series("VIX")[^1].Date);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void a_warehouse_built_by_other_code_is_rebuilt_even_when_the_raw_data_are_unchanged()
    {
        var copy = System.IO.Path.Combine(wh.Dir, "built-by-older-code.duckdb");
        File.Copy(wh.Path, copy, overwrite: true);
        using (var db = new DuckDBConnection("Data Source=" + copy))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE build_info SET value = 'an-older-build' WHERE key = 'build_code'";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        var log = new StringWriter();
        Warehouse.EnsureBuilt(warehousePath: copy, log: log);
        Assert.Contains("different version of the code", log.ToString());
        string BuildCode()
        {
            using var db = new DuckDBConnection($"Data Source={copy};ACCESS_MODE=READ_ONLY");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT value FROM build_info WHERE key = 'build_code'";
            return (string)cmd.ExecuteScalar()!;
        }
        Assert.Equal(Warehouse.BuildCode, BuildCode());
        // and a current warehouse is left alone
        var stamp = File.GetLastWriteTimeUtc(copy);
        Warehouse.EnsureBuilt(warehousePath: copy, log: TextWriter.Null);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void a_stale_warehouse_is_refused_by_snapshot_load_until_it_is_rebuilt()
    {
        var copy = System.IO.Path.Combine(wh.Dir, "stale-for-snapshot.duckdb");
        void Tamper(string key, string value)
        {
            File.Copy(wh.Path, copy, overwrite: true);
            using var db = new DuckDBConnection("Data Source=" + copy);
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"UPDATE build_info SET value = '{value}' WHERE key = '{key}'";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }

        Tamper("build_code", "an-older-build");
        var code = Assert.Throws<InvalidDataException>(() => Snapshot.Load(copy));
        Assert.Contains(System.IO.Path.GetFullPath(copy), code.Message);
        Assert.Contains("built by other code", code.Message);
        Assert.Contains("cbi warehouse", code.Message);

        Tamper("data_version", "an-older-manifest");
        var data = Assert.Throws<InvalidDataException>(() => Snapshot.Load(copy, new DateOnly(2015, 6, 5)));
        Assert.Contains(System.IO.Path.GetFullPath(copy), data.Message);
        Assert.Contains("an-older-manifest", data.Message);
        Assert.Contains("cbi warehouse", data.Message);

        // Going through EnsureBuilt rebuilds it, after which it loads.
        Assert.Equal(wh.Report.MarketRows, Snapshot.Load(Warehouse.EnsureBuilt(warehousePath: copy, log: TextWriter.Null)).Symbols
            .Where(sym => sym != "ZL_BACKADJ").Sum(sym => (long)Snapshot.Load(copy).Bars(sym).Count));
    }

    [Fact]
    public void backadjusted_zl_reanchors_at_the_snapshot_date()
    {
        var asOf = new DateOnly(2010, 6, 30);
        var s = Snapshot.Load(wh.Path, asOf);
        Assert.Equal(s.Bars("ZL")[^1].Close, s.Bars("ZL_BACKADJ")[^1].Close, 1e-9);
        // returns of the back-adjusted series between two dates within the snapshot do not depend on the as-of
        var full = Snapshot.Load(wh.Path);
        double Ret(IReadOnlyList<Bar> b) => Math.Log(b.Single(x => x.Date == new DateOnly(2010, 6, 1)).Close / b.Single(x => x.Date == new DateOnly(2009, 6, 1)).Close);
        Assert.Equal(Ret(full.Bars("ZL_BACKADJ")), Ret(s.Bars("ZL_BACKADJ")), 1e-12);
    }

    [Fact]
    public void backadjustment_removes_exactly_the_measured_roll_gap()
    {
        // Between two rolls the back-adjusted/quoted ratio is constant; across a measured roll it changes by next/expiring.
        var n = Scalar<long>("""
            WITH f AS (SELECT z.date, b.close / z.close AS k FROM market_daily z JOIN market_daily b ON b.symbol='ZL_BACKADJ' AND b.date=z.date WHERE z.symbol='ZL')
            SELECT COUNT(*) FROM zl_roll r JOIN f a ON a.date = r.last_trading_day JOIN f c ON c.date = r.roll_date
            WHERE r.gap_measured AND ABS(LN(a.k / c.k) - r.roll_log_ratio) > 1e-12
            """);
        Assert.Equal(0L, n);
        Assert.True(Scalar<long>("SELECT COUNT(*) FROM zl_roll WHERE gap_measured") > 100);
        Assert.Equal(new DateOnly(2019, 10, 14), Scalar<DateOnly>("SELECT MAX(last_trading_day) FROM zl_roll WHERE gap_measured")); // ZLV19; Quandl ends 2019-11-05
    }

    [Fact]
    public void real_data_passes_the_gate_with_known_events_flagged()
    {
        var q = Snapshot.Load(wh.Path).Quality;
        Assert.DoesNotContain(q, f => f.Severity == "error");
        Assert.Contains(q, f => f is { Check: "non_positive_price", Symbol: "CL" } && f.Date == new DateOnly(2020, 4, 20));
        Assert.Contains(q, f => f is { Check: "intraday_last_bar", Symbol: "BZ" }); // ubitron Brent last bar repeats volume 29742
    }

    [Fact]
    public void zl_contract_calendar_follows_the_cbot_rule()
    {
        var c = Snapshot.Load(wh.Path).ZlContracts;
        Assert.Equal(new DateOnly(2012, 1, 13), c.Single(x => x.Code == "ZLF12").LastTradingDay); // 15 Jan 2012 is a Sunday → Fri 13th
        Assert.Equal(new DateOnly(2018, 3, 14), c.Single(x => x.Code == "ZLH18").LastTradingDay); // Thu 15 Mar → Wed 14th
        Assert.Equal(8 * 28, c.Count); // 8 months × 2000–2027
    }
}

[Collection("warehouse")]
public class AvailabilityTests(WarehouseFixture wh)
{
    [Fact]
    public void pink_sheet_month_is_usable_from_the_10th_of_the_next_month()
    {
        // 2025M10 → 2025-11-10 (a Monday); the vendored file itself was updated 2025-11-04.
        Assert.Equal(new DateOnly(2025, 11, 10), Availability.PinkSheet(new DateOnly(2025, 10, 1)));
        // 2022M04 → 10 May 2022 is a Tuesday
        Assert.Equal(new DateOnly(2022, 5, 10), Availability.PinkSheet(new DateOnly(2022, 4, 1)));
        var s = Snapshot.Load(wh.Path, new DateOnly(2022, 6, 9));
        Assert.Equal(new DateOnly(2022, 4, 1), s.Monthly("SOYBEAN_OIL")[^1].Date); // May's value comes on 2022-06-10
    }

    [Fact]
    public void eia_spot_is_usable_the_wednesday_after_its_week()
    {
        Assert.Equal(new DateOnly(2020, 4, 29), Availability.EiaWeekly(new DateOnly(2020, 4, 20))); // Mon → Wed next week
        Assert.Equal(new DateOnly(2020, 4, 29), Availability.EiaWeekly(new DateOnly(2020, 4, 24))); // Fri → +5
        var wti = Snapshot.Load(wh.Path, new DateOnly(2020, 4, 28)).Series("WTI_SPOT");
        Assert.True(wti[^1].Date < new DateOnly(2020, 4, 20)); // the negative print is not yet known on 2020-04-28
    }

    [Fact]
    public void dexbzus_is_one_series_from_two_fred_files()
    {
        var brl = Snapshot.Load(wh.Path).Series("DEXBZUS");
        Assert.Equal(new DateOnly(1999, 1, 4), brl[0].Date);
        Assert.Equal(new DateOnly(2026, 5, 15), brl[^1].Date);
        Assert.True(brl.Zip(brl.Skip(1)).All(p => p.First.Date < p.Second.Date));
        Assert.Equal(5.0739, brl[^1].Value, 1e-9); // fred_dexbzus_wygong/DEXBZUS.csv last line: 2026-05-15,5.0739
    }

    [Fact]
    public void cot_reports_delayed_by_a_shutdown_get_a_late_release()
    {
        Assert.Equal(new DateOnly(2026, 1, 30), Availability.CotRelease(new DateOnly(2025, 10, 7)));
        Assert.Equal(new DateOnly(2025, 9, 26), Availability.CotRelease(new DateOnly(2025, 9, 23)));
        Assert.Equal(new DateOnly(2026, 1, 30), Availability.CotRelease(new DateOnly(2025, 11, 10))); // the Monday as-of in PROVENANCE §8, in the backlog
        // A Monday as-of in a week whose Wednesday is a federal holiday (New Year 2025) waits for the next business day
        // like any holiday week (the CFTC archive has the report as of Tuesday 2024-12-31; Monday is the conservative case).
        Assert.Equal(new DateOnly(2025, 1, 6), Availability.CotRelease(new DateOnly(2024, 12, 30)));
    }

    [Theory]
    // cftc.gov COT release schedule 2024, dates marked "*Delayed release date due to a Federal holiday":
    [InlineData("2024-06-18", "2024-06-24")] // Juneteenth Wednesday
    [InlineData("2024-07-02", "2024-07-08")] // Independence Day Thursday
    [InlineData("2024-11-26", "2024-12-02")] // Thanksgiving
    [InlineData("2024-12-24", "2024-12-30")] // Christmas Wednesday
    [InlineData("2015-06-30", "2015-07-06")] // CFTC notice 2015-06-30: next publication Monday 2015-07-06 (holiday 2015-07-03)
    // same schedule, undelayed weeks with a Monday holiday (MLK, Presidents, Memorial, Labor, Veterans Day 2024):
    [InlineData("2024-01-16", "2024-01-19")]
    [InlineData("2024-02-20", "2024-02-23")]
    [InlineData("2024-05-28", "2024-05-31")]
    [InlineData("2024-09-03", "2024-09-06")]
    [InlineData("2024-11-12", "2024-11-15")]
    [InlineData("2024-06-11", "2024-06-14")] // an ordinary week
    // one-off federal closures on a Wednesday–Friday (see Availability.IsFederalHoliday), erring late:
    [InlineData("2018-12-04", "2018-12-10")] // national day of mourning Wed 2018-12-05
    [InlineData("2017-01-17", "2017-01-23")] // Inauguration Day Fri 2017-01-20 (Washington-area federal holiday)
    public void cot_release_waits_for_the_next_business_day_after_a_late_week_federal_holiday(string asOf, string release) =>
        Assert.Equal(DateOnly.Parse(release), Availability.CotRelease(DateOnly.Parse(asOf)));

    [Fact]
    public void cot_report_of_christmas_week_2020_is_usable_only_after_its_monday_release()
    {
        // As-of Monday 2020-12-21 (CFTC used Monday data); Friday 2020-12-25 is Christmas, so the release is Monday
        // 2020-12-28 at 3:30 p.m. ET, after the ZL close: first usable on Tuesday 2020-12-29.
        var r = Snapshot.Load(wh.Path).Cot("SBO").Single(c => c.AsOfDate == new DateOnly(2020, 12, 21));
        Assert.Equal(new DateOnly(2020, 12, 28), r.ReleaseDate);
        Assert.Equal(new DateOnly(2020, 12, 29), r.AvailableDate);
    }

    [Fact]
    public void the_first_report_of_the_2018_shutdown_is_in_its_backlog()
    {
        // CFTC announcement (Hagstrom Report, thefencepost.com, Jan 2019): "The last COT report was published on
        // Dec. 21, 2018 … beginning with the report previously scheduled for release on Friday, Dec. 28, 2018 (based
        // on data from Monday, Dec. 24, 2018). The CFTC expects to publish this report on Friday, Feb. 1, 2019."
        // The shutdown began 2018-12-22, so that Monday report is part of the backlog, not a Friday release.
        Assert.True(Availability.CotRelease(new DateOnly(2018, 12, 24)) >= new DateOnly(2019, 2, 1));
        Assert.Equal(new DateOnly(2018, 12, 21), Availability.CotRelease(new DateOnly(2018, 12, 18))); // last one on time
        var r = Snapshot.Load(wh.Path).Cot("SBO").Single(c => c.AsOfDate == new DateOnly(2018, 12, 24));
        Assert.True(r.AvailableDate > new DateOnly(2019, 2, 1));
    }

    [Fact]
    public void no_cot_report_is_usable_before_an_earlier_one()
    {
        // The 2013-10-22 report follows the shutdown backlog of 2013-10-01…15 (released 2013-11-15), and
        // 2026-01-06 follows the 2025 backlog (released 2026-01-30): each waits for the backlog before it.
        Assert.Equal(new DateOnly(2013, 11, 15), Availability.CotRelease(new DateOnly(2013, 10, 22)));
        Assert.Equal(new DateOnly(2026, 1, 30), Availability.CotRelease(new DateOnly(2026, 1, 6)));
        Assert.Equal(new DateOnly(2026, 2, 6), Availability.CotRelease(new DateOnly(2026, 2, 3)));
        var asOfs = Enumerable.Range(0, 20 * 52).Select(w => new DateOnly(2009, 1, 6).AddDays(7 * w)).ToArray();
        var releases = asOfs.Select(Availability.CotRelease).ToArray();
        for (var i = 1; i < releases.Length; i++)
            Assert.True(releases[i] >= releases[i - 1], $"report {asOfs[i]} released {releases[i]} before {asOfs[i - 1]} ({releases[i - 1]})");
    }
}
