using Cbi.Workbench.Models;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi models`: the model catalogue.</summary>
internal sealed class ModelsCommand : ICliCommand
{
    public string Name => "models";
    public string Usage => "models                                  list the model catalogue: name, inputs, missing-input rule, search space";

    public int Run(string[] args)
    {
        new CliArgs(args).RejectUnknown();
        foreach (var line in ModelCatalog.Listing()) Console.WriteLine(line);
        return 0;
    }
}
