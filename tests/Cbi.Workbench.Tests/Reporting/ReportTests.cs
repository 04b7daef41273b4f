using System.Diagnostics;
using System.Text.RegularExpressions;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Tests.Reporting;

/// <summary>The holdout report a reviewer opens: the committed executed notebook 07 rendered to one HTML page, loaded
/// offline in Debian's headless Chromium (tests/run installs it when missing).</summary>
[Trait("Category", "Slow")]
public class ReportTests
{
    [Fact]
    public async Task every_chart_of_the_report_draws_its_svg_offline_without_a_script_error()
    {
        var ipynb = Path.Combine(Workbench.ArtifactsDir, "smoke", "notebooks", "07-holdout.ipynb");
        var dir = Directory.CreateTempSubdirectory("cbi-report-").FullName;
        try
        {
            var html = Path.Combine(dir, "report.html");
            NotebookReport.Render(ipynb, html);
            var page = File.ReadAllText(html);
            // Offline: no script or stylesheet is loaded from anywhere but the page itself.
            Assert.DoesNotMatch(@"<(script|link)[^>]+(src|href)=""https?://", page);
            var charts = Regex.Matches(page, @"<div class=""cbi-chart"" id=""([^""]+)""").Select(m => m.Groups[1].Value).ToArray();
            Assert.True(charts.Length >= 3, $"the report has {charts.Length} charts; notebook 07 draws two fans and an equity curve");

            var chromium = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : throw new InvalidOperationException("Debian's chromium is missing: tests/run installs it (apt-get install chromium).");
            var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(dir, "profile")}", "--virtual-time-budget=15000",
                         "--enable-logging=stderr", "--v=0", "--dump-dom", new Uri(html).AbsoluteUri })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var domTask = p.StandardOutput.ReadToEndAsync();
            var logTask = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await p.WaitForExitAsync(timeout.Token);
            var (dom, log) = (await domTask, await logTask);
            // Each chart's div holds the plot Plotly drew (its svg container) once the page's scripts have run.
            foreach (var id in charts)
                Assert.Matches($@"id=""{id}""[^>]*>\s*<div class=""plot-container plotly""><div class=""user-select-none svg-container""[^>]*><svg class=""main-svg""", dom);
            Assert.True(Regex.Matches(dom, @"class=""main-svg""").Count >= charts.Length, "a chart without its SVG");
            var errors = log.Split('\n').Where(l => l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains(":ERROR:CONSOLE", StringComparison.Ordinal)).ToArray();
            Assert.True(errors.Length == 0, string.Join('\n', errors));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
