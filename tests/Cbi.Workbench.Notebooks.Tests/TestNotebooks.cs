using System.Diagnostics;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>Scratch notebooks in a fresh temp folder, and paths to the goldens and to this test's own build
/// output (whose Cbi.Workbench.dll is the one the test host has loaded).</summary>
internal static class TestNotebooks
{
    public static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    /// <summary>The Golden folder in the source tree (for the message telling how to refresh a golden).</summary>
    public static string SourceGolden(string name) =>
        Path.Combine(Workbench.Root, "tests", "Cbi.Workbench.Notebooks.Tests", "Golden", name);

    public static string NewFolder() => Directory.CreateTempSubdirectory("cbi-nb-test").FullName;

    /// <summary>Writes a .dib whose cells are C# unless given as ("markdown", text).</summary>
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

    public static NotebookRunResult Run(string path, Dictionary<string, string>? inputs = null) =>
        NotebookRunner.Run(path, new NotebookRunOptions { Inputs = inputs ?? [], Progress = TextWriter.Null });

    public static (int ExitCode, string Stdout, string Stderr) Python(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }
}
