using static Cbi.Workbench.Notebooks.Tests.TestNotebooks;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>Input the runner cannot read fails before any cell runs, names the file (and line), and leaves no output.</summary>
public class BadInputTests
{
    static NotebookFormatException RunExpectingFailure(string notebook, string? output = null)
    {
        output ??= Path.Combine(Path.GetDirectoryName(notebook)!, "out", "result.ipynb");
        var o = output;
        var e = Assert.Throws<NotebookFormatException>(() => NotebookRunner.Run(notebook, o, new NotebookRunOptions { Progress = TextWriter.Null }));
        Assert.False(File.Exists(output), "a refused run must not leave an output file");
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(notebook)!, "out")), "nor an output folder");
        return e;
    }

    [Fact]
    public void a_missing_notebook_is_named()
    {
        var path = Path.Combine(NewFolder(), "nope.dib");
        Assert.Equal($"{path}: notebook file does not exist", RunExpectingFailure(path).Message);
    }

    [Fact]
    public void malformed_ipynb_json_names_file_and_line()
    {
        var path = Path.Combine(NewFolder(), "bad.ipynb");
        File.WriteAllText(path, "{\n \"cells\": [\n  {\"cell_type\": \"code\",, }\n ]\n}\n");
        var e = RunExpectingFailure(path);
        Assert.Equal(3, e.Line);
        Assert.StartsWith($"{path}, line 3: malformed .ipynb JSON", e.Message);
    }

    [Fact]
    public void an_output_path_that_is_not_ipynb_is_refused_before_anything_runs()
    {
        var dir = NewFolder();
        var path = Dib(dir, "side", "File.WriteAllText(\"ran.txt\", \"x\");");
        var e = RunExpectingFailure(path, Path.Combine(dir, "out", "result.dib"));
        Assert.Contains("ending in .ipynb", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "ran.txt")));
    }
}
