namespace Cbi.Workbench.Data;

/// <summary>When a published value becomes usable (the point-in-time rules). A forecaster at ZL trading date t
/// may use a value only if its available date ≤ t. Where the exact publication time is unknown the rule errs
/// late, never early.</summary>
internal static class Availability
{
    /// <summary>The first Monday–Friday strictly after <paramref name="d"/> (holidays are not skipped).</summary>
    public static DateOnly NextWeekday(DateOnly d)
    {
        do d = d.AddDays(1); while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        return d;
    }

    /// <summary><paramref name="d"/> itself if it is a Monday–Friday, otherwise the following Monday.</summary>
    public static DateOnly OnOrNextWeekday(DateOnly d) =>
        d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? NextWeekday(d) : d;

    /// <summary>Markets whose daily close is struck after the CBOT soybean-oil settlement (13:15 CT): NYMEX CL/HO
    /// (13:30 CT settlement, Yahoo's bar runs to 16:00 CT) and their second contracts CL2/HO2, ICE Brent BZ (19:30
    /// London), ICE DX and CBOE VIX (16:15 ET). CBOT ZS/ZM/ZC close with ZL; Bursa FCPO closes hours before.</summary>
    public static IReadOnlySet<string> ClosesAfterZl { get; } = new HashSet<string>(StringComparer.Ordinal) { "CL", "CL2", "HO", "HO2", "BZ", "DX", "VIX" };

    /// <summary>The first date on which a forecaster at the ZL close may use <paramref name="symbol"/>'s close of
    /// <paramref name="date"/>: the same day for markets that close with or before ZL, the next weekday for those in
    /// <see cref="ClosesAfterZl"/> (so no feature knows a move made after the ZL close it forecasts from). The one
    /// place this rule lives: the warehouse (VIX), <c>Snapshot.Bars</c> and the feature builder all apply it.</summary>
    /// <param name="symbol">Warehouse symbol (case-sensitive), e.g. ZL, CL, VIX.</param>
    /// <param name="date">Trading date of the close.</param>
    public static DateOnly DailyClose(string symbol, DateOnly date) => ClosesAfterZl.Contains(symbol) ? NextWeekday(date) : date;

    /// <summary>FRED daily series (DGS10, DEXBZUS), Yahoo FX (USDMYR) and the Refinitiv panel: the value of
    /// day d is published after the US close of d at the earliest → usable the next business day (the next weekday;
    /// holidays are not skipped).</summary>
    public static DateOnly NextBusinessDay(DateOnly d) => NextWeekday(d);

    /// <summary>EIA daily spot prices (WTI, Brent) are released weekly (Wednesday) for the week before, so the
    /// value of a day is usable from the Wednesday of the following calendar week (Mon → +9 days, Fri → +5).</summary>
    public static DateOnly EiaWeekly(DateOnly d)
    {
        var monday = d.AddDays(-(((int)d.DayOfWeek + 6) % 7));
        return monday.AddDays(9);
    }

    /// <summary>World Bank Pink Sheet month m: published in the first days of month m+1 (the vendored file,
    /// updated 2025-11-04, ends with 2025M10). Rule: usable from the 10th of the following month, or the next
    /// weekday if that is a weekend.</summary>
    /// <param name="month">Any date in month m (only its year and month are used).</param>
    public static DateOnly PinkSheet(DateOnly month) => OnOrNextWeekday(new DateOnly(month.Year, month.Month, 1).AddMonths(1).AddDays(9));

    /// <summary>CFTC COT as-of date (normally Tuesday) → release date (3:30 p.m. ET, after the ZL close): the Friday
    /// of the same week; the next business day after it when a federal holiday falls on the Wednesday, Thursday or
    /// Friday of that week (a Tuesday holiday only moves the as-of day to Monday); and, for reports delayed by US
    /// government shutdowns, a conservative catch-up date (the CFTC published the backlog weeks later; exact dates
    /// not verified here, so each bound is placed after the catch-up is known to have finished).
    /// Holiday rule from the CFTC's own schedules: 2024 releases on Mon 24 Jun (Juneteenth Wed), Mon 8 Jul (4 Jul
    /// Thu), Mon 2 Dec (Thanksgiving), Mon 30 Dec (Christmas Wed), each marked "delayed release date due to a Federal
    /// holiday" (cftc.gov COT release schedule); the 2015-07-03 holiday moved that release to Mon 2015-07-06 (CFTC
    /// COT notices); the 2025 schedule lists as-of 11/25 → 12/01, 12/23 → 12/29, 12/30 → 01/05 but 11/10 (Monday
    /// as-of, Veterans Day Tuesday) → Fri 11/14.</summary>
    public static DateOnly CotRelease(DateOnly asOf)
    {
        var release = asOf.AddDays(((int)DayOfWeek.Friday - (int)asOf.DayOfWeek + 7) % 7);
        for (var d = asOf.AddDays(1); d <= release; d = d.AddDays(1))
            if (d.DayOfWeek is DayOfWeek.Wednesday or DayOfWeek.Thursday or DayOfWeek.Friday && IsFederalHoliday(d))
            {
                do release = NextWeekday(release); while (IsFederalHoliday(release));
                break;
            }
        // The CFTC clears a shutdown backlog in report order, so no report is usable before an earlier one: a
        // report dated after a delayed window is released no sooner than that window's backlog (e.g. the
        // 2013-10-22 report is not usable before the 2013-10-01…15 reports, released by 2013-11-15).
        foreach (var (from, _, delayedRelease) in CotDelays)
            if (asOf >= from && delayedRelease > release) release = delayedRelease;
        return release;
    }

