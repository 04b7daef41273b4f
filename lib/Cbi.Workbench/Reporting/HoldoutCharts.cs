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

    /// <summary>Equity curves of strategies (starting at 1).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="strategies">Name and daily records of each strategy.</param>
    public static GenericChart Equity(string title, IReadOnlyList<(string Name, IReadOnlyList<StrategyDay> Days)> strategies) =>
        Charts.Titled(PChart.Combine(strategies.Select(s => PChart.Line<DateTime, double, string>(
            x: s.Days.Select(d => d.Date.ToDateTime(TimeOnly.MinValue)).ToArray(), y: s.Days.Select(d => d.Equity).ToArray(), Name: s.Name))), title)
            .WithYAxisStyle<double, double, string>(TitleText: "equity (start = 1)");
}
