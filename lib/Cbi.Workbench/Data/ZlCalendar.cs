namespace Cbi.Workbench.Data;

/// <summary>CBOT soybean oil contract calendar: months F H K N Q U V Z; last trading day = the business day
/// before the 15th calendar day of the contract month. Business days are ZL trading days where the series
/// exists (exchange holidays included), weekdays beyond it. Known in advance, so never filtered by as-of.</summary>
internal static class ZlCalendar
{
    static readonly (char Code, int Month)[] Months = [('F', 1), ('H', 3), ('K', 5), ('N', 7), ('Q', 8), ('U', 9), ('V', 10), ('Z', 12)];

    /// <summary>All ZL contracts of the years <paramref name="fromYear"/>…<paramref name="toYear"/> (inclusive), eight
    /// per year in year then month order, each with its last trading day: the latest business day strictly before the
    /// 15th of the contract month.</summary>
    /// <param name="fromYear">First contract year (four digits).</param>
    /// <param name="toYear">Last contract year; an empty list when it is before <paramref name="fromYear"/>.</param>
    /// <param name="tradingDays">ZL trading days, ascending. Inside their range a business day is a trading day;
    /// outside it (or when the list is empty) any weekday.</param>
    /// <returns>8 × (toYear − fromYear + 1) contracts.</returns>
    public static List<ZlContract> Contracts(int fromYear, int toYear, IReadOnlyList<DateOnly> tradingDays)
    {
        var first = tradingDays.Count > 0 ? tradingDays[0] : DateOnly.MaxValue;
        var last = tradingDays.Count > 0 ? tradingDays[^1] : DateOnly.MinValue;
        var set = tradingDays.ToHashSet();
        var list = new List<ZlContract>();
        for (var y = fromYear; y <= toYear; y++)
            foreach (var (code, m) in Months)
            {
                var d = new DateOnly(y, m, 15);
                do d = d.AddDays(-1);
                while (d >= first && d <= last ? !set.Contains(d) : d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
                list.Add(new ZlContract($"ZL{code}{y % 100:00}", new DateOnly(y, m, 1), d));
            }
        return list;
    }
}
