using System.Diagnostics;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>The `cbi run` / `cbi run-all` commands as a user runs them: a separate process on a scratch workbench
/// root (CBI_ROOT), checking exit codes, messages and which files appear.</summary>
[Trait("Category", "Slow")]
public class CliTests
{
    internal static (int ExitCode, string Stderr) Cbi(string root, params string[] args)
    {
        var cbi = Path.Combine(Workbench.Root, "lib", "bin", "cbi.dll");
        Assert.True(File.Exists(cbi), $"{cbi} is missing: build lib/Cbi.Workbench.Cli first");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        psi.ArgumentList.Add(cbi);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CBI_ROOT"] = root;
        psi.Environment.Remove("CBI_INPUT_PROFILE");
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, e.Result + o.Result);
    }

    static string ScratchRoot()
    {
        var root = TestNotebooks.NewFolder();
        File.WriteAllText(Path.Combine(root, "Cbi.Workbench.sln"), "");
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        return root;
    }

    [Fact]
    public void run_all_stops_the_chain_at_the_first_failing_notebook()
    {
        var root = ScratchRoot();
        var nb = Path.Combine(root, "notebooks");
        TestNotebooks.Dib(nb, "01-first", "Console.WriteLine(\"first\");");
        TestNotebooks.Dib(nb, "02-second", "throw new Exception(\"second fails\");", "Console.WriteLine(\"still runs\");");
        TestNotebooks.Dib(nb, "03-third", "Console.WriteLine(\"third\");");
        var (code, err) = Cbi(root, "run-all");
        Assert.Equal(2, code);
        Assert.Contains("run-all: stopped at 02-second.dib", err);
        var outDir = Path.Combine(root, "artifacts", "smoke", "notebooks");
        Assert.True(File.Exists(Path.Combine(outDir, "01-first.ipynb")));
        var second = Notebook.Read(Path.Combine(outDir, "02-second.ipynb"));
        Assert.Equal("still runs\n", second.Cells[1].Outputs.Single().Text);
        Assert.False(File.Exists(Path.Combine(outDir, "03-third.ipynb")));
    }

    [Fact]
    public void run_writes_under_the_profile_named_by_input()
    {
        var root = ScratchRoot();
        var path = TestNotebooks.Dib(Path.Combine(root, "notebooks"), "p", "Environment.GetEnvironmentVariable(\"CBI_INPUT_PROFILE\")");
        var (code, err) = Cbi(root, "run", path, "--input", "profile=full");
        Assert.True(code == 0, err);
        var executed = Notebook.Read(Path.Combine(root, "artifacts", "full", "notebooks", "p.ipynb"));
        Assert.Equal("full", executed.Cells[0].Outputs.Single().DataText("text/plain"));
    }

    [Fact]
    public void bad_input_exits_1_with_one_line_naming_file_and_cell_and_writes_nothing()
    {
        var root = ScratchRoot();
        var path = TestNotebooks.DibWithKernels(Path.Combine(root, "notebooks"), "pw", ("csharp", "1"), ("pwsh", "Get-Date"));
        var (code, err) = Cbi(root, "run", path);
        Assert.Equal(1, code);
        Assert.Equal($"cbi run: {path}, cell 2: kernel 'pwsh' cannot run headless; the runner runs C# (csharp) and passes markdown through", err.Trim());
        Assert.False(Directory.Exists(Path.Combine(root, "artifacts")));
    }
}

/// <summary>The model verbs of `cbi` as a user runs them.</summary>
[Trait("Category", "Slow")]
public class ModelVerbTests
{
    [Fact]
    public void models_lists_every_spec_of_the_catalogue_with_its_inputs_rule_and_space()
    {
        var (code, output) = CliTests.Cbi(Workbench.Root, "models");
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(Models.ModelCatalog.Listing(), lines);
        foreach (var spec in Models.ModelCatalog.All)
            Assert.Contains(lines, l => l.StartsWith(spec.Name + " ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("lgbm ", StringComparison.Ordinal) && l.Contains("AbstainWhenUnseen"));
    }

    [Fact]
    public void an_unknown_model_is_refused_naming_the_known_ones()
    {
        var (code, output) = CliTests.Cbi(Workbench.Root, "backtest", "--model", "rw,nope");
        Assert.Equal(1, code);
        Assert.StartsWith("cbi backtest: unknown model 'nope'; known: rw, rw_drift", output.Trim());
    }
}
