using System.Runtime.Loader;
using static Cbi.Workbench.Notebooks.Tests.TestNotebooks;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>The runner as notebook code sees it: the Polyglot C# kernel, hosted in-process.</summary>
public class RunnerTests
{
    [Fact]
    public void state_carries_across_cells()
    {
        var (r, nb) = Run(Dib(NewFolder(), "state", "var x = 40;", "int Twice(int v) => 2 * v;", "Twice(x) + 1"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("81", Plain(Assert.Single(Outputs(nb, 3))!));
    }

    [Fact]
    public void a_failing_cell_gives_exit_2_and_later_cells_still_run()
    {
        var (r, nb) = Run(Dib(NewFolder(), "fail",
            "var before = 1;",
            "var a = 1;\nthrow new InvalidOperationException(\"boom\");",
            "Console.WriteLine($\"after {before}\");"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([true, false, true], r.Cells.Select(c => c.Ok));
        var error = Assert.Single(Outputs(nb, 2))!;
        Assert.Equal("error", (string)error["output_type"]!);
        Assert.Contains("boom", (string)error["evalue"]!);
        Assert.Equal("after 1\n", Text(Assert.Single(Outputs(nb, 3))!["text"]));
    }

    [Fact]
    public void a_compile_error_names_its_line_and_column()
    {
        var (r, nb) = Run(Dib(NewFolder(), "compile", "var y = 2;\nvar z = undefinedName + y;", "1"));
        Assert.Equal(2, r.ExitCode);
        var evalue = (string)Assert.Single(Outputs(nb, 1))!["evalue"]!;
        Assert.Contains("(2,9): error CS0103", evalue);
        Assert.Contains("undefinedName", evalue);
    }

    [Fact]
    public void inputs_reach_notebooks_through_set_magic_and_workbench_parameters_and_are_restored_afterwards()
    {
        var path = Dib(NewFolder(), "params",
            Reference("Cbi.Workbench.dll") + "\nusing Cbi.Workbench;",
            "#!set --name h --value @input:horizon\nh + \"|\" + Workbench.Parameter(\"horizon\", \"none\") + \"|\" + Workbench.Profile");
        Environment.SetEnvironmentVariable("CBI_INPUT_HORIZON", null);
        var (r, nb) = Run(path, new() { ["horizon"] = "21", ["profile"] = "full" });
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("21|21|full", Plain(Assert.Single(Outputs(nb, 2))!));
        Assert.Null(Environment.GetEnvironmentVariable("CBI_INPUT_HORIZON"));
    }

    [Fact]
    public void a_missing_input_fails_that_cell_by_name_instead_of_waiting_at_a_prompt()
    {
        var (r, nb) = Run(Dib(NewFolder(), "noinput", "#!set --name h --value @input:horizon\nh", "\"next\""));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(Outputs(nb, 1), o => Text(o!["evalue"]).Contains("pass --input horizon=VALUE"));
        Assert.Equal("next", Plain(Assert.Single(Outputs(nb, 2))!));
    }

    [Fact]
    public void a_javascript_line_in_a_dib_starts_its_own_cell_which_fails_headless_while_the_rest_runs()
    {
        var dir = NewFolder();
        var path = Path.Combine(dir, "js.dib");
        File.WriteAllText(path, "#!csharp\n\n1 + 1\n\n#!javascript\n\nconsole.log(1);\n\n#!csharp\n\n\"after\"\n");
        var (r, nb) = Run(path);
        Assert.Equal(["csharp", "javascript", "csharp"], r.Cells.Select(c => c.Kernel));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("run in a browser", Text(Assert.Single(Outputs(nb, 2))!["evalue"]));
        Assert.Equal("after", Plain(Assert.Single(Outputs(nb, 3))!));
    }

    [Fact]
    public void relative_reference_resolves_from_the_notebook_folder_and_binds_to_the_host_assembly()
    {
        // The notebook lives in dir/notebooks and references ../bin/Cbi.Workbench.dll, a copy of the library the test
        // host has loaded: like `#r "../lib/bin/Cbi.Workbench.dll"` under `cbi`, the kernel must get the host's
        // assembly (same statics, same types), not a second copy.
        var dir = NewFolder();
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Cbi.Workbench.dll"), Path.Combine(dir, "bin", "Cbi.Workbench.dll"));
        var notebooks = Directory.CreateDirectory(Path.Combine(dir, "notebooks")).FullName;
        var path = Dib(notebooks, "bind",
            "#r \"../bin/Cbi.Workbench.dll\"\nusing Cbi.Workbench;",
            "typeof(Workbench).Assembly.FullName + \"|\" + typeof(Workbench).Assembly.Location",
            "System.IO.Directory.GetCurrentDirectory()");
        var cwd = Directory.GetCurrentDirectory();
        var (r, nb) = Run(path);
        Assert.True(r.ExitCode == 0, nb.ToJsonString());
        Assert.Equal(cwd, Directory.GetCurrentDirectory());
        Assert.Equal(notebooks, Plain(Assert.Single(Outputs(nb, 3))!));
        var host = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Cbi.Workbench");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(host));
        Assert.Equal(host.FullName + "|" + host.Location, Plain(Assert.Single(Outputs(nb, 2))!));
    }

    [Fact]
    public void the_executed_notebook_records_cell_times_says_it_is_complete_and_validates_with_nbformat()
    {
        var path = DibWithKernels(NewFolder(), "valid", ("markdown", "# Valid"),
            ("csharp", "Console.WriteLine(\"out\");\nConsole.Error.WriteLine(\"err\");\ndisplay(1);\nawait Task.Delay(50);\n2"),
            ("csharp", "throw new Exception(\"x\");"));
        var (r, nb) = Run(path);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("complete", (string)nb["metadata"]!["cbi"]!["state"]!);
        var exec = Cells(nb)[1]!["metadata"]!["execution"]!;
        var span = DateTimeOffset.Parse((string)exec["shell.execute_reply"]!) - DateTimeOffset.Parse((string)exec["iopub.execute_input"]!);
        Assert.True(span >= TimeSpan.FromMilliseconds(45), span.ToString());
        Assert.Equal(["cell-1", "cell-2", "cell-3"], Cells(nb).Select(c => (string)c!["id"]!)); // nbformat 4.5: every cell has an id
        AssertValidNbformat(r.OutputPath);
    }

    [Fact]
    public void committed_executed_notebooks_validate_with_nbformat_and_are_complete()
    {
        var files = Directory.GetFiles(Path.Combine(Workbench.ArtifactsDir, "smoke", "notebooks"), "*.ipynb");
        // One executed notebook per numbered notebook (01 … 08).
        Assert.Equal(Directory.GetFiles(Path.Combine(Workbench.Root, "notebooks"), "0*.dib").Length, files.Length);
        foreach (var f in files)
        {
            AssertValidNbformat(f);
            Assert.Equal("complete", (string?)Read(f)["metadata"]?["cbi"]?["state"]);
        }
    }
}
