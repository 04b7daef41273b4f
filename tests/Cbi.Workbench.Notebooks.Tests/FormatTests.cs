namespace Cbi.Workbench.Notebooks.Tests;

public class FormatTests
{
    [Fact]
    public void canonical_dib_round_trips_byte_for_byte()
    {
        var path = TestNotebooks.Golden("canonical.dib");
        var text = Notebook.ToText(Notebook.Read(path), NotebookFormat.Dib);
        Assert.Equal(File.ReadAllText(path), text);
    }

    [Fact]
    public void the_workbench_notebooks_round_trip_byte_for_byte()
    {
        var notebooks = Directory.GetFiles(Path.Combine(Workbench.Root, "notebooks"), "*.dib");
        Assert.True(notebooks.Length >= 7, $"expected the seven workbench notebooks, found {notebooks.Length}");
        foreach (var nb in notebooks)
            Assert.Equal(File.ReadAllText(nb), Notebook.ToText(Notebook.Read(nb), NotebookFormat.Dib));
    }

    [Fact]
    public void dib_meta_declares_kernels_and_magic_lines_stay_inside_their_cell()
    {
        var nb = Notebook.Read(TestNotebooks.Golden("canonical.dib"));
        Assert.Equal("csharp", nb.DefaultKernel);
        Assert.Equal(["csharp", "javascript", "markdown"], nb.Kernels.Select(k => k.Name));
        Assert.Equal(["markdown", "csharp", "csharp", "javascript"], nb.Cells.Select(c => c.Kernel));
        Assert.StartsWith("#!time\nvar x = 40;", nb.Cells[1].Source);
        Assert.Contains("    #!csharp inside an indented block", nb.Cells[0].Source);
        Assert.Equal("x + 2", nb.Cells[2].Source);
    }

    [Fact]
    public void dib_aliases_start_cells_and_unknown_names_are_magic_lines()
    {
        var nb = Notebook.Read(TestNotebooks.Golden("aliases.dib"));
        // Expected cells, read off aliases.dib by the grammar: default-kernel text first; #!cs → csharp (with the
        // #!about magic inside); the empty #!C# cell dropped; #!md → markdown; #!fsharp keeps "#!python" (not a
        // kernel) inside; #!powershell → pwsh.
        Assert.Equal(["csharp", "csharp", "markdown", "fsharp", "pwsh"], nb.Cells.Select(c => c.Kernel));
        Assert.Equal("using System;\nvar before = \"text before any separator belongs to the default kernel\";", nb.Cells[0].Source);
        Assert.Equal("#!about\nvar b = 1;", nb.Cells[1].Source);
        Assert.Equal("# Title", nb.Cells[2].Source);
        Assert.Equal("let x = 1\n\n#!python", nb.Cells[3].Source);
        Assert.Equal("Get-Date", nb.Cells[4].Source);
    }

    [Fact]
    public void dib_converts_to_the_golden_polyglot_ipynb()
    {
        var text = Notebook.ToText(Notebook.Read(TestNotebooks.Golden("canonical.dib")), NotebookFormat.Ipynb);
        var golden = TestNotebooks.Golden("canonical.ipynb");
        if (!File.Exists(golden) || File.ReadAllText(golden) != text) File.WriteAllText(Path.Combine(Path.GetTempPath(), "canonical.actual.ipynb"), text);
        Assert.Equal(File.ReadAllText(golden), text);
    }

    [Fact]
    public void executed_ipynb_with_every_output_kind_round_trips_byte_for_byte()
    {
        var path = TestNotebooks.Golden("executed.ipynb");
        var nb = Notebook.Read(path);
        var kinds = nb.Cells.SelectMany(c => c.Outputs).Select(o => o.OutputType).Distinct().Order().ToArray();
        Assert.Equal(["display_data", "error", "execute_result", "stream"], kinds);
        Assert.Equal(File.ReadAllText(path), Notebook.ToText(nb, NotebookFormat.Ipynb));
    }

    [Fact]
    public void ipynb_to_dib_keeps_sources_and_kernels_and_drops_outputs()
    {
        var nb = Notebook.Read(TestNotebooks.Golden("executed.ipynb"));
        var dib = Notebook.ToText(nb, NotebookFormat.Dib);
        var back = Notebook.Read(WriteTemp(dib, ".dib"));
        Assert.Equal(nb.Cells.Select(c => (c.Kernel, c.Source)), back.Cells.Select(c => (c.Kernel, c.Source)));
        Assert.All(back.Cells, c => Assert.Empty(c.Outputs));
    }

    [Fact]
    public void written_ipynb_validates_with_nbformat()
    {
        var out1 = WriteTemp(Notebook.ToText(Notebook.Read(TestNotebooks.Golden("canonical.dib")), NotebookFormat.Ipynb), ".ipynb");
        var v = TestNotebooks.Python("import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", out1);
        Assert.True(v.ExitCode == 0, v.Stderr);
    }

    internal static string WriteTemp(string text, string extension)
    {
        var path = Path.Combine(TestNotebooks.NewFolder(), "nb" + extension);
        File.WriteAllText(path, text);
        return path;
    }
}
