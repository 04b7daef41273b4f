using Cbi.Workbench.Notebooks;

namespace Cbi.Workbench.Cli;

/// <summary>`cbi run`: one notebook headless on the Polyglot kernel, executed copy written as .ipynb (dotnet-repl's exit
/// codes; 2 also when a cell timed out).</summary>
internal sealed class RunCommand : ICliCommand
{
    public string Name => "run";
    public string Usage => "run <notebook.dib|.ipynb> [--output-path OUT.ipynb] [--input key=value]... [--cell-timeout SECONDS]  run a notebook headless (exit 2 if a cell failed)";

    public int Run(string[] args)
    {
        // The kernel redirects Console.Error while a cell runs (to capture it), and a hung cell never hands it back:
        // messages of this command go to the terminal's writer, taken before anything runs.
        var stderr = Console.Error;
        var a = new CliArgs(args);
        a.RejectUnknown("output-path", "input", "cell-timeout");
        if (a.Positional.Count != 1) throw new ArgumentException("usage: cbi " + Usage);
        var inputs = Inputs(a);
        var notebook = a.Positional[0];
        var output = a.Get("output-path") ?? DefaultOutput(notebook, inputs);
        var options = Options(a, inputs);
        NotebookRunResult result;
        using (new EarlyExitGuard(_ => { }) { Current = Path.GetFileName(notebook) })
        {
            try { result = NotebookRunner.Run(notebook, output, options); }
            catch (NotebookTimeoutException e)
            {
                // The hung cell's thread cannot be stopped; returning ends the process, and with it the cell.
                stderr.WriteLine($"cbi run: {e.Message}");
                return 2;
            }
        }
        stderr.WriteLine($"[{Path.GetFileNameWithoutExtension(notebook)}] wrote {Workbench.Relative(output)}");
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

    /// <summary>Run options from `--cell-timeout SECONDS` (default 30 minutes: the longest smoke cell takes well under one).</summary>
    internal static NotebookRunOptions Options(CliArgs a, Dictionary<string, string> inputs)
    {
        var options = new NotebookRunOptions { Inputs = inputs };
        if (a.Get("cell-timeout") is not { } text) return options;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
            throw new ArgumentException($"--cell-timeout {text}: expected a positive number of seconds.");
        return options with { CellTimeout = TimeSpan.FromSeconds(seconds) };
    }

    /// <summary>artifacts/&lt;profile&gt;/notebooks/&lt;name&gt;.ipynb</summary>
    internal static string DefaultOutput(string notebook, IReadOnlyDictionary<string, string> inputs)
    {
        var profile = inputs.TryGetValue("profile", out var p) ? p : Workbench.Profile;
        return Path.Combine(Workbench.ArtifactsDir, profile, "notebooks", Path.GetFileNameWithoutExtension(notebook) + ".ipynb");
    }
}
