using Plotly.NET;

namespace Cbi.Workbench.Reporting;

/// <summary>What every chart of the workbench shares.</summary>
internal static class Charts
{
    /// <summary>The chart with a title (Plotly.NET's F# optional font passed as null from C#).</summary>
    internal static GenericChart Titled(this GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, (Microsoft.FSharp.Core.FSharpOption<Font>)null!).Invoke(chart);
}
