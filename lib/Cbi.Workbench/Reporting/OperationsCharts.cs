using Cbi.Workbench.Operations;
using Plotly.NET;
using Plotly.NET.CSharp;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Reporting;

/// <summary>Charts of notebook 08 (operations).</summary>
public static class OperationsCharts
{
    /// <summary>Two panels over the target dates: P10–P90 coverage (nominal 0.8) and quantile-score skill against the random
    /// walk of the latest <paramref name="window"/> matured forecasts, one line per horizon and role.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="matured">Scored forecasts (<see cref="MaturedScoring.Score"/>).</param>
    /// <param name="horizons">Horizons drawn (those with at least one full window).</param>
    /// <param name="roles">Roles drawn (released, shadow).</param>
    /// <param name="window">Matured forecasts per point.</param>
    public static GenericChart Rolling(string title, IReadOnlyList<MaturedForecast> matured, IReadOnlyList<int> horizons, IReadOnlyList<string> roles, int window)
    {
        var lines = (from h in horizons from r in roles
                     let points = MaturedScoring.Rolling(matured, h, r, window)
                     where points.Count > 0
                     select (Name: $"h={h} {r}", Points: points)).ToList();
        DateTime[] X(IEnumerable<(DateOnly Date, int, double, double)> p) => p.Select(x => x.Date.ToDateTime(TimeOnly.MinValue)).ToArray();
        // One colour per line in both panels (the skill panel hides its legend entries, so Plotly would otherwise colour
        // its lines from where the palette left off).
        string[] palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
        Color ColourOf(int i) => Color.fromString(palette[i % palette.Length]);
        var coverage = PChart.Combine(lines.Select((l, i) => PChart.Line<DateTime, double, string>(x: X(l.Points), y: l.Points.Select(p => p.Coverage80).ToArray(), Name: l.Name, LineColor: ColourOf(i))))
            .WithYAxisStyle<double, double, string>(TitleText: $"coverage, last {window}");
        var skill = PChart.Combine(lines.Select((l, i) => PChart.Line<DateTime, double, string>(x: X(l.Points), y: l.Points.Select(p => p.Skill).ToArray(), Name: l.Name, ShowLegend: false, LineColor: ColourOf(i))))
            .WithYAxisStyle<double, double, string>(TitleText: $"skill vs rw, last {window}");
        return PChart.Grid([coverage, skill], 2, 1, SubPlotTitles: new[] { "P10–P90 coverage (nominal 0.8)", "quantile-score skill against the random walk (> 0 beats it)" }, YGap: 0.3)
            .Titled(title).WithSize(1000, 640);
    }
}
