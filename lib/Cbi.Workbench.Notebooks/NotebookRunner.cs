using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Cbi.Workbench.Notebooks;

/// <summary>Options of a headless notebook run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Parameters (`--input key=value`), visible to notebook code as the environment variables
    /// CBI_INPUT_&lt;KEY&gt; (read them with Workbench.Parameter), exactly as in VS Code when set there.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();
    /// <summary>Where progress lines go (one per cell, one summary line); stderr when null.</summary>
    public TextWriter? Progress { get; init; }
}

/// <summary>Per-cell timing and status of a run.</summary>
/// <param name="Cell">1-based cell number, counting every cell of the notebook (markdown included).</param>
/// <param name="Kernel">The cell's kernel (csharp for every cell that ran).</param>
/// <param name="Ok">False when the cell failed to compile or threw.</param>
/// <param name="Elapsed">Wall-clock time of the cell.</param>
public sealed record CellRun(int Cell, string Kernel, bool Ok, TimeSpan Elapsed);

/// <summary>Outcome of <see cref="NotebookRunner.Run(string, NotebookRunOptions?)"/>.</summary>
/// <param name="NotebookPath">Full path of the notebook that ran.</param>
/// <param name="Executed">The notebook with outputs, execution counts and cell times.</param>
/// <param name="Cells">One entry per code cell, in order (markdown and raw cells are not listed).</param>
/// <param name="Wall">Wall-clock time of the whole run.</param>
public sealed record NotebookRunResult(string NotebookPath, Notebook Executed, IReadOnlyList<CellRun> Cells, TimeSpan Wall)
{
    /// <summary>Number of code cells run.</summary>
    public int CellsRun => Cells.Count;
    /// <summary>Number of code cells that failed.</summary>
    public int CellsFailed => Cells.Count(c => !c.Ok);
    /// <summary>dotnet-repl's convention: 2 when any cell failed, else 0.</summary>
    public int ExitCode => CellsFailed > 0 ? 2 : 0;
}

/// <summary>Runs a notebook's C# cells in order with Roslyn scripting, the way Polyglot's C# kernel does: one
/// submission per cell with state carried over, working directory = the notebook's folder, `#r` paths relative
/// to that folder. Every cell runs even after a failure (dotnet-repl semantics). Problems that make the notebook
/// unrunnable (missing file, a kernel other than C#/markdown, an unsupported magic, a `#r` to a missing file)
/// are found before any cell runs and throw <see cref="NotebookFormatException"/>.</summary>
public static class NotebookRunner
{
    static readonly string[] DefaultImports = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks"];
    static readonly Regex ReferenceDirective = new(@"^\s*#r\s+""(?<path>[^""]+)""\s*$", RegexOptions.Compiled);
    static readonly SemaphoreSlim oneRunAtATime = new(1, 1);

    /// <summary>Runs the notebook and writes the executed .ipynb to <paramref name="outputPath"/> atomically.</summary>
    /// <param name="notebookPath">The .dib or .ipynb to run.</param>
    /// <param name="outputPath">Where the executed notebook is written; its extension selects the format (.ipynb keeps outputs).</param>
    /// <param name="options">Inputs and progress writer; null = none and standard error.</param>
    /// <exception cref="NotebookFormatException">The notebook is missing, malformed or not runnable headless (see the
    /// class summary), or <paramref name="outputPath"/> has neither .dib nor .ipynb extension (found after the run).</exception>
    public static NotebookRunResult Run(string notebookPath, string outputPath, NotebookRunOptions? options = null)
    {
        var result = Run(notebookPath, options);
        Notebook.Write(result.Executed, outputPath);
        return result;
    }

