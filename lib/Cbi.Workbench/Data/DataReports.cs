using Cbi.Workbench.Reporting;
using Microsoft.Data.Analysis;
using Plotly.NET;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Data;

/// <summary>Tables and charts of 01-export: the quality report, which sources exist when, ZL with its roll days.</summary>
public static class DataReports
{
    /// <summary>Quality findings, errors first (what the export gate looks at), then by symbol and date.</summary>
    /// <param name="snapshot">The snapshot whose <see cref="Snapshot.Quality"/> findings are listed.</param>
    /// <returns>One row per finding; string columns severity, check, symbol, date (yyyy-MM-dd, empty when the finding
    /// has no date), detail, source.</returns>
    public static DataFrame QualityTable(Snapshot snapshot)
    {
        var q = snapshot.Quality.OrderBy(f => f.Severity == "error" ? 0 : 1).ThenBy(f => f.Symbol, StringComparer.Ordinal).ThenBy(f => f.Date).ToList();
        return new DataFrame(
            new StringDataFrameColumn("severity", q.Select(f => f.Severity)),
            new StringDataFrameColumn("check", q.Select(f => f.Check)),
            new StringDataFrameColumn("symbol", q.Select(f => f.Symbol)),
            new StringDataFrameColumn("date", q.Select(f => f.Date?.ToString("yyyy-MM-dd") ?? "")),
            new StringDataFrameColumn("detail", q.Select(f => f.Detail)),
            new StringDataFrameColumn("source", q.Select(f => f.Source)));
    }

    /// <summary>Counts per severity and check, e.g. "0 errors, 66 warnings (gap 20, …)"; checks in descending count.</summary>
    /// <param name="snapshot">The snapshot whose <see cref="Snapshot.Quality"/> findings are counted.</param>
    public static string QualitySummary(Snapshot snapshot)
    {
        var q = snapshot.Quality;
        var byCheck = q.GroupBy(f => f.Check).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        return $"{q.Count(f => f.Severity == "error")} errors, {q.Count(f => f.Severity == "warning")} warnings ({string.Join(", ", byCheck)})";
    }

    /// <summary>One row per symbol/series/COT market (plus the WASDE calendar), one marker per month that has at
    /// least one value in <paramref name="snapshot"/> (so as-of cuts show).</summary>
    /// <param name="snapshot">The snapshot to chart.</param>
    public static GenericChart CoverageChart(Snapshot snapshot)
    {
        static IEnumerable<DateTime> Months(IEnumerable<DateOnly> dates) =>
            dates.Select(d => new DateTime(d.Year, d.Month, 1)).Distinct();
        var rows = new List<(string Name, IEnumerable<DateTime> Months)>();
        rows.AddRange(snapshot.Symbols.Select(s => ("bars " + s, Months(snapshot.Bars(s).Select(b => b.Date)))));
        rows.AddRange(snapshot.SeriesNames.Select(s => ("series " + s, Months(snapshot.Series(s).Select(o => o.Date)))));
        rows.AddRange(snapshot.CotMarkets.Select(m => ("COT " + m, Months(snapshot.Cot(m).Select(c => c.AsOfDate)))));
        rows.Add(("WASDE dates", Months(snapshot.WasdeDates)));
        // One heat map (a cell per source and month, 1 where the month has data) instead of a marker per month and source:
        // the same picture at a tenth of the figure's size.
        // Every month from the first to the last with any data, so a month no source covers shows as a white column.
        var present = rows.SelectMany(r => r.Months).ToArray();
        var months = new List<DateTime>();
        for (var m = present.Min(); m <= present.Max(); m = m.AddMonths(1)) months.Add(m);
        var z = rows.Select(r => { var has = r.Months.ToHashSet(); return months.Select(m => has.Contains(m) ? 1 : 0).ToArray(); }).ToArray();
        var chart = PChart.Heatmap<int, string, string, string>(zData: z, X: months.Select(m => m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            Y: rows.Select(r => r.Name).ToArray(), ShowScale: false, YGap: 1,
            ColorScale: StyleParam.Colorscale.NewCustom(new[] { Tuple.Create(0.0, Color.fromString("#ffffff")), Tuple.Create(1.0, Color.fromString("#3182bd")) }));
        return Plotly.NET.CSharp.GenericChartExtensions.WithSize(chart, Width: 1100, Height: 80 + 22 * rows.Count)
            .Titled("Source coverage (a blue cell per month with data, white where a month has none)");
    }

    /// <summary>The quoted ZL close (the target series) and the back-adjusted one (ZL_BACKADJ), in US cents per
    /// pound, roll days marked.</summary>
    /// <param name="snapshot">The snapshot to chart (symbols ZL and ZL_BACKADJ are required).</param>
    /// <param name="from">First date shown; null = the whole history.</param>
    /// <exception cref="KeyNotFoundException">The snapshot has no ZL or ZL_BACKADJ symbol.</exception>
    public static GenericChart ZlRollChart(Snapshot snapshot, DateOnly? from = null)
    {
        var start = from ?? DateOnly.MinValue;
        var zl = snapshot.Bars("ZL").Where(b => b.Date >= start).ToArray();
        var adj = snapshot.Bars("ZL_BACKADJ").Where(b => b.Date >= start).ToArray();
        var rolls = snapshot.ZlRollDays.Where(d => d >= start).ToHashSet();
        var rollBars = zl.Where(b => rolls.Contains(b.Date)).ToArray();
        static DateTime T(DateOnly d) => d.ToDateTime(TimeOnly.MinValue);
        return PChart.Combine(
        [
            PChart.Line<DateTime, double, string>(zl.Select(b => T(b.Date)), zl.Select(b => b.Close), Name: "ZL quoted (targets)"),
            PChart.Line<DateTime, double, string>(adj.Select(b => T(b.Date)), adj.Select(b => b.Close), Name: "ZL back-adjusted"),
            PChart.Point<DateTime, double, string>(rollBars.Select(b => T(b.Date)), rollBars.Select(b => b.Close), Name: "roll day"),
]).Titled("ZL close, US cents/lb (roll days = first trading day after a contract's last trading day)");
    }
}
