using Cbi.Workbench.Notebooks;

namespace Cbi.Workbench.Cli;

/// <summary>`cbi run`: one notebook headless, executed copy written as .ipynb (dotnet-repl's exit codes).</summary>
internal sealed class RunCommand : ICliCommand
{
    public string Name => "run";
    public string Usage => "run <notebook.dib|.ipynb> [--output-path OUT.ipynb] [--input key=value]...  run a notebook headless (exit 2 if a cell failed)";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("output-path", "input");
        if (a.Positional.Count != 1) throw new ArgumentException("usage: cbi " + Usage);
        var inputs = Inputs(a);
        var notebook = a.Positional[0];
        var output = a.Get("output-path") ?? DefaultOutput(notebook, inputs);
        NotebookRunResult result;
        using (new EarlyExitGuard(_ => { }) { Current = Path.GetFileName(notebook) })
            result = NotebookRunner.Run(notebook, output, new NotebookRunOptions { Inputs = inputs });
        Console.Error.WriteLine($"[{Path.GetFileNameWithoutExtension(notebook)}] wrote {Workbench.Relative(output)}");
        return result.ExitCode;
    }

    /// <summary>`--input key=value` pairs; `profile` is checked here so a typo fails before anything runs.</summary>
    internal static Dictionary<string, string> Inputs(CliArgs a)
    {
        var inputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in a.All("input"))
        {
            var eq = kv.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--input '{kv}' must have the form key=value.");
            var key = kv[..eq].Trim();
            if (!System.Text.RegularExpressions.Regex.IsMatch(key, "^[A-Za-z_][A-Za-z0-9_]*$"))
                throw new ArgumentException($"--input key '{key}' must be letters, digits and underscores.");
            inputs[key] = kv[(eq + 1)..];
        }
        if (inputs.TryGetValue("profile", out var p) && p is not ("smoke" or "full"))
            throw new ArgumentException($"--input profile={p}: expected smoke or full.");
        return inputs;
    }

    /// <summary>artifacts/&lt;profile&gt;/notebooks/&lt;name&gt;.ipynb</summary>
    internal static string DefaultOutput(string notebook, IReadOnlyDictionary<string, string> inputs)
    {
        var profile = inputs.TryGetValue("profile", out var p) ? p : Workbench.Profile;
        return Path.Combine(Workbench.ArtifactsDir, profile, "notebooks", Path.GetFileNameWithoutExtension(notebook) + ".ipynb");
    }
}
