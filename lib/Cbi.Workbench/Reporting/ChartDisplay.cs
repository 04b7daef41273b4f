using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace Cbi.Workbench.Reporting;

/// <summary>How Plotly.NET charts show in notebooks — the same formatters in VS Code Polyglot, <c>dotnet repl</c> and
/// <c>cbi run</c>, registered with the kernel's own formatter registry as soon as this library is loaded. A chart's
/// output carries what each viewer expects: <c>application/vnd.plotly.v1+json</c> (the figure, drawn interactively by
/// VS Code's and JupyterLab's Plotly renderers), <c>image/png</c> (drawn by plotly.js in headless Chromium, for GitHub,
/// nbviewer, nbconvert and the report) and <c>text/plain</c> (the title). No output embeds plotly.js, so a chart costs
/// its figure and its picture (tens of kB) instead of 1.5 MB. Without Chromium the PNG is replaced by a
/// <c>text/html</c> note saying so, and the first chart says so on the library's log.</summary>
public static partial class ChartDisplay
{
    /// <summary>The MIME type of a Plotly figure (<c>{"data": [...], "layout": {...}}</c>) in Jupyter outputs.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";
    const string PngMimeType = "image/png";
    static int warned;

    /// <summary>Runs when the library is loaded (a notebook's first use of any workbench type), so a cell that shows a
    /// chart needs no set-up line in any host.</summary>
#pragma warning disable CA2255 // a library module initializer is the point here: every host that loads the library gets the formatter
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        UseHostFSharpCore();
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(FigureJson(chart)), PlotlyMimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(Png(chart)), PngMimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(NoImageNote(chart)), HtmlFormatter.MimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write($"Plotly.NET chart: {Title(chart)}"), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), MimeTypes());
        ResultTable.RegisterFormatters();
    }

    /// <summary>The MIME types a chart is shown in on this machine: the figure, its PNG when Chromium is installed (else
    /// an HTML note that it is missing), and the title as text.</summary>
    public static string[] MimeTypes() =>
        [PlotlyMimeType, ChromiumPath() is null ? HtmlFormatter.MimeType : PngMimeType, PlainTextFormatter.MimeType];

    /// <summary>The chart's figure as compact JSON for <see cref="PlotlyMimeType"/>: Plotly.NET's figure with numbers
    /// rounded to 6 significant digits and midnight timestamps written as dates (what a chart can show; the tables
    /// and CSVs carry full precision), which roughly halves a long daily series.</summary>
    public static string FigureJson(GenericChart chart) => Compact(System.Text.Json.Nodes.JsonNode.Parse(GenericChart.toFigureJson(chart)))?.ToJsonString() ?? "{}";

    static System.Text.Json.Nodes.JsonNode? Compact(System.Text.Json.Nodes.JsonNode? node)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList()) o[key] = Compact(o[key]?.DeepClone());
                return o;
            case System.Text.Json.Nodes.JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = Compact(a[i]?.DeepClone());
                return a;
            case System.Text.Json.Nodes.JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                var d = v.GetValue<double>();
                return double.IsFinite(d) && d != Math.Floor(d) ? System.Text.Json.Nodes.JsonValue.Create(double.Parse(d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture)) : v;
            case System.Text.Json.Nodes.JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                var s = v.GetValue<string>();
                return MidnightTimestamp().IsMatch(s) ? System.Text.Json.Nodes.JsonValue.Create(s[..10]) : v;
            default:
                return node;
        }
    }

    /// <summary>The chart as a base64 PNG (see <see cref="StaticPng"/>).</summary>
    /// <exception cref="InvalidOperationException">Chromium is installed but could not draw the chart (names why): a
    /// chart is never shown without its picture silently.</exception>
    public static string Png(GenericChart chart)
    {
        var (png, why) = StaticPng(chart);
        return png ?? throw new InvalidOperationException($"chart “{Title(chart)}”: no static image: {why}");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d\d-\d\dT00:00:00(\.0+)?Z?$")]
    private static partial System.Text.RegularExpressions.Regex MidnightTimestamp();

    static string NoImageNote(GenericChart chart)
    {
        var why = ChromiumPath() is null ? "Chromium not found; install Debian's chromium (tests/run and the main job do) or set CBI_CHROMIUM" : "";
        if (why.Length > 0 && Interlocked.Exchange(ref warned, 1) == 0)
            IO.Log.Progress($"[charts] WARNING: no static images: {why}. Charts carry only their Plotly figure, which GitHub, nbconvert and the report cannot show.");
        return $"<p>Chart “{WebUtility.HtmlEncode(Title(chart))}”: no static image ({WebUtility.HtmlEncode(why)}).</p>";
    }

    /// <summary>Plotly.NET 6.0 (the only version served) is compiled against FSharp.Core 10.1, while the Polyglot kernel
    /// (dotnet-repl 0.3.259, VS Code's dotnet-interactive) carries FSharp.Core 10.0. Unresolved, the kernel loads our
    /// lib/bin copy beside its own, and Plotly's calls into Giraffe fail with MissingMethodException (two FSharpFunc
    /// types). The default load context asks this handler only when it cannot bind a request itself (in <c>cbi</c>,
    /// whose FSharp.Core is 10.1, never); the host's FSharp.Core then serves every FSharp.Core request, which F#'s
    /// backward compatibility within a major version allows.</summary>
    static void UseHostFSharpCore() =>
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.Name != "FSharp.Core") return null;
            var loaded = context.Assemblies.FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
            if (loaded is not null) return loaded;
            var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator)
                .FirstOrDefault(p => Path.GetFileName(p) == "FSharp.Core.dll");
            return tpa is null ? null : context.LoadFromAssemblyPath(tpa);
        };

    static string Title(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        return layout.TryGetTypedPropertyValue<Title>("title") is { Value: { } t }
            && t.TryGetTypedPropertyValue<string>("text") is { Value: { } text } ? text : "chart";
    }

    /// <summary>Debian's Chromium (or CBI_CHROMIUM), the browser that draws static images.
    /// Null when none is installed (tests/run installs it).</summary>
    public static string? ChromiumPath()
    {
        var configured = Environment.GetEnvironmentVariable("CBI_CHROMIUM");
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin"))
            foreach (var exe in new[] { "chromium", "chromium-browser" })
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, exe))) return Path.Combine(dir, exe);
        return null;
    }

    /// <summary>The chart as a base64 PNG, drawn by plotly.js (Plotly.NET's own copy, inline: nothing is fetched) in
    /// headless Chromium and captured with Chromium's <c>--screenshot</c>; or null and the reason. Not
    /// Plotly.NET.ImageExport: it drives Chromium through PuppeteerSharp 24.40, which is not served here, and the 25.x
    /// NuGet substitutes gets loaded twice inside the Polyglot kernel (MissingMethodException under dotnet repl).</summary>
    internal static (string? Png, string Why) StaticPng(GenericChart chart)
    {
        var chromium = ChromiumPath();
        if (chromium is null) return (null, "Chromium not found; install Debian's chromium (tests/run does) or set CBI_CHROMIUM");
        var layout = GenericChart.getLayout(chart);
        var width = layout.TryGetTypedPropertyValue<int>("width") is { Value: > 0 and var w } ? w : 900;
        var height = layout.TryGetTypedPropertyValue<int>("height") is { Value: > 0 and var h } ? h : 500;
        var dir = Directory.CreateTempSubdirectory("cbi-chart-").FullName;
        try
        {
            var page = Path.Combine(dir, "chart.html");
            File.WriteAllText(page, $$"""
                <!DOCTYPE html><html><head><meta charset="utf-8"><style>body { margin: 0; overflow: hidden; }</style></head>
                <body><div id="chart" style="width:{{width}}px;height:{{height}}px"></div>
                <script>{{PlotlyJs()}}</script>
                <script>var figure = {{FigureJson(chart)}}; Plotly.newPlot("chart", figure.data, figure.layout, { staticPlot: true });</script>
                </body></html>
                """);
            var png = Path.Combine(dir, "chart.png");
            var psi = new System.Diagnostics.ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true };
            // --no-sandbox: CI runs as root, where Chromium refuses its sandbox. The virtual-time budget lets plotly.js
            // finish drawing before the screenshot without a fixed sleep.
            foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                         $"--user-data-dir={Path.Combine(dir, "profile")}", $"--window-size={width},{height}", "--virtual-time-budget=10000",
                         $"--screenshot={png}", new Uri(page).AbsoluteUri })
                psi.ArgumentList.Add(arg);
            using var process = System.Diagnostics.Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                return (null, $"{chromium} took longer than 60 s");
            }
            if (!File.Exists(png) || new FileInfo(png).Length == 0)
                return (null, $"{chromium} exited {process.ExitCode} without a screenshot: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            return (Convert.ToBase64String(File.ReadAllBytes(png)), "");
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            return (null, $"Chromium at {chromium} failed: {e.Message}");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { /* Chromium may still hold its profile; temp is cleaned by the OS */ }
        }
    }

    internal static string PlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }
}
