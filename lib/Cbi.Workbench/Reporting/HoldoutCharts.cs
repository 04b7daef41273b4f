using Cbi.Workbench.Models;
using Cbi.Workbench.Trading;
using Plotly.NET;
using Plotly.NET.CSharp;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Reporting;

/// <summary>Charts of notebook 07: forecast fans against the realised path and strategy equity curves.</summary>
public static class HoldoutCharts
{
    /// <summary>The realised ZL close and, at each target date, the forecast P10–P90 band and P50 in prices
    /// (close at the origin × exp(quantile)), for one model and horizon.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="frame">The frame with the closes (US cents per pound).</param>
    /// <param name="rows">Prediction rows of one model at one horizon.</param>
    public static GenericChart Fan(string title, Models.Frame frame, IReadOnlyList<PredictionRow> rows)
    {
        var first = rows.Min(r => r.OriginDate);
        var last = rows.Max(r => r.TargetDate);
        var path = Enumerable.Range(0, frame.Rows).Where(i => frame.Dates[i] >= first && frame.Dates[i] <= last).ToArray();
        var close = rows.ToDictionary(r => r.OriginDate, r => frame.Close[frame.RowOf(r.OriginDate)]);
        var ordered = rows.OrderBy(r => r.TargetDate).ToArray();
        var x = ordered.Select(r => r.TargetDate.ToDateTime(TimeOnly.MinValue)).ToArray();
        GenericChart Line(string name, Func<PredictionRow, double> q) => PChart.Line<DateTime, double, string>(x: x, y: ordered.Select(r => close[r.OriginDate] * Math.Exp(q(r))).ToArray(), Name: name);
        return Charts.Titled(PChart.Combine([
                Line("P10", r => r.Q10), Line("P50", r => r.Q50), Line("P90", r => r.Q90),
                PChart.Line<DateTime, double, string>(x: path.Select(i => frame.Dates[i].ToDateTime(TimeOnly.MinValue)).ToArray(), y: path.Select(i => frame.Close[i]).ToArray(), Name: "realised close"),
            ]), title)
            .WithYAxisStyle<double, double, string>(TitleText: "ZL, US cents per pound (forecasts plotted at their target date)");
    }

    /// <summary>Several forecast fans in one figure, a panel per horizon (two columns), in one colour scheme: the realised
    /// close and, at each target date, the forecast P10, P50 and P90 in prices. For a figure light enough to keep with a
    /// notebook, one origin in k is drawn (k = origins / 150, rounded up; the title says k), the realised close likewise;
    /// the tables and CSVs hold every row.</summary>
    /// <param name="title">Figure title.</param>
    /// <param name="frame">The frame with the closes (US cents per pound).</param>
    /// <param name="panels">Panel title and the prediction rows of one model at one horizon, in display order.</param>
    /// <exception cref="ArgumentException">no panel, or a panel without rows.</exception>
    public static GenericChart Fans(string title, Models.Frame frame, IReadOnlyList<(string Title, IReadOnlyList<PredictionRow> Rows)> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0 || panels.Any(p => p.Rows.Count == 0)) throw new ArgumentException("every panel needs prediction rows.", nameof(panels));
        var step = Math.Max(1, (int)Math.Ceiling(panels.Max(p => p.Rows.Count) / 150.0));
        var charts = panels.Select((p, k) =>
        {
            var ordered = p.Rows.OrderBy(r => r.TargetDate).Where((_, i) => i % step == 0).ToArray();
            var first = p.Rows.Min(r => r.OriginDate); var last = p.Rows.Max(r => r.TargetDate);
            var path = Enumerable.Range(0, frame.Rows).Where(i => frame.Dates[i] >= first && frame.Dates[i] <= last).Where((_, i) => i % step == 0).ToArray();
            var x = ordered.Select(r => r.TargetDate.ToDateTime(TimeOnly.MinValue)).ToArray();
            double Price(PredictionRow r, double q) => frame.Close[frame.RowOf(r.OriginDate)] * Math.Exp(q);
            GenericChart Line(string name, IEnumerable<double> y, string color, DateTime[]? at = null) => PChart.Line<DateTime, double, string>(
                x: at ?? x, y: y.ToArray(), Name: name, ShowLegend: k == 0, LineColor: Color.fromString(color), LineWidth: 1.2);
            return PChart.Combine([
                Line("P10", ordered.Select(r => Price(r, r.Q10)), "#9ecae1"), Line("P90", ordered.Select(r => Price(r, r.Q90)), "#9ecae1"),
                Line("P50", ordered.Select(r => Price(r, r.Q50)), "#3182bd"),
                Line("realised close", path.Select(i => frame.Close[i]), "#222222", path.Select(i => frame.Dates[i].ToDateTime(TimeOnly.MinValue)).ToArray()),
            ]);
        }).ToList();
        var rows = (panels.Count + 1) / 2;
        return PChart.Grid(charts, rows, Math.Min(2, panels.Count), SubPlotTitles: panels.Select(p => p.Title).ToArray(), YGap: 0.35)
            .Titled(step > 1 ? $"{title} (one origin in {step} drawn)" : title)
            .WithSize(1100, 280 * rows + 120);
    }

    /// <summary>Equity curves of strategies (starting at 1).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="strategies">Name and daily records of each strategy.</param>
    public static GenericChart Equity(string title, IReadOnlyList<(string Name, IReadOnlyList<StrategyDay> Days)> strategies) =>
        Charts.Titled(PChart.Combine(strategies.Select(s => PChart.Line<DateTime, double, string>(
            x: s.Days.Select(d => d.Date.ToDateTime(TimeOnly.MinValue)).ToArray(), y: s.Days.Select(d => d.Equity).ToArray(), Name: s.Name))), title)
            .WithYAxisStyle<double, double, string>(TitleText: "equity (start = 1)");
}
