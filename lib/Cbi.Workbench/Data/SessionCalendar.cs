namespace Cbi.Workbench.Data;

/// <summary>The trading sessions an exchange was expected to hold: weekdays less the exchange's holidays and special
/// closures. A horizon or lag "N trading days" is counted on this calendar (<see cref="SessionNumber"/>), so a span
/// over an expected session that the data lacks is recognised as a gap instead of passing for N days.</summary>
/// <remarks>
/// <para><see cref="Cbot"/> (CBOT grains and oilseeds: ZL, ZS, ZM, ZC). Regular holidays, from the CME Group holiday
/// calendar (cmegroup.com/tools-information/holiday-calendar): New Year's Day (Sunday → Monday; a Saturday New Year
/// is not made up on the Friday before), Martin Luther King Jr. Day (third Monday of January), Presidents' Day (third
/// Monday of February), Good Friday, Memorial Day (last Monday of May), Juneteenth (19 June, from 2022, Saturday →
/// Friday, Sunday → Monday), Independence Day (4 July, same weekend rule), Labor Day (first Monday of September),
/// Thanksgiving (fourth Thursday of November), Christmas (25 December, same weekend rule).</para>
/// <para>Special closures: 11–12 September 2001 (the exchanges closed after the attacks; CBOT reopened on 13
/// September — the Quandl CHRIS soybean-oil settlements in data/raw resume on 2001-09-13), and 11 June 2004 (national
/// day of mourning for President Reagan; no CHRIS settlement that day). Checked against the data (2000-03-15 …
/// 2026-07-14): every day on which any copy of ZL, ZS, ZM, ZC in data/raw has a real bar is a session, except five
/// flat or stale Yahoo bars on closed days (2001-09-11, 2001-09-12, 2004-06-11, 2005-11-24, 2006-11-23; and a
/// ZM bar on 2002-02-18), and every session that no ZL copy prices has a CHRIS settlement (a session did take place).
/// Days on which other markets closed but CBOT traded are sessions: 2007-01-02 (President Ford), 2012-10-29/30
/// (Hurricane Sandy closed New York, not Chicago), 2018-12-05 (President G. H. W. Bush), 2025-01-09 (President
/// Carter) all have CBOT prices.</para>
/// <para><see cref="Weekdays"/>: every Monday–Friday, for constructed series in tests.</para>
/// </remarks>
public sealed class SessionCalendar
{
    /// <summary>First and last day the calendar covers.</summary>
    public static readonly DateOnly Start = new(1990, 1, 1), End = new(2040, 12, 31);

    readonly DateOnly[] sessions;
    readonly Dictionary<DateOnly, string> closures;

