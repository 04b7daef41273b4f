using Cbi.Workbench.Data;

namespace Cbi.Workbench.Cli.Commands;

internal sealed class ManifestCommand : ICliCommand
{
    public string Name => "manifest";
    public string Usage => "manifest [--write]                      check data/raw against MANIFEST.tsv (--write: regenerate it from PROVENANCE facts)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "write");
        a.RejectUnknown("write");
        if (a.Has("write")) Console.WriteLine($"wrote {RawManifest.Write()}");
        var version = RawManifest.Verify();
        Console.WriteLine($"{RawManifest.Read().Count} raw files match MANIFEST.tsv; data version {version}");
        return 0;
    }
}
