using System.Diagnostics;
using System.Text.Json.Nodes;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>Scratch notebooks in fresh temp folders, the executed notebooks they give (read as plain JSON, the way any
/// nbformat reader sees them), and the outside programs the tests drive: dotnet-repl, Chromium, Python's nbformat.</summary>
internal static class TestNotebooks
{
    public static string NewFolder() => Directory.CreateTempSubdirectory("cbi-nb-test").FullName;

    /// <summary>Writes a .dib whose cells are C#.</summary>
    public static string Dib(string folder, string name, params string[] csharpCells) =>
        DibWithKernels(folder, name, csharpCells.Select(c => ("csharp", c)).ToArray());

    public static string DibWithKernels(string folder, string name, params (string Kernel, string Source)[] cells)
    {
        var path = Path.Combine(folder, name + ".dib");
        File.WriteAllText(path, string.Join("\n", cells.Select(c => $"#!{c.Kernel}\n\n{c.Source}\n")));
        return path;
    }

    /// <summary>A `#r` line to an assembly of this test's output folder (absolute path).</summary>
    public static string Reference(string assemblyFile) => $"#r \"{Path.Combine(AppContext.BaseDirectory, assemblyFile)}\"";

    /// <summary>Runs in this process; the executed notebook goes beside the source as NAME.out.ipynb.</summary>
    public static (NotebookRunResult Result, JsonObject Executed) Run(string path, Dictionary<string, string>? inputs = null)
    {
        var output = Path.ChangeExtension(path, ".out.ipynb");
        var r = NotebookRunner.Run(path, output, new NotebookRunOptions { Inputs = inputs ?? [], Progress = TextWriter.Null });
        return (r, Read(output));
    }

    public static JsonObject Read(string ipynb) => JsonNode.Parse(File.ReadAllText(ipynb))!.AsObject();

    public static JsonArray Cells(JsonObject notebook) => notebook["cells"]!.AsArray();

    public static JsonArray Outputs(JsonObject notebook, int cell) => Cells(notebook)[cell - 1]!["outputs"]!.AsArray();

    /// <summary>An nbformat multiline string (array of lines or one string) as one string.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        null => "",
        _ => node.GetValue<string>(),
    };

    /// <summary>A displayed value as text: its text/plain, or the text of the kernel's plain-text HTML (the kernel shows
    /// numbers as <c>&lt;div class="dni-plaintext"&gt;&lt;pre&gt;81&lt;/pre&gt;…</c>).</summary>
    public static string Plain(JsonNode output)
    {
        if (output["data"]?["text/plain"] is { } plain) return Text(plain);
        var html = Text(output["data"]?["text/html"]);
        var m = System.Text.RegularExpressions.Regex.Match(html, "^<div class=\"dni-plaintext\"><pre>(.*?)</pre>", System.Text.RegularExpressions.RegexOptions.Singleline);
        return m.Success ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : html;
    }

    /// <summary>`dotnet repl …` in <paramref name="folder"/>, with this repository's tool manifest copied there so the
    /// pinned dotnet-repl runs (the working directory is where the kernel resolves #r and #load, as in VS Code).</summary>
    public static (int ExitCode, string Output) Repl(string folder, IDictionary<string, string>? environment, params string[] args)
    {
        Directory.CreateDirectory(Path.Combine(folder, ".config"));
        File.Copy(Path.Combine(Workbench.Root, ".config", "dotnet-tools.json"), Path.Combine(folder, ".config", "dotnet-tools.json"), overwrite: true);
        return Process(folder, environment, "dotnet", ["repl", .. args]);
    }

    public static (int ExitCode, string Output) Process(string folder, IDictionary<string, string>? environment, string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = folder };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Close(); // nothing may wait for a person at a prompt
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, e.Result + o.Result);
    }

    public static (int ExitCode, string Stdout, string Stderr) Python(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    public static void AssertValidNbformat(string ipynb)
    {
        var v = Python("import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", ipynb);
        Assert.True(v.ExitCode == 0, ipynb + ": " + v.Stderr);
    }
}
