using System.Reflection;
using Cbi.Workbench.Cli;

var commands = typeof(ICliCommand).Assembly.GetTypes()
    .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToDictionary(c => c.Name);

if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
{
    Console.WriteLine("cbi — Cbi.Workbench command line\n\nusage: cbi <command> [options]\n");
    foreach (var c in commands.Values) Console.WriteLine("  " + c.Usage);
    return args.Length == 0 ? 1 : 0;
}
if (!commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"cbi: unknown command '{args[0]}'. Known: {string.Join(", ", commands.Keys)}.");
    return 1;
}
try
{
    return command.Run(args[1..]);
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    // One clear line for the user; the stack only when asked for.
    Console.Error.WriteLine($"cbi {args[0]}: {e.Message}");
    if (Environment.GetEnvironmentVariable("CBI_DEBUG") == "1") Console.Error.WriteLine(e);
    return 1;
}
