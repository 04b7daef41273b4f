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
        foreach (var m in ModelCatalog.Describe())
        {
            Console.WriteLine($"{m.Name,-10} inputs {m.Inputs,-9} missing inputs {m.MissingInputs,-17} {m.Description}");
            Console.WriteLine($"{"",-10} search space: {m.Space}");
        }
        return 0;
    }
}
