using System.Runtime.Loader;

namespace Cbi.Workbench.Notebooks.Tests;

public class RunnerTests
{
    static IEnumerable<CellOutput> Outputs(NotebookRunResult r, int cell) => r.Executed.Cells[cell - 1].Outputs;
    static string Plain(CellOutput o) => o.DataText("text/plain")!;

    [Fact]
    public void state_carries_across_cells()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "state", "var x = 40;", "int Twice(int v) => 2 * v;", "Twice(x) + 1"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("81", Plain(Assert.Single(Outputs(r, 3))));
    }

    [Fact]
    public void failing_cell_gives_exit_2_and_later_cells_still_run()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "fail",
            "var before = 1;",
            "var a = 1;\nthrow new InvalidOperationException(\"boom\");",
            "Console.WriteLine($\"after {before} {a}\");"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(1, r.CellsFailed);
        var error = Assert.Single(Outputs(r, 2));
        Assert.Equal("error", error.OutputType);
        Assert.Equal("InvalidOperationException", error.EName);
        Assert.Equal("cell 2, line 2: boom", error.EValue);
        // The variable assigned before the throw survives, as in Polyglot.
        Assert.Equal("after 1 1\n", Assert.Single(Outputs(r, 3)).Text);
    }

    [Fact]
    public void compile_error_reports_cell_and_line()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.DibWithKernels(dir, "compile",
            ("markdown", "# title"), ("csharp", "var ok = 1;"), ("csharp", "var y = 2;\nvar z = undefinedName + y;"), ("csharp", "ok")));
        Assert.Equal(2, r.ExitCode);
        var error = Assert.Single(Outputs(r, 3));
        Assert.Equal("CompilationError", error.EName);
        Assert.StartsWith("cell 3, line 2, column 9: CS0103:", error.EValue);
        Assert.Contains("undefinedName", error.EValue);
        Assert.Equal("1", Plain(Assert.Single(Outputs(r, 4))));
    }

    [Fact]
    public void streams_display_and_trailing_values_are_captured_in_order()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "capture",
            "Console.WriteLine(\"one\");\nConsole.Write(\"two\\n\");\nConsole.Error.WriteLine(\"warn\");\ndisplay(new[] { 1, 2 });\nConsole.WriteLine(\"three\");\n\"tail\"",
            "Console.WriteLine(\"void call at the end gives no value\")"));
        var o = Outputs(r, 1).ToList();
        Assert.Equal(["stream", "stream", "display_data", "stream", "display_data"], o.Select(x => x.OutputType));
        Assert.Equal(("stdout", "one\ntwo\n"), (o[0].Name, o[0].Text));
        Assert.Equal(("stderr", "warn\n"), (o[1].Name, o[1].Text));
        Assert.Equal(["text/html", "text/plain"], o[2].Data.Keys);
        Assert.Contains("[ 1, 2 ]", o[2].DataText("text/html"));
        Assert.Equal("[ 1, 2 ]", Plain(o[2]));
        Assert.Equal(("stdout", "three\n"), (o[3].Name, o[3].Text));
        Assert.Equal("tail", Plain(o[4]));
        Assert.Equal(["stream"], Outputs(r, 2).Select(x => x.OutputType));
    }

    [Fact]
    public void cell_times_are_recorded_in_cell_metadata()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "times", "await Task.Delay(50);"));
        var exec = r.Executed.Cells[0].Metadata!["execution"]!;
        var start = DateTimeOffset.Parse(exec["iopub.execute_input"]!.GetValue<string>());
        var end = DateTimeOffset.Parse(exec["shell.execute_reply"]!.GetValue<string>());
        Assert.True(end - start >= TimeSpan.FromMilliseconds(45), $"{start:O} → {end:O}");
    }

    [Fact]
    public void inputs_reach_notebook_code_as_parameters_and_are_restored_afterwards()
    {
        var dir = TestNotebooks.NewFolder();
        var path = TestNotebooks.Dib(dir, "params",
            TestNotebooks.Reference("Cbi.Workbench.dll") + "\nusing Cbi.Workbench;",
            "Workbench.Parameter(\"horizon\", \"none\") + \"|\" + Workbench.Profile + \"|\" + Environment.GetEnvironmentVariable(\"CBI_INPUT_HORIZON\")");
        Environment.SetEnvironmentVariable("CBI_INPUT_HORIZON", null);
        var r = TestNotebooks.Run(path, new() { ["horizon"] = "21", ["profile"] = "full" });
        Assert.Equal("21|full|21", Plain(Assert.Single(Outputs(r, 2))));
        Assert.Null(Environment.GetEnvironmentVariable("CBI_INPUT_HORIZON"));
        Assert.Equal("none|smoke|", Plain(Assert.Single(Outputs(TestNotebooks.Run(path), 2))));
    }

    [Fact]
    public void relative_reference_resolves_from_the_notebook_folder_and_binds_to_the_host_assembly()
    {
        // The notebook lives in dir/notebooks and references ../bin/Cbi.Workbench.dll, a copy of the library the
        // test host has loaded: like `#r "../lib/bin/Cbi.Workbench.dll"` under `cbi`, the script must get the
        // host's assembly (same statics, same types), not a second copy.
        var dir = TestNotebooks.NewFolder();
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Cbi.Workbench.dll"), Path.Combine(dir, "bin", "Cbi.Workbench.dll"));
        var notebooks = Directory.CreateDirectory(Path.Combine(dir, "notebooks")).FullName;
        var path = TestNotebooks.Dib(notebooks, "bind",
            "#r \"../bin/Cbi.Workbench.dll\"\nusing Cbi.Workbench;",
            "typeof(Workbench).Assembly.FullName + \"|\" + typeof(Workbench).Assembly.Location",
            "Directory.GetCurrentDirectory()");
        var cwd = Directory.GetCurrentDirectory();
        var r = TestNotebooks.Run(path);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(cwd, Directory.GetCurrentDirectory());
        Assert.Equal(notebooks, Plain(Assert.Single(Outputs(r, 3))));
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "Cbi.Workbench").ToList();
        var host = Assert.Single(loaded);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(host));
        Assert.Equal(host.FullName + "|" + host.Location, Plain(Assert.Single(Outputs(r, 2))));
    }

    [Fact]
    public void plotly_chart_renders_as_html_with_plotly_js_inline()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "plot",
            string.Join("\n", TestNotebooks.Reference("Plotly.NET.dll"), TestNotebooks.Reference("Plotly.NET.CSharp.dll"), TestNotebooks.Reference("FSharp.Core.dll")),
            "Plotly.NET.CSharp.Chart.Line<double, double, string>(x: new[] { 1.0, 2.0, 3.0 }, y: new[] { 2.0, 1.0, 3.0 })"));
        Assert.Equal(0, r.ExitCode);
        var html = Assert.Single(Outputs(r, 2)).DataText("text/html")!;
        Assert.Contains("Plotly.newPlot", html);
        // plotly.js itself is embedded: its minified bundle is megabytes and carries its license banner.
        Assert.True(html.Length > 1_000_000, $"chart HTML is only {html.Length} chars; plotly.js is not inline");
        Assert.Contains("plotly.js v", html);
        Assert.DoesNotMatch("<script[^>]*src=[\"']https?://", html);
    }

    [Fact]
    public void a_notebook_ships_plotly_js_once_with_its_first_chart()
    {
        var dir = TestNotebooks.NewFolder();
        const string chart = "Plotly.NET.CSharp.Chart.Line<double, double, string>(x: new[] { 1.0, 2.0, 3.0 }, y: new[] { 2.0, 1.0, 3.0 })";
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "plots",
            string.Join("\n", TestNotebooks.Reference("Plotly.NET.dll"), TestNotebooks.Reference("Plotly.NET.CSharp.dll"), TestNotebooks.Reference("FSharp.Core.dll")),
            chart, chart));
        Assert.Equal(0, r.ExitCode);
        var first = Assert.Single(Outputs(r, 2)).DataText("text/html")!;
        var second = Assert.Single(Outputs(r, 3)).DataText("text/html")!;
        Assert.Contains("plotly.js v", first);
        // The page already defines window.Plotly, so the second chart is only its div and newPlot call.
        Assert.DoesNotContain("plotly.js v", second);
        Assert.Contains("Plotly.newPlot", second);
        Assert.True(second.Length < 100_000, $"second chart carries {second.Length} chars");
    }

    [Fact]
    public void dataframe_renders_as_an_html_table()
    {
        var dir = TestNotebooks.NewFolder();
        var r = TestNotebooks.Run(TestNotebooks.Dib(dir, "frame",
            TestNotebooks.Reference("Microsoft.Data.Analysis.dll") + "\nusing Microsoft.Data.Analysis;",
            "new DataFrame(new PrimitiveDataFrameColumn<double>(\"close\", new[] { 50.1, 51.2 }), new StringDataFrameColumn(\"month\", new[] { \"N\", \"Q\" }))"));
        Assert.Equal(0, r.ExitCode);
        var html = Assert.Single(Outputs(r, 2)).DataText("text/html")!;
        Assert.StartsWith("<table><thead><tr><th><i>index</i></th><th>close</th><th>month</th></tr></thead>", html);
        Assert.Contains("<tr><td><i>1</i></td><td>51.2</td><td>Q</td></tr>", html);
    }

    [Fact]
    public void executed_notebook_validates_with_nbformat()
    {
        var dir = TestNotebooks.NewFolder();
        var path = TestNotebooks.DibWithKernels(dir, "valid", ("markdown", "# Valid"),
            ("csharp", "Console.WriteLine(\"out\");\nConsole.Error.WriteLine(\"err\");\ndisplay(1);\n2"), ("csharp", "throw new Exception(\"x\");"));
        var output = Path.Combine(dir, "out", "valid.ipynb");
        var r = NotebookRunner.Run(path, output, new NotebookRunOptions { Progress = TextWriter.Null });
        Assert.Equal(2, r.ExitCode);
        var v = TestNotebooks.Python("import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", output);
        Assert.True(v.ExitCode == 0, v.Stderr);
    }

    [Fact]
    public void committed_executed_notebooks_validate_with_nbformat()
    {
        // CI check of the reviewed outputs: every executed notebook committed under artifacts/<profile>/notebooks.
        var files = Directory.Exists(Workbench.ArtifactsDir)
            ? Directory.GetFiles(Workbench.ArtifactsDir, "*.ipynb", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "notebooks").ToArray()
            : [];
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var v = TestNotebooks.Python("import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", f);
            Assert.True(v.ExitCode == 0, f + ": " + v.Stderr);
        }
    }
}
