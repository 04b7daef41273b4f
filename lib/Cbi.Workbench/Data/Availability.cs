namespace Cbi.Workbench.Data;

/// <summary>When a published value becomes usable (the point-in-time rules). A forecaster at ZL trading date t
/// may use a value only if its available date ≤ t. Where the exact publication time is unknown the rule errs
/// late, never early.</summary>
public static class Availability
{
    public static DateOnly NextWeekday(DateOnly d)
    {
        do d = d.AddDays(1); while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        return d;
    }

    public static DateOnly OnOrNextWeekday(DateOnly d) =>
        d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? NextWeekday(d) : d;

    /// <summary>FRED daily series (DGS10, DEXBZUS), Yahoo FX (USDMYR) and the Refinitiv panel: the value of
    /// day d is published after the US close of d at the earliest → usable the next business day.</summary>
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
    public static DateOnly PinkSheet(DateOnly month) => OnOrNextWeekday(new DateOnly(month.Year, month.Month, 1).AddMonths(1).AddDays(9));

    /// <summary>CFTC COT as-of date (normally Tuesday) → release date: the Friday of the same week (holiday weeks
    /// shift the as-of day, not the Friday), except reports delayed by US government shutdowns, for which a
    /// conservative catch-up date is used (the CFTC published the backlog weeks later; exact dates not verified
    /// here, so each bound is placed after the catch-up is known to have finished).</summary>
    public static DateOnly CotRelease(DateOnly asOf)
    {
        var release = asOf.AddDays(((int)DayOfWeek.Friday - (int)asOf.DayOfWeek + 7) % 7);
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
        (new(2018, 12, 25), new(2019, 2, 26), new(2019, 3, 8)),     // Dec 2018 – Jan 2019 shutdown
        (new(2025, 9, 30), new(2025, 12, 30), new(2026, 1, 30)),    // Oct – Nov 2025 shutdown
    ];

    /// <summary>The first date in <paramref name="tradingDays"/> (sorted) strictly after <paramref name="d"/>;
    /// beyond the calendar, the next weekday.</summary>
    public static DateOnly NextTradingDay(IReadOnlyList<DateOnly> tradingDays, DateOnly d)
    {
        int lo = 0, hi = tradingDays.Count;
        while (lo < hi) { var mid = (lo + hi) / 2; if (tradingDays[mid] <= d) lo = mid + 1; else hi = mid; }
        return lo < tradingDays.Count ? tradingDays[lo] : NextWeekday(d);
    }
}
