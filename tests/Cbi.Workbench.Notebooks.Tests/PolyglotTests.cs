using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Cbi.Workbench.Notebooks.Tests.TestNotebooks;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>Notebooks behave the same under `cbi run` and the pinned dotnet-repl (.config/dotnet-tools.json).</summary>
[Trait("Category", "Slow")]
public class PolyglotParityTests
{
    [Fact]
    public void the_display_api_set_magic_load_and_a_javascript_cell_give_the_same_outputs_and_exit_code_as_dotnet_repl()
    {
        var dir = NewFolder();
        File.WriteAllText(Path.Combine(dir, "helper.csx"), "var loadedFromHelper = 42;\n");
        var path = Path.Combine(dir, "api.dib");
        File.WriteAllText(path, """
            #!csharp

            "hello".Display();
            "<b>bold</b>".DisplayAs("text/html");
            var d = display("first");
            d.Update("second");

            #!csharp

            #!set --name horizon --value @input:horizon
            #load "helper.csx"
            Console.WriteLine($"loaded {loadedFromHelper}, horizon {horizon}");

            #!javascript

            console.log("from js");

            #!csharp

            new { A = 1.23456789012, B = "x" }

            """);
        var repl = Repl(dir, null, "--run", "api.dib", "--exit-after-run", "--output-path", "repl.ipynb", "--input", "horizon=21");
        var ours = NotebookRunner.Run(path, Path.Combine(dir, "cbi.ipynb"),
            new NotebookRunOptions { Inputs = new Dictionary<string, string> { ["horizon"] = "21" }, Progress = TextWriter.Null });

        Assert.Equal(2, repl.ExitCode);
        Assert.Equal(repl.ExitCode, ours.ExitCode);
        var expected = Summary(Read(Path.Combine(dir, "repl.ipynb")));
        var actual = Summary(Read(Path.Combine(dir, "cbi.ipynb")));
        Assert.Equal(expected, actual);
        Assert.Contains("cell 2: stream stdout loaded 42, horizon 21\n", actual);
        Assert.Contains("cell 1: display_data text/plain=second", actual);
    }

    /// <summary>Each output as one comparable line: its kind and content (an error by its name only: dotnet-repl's
    /// JavaScript failure quotes its missing Playwright driver, ours says the cell needs a browser).</summary>
    static List<string> Summary(JsonObject notebook) =>
        Cells(notebook).SelectMany((c, i) => c!["outputs"]!.AsArray().Select(o => $"cell {i + 1}: " + ((string)o!["output_type"]! switch
        {
            "stream" => $"stream {o["name"]} {Text(o["text"])}",
            "error" => $"error {o["ename"]}",
            var kind => $"{kind} " + string.Join(" ", o["data"]!.AsObject().Select(kv => $"{kv.Key}={Text(kv.Value)}")),
        }))).ToList();
}

/// <summary>The workbench's own notebooks under dotnet-repl, as CI runs them: all seven in order, on a scratch copy of
/// the workbench (its raw data and benchmarks, lib/bin linked), each exiting 0.</summary>
[Trait("Category", "Slow")]
public class ReplRunsTheWorkbenchNotebooksTests
{
    [Fact]
    public void all_seven_notebooks_run_under_dotnet_repl_and_04_shows_its_charts()
    {
        var root = NewFolder();
        File.WriteAllText(Path.Combine(root, "Cbi.Workbench.sln"), "");
        foreach (var (from, to) in new[] { ("notebooks", "notebooks"), (Path.Combine("data", "raw"), Path.Combine("data", "raw")), (Path.Combine("artifacts", "bench"), Path.Combine("artifacts", "bench")) })
            foreach (var f in Directory.EnumerateFiles(Path.Combine(Workbench.Root, from), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root, to, Path.GetRelativePath(Path.Combine(Workbench.Root, from), f));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(f, target);
            }
        Directory.CreateDirectory(Path.Combine(root, "lib"));
        File.CreateSymbolicLink(Path.Combine(root, "lib", "bin"), Path.Combine(Workbench.Root, "lib", "bin"));
        var env = new Dictionary<string, string> { ["CBI_ROOT"] = root, ["CBI_INPUT_PROFILE"] = "smoke" };
        var notebooks = Directory.GetFiles(Path.Combine(root, "notebooks"), "0*.dib").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(7, notebooks.Count);
        foreach (var nb in notebooks)
        {
            var output = Path.Combine(root, "out", Path.GetFileNameWithoutExtension(nb) + ".ipynb");
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            // From the workbench root, exactly as the README shows it.
            var (code, text) = Repl(root, env, "--run", Path.Combine("notebooks", Path.GetFileName(nb)), "--exit-after-run", "--output-path", output);
            var errors = File.Exists(output)
                ? string.Join("\n", Cells(Read(output)).SelectMany(c => c!["outputs"]?.AsArray() ?? []).Where(o => (string)o!["output_type"]! == "error").Select(o => (string)o!["evalue"]!))
                : text;
            Assert.True(code == 0, $"{Path.GetFileName(nb)}: dotnet repl exited {code}: {errors}");
        }
        var charts = ChartTests.ChartOutputs(Path.Combine(root, "out", "04-lgbm-quantiles.ipynb"));
        Assert.True(charts.Count >= 5, $"04 shows {charts.Count} charts");
        Assert.All(charts, html => Assert.Matches(ChartTests.StaticImage, html));
    }
}

