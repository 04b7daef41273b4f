using Cbi.Workbench.Cli;

var commands = typeof(ICliCommand).Assembly.GetTypes()
    .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToList();

// System.CommandLine checks the command line (verbs, options, their types and values) and writes the help; a verb that
// parses runs on its own arguments, one clear line on failure (the stack only with CBI_DEBUG=1).
var root = CommandLine.Build(commands, command =>
{
    try
    {
        return command.Run(args[1..]);
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        Console.Error.WriteLine($"cbi {command.Name}: {e.Message}");
        if (Environment.GetEnvironmentVariable("CBI_DEBUG") == "1") Console.Error.WriteLine(e);
        return 1;
    }
});
if (args.Length == 0)
{
    root.Parse(["--help"]).Invoke();
    return 1;
}
return root.Parse(args is ["help", .. var rest] ? [.. rest, "--help"] : args).Invoke();
