namespace Cbi.Workbench.Cli;

/// <summary>While notebooks run in this process, a process exit that did not come from the runner — a cell calling
/// <c>Environment.Exit(0)</c> — is a failure: the exit code becomes 2 and the callback records it, so
/// `cbi run`/`run-all` never report success for notebooks that did not finish.</summary>
internal sealed class EarlyExitGuard : IDisposable
{
    readonly Action<string> onEarlyExit;
    readonly EventHandler handler;
    bool finished;

    public EarlyExitGuard(Action<string> onEarlyExit)
    {
        this.onEarlyExit = onEarlyExit;
        handler = (_, _) =>
        {
            if (finished) return;
            Environment.ExitCode = 2;
            var what = $"the process was ended while {Current ?? "a notebook"} ran (a cell called Environment.Exit?)";
            Console.Error.WriteLine($"cbi: {what}; counted as failed");
            onEarlyExit(what);
        };
        AppDomain.CurrentDomain.ProcessExit += handler;
    }

    /// <summary>The notebook running now (for the message).</summary>
    public string? Current { get; set; }

    /// <summary>The runner finished normally: an exit from now on is the command's own.</summary>
    public void Dispose()
    {
        finished = true;
        AppDomain.CurrentDomain.ProcessExit -= handler;
    }
}
