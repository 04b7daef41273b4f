using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Cbi.Workbench.IO;
using Microsoft.DotNet.Interactive.Formatting;

namespace Cbi.Workbench.Reporting;

/// <summary>A result shown as a table in every notebook host (VS Code, <c>dotnet repl</c>, <c>cbi run</c>, nbconvert, the
/// report): one column per public property of the rows, every row (no "(n more)"), numbers formatted for reading and
/// the same in any culture. Made by <see cref="ResultTableExtensions.AsTable{T}"/>; shown through formatters registered
/// with the kernel (<c>text/html</c> and an aligned <c>text/plain</c>).
/// <para>Formats, chosen by the column's name (the workbench's naming convention): a name containing <c>Skill</c> is a
/// relative improvement shown in percent with a sign (+5.3); a name ending in <c>P</c> or containing <c>PValue</c> is a p-value
/// (even <c>CoverageP</c>); else a name containing <c>Coverage</c> or <c>Share</c>, or starting with <c>Below</c> or <c>Above</c>,
/// is a share shown in percent (78.7); p-values get 3 decimals, scientific below 0.001 (so 1.8e-06 never reads 0); other real numbers 4 significant digits; NaN is shown as "—" (missing
/// stays visible); dates ISO (yyyy-MM-dd); sequences joined with ", ". Percent columns say so in their header.</para></summary>
public sealed class ResultTable
{
    /// <summary>Column headers (with units where the format adds one).</summary>
    public IReadOnlyList<string> Headers { get; }
    /// <summary>Formatted cells, row by row; every row has <see cref="Headers"/>.Count cells.</summary>
    public IReadOnlyList<string[]> Rows { get; }
    /// <summary>Whether a column is numeric (right-aligned).</summary>
    public IReadOnlyList<bool> Numeric { get; }
    /// <summary>Shown above the table; may be null.</summary>
    public string? Title { get; }
    /// <summary>Where the complete table with full-precision values was written (repository-relative), or null.</summary>
    public string? CsvPath { get; }

    ResultTable(string? title, IReadOnlyList<string> headers, IReadOnlyList<bool> numeric, IReadOnlyList<string[]> rows, string? csv)
    {
        Title = title; Headers = headers; Numeric = numeric; Rows = rows; CsvPath = csv;
    }

    enum Kind { Text, Integer, Real, Percent, SignedPercent, PValue, Date, Flag }

    /// <summary>Builds the table from <paramref name="rows"/> (records, anonymous objects or any type with public
    /// properties); with <paramref name="csvPath"/> also writes every row with full-precision values there (invariant
    /// culture, ISO dates, atomically).</summary>
    /// <exception cref="ArgumentNullException">no rows.</exception>
    public static ResultTable From<T>(IEnumerable<T> rows, string? title = null, string? csvPath = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        if (props.Length == 0 && list.Count > 0 && list[0] is { } first && first.GetType() != typeof(T))
            props = first.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        if (props.Length == 0 || IsScalar(typeof(T)))
            return new ResultTable(title, ["value"], [IsNumber(typeof(T))], list.Select(v => new[] { Cell(v, KindOf("value", typeof(T))) }).ToList(),
                csvPath is null ? null : WriteCsv(csvPath, ["value"], list.Select(v => new object?[] { v })));
        var kinds = props.Select(p => KindOf(p.Name, p.PropertyType)).ToArray();
        var headers = props.Select((p, j) => kinds[j] is Kind.Percent or Kind.SignedPercent ? $"{p.Name} (%)" : p.Name).ToArray();
        var values = list.Select(r => props.Select(p => r is null ? null : p.GetValue(r)).ToArray()).ToList();
        var cells = values.Select(v => v.Select((x, j) => Cell(x, kinds[j])).ToArray()).ToList();
        var numeric = kinds.Select(k => k is not (Kind.Text or Kind.Date or Kind.Flag)).ToArray();
        return new ResultTable(title, headers, numeric, cells, csvPath is null ? null : WriteCsv(csvPath, props.Select(p => p.Name).ToArray(), values));
    }