/// <summary>Charts are readable everywhere: drawn by plotly.js where scripts run (alone or beside an AMD loader,
/// offline), a static PNG where they do not.</summary>
[Trait("Category", "Slow")]
public class ChartTests
{
    internal static readonly Regex StaticImage = new("<img [^>]*src=\"data:image/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]{1000,}\"");

    /// <summary>The text/html of every chart output of an executed notebook.</summary>
    internal static List<string> ChartOutputs(string ipynb) =>
        Cells(Read(ipynb)).SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Select(o => Text(o!["data"]?["text/html"])).Where(h => h.Contains("class=\"cbi-chart\"")).ToList();

    static string ChartHtml() => Cbi.Workbench.Reporting.ChartDisplay.Html(
        Cbi.Workbench.Reporting.ShapCharts.GainImportance("gain", ["palm_oil", "crush_margin", "dxy"], [3.0, 2.0, 1.0]));

    /// <summary>The page's DOM after Chromium ran its scripts (no network is needed: everything is inline).</summary>
    static string RenderedDom(string headExtra, string body)
    {
        var dir = NewFolder();
        var page = Path.Combine(dir, "page.html");
        File.WriteAllText(page, $"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{headExtra}</head><body>{body}</body></html>");
        var chromium = Cbi.Workbench.Reporting.ChartDisplay.ChromiumPath();
        Assert.True(chromium is not null, "Chromium is missing: tests/run installs Debian's chromium");
        var (code, dom) = Process(dir, null, chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            $"--user-data-dir={Path.Combine(dir, "profile")}", "--virtual-time-budget=20000", "--dump-dom", new Uri(page).AbsoluteUri);
        Assert.True(code == 0, dom);
        return dom;
    }

    [Fact]
    public void a_chart_output_rendered_alone_in_headless_chromium_draws_its_svg()
    {
        var html = ChartHtml();
        Assert.DoesNotMatch("<script[^>]*src=", html);
        var dom = RenderedDom("", html);
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.DoesNotMatch(StaticImage, dom); // the interactive chart took the static image's place
    }

    [Fact]
    public void a_chart_output_draws_on_a_page_with_require_js_loaded()
    {
        const string requireJs = "/usr/share/javascript/requirejs/require.min.js";
        Assert.True(File.Exists(requireJs), "tests/run installs Debian's libjs-requirejs");
        var layersOfOne = Regex.Matches(RenderedDom("", ChartHtml()), "class=\"main-svg\"").Count;
        var dom = RenderedDom($"<script src=\"{new Uri(requireJs).AbsoluteUri}\"></script>" +
                              "<script>document.documentElement.setAttribute('data-amd', typeof define === 'function' && define.amd ? 'yes' : 'no');</script>",
                              ChartHtml() + ChartHtml());
        Assert.Contains("data-amd=\"yes\"", dom); // an AMD loader really was on the page
        Assert.True(layersOfOne > 0);
        Assert.Equal(2 * layersOfOne, Regex.Matches(dom, "class=\"main-svg\"").Count); // both charts drawn
    }

    [Fact]
    public void a_chart_output_carries_a_static_png_for_viewers_that_run_no_scripts()
    {
        var html = ChartHtml();
        Assert.Matches(StaticImage, html);
        Assert.Contains("Plotly.newPlot", html);
    }

    [Fact]
    public void every_chart_in_the_committed_executed_notebooks_has_its_static_image()
    {
        var files = Directory.GetFiles(Path.Combine(Workbench.ArtifactsDir, "smoke", "notebooks"), "*.ipynb");
        var charts = files.SelectMany(f => ChartOutputs(f).Select(h => (File: Path.GetFileName(f), Html: h))).ToList();
        Assert.True(charts.Count(c => c.File.StartsWith("04", StringComparison.Ordinal)) >= 5, "04 has its charts");
        foreach (var (file, html) in charts) Assert.True(StaticImage.IsMatch(html), $"{file}: a chart without its static image");
        // No chart output may still be Plotly.NET's own (CDN) HTML or the old runner's page-wide plotly.js.
        foreach (var f in files) Assert.DoesNotContain("cdn.plot.ly", File.ReadAllText(f));
    }
}
