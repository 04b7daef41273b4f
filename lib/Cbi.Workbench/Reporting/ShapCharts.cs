using System.Globalization;
using Plotly.NET;
using Plotly.NET.CSharp;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Reporting;

/// <summary>Plotly charts that explain tree models: gain importance, a SHAP summary (mean |SHAP| ranking and
/// the spread of per-row contributions) and a per-origin SHAP waterfall from the bias to the prediction.</summary>
public static class ShapCharts
{

    /// <summary>Horizontal bars of the <paramref name="top"/> features by split gain, each as a share of the total gain
    /// of all features (largest at the top).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="names">Feature names.</param>
    /// <param name="gain">Total split gain per feature, same length and order as <paramref name="names"/>.</param>
    /// <param name="top">Number of features shown.</param>
    public static GenericChart GainImportance(string title, IReadOnlyList<string> names, IReadOnlyList<double> gain, int top = 20)
    {
        var order = Enumerable.Range(0, names.Count).OrderByDescending(j => gain[j]).Take(top).Reverse().ToArray();
        var total = gain.Sum();
        return Charts.Titled(PChart.Bar<double, string, string>(values: order.Select(j => total > 0 ? gain[j] / total : 0).ToArray(),
            Keys: order.Select(j => names[j]).ToArray(), Name: "share of total gain"), title)
            .WithXAxisStyle<double, double, string>(TitleText: "share of total split gain");
    }

    /// <summary>Top features by mean |SHAP| with every row's contribution as a point (a strip-plot summary).
    /// <paramref name="contributions"/> rows are [features…, bias].</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="names">Feature names (p).</param>
    /// <param name="contributions">One array per row (origin), each of length p + 1: the p feature contributions in
    /// <paramref name="names"/> order, then the bias; log-return units.</param>
    /// <param name="top">Number of features shown.</param>
    /// <exception cref="ArgumentException"><paramref name="contributions"/> is empty.</exception>
    public static GenericChart Summary(string title, IReadOnlyList<string> names, IReadOnlyList<double[]> contributions, int top = 15)
    {
        if (contributions.Count == 0) throw new ArgumentException("No SHAP rows to summarise.", nameof(contributions));
        var meanAbs = Enumerable.Range(0, names.Count).Select(j => contributions.Average(r => Math.Abs(r[j]))).ToArray();
        var order = Enumerable.Range(0, names.Count).OrderByDescending(j => meanAbs[j]).Take(top).Reverse().ToArray();
        var traces = order.Select(j => PChart.Point<double, string, string>(x: contributions.Select(r => r[j]).ToArray(),
            y: Enumerable.Repeat($"{names[j]} ({meanAbs[j].ToString("G2", CultureInfo.InvariantCulture)})", contributions.Count).ToArray(),
            Name: names[j], ShowLegend: false, Opacity: 0.4)).ToArray();
        return Charts.Titled(PChart.Combine(traces), title)
            .WithXAxisStyle<double, double, string>(TitleText: "SHAP contribution to the forecast (log return); label: mean |SHAP|");
    }

    /// <summary>From the model's expected value (bias) through the largest contributions of one origin to its
    /// prediction; the remaining features are pooled. The prediction bar is the sum of all contributions and the
    /// bias (log-return units).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="names">Feature names (p).</param>
    /// <param name="contribution">Length p + 1: the feature contributions in <paramref name="names"/> order, then the bias.</param>
    /// <param name="featureValues">The origin's feature values (same order) shown in the labels; null = names only.</param>
    /// <param name="top">Number of features shown individually, by |contribution|.</param>
    /// <exception cref="ArgumentException"><paramref name="contribution"/> does not have p + 1 entries.</exception>
    public static GenericChart Waterfall(string title, IReadOnlyList<string> names, double[] contribution, IReadOnlyList<double>? featureValues = null, int top = 10)
    {
        if (contribution.Length != names.Count + 1) throw new ArgumentException($"{contribution.Length} contributions for {names.Count} features (+ bias expected).");
        var order = Enumerable.Range(0, names.Count).OrderByDescending(j => Math.Abs(contribution[j])).ToArray();
        var shown = order.Take(top).ToArray();
        var rest = order.Skip(top).Sum(j => contribution[j]);
        string Label(int j) => featureValues == null ? names[j] : $"{names[j]} = {featureValues[j].ToString("G4", CultureInfo.InvariantCulture)}";
        var labels = new List<string> { "expected value" };
        var values = new List<double> { contribution[^1] };
        var measures = new List<StyleParam.WaterfallMeasure> { StyleParam.WaterfallMeasure.Absolute };
        foreach (var j in shown) { labels.Add(Label(j)); values.Add(contribution[j]); measures.Add(StyleParam.WaterfallMeasure.Relative); }
        if (order.Length > top) { labels.Add($"{order.Length - top} other features"); values.Add(rest); measures.Add(StyleParam.WaterfallMeasure.Relative); }
        labels.Add("prediction"); values.Add(contribution.Sum()); measures.Add(StyleParam.WaterfallMeasure.Total);
        return Charts.Titled(PChart.Waterfall<string, double, string>(x: labels, y: values, Measure: measures), title)
            .WithYAxisStyle<double, double, string>(TitleText: "forward log return");
    }
}
