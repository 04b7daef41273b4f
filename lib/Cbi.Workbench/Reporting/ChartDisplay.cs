using System.IO.Compression;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace Cbi.Workbench.Reporting;

/// <summary>How Plotly.NET charts show in notebooks — the same formatter in VS Code Polyglot, <c>dotnet repl</c> and
/// <c>cbi run</c>, registered with the kernel's own formatter registry as soon as this library is loaded.
/// A chart's <c>text/html</c> output stands alone: its figure, plotly.js (gzip-compressed, unpacked only when the page
/// has no <c>window.Plotly</c> yet, shielded from AMD loaders such as require.js), and a static PNG made by
/// plotly.js in headless Chromium, which stays visible wherever scripts do not run.</summary>
public static class ChartDisplay
{
    static readonly object gate = new();
    static string? compressedPlotlyJs;
    static int chartCount;

    /// <summary>Runs when the library is loaded (a notebook's first use of any workbench type), so a cell that shows a
    /// chart needs no set-up line in any host.</summary>
#pragma warning disable CA2255 // a library module initializer is the point here: every host that loads the library gets the formatter
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        UseHostFSharpCore();
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(Html(chart)), HtmlFormatter.MimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write($"Plotly.NET chart: {Title(chart)}"), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
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

    /// <summary>The chart as one self-contained HTML fragment: a div holding the static image (or a note why there is
    /// none), then a script that draws the interactive chart in its place.</summary>
    /// <param name="chart">The chart.</param>
    public static string Html(GenericChart chart)
    {
        var id = $"cbi-chart-{Interlocked.Increment(ref chartCount)}-{Guid.NewGuid():N}";
        var title = WebUtility.HtmlEncode(Title(chart));
        var (png, why) = StaticPng(chart);
        var fallback = png is not null
            ? $"<img alt=\"{title}\" style=\"max-width:100%\" src=\"data:image/png;base64,{png}\"/>"
            : $"<p>Interactive chart “{title}” (no static image: {WebUtility.HtmlEncode(why)}).</p>";
        return $$"""
            <div class="cbi-chart" id="{{id}}">{{fallback}}</div>
            <script type="text/javascript">
            (function () {
              var figure = {{GenericChart.toFigureJson(chart)}};
              function draw() {
                var el = document.getElementById("{{id}}");
                if (!el || !window.Plotly) return;
                el.innerHTML = "";
                window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true });
              }
              if (window.Plotly) { draw(); return; }
              if (typeof DecompressionStream === "undefined") return; // old browser: the static image stays
              // One unpacking per page, shared by every chart on it. plotly.js runs with define/module/exports hidden:
              // on a page with an AMD loader (require.js, classic Jupyter) its UMD header would otherwise register an
              // anonymous module instead of window.Plotly.
              window.cbiPlotly = window.cbiPlotly || new Response(new Blob([Uint8Array.from(atob("{{CompressedPlotlyJs()}}"), function (c) { return c.charCodeAt(0); })])
                  .stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function (js) {
                    if (window.Plotly) return;
                    var s = document.createElement("script");
                    s.textContent = "(function (define, module, exports) {\n" + js + "\n}).call(window);";
                    document.head.appendChild(s);
                  });
              window.cbiPlotly.then(draw);
            })();
            </script>
            """;
    }

    static string Title(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        return layout.TryGetTypedPropertyValue<Title>("title") is { Value: { } t }
            && t.TryGetTypedPropertyValue<string>("text") is { Value: { } text } ? text : "chart";
    }

    /// <summary>plotly.js as shipped inside Plotly.NET (so its version always matches), gzip-compressed and base64
    /// encoded: ≈1.4 MB per chart instead of 3.6 MB, which is what lets every chart stand alone.</summary>
    static string CompressedPlotlyJs()
    {
        lock (gate)
        {
            if (compressedPlotlyJs is not null) return compressedPlotlyJs;
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
                gzip.Write(System.Text.Encoding.UTF8.GetBytes(PlotlyJs()));
            return compressedPlotlyJs = Convert.ToBase64String(buffer.ToArray());
        }
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
    static (string? Png, string Why) StaticPng(GenericChart chart)
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
                <script>var figure = {{GenericChart.toFigureJson(chart)}}; Plotly.newPlot("chart", figure.data, figure.layout, { staticPlot: true });</script>
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

    static string PlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }
}
