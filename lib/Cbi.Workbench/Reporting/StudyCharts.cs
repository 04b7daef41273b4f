using Cbi.Workbench.Search;
using Plotly.NET;
using Plotly.NET.CSharp;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Reporting;

/// <summary>Plotly charts of a search study: objective per trial with the best-so-far line, intermediate
/// values per step (what the pruner saw), and parameter importance.</summary>
public static class StudyCharts
{
    /// <summary>Objective value of every COMPLETE trial against its number, with the best-so-far line (taken in the
    /// order of <paramref name="trials"/>).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="trials">The study's trials in number order (e.g. <see cref="Study.Trials"/>); other states are ignored.</param>
    public static GenericChart History(string title, IReadOnlyList<TrialRecord> trials)
    {
        var done = trials.Where(t => t.State == TrialState.Complete).ToList();
        var best = new List<double>(); var b = double.PositiveInfinity;
        foreach (var t in done) { b = Math.Min(b, t.Value); best.Add(b); }
        var points = PChart.Point<int, double, string>(x: done.Select(t => t.Number).ToArray(), y: done.Select(t => t.Value).ToArray(),
            Name: "complete trial", MultiText: done.Select(t => string.Join("<br>", t.Labels.Select(kv => $"{kv.Key}={kv.Value}"))).ToArray());
        var line = PChart.Line<int, double, string>(x: done.Select(t => t.Number).ToArray(), y: best.ToArray(), Name: "best so far");
        return PChart.Combine([points, line]).Titled(title).WithXAxisStyle<double, double, string>(TitleText: "trial").WithYAxisStyle<double, double, string>(TitleText: "objective (lower is better)");
    }

    /// <summary>One line per trial with intermediate values: value against step, labelled with number and state.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="trials">The study's trials; those without intermediate values are skipped.</param>
    public static GenericChart Intermediate(string title, IReadOnlyList<TrialRecord> trials) =>
        PChart.Combine(trials.Where(t => t.Intermediate.Count > 0).Select(t =>
        {
            var steps = t.Intermediate.Keys.Order().ToArray();
            return PChart.Line<int, double, string>(x: steps, y: steps.Select(s => t.Intermediate[s]).ToArray(), Name: $"#{t.Number} {t.State}");
        }).ToArray()).Titled(title).WithXAxisStyle<double, double, string>(TitleText: "step").WithYAxisStyle<double, double, string>(TitleText: "intermediate value");

    /// <summary>Bars of η² per parameter (<see cref="ParameterImportance.Compute"/>), in the order given.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="entries">The importance entries.</param>
    public static GenericChart Importance(string title, IReadOnlyList<ParameterImportance.Entry> entries) =>
        PChart.Bar<double, string, string>(values: entries.Select(e => e.EtaSquared).ToArray(), Keys: entries.Select(e => e.Parameter).ToArray(), Name: "η² of objective ranks")
            .Titled(title).WithXAxisStyle<double, double, string>(TitleText: "η² (share of rank variance explained)");
}
