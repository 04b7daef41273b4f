using System.Globalization;
using Cbi.Workbench.Data;
using Cbi.Workbench.Features;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>The CBOT session calendar, checked against published facts (CME Group holiday calendar; the dates below
/// are public) and against the real data.</summary>
public class SessionCalendarTests
{
    [Theory]
    [InlineData("2000-04-21", false)] // Good Friday (Easter 2000-04-23)
    [InlineData("2024-03-29", false)] // Good Friday (Easter 2024-03-31)
    [InlineData("2021-06-18", true)]  // Juneteenth is a CME holiday from 2022 only
    [InlineData("2022-06-20", false)] // Juneteenth 2022 (a Sunday) observed on Monday
    [InlineData("2023-06-19", false)]
    [InlineData("2021-12-31", true)]  // New Year 2022 fell on a Saturday: not made up on the Friday
    [InlineData("2010-12-24", false)] // Christmas 2010 (Saturday) observed on Friday
    [InlineData("2015-07-03", false)] // Independence Day 2015 (Saturday) observed on Friday
    [InlineData("2001-09-12", false)] // closed after the attacks
    [InlineData("2001-09-13", true)]  // CBOT reopened
    [InlineData("2004-06-11", false)] // national day of mourning, President Reagan
    [InlineData("2012-10-29", true)]  // Hurricane Sandy closed New York, CBOT traded (Quandl CHRIS settlement, volume 23,234)
    [InlineData("2018-12-05", true)]  // President G. H. W. Bush: CBOT grains traded (CHRIS volume 40,650)
    [InlineData("2017-11-24", true)]  // day after Thanksgiving: an early-close session
    [InlineData("2017-11-23", false)] // Thanksgiving
    public void cbot_sessions_follow_the_exchange_holiday_rules(string date, bool session) =>
        Assert.Equal(session, SessionCalendar.Cbot.IsSession(DateOnly.Parse(date, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(2000, "2000-04-23")] // reference: the Gregorian Easter dates published for these years
    [InlineData(2008, "2008-03-23")]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2025, "2025-04-20")]
    public void easter_sunday_is_computed_correctly(int year, string easter) =>
        Assert.Equal(DateOnly.Parse(easter, CultureInfo.InvariantCulture), SessionCalendar.Easter(year));

    [Fact]
    public void consecutive_sessions_differ_by_one_across_a_holiday()
    {
        var c = SessionCalendar.Cbot;
        Assert.Equal(1, c.SessionNumber(new DateOnly(2017, 11, 24)) - c.SessionNumber(new DateOnly(2017, 11, 22)));
        Assert.Equal(0, c.SessionsBetween(new DateOnly(2017, 11, 22), new DateOnly(2017, 11, 24)));
        Assert.Contains("Thanksgiving", Assert.Throws<ArgumentException>(() => c.SessionNumber(new DateOnly(2017, 11, 23))).Message);
    }
}

/// <summary>Every real session, honest gaps: the ZL series holds every CBOT session that any raw copy prices, and its
/// targets, recomputed independently from the raw CSV files, agree for every session and horizon.</summary>
[Collection("warehouse")]
public class RealSessionTests(WarehouseFixture wh)
{
    static readonly string[] EarlyCloseSessions =
    [
        "2006-07-03", "2006-11-24", "2007-07-03", "2007-11-23", "2007-12-24", "2008-07-03", "2008-11-28", "2008-12-24", "2008-12-31",
        "2009-11-27", "2009-12-24", "2010-11-26", "2011-11-25", "2012-07-03", "2012-11-23", "2012-12-24", "2013-07-03", "2013-11-29",
        "2013-12-24", "2014-07-03", "2014-11-28", "2014-12-24", "2017-07-03", "2017-11-24", "2018-07-03", "2018-11-23", "2018-12-24",
        "2019-07-03", "2019-11-29", "2019-12-24", "2020-11-27", "2020-12-24",
    ];

    /// <summary>Closes by date from the three raw copies of ZL, read here without the workbench's loaders: Yahoo
    /// (ubitron) before its last date 2021-06-09, the omar copy from then on, each falling back on the others for a
    /// session it lacks; days CBOT was closed left out.</summary>
    static SortedDictionary<DateOnly, double> RawZlCloses()
    {
        static Dictionary<DateOnly, double> Read(string rel, int dateCol, int closeCol) =>
            File.ReadLines(Path.Combine(Workbench.RawDir, rel)).Skip(1).Select(l => l.Split(','))
                .Where(f => double.TryParse(f[closeCol], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .ToDictionary(f => DateOnly.ParseExact(f[dateCol], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                              f => double.Parse(f[closeCol], CultureInfo.InvariantCulture));
        var u = Read("yahoo_commodities_ubitron/Soybean Oil.csv", 0, 4);
        var o = Read("palm_fcpo_omar/soybean_oil.csv", 0, 4);
        var e = Read("yahoo_openclose_edwin/price_ZL_F.csv", 0, 2);
        var switchDate = u.Keys.Max();
        var all = new SortedDictionary<DateOnly, double>();
        foreach (var d in u.Keys.Concat(o.Keys).Concat(e.Keys).Distinct().Where(SessionCalendar.Cbot.IsSession))
        {
            var order = d < switchDate ? new[] { u, o, e } : [o, u, e];
            all[d] = order.First(c => c.ContainsKey(d))[d];
        }
        return all;
    }

    [Fact]
    public void the_series_holds_every_session_any_raw_copy_prices()
    {
        var zl = Snapshot.Load(wh.Path).Bars("ZL");
        // 6,517 dates priced in some copy, less five stale Yahoo bars on days CBOT was closed (2001-09-11, 2001-09-12,
        // 2004-06-11, 2005-11-24, 2006-11-23).
        Assert.Equal(6512, zl.Count);
        Assert.Equal((new DateOnly(2000, 3, 15), new DateOnly(2026, 7, 14)), (zl[0].Date, zl[^1].Date));
        var dates = zl.Select(b => b.Date).ToHashSet();
        foreach (var d in EarlyCloseSessions) Assert.Contains(DateOnly.Parse(d, CultureInfo.InvariantCulture), dates);
        var report = Snapshot.Load(wh.Path).Quality;
        Assert.Equal(32, report.Count(q => q.Check == "session_from_other_copy" && q.Symbol == "ZL"));
        foreach (var sym in new[] { "ZS", "ZM", "ZC" }) Assert.Equal(32, report.Count(q => q.Check == "session_from_other_copy" && q.Symbol == sym));
        foreach (var sym in new[] { "CL", "HO" }) Assert.Equal(30, report.Count(q => q.Check == "session_from_other_copy" && q.Symbol == sym));
        Assert.Equal(5, report.Count(q => q.Check == "bar_on_closed_day" && q.Symbol == "ZL" && q.Source == "yahoo_ubitron"));
        Assert.Equal(RawZlCloses().Keys, zl.Select(b => b.Date));
    }

    [Fact]
    public void targets_recomputed_from_the_raw_copies_agree_for_every_session_and_horizon()
    {
        var raw = RawZlCloses();
        var dates = raw.Keys.ToArray();
        var session = dates.Select(SessionCalendar.Cbot.SessionNumber).ToArray();
        using var db = new DuckDBConnection($"Data Source={wh.Path};ACCESS_MODE=READ_ONLY");
        db.Open();
        foreach (var n in Warehouse.TargetHorizons)
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"SELECT date, ret_fwd_{n}d FROM zl_targets ORDER BY date";
            using var r = cmd.ExecuteReader();
            var i = 0;
            while (r.Read())
            {
                Assert.Equal(dates[i], r.GetFieldValue<DateOnly>(0));
                // Defined when the n rows ahead are n consecutive sessions: no session the data lacks in between.
                var defined = i + n < dates.Length && session[i + n] - session[i] == n;
                if (!defined) Assert.True(r.IsDBNull(1), $"h={n} {dates[i]:yyyy-MM-dd}: a target across a gap");
                else Assert.Equal(Math.Log(raw[dates[i + n]] / raw[dates[i]]), r.GetDouble(1), 1e-12);
                i++;
            }
            Assert.Equal(dates.Length, i);
        }
    }

    [Fact]
    public void a_gap_in_the_data_is_missing_not_a_longer_move_labelled_one_day()
    {
        using var db = new DuckDBConnection($"Data Source={wh.Path};ACCESS_MODE=READ_ONLY");
        db.Open();
        using var cmd = db.CreateCommand();
        // 2001-03-01 is followed in the data by 2001-03-16 (ten sessions missing): no 1-day target.
        cmd.CommandText = "SELECT ret_fwd_1d IS NULL FROM zl_targets WHERE date = DATE '2001-03-01'";
        Assert.True((bool)cmd.ExecuteScalar()!);
        // 2017-11-22 → the early-close 2017-11-24 (from another copy): the raw closes' −0.0032, not −0.0133.
        cmd.CommandText = "SELECT ret_fwd_1d FROM zl_targets WHERE date = DATE '2017-11-22'";
        Assert.Equal(-0.0032, (double)cmd.ExecuteScalar()!, 4);
        var f = FeatureBuilder.Build(Snapshot.Load(wh.Path));
        var row = f.RowOf(new DateOnly(2001, 3, 16));
        Assert.True(double.IsNaN(f.Features[Array.IndexOf(f.FeatureNames, "ret_1d")][row]), "ret_1d across a ten-session gap");
        Assert.Equal(-1, f.TargetRow(f.RowOf(new DateOnly(2001, 3, 1)), 1));
    }

    [Fact]
    public void features_are_never_infinite()
    {
        var f = FeatureBuilder.Build(Snapshot.Load(wh.Path));
        for (var j = 0; j < f.Features.Length; j++)
            Assert.DoesNotContain(f.Features[j], double.IsInfinity);
    }
}