    static readonly (DateOnly From, DateOnly To, DateOnly Release)[] CotDelays =
    [
        (new(2013, 10, 1), new(2013, 10, 15), new(2013, 11, 15)),   // Oct 2013 shutdown
        (new(2018, 12, 22), new(2019, 2, 26), new(2019, 3, 8)),     // Dec 2018 – Jan 2019 shutdown (from 22 Dec: the Monday 2018-12-24 report was published 2019-02-01)
        (new(2025, 9, 30), new(2025, 12, 30), new(2026, 1, 30)),    // Oct – Nov 2025 shutdown
    ];

    /// <summary>US federal holidays as observed by federal offices (5 U.S.C. 6103: a Saturday holiday is observed
    /// on the Friday before, a Sunday one on the Monday after; Juneteenth from 2021), plus the one-off closures that
    /// fell on a Wednesday–Friday (national days of mourning 2004-06-11, 2018-12-05, 2025-01-09) and Inauguration
    /// Day on those weekdays (2005-01-20, 2017-01-20, 2021-01-20: a holiday for federal employees in the Washington
    /// area, 5 U.S.C. 6103(c), where the CFTC publishes; whether it delayed the COT is not verified — erring late).
    /// Christmas-Eve closures by executive order are not listed: they fall in a week that already has Christmas.</summary>
    public static bool IsFederalHoliday(DateOnly d)
    {
        if (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) return false;
        if (OneOffClosures.Contains(d)) return true;
        foreach (var fixedDay in new[] { new DateOnly(d.Year, 1, 1), new DateOnly(d.Year + 1, 1, 1), new DateOnly(d.Year, 7, 4),
                     new DateOnly(d.Year, 11, 11), new DateOnly(d.Year, 12, 25) }.Concat(d.Year >= 2021 ? [new DateOnly(d.Year, 6, 19)] : []))
            if (Observed(fixedDay) == d) return true;
        int nth = (d.Day - 1) / 7 + 1;
        bool last = d.AddDays(7).Month != d.Month;
        return (d.Month, d.DayOfWeek) switch
        {
            (1, DayOfWeek.Monday) => nth == 3 && d.Year >= 1986, // Martin Luther King Jr. Day
            (2, DayOfWeek.Monday) => nth == 3,                   // Washington's Birthday
            (5, DayOfWeek.Monday) => last,                       // Memorial Day
            (9, DayOfWeek.Monday) => nth == 1,                   // Labor Day
            (10, DayOfWeek.Monday) => nth == 2,                  // Columbus Day
            (11, DayOfWeek.Thursday) => nth == 4,                // Thanksgiving
            _ => false,
        };
    }

    static DateOnly Observed(DateOnly h) => h.DayOfWeek switch
    {
        DayOfWeek.Saturday => h.AddDays(-1),
        DayOfWeek.Sunday => h.AddDays(1),
        _ => h,
    };

    static readonly HashSet<DateOnly> OneOffClosures =
        [new(2004, 6, 11), new(2018, 12, 5), new(2025, 1, 9), new(2005, 1, 20), new(2017, 1, 20), new(2021, 1, 20)];

    /// <summary>The first date in <paramref name="tradingDays"/> (sorted) strictly after <paramref name="d"/>;
    /// beyond the calendar, the next weekday.</summary>
    /// <param name="tradingDays">Trading days, ascending.</param>
    /// <param name="d">The date to step from.</param>
    public static DateOnly NextTradingDay(IReadOnlyList<DateOnly> tradingDays, DateOnly d)
    {
        var i = CountOnOrBefore(tradingDays, x => x, d);
        return i < tradingDays.Count ? tradingDays[i] : NextWeekday(d);
    }

    /// <summary>How many items of <paramref name="sorted"/> (ascending by <paramref name="key"/>) have a key on or
    /// before <paramref name="cutoff"/>: the as-of cut every point-in-time filter makes.</summary>
    internal static int CountOnOrBefore<T>(IReadOnlyList<T> sorted, Func<T, DateOnly> key, DateOnly cutoff)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi) { var mid = (lo + hi) / 2; if (key(sorted[mid]) <= cutoff) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>Weekdays d with <paramref name="from"/> &lt; d ≤ <paramref name="to"/> (0 when to ≤ from).</summary>
    internal static int WeekdaysAfterThrough(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) n++;
        return n;
    }
}