    /// <summary>Runs the notebook and returns the executed notebook (outputs, execution counts, cell times). Cell
    /// failures are recorded as error outputs, not thrown. Runs are serialised process-wide; the working directory,
    /// console writers and CBI_INPUT_* variables are restored afterwards.</summary>
    /// <param name="notebookPath">The .dib or .ipynb to run.</param>
    /// <param name="options">Inputs and progress writer; null = none and standard error.</param>
    /// <exception cref="NotebookFormatException">The notebook is missing, malformed or not runnable headless (see the class summary).</exception>
    public static NotebookRunResult Run(string notebookPath, NotebookRunOptions? options = null)
    {
        options ??= new NotebookRunOptions();
        var progress = options.Progress ?? Console.Error;
        var fullPath = Path.GetFullPath(notebookPath);
        var notebook = Notebook.Read(fullPath);
        var folder = Path.GetDirectoryName(fullPath)!;
        var name = Path.GetFileNameWithoutExtension(fullPath);
        var sources = Prepare(notebook, fullPath, folder);

        // Process-wide state (cwd, console, environment) is swapped during a run, so runs never overlap.
        oneRunAtATime.Wait();
        var savedCwd = Directory.GetCurrentDirectory();
        var savedOut = Console.Out;
        var savedErr = Console.Error;
        var savedEnv = new Dictionary<string, string?>();
        var wall = Stopwatch.StartNew();
        var runs = new List<CellRun>();
        try
        {
            foreach (var (k, v) in options.Inputs)
            {
                var variable = Workbench.ParameterVariable(k);
                savedEnv[variable] = Environment.GetEnvironmentVariable(variable);
                Environment.SetEnvironmentVariable(variable, v);
            }
            Directory.SetCurrentDirectory(folder);
            CellDisplay.BeginNotebook();

            var globals = new NotebookGlobals();
            var baseOptions = ScriptOptions.Default
                .WithReferences(FrameworkReferences())
                .AddReferences(typeof(NotebookGlobals).Assembly)
                .WithImports(DefaultImports)
                .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder).WithSearchPaths(folder))
                .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(folder))
                .WithEmitDebugInformation(true)
                .WithFileEncoding(System.Text.Encoding.UTF8)
                .WithAllowUnsafe(true)
                .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
            ScriptState<object?>? state = null;
            var executionCount = 0;
            var codeCells = notebook.Cells.Count(c => !c.IsMarkdown && !c.IsRaw);
            var codeIndex = 0;

            for (var i = 0; i < notebook.Cells.Count; i++)
            {
                var cell = notebook.Cells[i];
                if (cell.IsMarkdown || cell.IsRaw) continue;
                codeIndex++;
                cell.Outputs.Clear();
                cell.ExecutionCount = ++executionCount;
                var collector = new CellOutputCollector();
                globals.Collector = collector;
                var cellFile = Path.Combine(folder, $"{name}.cell{i + 1}.csx");
                var started = DateTimeOffset.UtcNow;
                var sw = Stopwatch.StartNew();
                var ok = true;
                Console.SetOut(collector.Writer("stdout"));
                Console.SetError(collector.Writer("stderr"));
                try
                {
                    var scriptOptions = baseOptions.WithFilePath(cellFile);
                    try
                    {
                        state = state is null
                            ? CSharpScript.Create<object?>(sources[i], scriptOptions, typeof(NotebookGlobals))
                                .RunAsync(globals, catchException: _ => true).GetAwaiter().GetResult()
                            : state.ContinueWithAsync<object?>(sources[i], scriptOptions, catchException: _ => true).GetAwaiter().GetResult();
                        if (state.Exception is { } e)
                        {
                            ok = false;
                            collector.Add(RuntimeError(e, i + 1, cellFile));
                        }
                        else if (HasTrailingValue(state.Script))
                            collector.AddDisplay(CellDisplay.Format(state.ReturnValue));
                    }
                    catch (CompilationErrorException e)
                    {
                        ok = false;
                        collector.Add(CompileError(e, i + 1));
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Failures outside the submission itself (e.g. loading a referenced assembly).
                        ok = false;
                        collector.Add(RuntimeError(e, i + 1, cellFile));
                    }
                }
                finally
                {
                    Console.SetOut(savedOut);
                    Console.SetError(savedErr);
                    globals.Collector = null;
                }
                sw.Stop();
                var ended = DateTimeOffset.UtcNow;
                cell.Outputs.AddRange(collector.Outputs);
                RecordTimes(cell, started, ended);
                runs.Add(new CellRun(i + 1, cell.Kernel, ok, sw.Elapsed));
                progress.WriteLine($"[{name}] cell {i + 1}/{notebook.Cells.Count} (code {codeIndex}/{codeCells}) " +
                                   $"{(ok ? "ok" : "FAILED")} {sw.Elapsed.TotalSeconds:F2} s" +
                                   (ok ? "" : " — " + FirstLine(cell.Outputs.Last(o => o.OutputType == "error").EValue)));
            }
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
            Directory.SetCurrentDirectory(savedCwd);
            CellDisplay.EndNotebook();
            foreach (var (k, v) in savedEnv) Environment.SetEnvironmentVariable(k, v);
            oneRunAtATime.Release();
        }
        wall.Stop();
        var result = new NotebookRunResult(fullPath, notebook, runs, wall.Elapsed);
        progress.WriteLine($"[{name}] {(result.CellsFailed == 0 ? "ok" : "FAILED")}: {result.CellsRun - result.CellsFailed} cells ok, " +
                           $"{result.CellsFailed} failed, wall {wall.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    /// <summary>Checks every cell before anything runs and returns the code each C# cell submits. Magic lines
    /// the runner understands are blanked (not removed) so compiler line numbers still match the cell.</summary>
    static Dictionary<int, string> Prepare(Notebook notebook, string path, string folder)
    {
        var sources = new Dictionary<int, string>();
        for (var i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (cell.IsMarkdown || cell.IsRaw) continue;
            if (cell.Kernel != "csharp")
                throw new NotebookFormatException(path, i + 1, null,
                    $"kernel '{cell.Kernel}' cannot run headless; the runner runs C# (csharp) and passes markdown through");
            var lines = cell.Source.Replace("\r\n", "\n").Split('\n');
            for (var l = 0; l < lines.Length; l++)
            {
                var line = lines[l].Trim();
                if (line.StartsWith("#!", StringComparison.Ordinal))
                {
                    var magic = line.Split(' ', 2)[0];
                    if (magic == "#!time") { lines[l] = ""; continue; } // times are recorded for every cell anyway
                    throw new NotebookFormatException(path, i + 1, l + 1,
                        $"'{magic}' is neither a kernel the notebook declares nor a magic command the headless runner supports (#!time)");
                }
                var m = ReferenceDirective.Match(lines[l]);
                if (!m.Success) continue;
                var reference = m.Groups["path"].Value;
                if (reference.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                    throw new NotebookFormatException(path, i + 1, l + 1,
                        $"'#r \"{reference}\"' is not supported headless: add the package to lib/Directory.Packages.props and the library instead");
                var resolved = Path.GetFullPath(Path.Combine(folder, reference));
                if (!File.Exists(resolved))
                    throw new NotebookFormatException(path, i + 1, l + 1,
                        $"#r \"{reference}\": {resolved} does not exist" +
                        (reference.Contains("lib/bin") ? " (build it first: dotnet build lib/Cbi.Workbench.Cli -c Release)" : ""));
            }
            sources[i] = string.Join("\n", lines);
        }
        return sources;
    }

    static ImmutableArray<MetadataReference>? frameworkReferences;

    /// <summary>The whole shared framework, as Polyglot's C# kernel references it.</summary>
    static IEnumerable<MetadataReference> FrameworkReferences()
    {
        if (frameworkReferences is { } cached) return cached;
        var dir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var refs = Directory.GetFiles(dir, "*.dll")
            .Where(IsManaged)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
        frameworkReferences = refs;
        return refs;
    }

    static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    static CellOutput CompileError(CompilationErrorException e, int cell)
    {
        var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0) errors = e.Diagnostics.ToList();
        var lines = errors.Select(d =>
        {
            var pos = d.Location.GetLineSpan().StartLinePosition;
            return $"cell {cell}, line {pos.Line + 1}, column {pos.Character + 1}: {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
        }).ToList();
        return CellOutput.Error("CompilationError", lines[0], lines);
    }

    static CellOutput RuntimeError(Exception e, int cell, string cellFile)
    {
        var frames = new StackTrace(e, true).GetFrames();
        var line = frames.FirstOrDefault(f => f.GetFileName() == cellFile)?.GetFileLineNumber();
        var where = line is > 0 ? $"cell {cell}, line {line}" : $"cell {cell}";
        var trace = new List<string> { $"{e.GetType().FullName}: {e.Message}", $"   at {where}" };
        trace.AddRange((e.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.TrimEnd())
            .Where(s => !s.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal) && !s.StartsWith("--- End of stack trace", StringComparison.Ordinal)));
        for (var inner = e.InnerException; inner != null; inner = inner.InnerException)
            trace.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
        return CellOutput.Error(e.GetType().Name, $"{where}: {e.Message}", trace);
    }

    /// <summary>Jupyter's own place for cell times (nbformat's code-cell "execution" metadata).</summary>
    static void RecordTimes(NotebookCell cell, DateTimeOffset started, DateTimeOffset ended)
    {
        cell.Metadata ??= [];
        cell.Metadata["execution"] = new JsonObject
        {
            ["iopub.execute_input"] = started.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["shell.execute_reply"] = ended.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>True when the cell ends in an expression without a semicolon (its value is displayed).</summary>
    static bool HasTrailingValue(Script script)
    {
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.Single();
        var root = (Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax)tree.GetRoot();
        if (root.Members.LastOrDefault() is not Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax
            { Statement: Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement })
            return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    static string FirstLine(string? s) => (s ?? "").Split('\n')[0];
}
