using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cbi.Workbench.IO;

namespace Cbi.Workbench.Reporting;

/// <summary>Renders an executed notebook (.ipynb, nbformat 4) to one standalone HTML page a reviewer can open offline:
/// markdown cells as HTML, code cells' source collapsed, their outputs inline (HTML outputs as they are — the Plotly
/// charts carry plotly.js inline —, images embedded, text preformatted). Nothing is fetched from the network.</summary>
public static partial class NotebookReport
{
    /// <summary>Writes <paramref name="htmlPath"/> atomically from <paramref name="ipynbPath"/>.</summary>
    /// <exception cref="FileNotFoundException">no such notebook.</exception>
    /// <exception cref="InvalidDataException">not an nbformat 4 notebook (names the file).</exception>
    public static void Render(string ipynbPath, string htmlPath)
    {
        if (!File.Exists(ipynbPath)) throw new FileNotFoundException($"no executed notebook at {Workbench.Relative(ipynbPath)}; run it first (cbi run).", ipynbPath);
        using var doc = JsonDocument.Parse(File.ReadAllText(ipynbPath));
        var root = doc.RootElement;
        if (!root.TryGetProperty("cells", out var cells) || !root.TryGetProperty("nbformat", out var nbf) || nbf.GetInt32() != 4)
            throw new InvalidDataException($"{Workbench.Relative(ipynbPath)} is not an nbformat 4 notebook.");
        var title = Path.GetFileNameWithoutExtension(ipynbPath);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n<style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;line-height:1.45}")
          .Append("pre{background:#f6f8fa;padding:.6em;overflow-x:auto;font-size:.85em}pre.error{background:#fdecea}")
          .Append("details{margin:.4em 0;color:#555}table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:2px 6px}")
          .Append(".output{margin:.5em 0 1.5em}</style></head><body>\n");
        foreach (var cell in cells.EnumerateArray())
        {
            var kind = cell.GetProperty("cell_type").GetString();
            var source = Text(cell.GetProperty("source"));
            if (kind == "markdown") { sb.Append(Markdown(source)).Append('\n'); continue; }
            if (kind != "code") continue;
            sb.Append("<details><summary>code</summary><pre>").Append(WebUtility.HtmlEncode(source)).Append("</pre></details>\n<div class=\"output\">");
            if (cell.TryGetProperty("outputs", out var outputs))
                foreach (var o in outputs.EnumerateArray()) sb.Append(Output(o));
            sb.Append("</div>\n");
        }
        sb.Append("</body></html>\n");
        AtomicFile.WriteAllText(htmlPath, sb.ToString());
    }

    static string Text(JsonElement e) => e.ValueKind == JsonValueKind.Array ? string.Concat(e.EnumerateArray().Select(x => x.GetString())) : e.GetString() ?? "";

    static string Output(JsonElement o)
    {
        switch (o.GetProperty("output_type").GetString())
        {
            case "stream":
                return $"<pre>{WebUtility.HtmlEncode(Text(o.GetProperty("text")))}</pre>";
            case "error":
                return $"<pre class=\"error\">{WebUtility.HtmlEncode(o.GetProperty("ename").GetString() + ": " + o.GetProperty("evalue").GetString())}</pre>";
            default:
                if (!o.TryGetProperty("data", out var data)) return "";
                if (data.TryGetProperty("text/html", out var html)) return Text(html);
                if (data.TryGetProperty("image/svg+xml", out var svg)) return Text(svg);
                if (data.TryGetProperty("image/png", out var png)) return $"<img alt=\"chart\" src=\"data:image/png;base64,{Text(png).Trim()}\">";
                if (data.TryGetProperty("text/plain", out var plain)) return $"<pre>{WebUtility.HtmlEncode(Text(plain))}</pre>";
                return "";
        }
    }

    /// <summary>The Markdown the notebooks use: headings, paragraphs, bullet lists, inline code, bold and italics.</summary>
    internal static string Markdown(string md)
    {
        var sb = new StringBuilder();
        var inList = false;
        foreach (var block in Regex.Split(md.Replace("\r", ""), @"\n\s*\n"))
        {
            var lines = block.Split('\n');
            foreach (var raw in lines)
            {
                var line = raw.TrimEnd();
                if (line.Length == 0) continue;
                var h = Heading().Match(line);
                if (h.Success)
                {
                    if (inList) { sb.Append("</ul>"); inList = false; }
                    var level = h.Groups[1].Length;
                    sb.Append($"<h{level}>{Inline(h.Groups[2].Value)}</h{level}>\n");
                    continue;
                }
                if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal))
                {
                    if (!inList) { sb.Append("<ul>"); inList = true; }
                    sb.Append("<li>").Append(Inline(line[2..])).Append("</li>\n");
                    continue;
                }
                if (inList) { sb.Append("</ul>"); inList = false; }
                sb.Append("<p>").Append(Inline(line)).Append("</p>\n");
            }
            if (inList) { sb.Append("</ul>\n"); inList = false; }
        }
        return sb.ToString();
    }

    static string Inline(string s)
    {
        var e = WebUtility.HtmlEncode(s);
        e = CodeSpan().Replace(e, "<code>$1</code>");
        e = Bold().Replace(e, "<strong>$1</strong>");
        return Italic().Replace(e, "<em>$1</em>");
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")] private static partial Regex Heading();
    [GeneratedRegex(@"`([^`]+)`")] private static partial Regex CodeSpan();
    [GeneratedRegex(@"\*\*([^*]+)\*\*")] private static partial Regex Bold();
    [GeneratedRegex(@"(?<![*\w])\*([^*\s][^*]*)\*(?![*\w])")] private static partial Regex Italic();
}