    SessionCalendar(string name, Func<int, IEnumerable<(DateOnly Date, string Reason)>> closuresOfYear)
    {
        Name = name;
        closures = [];
        for (var y = Start.Year; y <= End.Year; y++)
            foreach (var (d, why) in closuresOfYear(y))
                if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) closures.TryAdd(d, why);
        var list = new List<DateOnly>(13_000);
        for (var d = Start; d <= End; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !closures.ContainsKey(d)) list.Add(d);
        sessions = list.ToArray();
    }

    /// <summary>Calendar name (<c>CBOT</c>, <c>weekdays</c>).</summary>
    public string Name { get; }

    /// <summary>CBOT grains and oilseeds (see the remarks for every rule and its source).</summary>
    public static SessionCalendar Cbot { get; } = new("CBOT", CbotClosures);

    /// <summary>Every Monday–Friday is a session (constructed test series).</summary>
    public static SessionCalendar Weekdays { get; } = new("weekdays", _ => []);

    /// <summary>True when <paramref name="date"/> was an expected session.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a date outside <see cref="Start"/>…<see cref="End"/>.</exception>
    public bool IsSession(DateOnly date)
    {
        CheckRange(date);
        return Array.BinarySearch(sessions, date) >= 0;
    }

    /// <summary>Why the exchange was closed on a weekday (holiday or special closure), or null for a session or a weekend.</summary>
    public string? ClosureReason(DateOnly date) => closures.GetValueOrDefault(date);

    /// <summary>Position of a session in the calendar (0 = first session on or after <see cref="Start"/>): two sessions
    /// are N trading days apart exactly when their numbers differ by N.</summary>
    /// <exception cref="ArgumentException">the date is not a session (weekend, holiday, closure), naming the reason.</exception>
    public int SessionNumber(DateOnly date)
    {
        CheckRange(date);
        var i = Array.BinarySearch(sessions, date);
        return i >= 0 ? i : throw new ArgumentException(
            $"{date:yyyy-MM-dd} is not a {Name} session ({ClosureReason(date) ?? date.DayOfWeek.ToString()}).", nameof(date));
    }

    /// <summary>The date of session number <paramref name="session"/> (inverse of <see cref="SessionNumber"/>); lets a model
    /// compute the calendar of a future target date without reading any future row of the data.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a number outside the calendar's range.</exception>
    internal DateOnly DateOf(int session) => session >= 0 && session < sessions.Length
        ? sessions[session] : throw new ArgumentOutOfRangeException(nameof(session), session, $"session numbers run 0…{sessions.Length - 1} ({Start:yyyy-MM-dd} … {End:yyyy-MM-dd}).");

    /// <summary>The expected sessions from <paramref name="from"/> through <paramref name="to"/>, ascending.</summary>
    public IReadOnlyList<DateOnly> Sessions(DateOnly from, DateOnly to)
    {
        var a = Array.BinarySearch(sessions, from); if (a < 0) a = ~a;
        var b = Array.BinarySearch(sessions, to); b = b < 0 ? ~b - 1 : b;
        return b < a ? [] : sessions[a..(b + 1)];
    }

    /// <summary>Expected sessions strictly between two dates (0 when they are consecutive sessions).</summary>
    public int SessionsBetween(DateOnly earlier, DateOnly later)
    {
        var a = Array.BinarySearch(sessions, earlier); a = a < 0 ? ~a : a + 1;
        var b = Array.BinarySearch(sessions, later); b = b < 0 ? ~b : b;
        return Math.Max(0, b - a);
    }

    static void CheckRange(DateOnly d)
    {
        if (d < Start || d > End) throw new ArgumentOutOfRangeException(nameof(d), d, $"the session calendars cover {Start:yyyy-MM-dd} … {End:yyyy-MM-dd}.");
    }

    static IEnumerable<(DateOnly, string)> CbotClosures(int y)
    {
        var newYear = new DateOnly(y, 1, 1);
        if (newYear.DayOfWeek != DayOfWeek.Saturday) yield return (Observed(newYear), "New Year's Day");
        yield return (Nth(y, 1, DayOfWeek.Monday, 3), "Martin Luther King Jr. Day");
        yield return (Nth(y, 2, DayOfWeek.Monday, 3), "Presidents' Day");
        yield return (Easter(y).AddDays(-2), "Good Friday");
        yield return (LastMonday(y, 5), "Memorial Day");
        if (y >= 2022) yield return (Observed(new DateOnly(y, 6, 19)), "Juneteenth");
        yield return (Observed(new DateOnly(y, 7, 4)), "Independence Day");
        yield return (Nth(y, 9, DayOfWeek.Monday, 1), "Labor Day");
        yield return (Nth(y, 11, DayOfWeek.Thursday, 4), "Thanksgiving");
        yield return (Observed(new DateOnly(y, 12, 25)), "Christmas");
        if (y == 2001)
        {
            yield return (new DateOnly(2001, 9, 11), "closed after the 11 September attacks");
            yield return (new DateOnly(2001, 9, 12), "closed after the 11 September attacks");
        }
        if (y == 2004) yield return (new DateOnly(2004, 6, 11), "national day of mourning, President Reagan");
    }

    static DateOnly Observed(DateOnly d) => d.DayOfWeek switch
    {
        DayOfWeek.Saturday => d.AddDays(-1),
        DayOfWeek.Sunday => d.AddDays(1),
        _ => d,
    };

    static DateOnly Nth(int y, int m, DayOfWeek wd, int n)
    {
        var d = new DateOnly(y, m, 1);
        while (d.DayOfWeek != wd) d = d.AddDays(1);
        return d.AddDays(7 * (n - 1));
    }

    static DateOnly LastMonday(int y, int m)
    {
        var d = new DateOnly(y, m, DateTime.DaysInMonth(y, m));
        while (d.DayOfWeek != DayOfWeek.Monday) d = d.AddDays(-1);
        return d;
    }

    /// <summary>Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher; Meeus, Astronomical
    /// Algorithms, 2nd ed., ch. 8).</summary>
    internal static DateOnly Easter(int y)
    {
        int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
        return new DateOnly(y, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1);
    }
}
