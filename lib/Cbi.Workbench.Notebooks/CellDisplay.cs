using System.Net;
using System.Text;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace Cbi.Workbench.Notebooks;

/// <summary>Turns a displayed value into mime-typed text, as Polyglot does: text/html and text/plain through
/// Microsoft.DotNet.Interactive.Formatting, with two registrations the headless runner needs: Plotly.NET charts
/// as a div plus the whole plotly.js inline (pages work offline, no CDN), and DataFrames as HTML tables.</summary>
internal static class CellDisplay
{
    internal const int DataFrameRowsShown = 20;
    static readonly object gate = new();
    static bool registered;
    // plotly.js is ~3.5 MB: a notebook page ships it once, with its first chart; later charts in the same page
    // find window.Plotly. Runs never overlap (NotebookRunner serialises them), so a static per run is enough.
    static bool plotlyShippedInThisRun;
    static bool inRun;

    /// <summary>Called by the runner at the start and end of each notebook run.</summary>
    internal static void BeginNotebook() { inRun = true; plotlyShippedInThisRun = false; }
    internal static void EndNotebook() { inRun = false; plotlyShippedInThisRun = false; }

    public static List<KeyValuePair<string, string>> Format(object? value, string[]? mimeTypes = null)
    {
        EnsureRegistered();
        string[] mimes = mimeTypes is { Length: > 0 } ? mimeTypes : [HtmlFormatter.MimeType, PlainTextFormatter.MimeType];
        var result = new List<KeyValuePair<string, string>>();
        foreach (var m in mimes)
        {
            var text = value is null
                ? (m == HtmlFormatter.MimeType ? "<div class=\"dni-plaintext\"><pre>&lt;null&gt;</pre></div>" : "<null>")
                : value.ToDisplayString(m);
            result.Add(new(m, text.Replace("\r\n", "\n")));
        }
        return result;
    }

    static void EnsureRegistered()
    {
        lock (gate)
        {
            if (registered) return;
            Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml(chart)), HtmlFormatter.MimeType);
            Formatter.Register<GenericChart>((chart, writer) => writer.Write("Plotly.NET chart (open the text/html output)"), PlainTextFormatter.MimeType);
            Formatter.Register<DataFrame>((df, writer) => writer.Write(DataFrameHtml(df)), HtmlFormatter.MimeType);
            Formatter.Register<DataFrame>((df, writer) => writer.Write(DataFrameText(df)), PlainTextFormatter.MimeType);
            // Dates are shown as researchers write them, not as a DateOnly's property bag.
            Formatter.Register<DateOnly>((d, writer) => writer.Write(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), PlainTextFormatter.MimeType);
            Formatter.Register<DateOnly>((d, writer) => writer.Write(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), HtmlFormatter.MimeType);
            registered = true;
        }
    }

    /// <summary>Plotly.NET honours PlotlyJSReference.Full only in its full-page HTML, so the page is built that
    /// way and its head (the inline plotly.js) and body (the chart div and script) become one HTML fragment.</summary>
    internal static string ChartHtml(GenericChart chart)
    {
        // F# optional parameters: null means "not given".
        var options = DisplayOptions.init(null, null, null, null, null, null,
            Microsoft.FSharp.Core.FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.Full));
        var page = GenericChart.toEmbeddedHTML(GenericChart.addDisplayOptions(options, chart));
        var headStart = page.IndexOf("<head>", StringComparison.Ordinal);
        var headEnd = page.LastIndexOf("</head>", StringComparison.Ordinal);
        var bodyOpen = headEnd < 0 ? -1 : page.IndexOf("<body", headEnd, StringComparison.Ordinal);
        var bodyStart = bodyOpen < 0 ? -1 : page.IndexOf('>', bodyOpen) + 1;
        var bodyEnd = page.LastIndexOf("</body>", StringComparison.Ordinal);
        if (headStart < 0 || headEnd < headStart || bodyStart <= 0 || bodyEnd < bodyStart)
            throw new InvalidOperationException("Plotly.NET's page HTML no longer has the expected <head>/<body> shape.");
        var body = page[bodyStart..bodyEnd];
        if (inRun && plotlyShippedInThisRun) return body;
        if (inRun) plotlyShippedInThisRun = true;
        return page[(headStart + 6)..headEnd] + body;
    }

    internal static string DataFrameHtml(DataFrame df)
    {
        var sb = new StringBuilder("<table><thead><tr><th><i>index</i></th>");
        foreach (var c in df.Columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        var shown = Math.Min(df.Rows.Count, DataFrameRowsShown);
        for (long r = 0; r < shown; r++)
        {
            sb.Append("<tr><td><i>").Append(r).Append("</i></td>");
            foreach (var c in df.Columns)
                sb.Append("<td>").Append(WebUtility.HtmlEncode(Convert.ToString(c[r], System.Globalization.CultureInfo.InvariantCulture) ?? "")).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (df.Rows.Count > shown) sb.Append($"<p>{df.Rows.Count} rows × {df.Columns.Count} columns ({shown} shown)</p>");
        return sb.ToString();
    }

    internal static string DataFrameText(DataFrame df)
    {
        var head = df.Rows.Count > DataFrameRowsShown ? df.Head(DataFrameRowsShown) : df;
        var text = head.ToString();
        return df.Rows.Count > DataFrameRowsShown ? text + $"\n{df.Rows.Count} rows × {df.Columns.Count} columns ({DataFrameRowsShown} shown)" : text;
    }
}
