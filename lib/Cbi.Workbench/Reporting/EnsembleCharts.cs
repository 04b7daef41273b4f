using Cbi.Workbench.Ensemble;
using Plotly.NET;
using Plotly.NET.CSharp;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Reporting;

/// <summary>Charts of notebook 06: ensemble weights, reliability of the quantiles, and band width against coverage.</summary>
public static class EnsembleCharts
{

    /// <summary>Grouped bars: the global weight of each member for P10, P50 and P90, one group per horizon and member
    /// (regime-aware plans show their global weights).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="reports">One report per horizon (<see cref="EnsembleStudy.Compare"/>).</param>
    public static GenericChart Weights(string title, IReadOnlyList<EnsembleReport> reports)
    {
        var keys = reports.SelectMany(r => r.Members.Select(m => $"h={r.Horizon} {m}")).ToArray();
        GenericChart Level(string name, Func<QuantileWeights, double[]> pick) => PChart.Column<double, string, string>(
            values: reports.SelectMany(r => pick(r.Weights["all"])).ToArray(), Keys: keys, Name: name);
        return Charts.Titled(PChart.Combine([Level("P10", w => w.Q10), Level("P50", w => w.Q50), Level("P90", w => w.Q90)]), title)
            .WithYAxisStyle<double, double, string>(TitleText: "weight (each level sums to 1 per horizon)");
    }

    /// <summary>Observed share of outcomes below P10, P50 and P90 against the nominal 0.1, 0.5, 0.9, one line per model
    /// and horizon, with the diagonal of perfect calibration.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="rows">Reliability rows (<see cref="EnsembleStudy.ReliabilityOf"/>).</param>
    public static GenericChart ReliabilityDiagram(string title, IReadOnlyList<Reliability> rows)
    {
        double[] nominal = [0.1, 0.5, 0.9];
        var lines = rows.Select(r => PChart.Line<double, double, string>(x: nominal, y: new[] { r.BelowP10, r.BelowP50, r.BelowP90 },
            Name: $"{r.Model} h={r.Horizon}", ShowMarkers: true)).ToList();
        lines.Add(PChart.Line<double, double, string>(x: new[] { 0.0, 1.0 }, y: new[] { 0.0, 1.0 }, Name: "perfect calibration"));
        return Charts.Titled(PChart.Combine(lines), title)
            .WithXAxisStyle<double, double, string>(TitleText: "nominal level")
            .WithYAxisStyle<double, double, string>(TitleText: "observed share of outcomes below the quantile");
    }

    /// <summary>Mean P10–P90 width against observed P10–P90 coverage (nominal 0.8), one point per model and horizon.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="rows">Reliability rows.</param>
    public static GenericChart WidthVersusCoverage(string title, IReadOnlyList<Reliability> rows) =>
        Charts.Titled(PChart.Combine(rows.GroupBy(r => r.Horizon).Select(g => PChart.Point<double, double, string>(
                x: g.Select(r => r.MeanWidth).ToArray(), y: g.Select(r => r.Coverage80).ToArray(), Name: $"h={g.Key}",
                MultiText: g.Select(r => r.Model).ToArray()))), title)
            .WithXAxisStyle<double, double, string>(TitleText: "mean P90 − P10 (log return)")
            .WithYAxisStyle<double, double, string>(TitleText: "P10–P90 coverage (nominal 0.80)");
}
