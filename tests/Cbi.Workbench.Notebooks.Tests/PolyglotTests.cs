using Cbi.Workbench.Reporting;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
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

    /// <summary>An .ipynb as VS Code Polyglot Notebooks saves it: kernel info in the notebook metadata, a kernel name in
    /// each cell's metadata, a magic command, one cell that fails.</summary>
    internal const string VsCodeIpynb = """
        {
         "cells": [
          { "cell_type": "code", "execution_count": null,
            "metadata": { "dotnet_interactive": { "language": "csharp" }, "polyglot_notebook": { "kernelName": "csharp" } },
            "outputs": [], "source": [ "var x = 1 + 1;\n", "x" ] },
          { "cell_type": "code", "execution_count": null,
            "metadata": { "dotnet_interactive": { "language": "csharp" }, "polyglot_notebook": { "kernelName": "csharp" } },
            "outputs": [], "source": [ "#!set --name h --value 21\n", "display($\"h = {h}\");\n", "throw new System.Exception(\"boom\");" ] },
          { "cell_type": "code", "execution_count": null,
            "metadata": { "dotnet_interactive": { "language": "csharp" }, "polyglot_notebook": { "kernelName": "csharp" } },
            "outputs": [], "source": [ "x + 40" ] }
         ],
         "metadata": {
          "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
          "language_info": { "name": "polyglot-notebook" },
          "polyglot_notebook": { "kernelInfo": { "defaultKernelName": "csharp", "items": [ { "aliases": [], "name": "csharp" } ] } }
         },
         "nbformat": 4,
         "nbformat_minor": 2
        }
        """;

    [Fact]
    public void a_notebook_saved_by_vs_code_runs_under_cbi_run_with_dotnet_repls_exit_code_and_outputs()
    {
        var dir = NewFolder();
        var path = Path.Combine(dir, "saved.ipynb");
        File.WriteAllText(path, VsCodeIpynb);
        var repl = Repl(dir, null, "--run", "saved.ipynb", "--exit-after-run", "--output-path", "repl.ipynb");
        var ours = NotebookRunner.Run(path, Path.Combine(dir, "cbi.ipynb"), new NotebookRunOptions { Progress = TextWriter.Null });
        Assert.Equal(2, repl.ExitCode); // the failing cell
        Assert.Equal(repl.ExitCode, ours.ExitCode);
        var actual = Summary(Read(Path.Combine(dir, "cbi.ipynb")));
        Assert.Equal(Summary(Read(Path.Combine(dir, "repl.ipynb"))), actual);
        Assert.Contains(actual, l => l.StartsWith("cell 3: ", StringComparison.Ordinal) && l.Contains("42", StringComparison.Ordinal)); // ran after the failure
        Assert.Equal("csharp", (string?)Read(Path.Combine(dir, "cbi.ipynb"))["metadata"]?["polyglot_notebook"]?["defaultKernelName"]); // as the Documents writer (and dotnet-repl) write it
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

/// <summary>The workbench's own notebooks under dotnet-repl, as CI runs them: all eight in order, on a scratch copy of
/// the workbench (its raw data, benchmarks and operations rules, lib/bin linked), each exiting 0.</summary>
[Trait("Category", "Slow")]
public class ReplRunsTheWorkbenchNotebooksTests
{
    [Fact]
    public void all_eight_notebooks_run_under_dotnet_repl_and_04_shows_its_charts()
    {
        var root = NewFolder();
        File.WriteAllText(Path.Combine(root, "Cbi.Workbench.sln"), "");
        foreach (var (from, to) in new[] { ("notebooks", "notebooks"), (Path.Combine("data", "raw"), Path.Combine("data", "raw")), (Path.Combine("artifacts", "bench"), Path.Combine("artifacts", "bench")), ("config", "config") })
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
        Assert.Equal(8, notebooks.Count);
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
        Assert.All(charts, ChartTests.AssertFigureAndPicture);
    }
}

/// <summary>Charts are readable everywhere: a Plotly figure for the viewers that draw it (VS Code, JupyterLab), a PNG
/// for those that do not (GitHub, nbviewer, nbconvert, the report), no plotly.js copied into any output.</summary>
[Trait("Category", "Slow")]
public class ChartTests
{
    static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The data of every chart output of an executed notebook (outputs that carry a Plotly figure).</summary>
    internal static List<JsonObject> ChartOutputs(string ipynb) =>
        Cells(Read(ipynb)).SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Select(o => o!["data"] as JsonObject).Where(d => d?[ChartDisplay.PlotlyMimeType] is not null).Select(d => d!).ToList();

    /// <summary>A chart output holds a figure with data and layout (a JSON object, or its text as dotnet-repl writes it), a
    /// real PNG, and no script.</summary>
    internal static void AssertFigureAndPicture(JsonObject data)
    {
        var figure = data[ChartDisplay.PlotlyMimeType]!;
        var fig = figure is JsonObject o ? o : JsonNode.Parse(Text(figure))!.AsObject();
        Assert.NotNull(fig["data"]);
        Assert.NotNull(fig["layout"]);
        var png = Convert.FromBase64String(Text(data["image/png"]).Trim());
        Assert.Equal(PngSignature, png[..8]);
        Assert.True(png.Length > 2_000, $"a {png.Length}-byte PNG");
        Assert.DoesNotContain("<script", data.ToJsonString(), StringComparison.Ordinal);
    }

    static GenericChart Chart() => Cbi.Workbench.Reporting.ShapCharts.GainImportance("gain", ["palm_oil", "crush_margin", "dxy"], [3.0, 2.0, 1.0]);

    [Fact]
    public void a_chart_is_shown_as_its_plotly_figure_its_png_and_its_title()
    {
        Assert.Equal([ChartDisplay.PlotlyMimeType, "image/png", "text/plain"], Formatter.GetPreferredMimeTypesFor(typeof(GenericChart)));
        var chart = Chart();
        var data = new JsonObject
        {
            [ChartDisplay.PlotlyMimeType] = JsonNode.Parse(chart.ToDisplayString(ChartDisplay.PlotlyMimeType)),
            ["image/png"] = chart.ToDisplayString("image/png"),
        };
        AssertFigureAndPicture(data);
        Assert.Equal("Plotly.NET chart: gain", chart.ToDisplayString("text/plain"));
    }

    [Fact]
    public void the_figure_keeps_six_significant_digits_and_writes_midnight_timestamps_as_dates()
    {
        var chart = Plotly.NET.CSharp.Chart.Line<DateTime, double, string>(
            x: [new DateTime(2023, 7, 3), new DateTime(2023, 7, 5)], y: [67.0199966430664, 1.0 / 3]);
        var trace = JsonNode.Parse(ChartDisplay.FigureJson(chart))!["data"]![0]!;
        Assert.Equal(["2023-07-03", "2023-07-05"], trace["x"]!.AsArray().Select(x => (string)x!));
        Assert.Equal([67.02, 0.333333], trace["y"]!.AsArray().Select(y => (double)y!));
    }

    [Fact]
    public void the_figure_draws_in_plotly_js_in_headless_chromium_offline()
    {
        var dir = NewFolder();
        var page = Path.Combine(dir, "page.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><div id=\"c\"></div>" +
            $"<script>{ChartDisplay.PlotlyJs()}</script><script>var f = {ChartDisplay.FigureJson(Chart())}; Plotly.newPlot('c', f.data, f.layout);</script></body></html>");
        var chromium = ChartDisplay.ChromiumPath();
        Assert.True(chromium is not null, "Chromium is missing: tests/run installs Debian's chromium");
        var (code, dom) = Process(dir, null, chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            $"--user-data-dir={Path.Combine(dir, "profile")}", "--virtual-time-budget=20000", "--dump-dom", new Uri(page).AbsoluteUri);
        Assert.True(code == 0, dom);
        Assert.Contains("class=\"main-svg\"", dom);
    }

    [Fact]
    public void every_chart_in_the_committed_executed_notebooks_has_its_figure_and_png_and_each_notebook_is_at_most_1_MB()
    {
        foreach (var profile in new[] { "smoke", "full" })
        {
            var dir = Path.Combine(Workbench.ArtifactsDir, profile, "notebooks");
            if (!Directory.Exists(dir)) continue;
            foreach (var f in Directory.GetFiles(dir, "*.ipynb"))
            {
                var size = new FileInfo(f).Length;
                Assert.True(size <= 1_000_000, $"{profile}/{Path.GetFileName(f)}: {size:N0} bytes (goal ≤ 1 MB)");
                var text = File.ReadAllText(f);
                Assert.DoesNotContain("cdn.plot.ly", text);
                Assert.DoesNotContain("<script", text);
                Assert.All(ChartOutputs(f), AssertFigureAndPicture);
            }
        }
        Assert.True(ChartOutputs(Path.Combine(Workbench.ArtifactsDir, "smoke", "notebooks", "04-lgbm-quantiles.ipynb")).Count >= 5, "04 has its charts");
    }
}
