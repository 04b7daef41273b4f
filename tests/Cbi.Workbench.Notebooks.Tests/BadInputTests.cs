namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>Every kind of unrunnable input fails before any cell runs, names the file (and cell, line), and leaves
/// no output file behind.</summary>
public class BadInputTests
{
    static NotebookFormatException RunExpectingFailure(string notebook, out string output)
    {
        output = Path.Combine(Path.GetDirectoryName(notebook)!, "out", "result.ipynb");
        var o = output;
        var e = Assert.Throws<NotebookFormatException>(() => NotebookRunner.Run(notebook, o, new NotebookRunOptions { Progress = TextWriter.Null }));
        Assert.False(File.Exists(output), "a failed run must not leave an output file");
        Assert.False(Directory.Exists(Path.GetDirectoryName(output)) && Directory.EnumerateFiles(Path.GetDirectoryName(output)!).Any());
        return e;
    }

    [Fact]
    public void missing_notebook_is_named()
    {
        var path = Path.Combine(TestNotebooks.NewFolder(), "nope.dib");
        var e = RunExpectingFailure(path, out _);
        Assert.Equal($"{path}: notebook file does not exist", e.Message);
    }

    [Fact]
    public void a_kernel_the_runner_cannot_run_names_file_and_cell()
    {
        var path = TestNotebooks.DibWithKernels(TestNotebooks.NewFolder(), "fs", ("markdown", "# m"), ("csharp", "1"), ("fsharp", "let x = 1"));
        var e = RunExpectingFailure(path, out _);
        Assert.Equal(path, e.Path);
        Assert.Equal(3, e.Cell);
        Assert.Contains($"{path}, cell 3: kernel 'fsharp' cannot run headless", e.Message);
    }

    [Fact]
    public void an_unknown_kernel_line_in_a_dib_is_an_unsupported_magic_naming_cell_and_line()
    {
        // By the .dib grammar "#!python" is not a separator (python is no declared kernel): it stays inside the
        // C# cell as a magic command, which the runner refuses, pointing at it.
        var path = Path.Combine(TestNotebooks.NewFolder(), "py.dib");
        File.WriteAllText(path, "#!csharp\n\nvar a = 1;\n\n#!python\n\nprint(1)\n");
        var e = RunExpectingFailure(path, out _);
        Assert.Equal((1, 3), (e.Cell, e.Line));
        Assert.StartsWith($"{path}, cell 1, line 3: '#!python' is neither a kernel", e.Message);
    }

    [Fact]
    public void malformed_ipynb_json_names_file_and_line()
    {
        var path = Path.Combine(TestNotebooks.NewFolder(), "bad.ipynb");
        File.WriteAllText(path, "{\n \"cells\": [\n  {\"cell_type\": \"code\",, }\n ]\n}\n");
        var e = RunExpectingFailure(path, out _);
        Assert.Equal(3, e.Line);
        Assert.StartsWith($"{path}, line 3: malformed .ipynb JSON", e.Message);
    }

    [Fact]
    public void reference_to_a_missing_assembly_names_file_cell_and_line()
    {
        var dir = TestNotebooks.NewFolder();
        var path = TestNotebooks.Dib(dir, "missing", "var a = 1;", "using System;\n#r \"../lib/bin/Nope.dll\"");
        var e = RunExpectingFailure(path, out _);
        Assert.Equal((2, 2), (e.Cell, e.Line));
        Assert.Contains("Nope.dll", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void nuget_references_are_refused_with_the_way_to_add_a_package()
    {
        var path = TestNotebooks.Dib(TestNotebooks.NewFolder(), "nuget", "#r \"nuget: Foo, 1.0.0\"");
        var e = RunExpectingFailure(path, out _);
        Assert.Contains("Directory.Packages.props", e.Message);
    }
}
