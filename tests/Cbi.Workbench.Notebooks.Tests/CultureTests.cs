using System.Text.Json.Nodes;
using static Cbi.Workbench.Notebooks.Tests.TestNotebooks;

namespace Cbi.Workbench.Notebooks.Tests;

/// <summary>The workbench writes the same numbers and dates on a machine with another culture: a notebook's outputs and
/// the training export under LANG=de_DE.UTF-8 (decimal comma, dd.MM.yyyy) are those of the default culture.</summary>
[Trait("Category", "Slow")]
public class CultureTests
{
    static readonly Dictionary<string, string?> German = new() { ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" };
    static readonly Dictionary<string, string?> Default = new() { ["LANG"] = "C.UTF-8", ["LC_ALL"] = null };

    [Fact]
    public void a_notebook_prints_the_same_numbers_and_iso_dates_under_a_german_locale()
    {
        var dir = NewFolder();
        var dll = Path.Combine(Workbench.Root, "lib", "bin", "Cbi.Workbench.dll").Replace("\\", "/");
        File.WriteAllText(Path.Combine(dir, "c.dib"), $$"""
            #!csharp

            #r "{{dll}}"
            using Cbi.Workbench.Reporting;
            var profile = Cbi.Workbench.Workbench.Profile; // a notebook's first use of the library, as every workbench notebook makes

            #!csharp

            $"{0.0125} {new DateOnly(2026, 7, 14)} {1234.5:N1} {new DateTime(2026, 7, 14, 15, 30, 0)}"

            #!csharp

            new[] { new { Y = 0.0125, LastDate = new DateOnly(2026, 7, 14) } }.AsTable()

            """);
        string Outputs(Dictionary<string, string?> env, string name)
        {
            var (code, text) = CliTests.Cbi(dir, env, "run", "c.dib", "--output-path", name);
            Assert.True(code == 0, text);
            return string.Join("\n", Cells(Read(Path.Combine(dir, name))).SelectMany(c => c!["outputs"]!.AsArray()).Select(o => o!["data"]!.ToJsonString()));
        }
        var german = Outputs(German, "de.ipynb");
        Assert.Equal(Outputs(Default, "c.ipynb"), german);
        Assert.Contains("0.0125 2026-07-14 1,234.5 2026-07-14 15:30:00", german);
        // The same notebook in another host, the pinned dotnet-repl, whose process the library did not start.
        var (code, text) = Repl(dir, German.Where(kv => kv.Value != null).ToDictionary(kv => kv.Key, kv => kv.Value!), "--run", "c.dib", "--exit-after-run", "--output-path", "repl.ipynb");
        Assert.True(code == 0, text);
        var repl = string.Join("\n", Cells(Read(Path.Combine(dir, "repl.ipynb"))).SelectMany(c => c!["outputs"]!.AsArray()).Select(o => o!["data"]?.ToJsonString() ?? ""));
        Assert.Contains("0.0125 2026-07-14 1,234.5 2026-07-14 15:30:00", repl);
        // Control: without the workbench, the same host under the same locale does write German numbers and dates.
        File.WriteAllText(Path.Combine(dir, "control.dib"), "#!csharp\n\n$\"{0.0125} {new DateOnly(2026, 7, 14)}\"\n");
        (code, text) = Repl(dir, German.Where(kv => kv.Value != null).ToDictionary(kv => kv.Key, kv => kv.Value!), "--run", "control.dib", "--exit-after-run", "--output-path", "control.ipynb");
        Assert.True(code == 0, text);
        Assert.Contains("0,0125 14.07.2026", File.ReadAllText(Path.Combine(dir, "control.ipynb")));
    }

    [Fact]
    public void the_training_export_is_byte_identical_under_a_german_locale()
    {
        var dir = NewFolder();
        foreach (var (env, name) in new[] { (Default, "c"), (German, "de") })
        {
            Directory.CreateDirectory(Path.Combine(dir, name));
            var (code, text) = CliTests.Cbi(Workbench.Root, env, "export", "--out", Path.Combine(dir, name, "training.parquet"));
            Assert.True(code == 0, text);
        }
        var files = Directory.GetFiles(Path.Combine(dir, "c")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        Assert.Equal(files, Directory.GetFiles(Path.Combine(dir, "de")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(dir, "c", f!)).SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "de", f!))), $"{f} differs under de_DE");
    }
}