    /// <summary>A matrix of one measure: a row per <c>Row</c> key (best mean value first for a skill, else by name), a
    /// column per horizon (<c>h1 … h252</c>, ascending), cells formatted by <paramref name="measure"/>'s name as a column of
    /// that name would be; a missing pair shows "—".</summary>
    /// <exception cref="ArgumentException">a row and horizon given twice.</exception>
    public static ResultTable Matrix(IEnumerable<(string Row, int Horizon, double Value)> cells, string rowHeader, string measure, string? title = null)
    {
        var list = cells.ToList();
        var horizons = list.Select(c => c.Horizon).Distinct().Order().ToArray();
        var kind = KindOf(measure, typeof(double));
        var twice = list.GroupBy(c => (c.Row, c.Horizon)).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"{twice.Key.Row} at h {twice.Key.Horizon} appears {twice.Count()} times; a matrix cell holds one value.", nameof(cells));
        var byRow = list.GroupBy(c => c.Row).ToList();
        var ordered = kind is Kind.SignedPercent
            ? byRow.OrderByDescending(g => g.Where(c => !double.IsNaN(c.Value)).Select(c => c.Value).DefaultIfEmpty(double.NegativeInfinity).Average()).ThenBy(g => g.Key, StringComparer.Ordinal)
            : byRow.OrderBy(g => g.Key, StringComparer.Ordinal);
        var unit = kind is Kind.Percent or Kind.SignedPercent ? " (%)" : "";
        var headers = horizons.Select(h => $"h{h}{unit}").Prepend(rowHeader).ToArray();
        var rows = ordered.Select(g => horizons.Select(h => g.Where(c => c.Horizon == h).Select(c => Number(c.Value, kind)).FirstOrDefault() ?? "—").Prepend(g.Key).ToArray()).ToList();
        return new ResultTable(title ?? $"{measure} by {rowHeader.ToLowerInvariant()} and horizon", headers, headers.Select((_, j) => j > 0).ToArray(), rows, null);
    }

    /// <summary>Writes every row of <paramref name="rows"/> to <paramref name="csvPath"/> (columns as
    /// <see cref="From{T}"/> takes them, full precision, invariant culture, atomically) and returns its repository-relative
    /// path: the complete table beside a summary a notebook shows.</summary>
    public static string Csv<T>(IEnumerable<T> rows, string csvPath) => From(rows, null, csvPath).CsvPath!;

    static bool IsScalar(Type t) => t.IsPrimitive || t == typeof(string) || t == typeof(decimal) || t == typeof(DateOnly) || t == typeof(DateTime);
    static bool IsNumber(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(double) || t == typeof(float) || t == typeof(decimal) || t == typeof(int) || t == typeof(long) || t == typeof(short);
    }

    static Kind KindOf(string name, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(bool)) return Kind.Flag;
        if (type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset)) return Kind.Date;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) return Kind.Integer;
        if (type != typeof(double) && type != typeof(float) && type != typeof(decimal)) return Kind.Text;
        if (name.Contains("Skill", StringComparison.Ordinal)) return Kind.SignedPercent;
        // A p-value about coverage ("CoverageP") is a p-value, not a share.
        if (name.EndsWith('P') || name.Contains("PValue", StringComparison.Ordinal) || name.EndsWith("Pvalue", StringComparison.Ordinal)) return Kind.PValue;
        if (name.Contains("Coverage", StringComparison.Ordinal) || name.Contains("Share", StringComparison.Ordinal) || name.StartsWith("Below", StringComparison.Ordinal)
            || name.StartsWith("Above", StringComparison.Ordinal))
            return Kind.Percent;
        return Kind.Real;
    }

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    static string Cell(object? v, Kind kind)
    {
        switch (v)
        {
            case null: return "—";
            case string s: return s;
            case bool b: return b ? "yes" : "no";
            case DateOnly d: return d.ToString("yyyy-MM-dd", Inv);
            case DateTime t: return t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", Inv) : t.ToString("yyyy-MM-dd HH:mm:ss", Inv);
            case DateTimeOffset t: return t.ToString("yyyy-MM-dd HH:mm:ss zzz", Inv);
            case int or long or short: return Convert.ToInt64(v, Inv).ToString(Inv);
            case double or float or decimal: return Number(Convert.ToDouble(v, Inv), kind);
            case IEnumerable e: return string.Join(", ", e.Cast<object?>().Select(x => Cell(x, Kind.Text)));
            case IFormattable f: return f.ToString(null, Inv);
            default: return v.ToString() ?? "";
        }
    }

    /// <summary>A real number as the column's kind shows it (see the class remarks).</summary>
    internal static string Number(double x, string columnName) => Number(x, KindOf(columnName, typeof(double)));

    static string Number(double x, Kind kind)
    {
        if (double.IsNaN(x)) return "—";
        if (double.IsInfinity(x)) return x > 0 ? "∞" : "−∞";
        return kind switch
        {
            Kind.SignedPercent => (100 * x).ToString("+0.0;-0.0;0.0", Inv),
            Kind.Percent => (100 * x).ToString("0.0", Inv),
            Kind.PValue => x == 0 ? "0" : x < 0.001 ? x.ToString("0.0e+00", Inv) : x.ToString("0.000", Inv),
            _ => x == 0 ? "0" : Math.Abs(x) >= 1e6 || Math.Abs(x) < 1e-4 ? x.ToString("0.###e+00", Inv) : Significant(x, 4),
        };
    }

    static string Significant(double x, int digits)
    {
        var decimals = Math.Max(0, digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(x))));
        return Math.Round(x, Math.Min(decimals, 15)).ToString("0." + new string('#', Math.Min(decimals, 15)), Inv);
    }

    static string WriteCsv(string path, IReadOnlyList<string> headers, IEnumerable<object?[]> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', headers.Select(Quote))).Append('\n');
        foreach (var r in rows) sb.Append(string.Join(',', r.Select(v => Quote(Raw(v))))).Append('\n');
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(path, sb.ToString());
        return Workbench.Relative(path);
    }

    static string Raw(object? v) => v switch
    {
        null => "",
        double d => double.IsNaN(d) ? "" : d.ToString("R", Inv),
        float f => float.IsNaN(f) ? "" : f.ToString("R", Inv),
        DateOnly d => d.ToString("yyyy-MM-dd", Inv),
        DateTime t => t.ToString("yyyy-MM-ddTHH:mm:ss", Inv),
        bool b => b ? "true" : "false",
        string s => s,
        IEnumerable e => string.Join("; ", e.Cast<object?>().Select(Raw)),
        IFormattable f => f.ToString(null, Inv),
        _ => v.ToString() ?? "",
    };

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>The table as an HTML fragment: a caption (title, row count, the CSV's path), a header row and every row.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"cbi-table\">");
        var caption = Caption();
        if (caption.Length > 0) sb.Append("<p><b>").Append(WebUtility.HtmlEncode(caption)).Append("</b></p>");
        sb.Append("<table><thead><tr>");
        foreach (var h in Headers) sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in Rows)
        {
            sb.Append("<tr>");
            for (var j = 0; j < r.Length; j++)
                sb.Append(Numeric[j] ? "<td style=\"text-align:right\">" : "<td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(r[j])).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table></div>").ToString();
    }

    /// <summary>The table as aligned plain text (numbers right-aligned), every row.</summary>
    public override string ToString()
    {
        var widths = Headers.Select((h, j) => Rows.Select(r => r[j].Length).Prepend(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        var caption = Caption();
        if (caption.Length > 0) sb.Append(caption).Append('\n');
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, j) => Numeric[j] ? c.PadLeft(widths[j]) : c.PadRight(widths[j]))).TrimEnd();
        sb.Append(Line(Headers)).Append('\n');
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var r in Rows) sb.Append(Line(r)).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }

    string Caption()
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(Title)) parts.Add(Title);
        if (CsvPath is not null) parts.Add($"{Rows.Count} rows; every row at full precision in {CsvPath}");
        return string.Join(" — ", parts);
    }

    internal static void RegisterFormatters()
    {
        Formatter.Register<ResultTable>((t, w) => w.Write(t.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<ResultTable>((t, w) => w.Write(t.ToString()), PlainTextFormatter.MimeType);
        // HTML only in the notebook: every viewer renders it (VS Code, JupyterLab, nbconvert, GitHub, the report), and a
        // second plain-text copy of every table would double the executed notebooks. ToString() gives the text.
        Formatter.SetPreferredMimeTypesFor(typeof(ResultTable), HtmlFormatter.MimeType);
    }
}

/// <summary>Tables of results for notebooks: <c>rows.AsTable()</c> as a cell's last line shows every row as a table.</summary>
public static class ResultTableExtensions
{
    /// <summary>The rows as a <see cref="ResultTable"/> (see its remarks for the formats).</summary>
    /// <param name="rows">Records or anonymous objects; their public properties are the columns, in declaration order.</param>
    /// <param name="title">Shown above the table.</param>
    /// <param name="csvPath">When given, every row is also written there at full precision and the caption names it.</param>
    public static ResultTable AsTable<T>(this IEnumerable<T> rows, string? title = null, string? csvPath = null) =>
        ResultTable.From(rows, title, csvPath);
}
