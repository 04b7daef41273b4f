namespace Cbi.Workbench.Cli;

/// <summary>A `cbi` sub-command. Every implementation in this assembly is found by reflection, so adding a
/// command is adding one file under Commands/.</summary>
internal interface ICliCommand
{
    string Name { get; }
    /// <summary>One line for `cbi help`, e.g. "export [--as-of YYYY-MM-DD] [--out PATH]  write the training table".</summary>
    string Usage { get; }
    /// <summary>Returns the process exit code.</summary>
    int Run(string[] args);
}
