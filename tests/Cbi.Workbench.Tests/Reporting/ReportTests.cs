using System.Diagnostics;
using System.Text.RegularExpressions;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Tests.Reporting;

/// <summary>What a reviewer sees: the committed executed notebook 07 rendered to HTML — by the workbench's report and by
/// nbconvert (what review tools use) — and loaded offline in Debian's headless Chromium (tests/run installs Chromium and
/// nbconvert when missing). The verdict comes first and no row of any table is hidden.</summary>
[Trait("Category", "Slow")]
public class ReportTests
{
    static string Executed07 => Path.Combine(Workbench.ArtifactsDir, "smoke", "notebooks", "07-holdout.ipynb");

    /// <summary>The page's DOM after Chromium loaded it (offline, scripts run) and Chromium's log.</summary>
    static async Task<(string Dom, string Log)> Rendered(string html, string dir)
    {
        var chromium = ChartDisplay.ChromiumPath() ?? throw new InvalidOperationException("Debian's chromium is missing: tests/run installs it (apt-get install chromium).");
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
        return (await domTask, await logTask);
    }

    /// <summary>The verdict table comes before any other table; the holdout comparison shows one row per line of its CSV
    /// (every model × horizon); no "(n more)" elision anywhere.</summary>
    static void AssertVerdictFirstAndEveryRowShown(string dom, string what)
    {
        var verdict = dom.IndexOf("The verdict (smoke profile)", StringComparison.Ordinal);
        var firstTable = dom.IndexOf("<table", StringComparison.Ordinal);
        var comparison = dom.IndexOf("Every metric against the random walk on the holdout — ", StringComparison.Ordinal); // the caption, not the code that names it
        Assert.True(verdict >= 0, $"{what}: no verdict table");
        Assert.True(verdict < firstTable, $"{what}: a table comes before the verdict");
        Assert.True(comparison > verdict, $"{what}: the holdout comparison is missing or above the verdict");
        Assert.Contains("No skill over the random walk at", dom);
        var csv = File.ReadAllLines(Path.Combine(Workbench.ArtifactsDir, "smoke", "holdout", "comparison.csv")).Length - 1;
        var table = dom[comparison..];
        table = table[..(table.IndexOf("</table>", StringComparison.Ordinal) + 8)];
        Assert.Equal(csv, Regex.Matches(table, "<tr>").Count - 1); // minus the header row
        var horizons = Regex.Matches(table, @"<td style=""text-align:right"">(1|5|21|63|126|252)</td>").Select(m => m.Groups[1].Value).Distinct().Count();
        Assert.Equal(6, horizons);
        Assert.DoesNotMatch(@"\(\d+ more\)", dom);
    }

    [Fact]
    public async Task the_report_opens_with_the_verdict_shows_every_row_and_every_chart_as_an_image_offline_within_2_MB()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-report-").FullName;
        try
        {
            var html = Path.Combine(dir, "report.html");
            NotebookReport.Render(Executed07, html);
            var page = File.ReadAllText(html);
            Assert.True(new FileInfo(html).Length <= 2_000_000, $"report.html is {new FileInfo(html).Length:N0} bytes (goal ≤ 2 MB)");
            Assert.DoesNotMatch(@"<(script|link|img)[^>]+(src|href)=""https?://", page); // offline
            var images = Regex.Matches(page, @"<img [^>]*src=""data:image/png;base64,([A-Za-z0-9+/=]+)""").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
            Assert.True(images.Count >= 2, $"the report has {images.Count} charts; notebook 07 draws the fans and the equity curve");
            Assert.All(images, png => Assert.Equal(0x89, png[0]));
            var (dom, log) = await Rendered(html, dir);
            AssertVerdictFirstAndEveryRowShown(dom, "report");
            var errors = log.Split('\n').Where(l => l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains(":ERROR:CONSOLE", StringComparison.Ordinal)).ToArray();
            Assert.True(errors.Length == 0, string.Join('\n', errors));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task notebook_07_converted_by_nbconvert_opens_with_the_verdict_and_hides_no_row()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-nbconvert-").FullName;
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-m", "nbconvert", "--to", "html", "--output-dir", dir, "--output", "07", Executed07 }) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi)!)
            {
                var err = p.StandardError.ReadToEndAsync();
                _ = p.StandardOutput.ReadToEndAsync();
                await p.WaitForExitAsync();
                Assert.True(p.ExitCode == 0, "nbconvert (tests/run installs python3-nbconvert): " + await err);
            }
            var (dom, _) = await Rendered(Path.Combine(dir, "07.html"), dir);
            AssertVerdictFirstAndEveryRowShown(dom, "nbconvert");
            Assert.True(Regex.Matches(dom, @"<img [^>]*src=""data:image/png;base64,").Count >= 2, "nbconvert shows the charts' PNGs");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
