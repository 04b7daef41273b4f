using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi report`: an executed notebook as one standalone HTML page (default: 07-holdout of the profile).</summary>
internal sealed class ReportCommand : ICliCommand
{
    public string Name => "report";
    public string Usage => "report [--notebook 07-holdout] [--profile smoke|full] [--out PATH]  render an executed notebook to one offline HTML page (artifacts/<profile>/report.html)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("notebook", "profile", "out");
        var profile = RunProfile.For(a.Get("profile") ?? Workbench.Profile);
        var name = a.Get("notebook") ?? "07-holdout";
        var ipynb = Path.Combine(Workbench.ArtifactsDir, profile.Name, "notebooks", name + ".ipynb");
        var html = a.Get("out") ?? Path.Combine(Workbench.ArtifactsDir, profile.Name, "report.html");
        NotebookReport.Render(ipynb, html);
        Console.WriteLine($"wrote {Workbench.Relative(html)} from {Workbench.Relative(ipynb)}");
        return 0;
    }
}
