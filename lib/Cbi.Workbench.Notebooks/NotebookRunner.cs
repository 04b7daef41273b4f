using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace Cbi.Workbench.Notebooks;

/// <summary>Options of a headless notebook run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Parameters (<c>--input key=value</c>): answers to <c>@input:key</c> (e.g. <c>#!set --name h --value
    /// @input:horizon</c>), as in dotnet-repl, and the environment variables CBI_INPUT_&lt;KEY&gt; that
    /// <c>Workbench.Parameter</c> reads.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();
    /// <summary>Where progress lines go (a cell starts, ends, is still running; the summary); stderr when null.</summary>
    public TextWriter? Progress { get; init; }
    /// <summary>The longest a single cell may run before the run stops and names it.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>How often a running cell is reported as still running.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Timing and status of one cell.</summary>
/// <param name="Cell">1-based cell number, counting every cell as the editor shows them (markdown included).</param>
/// <param name="Kernel">The kernel that ran it (csharp, value, javascript, …).</param>
/// <param name="Ok">False when the cell produced an error.</param>
/// <param name="Elapsed">Wall-clock time of the cell.</param>
public sealed record CellRun(int Cell, string Kernel, bool Ok, TimeSpan Elapsed);

/// <summary>Outcome of <see cref="NotebookRunner.Run"/>.</summary>
/// <param name="NotebookPath">Full path of the notebook that ran.</param>
/// <param name="OutputPath">Full path of the executed .ipynb.</param>
/// <param name="Cells">One entry per code cell, in order.</param>
/// <param name="Wall">Wall-clock time of the whole run.</param>
public sealed record NotebookRunResult(string NotebookPath, string OutputPath, IReadOnlyList<CellRun> Cells, TimeSpan Wall)
{
    /// <summary>Number of code cells run.</summary>
    public int CellsRun => Cells.Count;
    /// <summary>Number of code cells that failed.</summary>
    public int CellsFailed => Cells.Count(c => !c.Ok);
    /// <summary>dotnet-repl's convention: 2 when any cell failed, else 0.</summary>
    public int ExitCode => CellsFailed > 0 ? 2 : 0;
}

/// <summary>A cell ran longer than <see cref="NotebookRunOptions.CellTimeout"/>. The executed notebook on disk holds
/// every finished cell and a timeout error in this one; the cell's thread cannot be stopped, so the process that
/// catches this must end (cbi exits with code 2).</summary>
/// <param name="message">Names notebook, cell and limit.</param>
public sealed class NotebookTimeoutException(string message) : Exception(message);

/// <summary>Bad notebook input, found before any cell runs: names the file and, where known, the line.</summary>
/// <param name="path">The notebook (or output) file.</param>
/// <param name="line">1-based line, or null.</param>
/// <param name="problem">What is wrong; the message is "path[, line l]: problem".</param>
public sealed class NotebookFormatException(string path, int? line, string problem)
    : Exception(line is { } l ? $"{path}, line {l}: {problem}" : $"{path}: {problem}")
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;
    /// <summary>1-based line, or null when unknown.</summary>
    public int? Line { get; } = line;
}

/// <summary>Runs a .dib or .ipynb on the Polyglot C# kernel (Microsoft.DotNet.Interactive, hosted in this process,
/// composed like dotnet-repl's) and writes the executed .ipynb with Microsoft.DotNet.Interactive.Documents, the way
/// <c>dotnet repl --run NB --exit-after-run --output-path OUT</c> does: every cell runs even after one failed, outputs are
/// recorded as dotnet-repl records them. Added for long research runs: a progress line when each cell starts and ends
/// (and while it runs), a per-cell timeout that names the hung cell, and the executed notebook rewritten atomically after
/// every cell, marked incomplete (notebook metadata <c>cbi.state</c>) until the last one, so a kill keeps what
/// finished. The working directory is the notebook's folder during the run, as in VS Code.</summary>
public static class NotebookRunner
{
    static readonly SemaphoreSlim oneRunAtATime = new(1, 1);

    /// <summary>Runs the notebook, writing the executed .ipynb to <paramref name="outputPath"/> as cells finish.</summary>
    /// <param name="notebookPath">The .dib or .ipynb to run.</param>
    /// <param name="outputPath">The executed notebook (.ipynb).</param>
    /// <param name="options">Inputs, progress writer, timeouts; null = defaults.</param>
    /// <exception cref="NotebookFormatException">The notebook is missing or malformed, or an extension is wrong; nothing
    /// is written.</exception>
    /// <exception cref="NotebookTimeoutException">A cell ran past the timeout (see the type).</exception>
    public static NotebookRunResult Run(string notebookPath, string outputPath, NotebookRunOptions? options = null)
    {
        options ??= new NotebookRunOptions();
        var progress = options.Progress ?? Console.Error;
        var fullPath = Path.GetFullPath(notebookPath);
        var output = Path.GetFullPath(outputPath);
        if (!File.Exists(fullPath)) throw new NotebookFormatException(fullPath, null, "notebook file does not exist");
        if (Path.GetExtension(fullPath).ToLowerInvariant() is not (".dib" or ".ipynb"))
            throw new NotebookFormatException(fullPath, null, $"unknown notebook extension '{Path.GetExtension(fullPath)}' (expected .dib or .ipynb)");
        if (!Path.GetExtension(output).Equals(".ipynb", StringComparison.OrdinalIgnoreCase))
            throw new NotebookFormatException(output, null, "the executed notebook is written as .ipynb; give an output path ending in .ipynb");
        var name = Path.GetFileNameWithoutExtension(fullPath);

        oneRunAtATime.Wait();
        var savedCwd = Directory.GetCurrentDirectory();
        var savedEnv = new Dictionary<string, string?>();
        try
        {
            foreach (var (k, v) in options.Inputs)
            {
                var variable = Workbench.ParameterVariable(k);
                savedEnv[variable] = Environment.GetEnvironmentVariable(variable);
                Environment.SetEnvironmentVariable(variable, v);
            }
            // The kernel resolves #r and #load against the working directory, which VS Code sets to the notebook's folder.
            Directory.SetCurrentDirectory(Path.GetDirectoryName(fullPath)!);
            using var kernel = PolyglotKernel.Create(options.Inputs);
            var document = Load(fullPath, PolyglotKernel.KernelInfos(kernel));
            return Execute(kernel, document, fullPath, output, name, options, progress);
        }
        finally
        {
            Directory.SetCurrentDirectory(savedCwd);
            foreach (var (k, v) in savedEnv) Environment.SetEnvironmentVariable(k, v);
            oneRunAtATime.Release();
        }
    }

    static InteractiveDocument Load(string path, KernelInfoCollection kernels)
    {
        try
        {
            var document = InteractiveDocument.LoadAsync(new FileInfo(path), kernels).GetAwaiter().GetResult();
            // An .ipynb saved by VS Code Polyglot Notebooks carries metadata.polyglot_notebook.kernelInfo, which the reader
            // leaves as a plain dictionary while the writer casts metadata["polyglot_notebook"] to a KernelInfoCollection:
            // rebuilt here, so such a notebook runs and its executed copy keeps its kernel list.
            if (document.Metadata.TryGetValue("polyglot_notebook", out var polyglot) && polyglot is not KernelInfoCollection)
                document.Metadata["polyglot_notebook"] = KernelInfosOf(polyglot is IDictionary<string, object> p && p.TryGetValue("kernelInfo", out var info) ? info : null, kernels);
            return document;
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException(path, e.LineNumber is { } l ? (int)l + 1 : null, $"malformed .ipynb JSON: {e.Message}");
        }
    }

    static KernelInfoCollection Without(KernelInfoCollection kinds, string name)
    {
        var copy = new KernelInfoCollection();
        foreach (var k in kinds.Where(k => k.Name != name)) copy.Add(k);
        copy.DefaultKernelName = kinds.DefaultKernelName;
        return copy;
    }

    static KernelInfoCollection KernelInfosOf(object? saved, KernelInfoCollection kernels)
    {
        var result = new KernelInfoCollection();
        if (saved is IDictionary<string, object> d)
        {
            if (d.TryGetValue("items", out var items) && items is IEnumerable<object> list)
                foreach (var item in list.OfType<IDictionary<string, object>>())
                    // The writer adds the C# kernel itself (and refuses a second entry of that name).
                    if (item.TryGetValue("name", out var n) && n is string name && name != "csharp")
                        result.Add(new Microsoft.DotNet.Interactive.Documents.KernelInfo(name, aliases: item.TryGetValue("aliases", out var a) && a is IEnumerable<object> al ? al.OfType<string>().ToArray() : null));
            if (d.TryGetValue("defaultKernelName", out var def) && def is string defaultName) result.DefaultKernelName = defaultName;
        }
        return result;
    }

    static NotebookRunResult Execute(CompositeKernel kernel, InteractiveDocument document, string path, string output, string name,
        NotebookRunOptions options, TextWriter progress)
    {
        var wall = Stopwatch.StartNew();
        var elements = document.Elements.ToList();
        var executed = elements.Select(e => new InteractiveDocumentElement(e.Contents, e.KernelName, [])).ToList();
        var codeCells = elements.Count(e => e.KernelName != "markdown");
        var runs = new List<CellRun>();
        Write(document, executed, output, runs.Count, codeCells);

        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            if (element.KernelName == "markdown") continue;
            var label = $"[{name}] cell {i + 1}/{elements.Count} (code {runs.Count + 1}/{codeCells}, {element.KernelName})";
            progress.WriteLine($"{label} started");
            var started = DateTimeOffset.UtcNow;
            var sw = Stopwatch.StartNew();
            var cell = new CellOutputs();
            var command = new SubmitCode(element.Contents, element.KernelName);
            bool finished;
            using (kernel.KernelEvents.Subscribe(new Observer(e => cell.On(e, command))))
                finished = WaitFor(Task.Run(() => kernel.SendAsync(command)), cell, options, progress, label, sw);
            if (!finished)
            {
                var why = $"{path}: cell {i + 1} ({element.KernelName}) did not finish within {options.CellTimeout.TotalSeconds:F0} s " +
                          $"(--cell-timeout); the cells before it are saved in {output}";
                cell.Outputs.Add(new ErrorElement(errorValue: why, errorName: "Timeout"));
            }
            var ok = !cell.Outputs.OfType<ErrorElement>().Any();
            executed[i] = new InteractiveDocumentElement(element.Contents, element.KernelName, cell.Outputs)
            {
                Metadata = new Dictionary<string, object>
                {
                    // Jupyter's own place for cell times (nbformat's "execution" cell metadata).
                    ["execution"] = new Dictionary<string, object>
                    {
                        ["iopub.execute_input"] = started.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                        ["shell.execute_reply"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    },
                },
            };
            runs.Add(new CellRun(i + 1, element.KernelName ?? "csharp", ok, sw.Elapsed));
            Write(document, executed, output, runs.Count, codeCells, finished ? null : "timed-out");
            progress.WriteLine($"{label} {(ok ? "ok" : "FAILED")} {sw.Elapsed.TotalSeconds:F2} s" +
                               (ok ? "" : " — " + FirstLine(cell.Outputs.OfType<ErrorElement>().First().ErrorValue)));
            if (!finished) throw new NotebookTimeoutException($"[{name}] cell {i + 1} timed out after {options.CellTimeout.TotalSeconds:F0} s; " +
                                                              $"finished cells are in {Workbench.Relative(output)}");
        }
        wall.Stop();
        var result = new NotebookRunResult(path, output, runs, wall.Elapsed);
        progress.WriteLine($"[{name}] {(result.CellsFailed == 0 ? "ok" : "FAILED")}: {result.CellsRun - result.CellsFailed} cells ok, " +
                           $"{result.CellsFailed} failed, wall {wall.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    /// <summary>Waits for the cell, saying every <see cref="NotebookRunOptions.Heartbeat"/> that it still runs; false
    /// when it passes the timeout.</summary>
    static bool WaitFor(Task send, CellOutputs cell, NotebookRunOptions options, TextWriter progress, string label, Stopwatch sw)
    {
        while (true)
        {
            var left = options.CellTimeout - sw.Elapsed;
            if (left <= TimeSpan.Zero) return false;
            var slice = left < options.Heartbeat ? left : options.Heartbeat;
            if (cell.Done.Wait(slice)) { send.Wait(TimeSpan.FromSeconds(5)); return true; }
            if (send.IsFaulted) { cell.Outputs.Add(new ErrorElement(errorValue: send.Exception!.GetBaseException().Message, errorName: "Error")); return true; }
            if (slice == options.Heartbeat) progress.WriteLine($"{label} still running, {sw.Elapsed.TotalSeconds:F0} s");
        }
    }

    /// <summary>The whole notebook as it stands: finished cells with outputs, the rest as in the source. The metadata
    /// says whether it is complete, so a notebook left by a killed run is never taken for a finished one.</summary>
    static void Write(InteractiveDocument source, List<InteractiveDocumentElement> executed, string output, int done, int total, string? state = null)
    {
        var document = new InteractiveDocument(executed);
        foreach (var (k, v) in source.Metadata)
            // The writer adds its C# kernel to metadata["polyglot_notebook"] in place: each write gets its own copy.
            document.Metadata[k] = v is KernelInfoCollection kinds ? Without(kinds, "csharp") : v;
        document.Metadata["kernelspec"] = new Dictionary<string, object> { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        document.Metadata["language_info"] = new Dictionary<string, object>
            { ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp", ["name"] = "C#", ["pygments_lexer"] = "csharp", ["version"] = "13.0" };
        document.Metadata["cbi"] = new Dictionary<string, object>
        {
            ["state"] = state ?? (done == total ? "complete" : "incomplete"),
            ["code_cells_done"] = done,
            ["code_cells"] = total,
        };
        Cbi.Workbench.IO.AtomicFile.WriteAllText(output, WithJsonOutputs(Notebook.ToJupyterJson(document, "C#")));
    }

    static string FirstLine(string? s) => (s ?? "").Split('\n')[0];

    /// <summary>What nbformat 4.5 asks of the executed notebook and the Documents writer leaves out: every cell has an
    /// <c>id</c> (<c>cell-N</c>, N its 1-based position, so a re-run writes the same ids), and a JSON MIME type's value
    /// (<c>application/json</c>, <c>…+json</c> such as a Plotly figure) is a JSON object, which is what JupyterLab's and VS
    /// Code's renderers read, where the writer stores every value as text.</summary>
    internal static string WithJsonOutputs(string ipynb)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(ipynb)!;
        var changed = false;
        var n = 0;
        // A figure is written compact (one line) inside the indented notebook: indented, its number arrays would triple.
        var compact = new List<string>();
        foreach (var cell in root["cells"]?.AsArray() ?? [])
        {
            n++;
            if (cell is System.Text.Json.Nodes.JsonObject c && c["id"] is null) { c["id"] = $"cell-{n}"; changed = true; }
            foreach (var output in cell?["outputs"]?.AsArray() ?? [])
                if (output?["data"] is System.Text.Json.Nodes.JsonObject data)
                    foreach (var key in data.Select(kv => kv.Key).Where(k => k.EndsWith("json", StringComparison.Ordinal)).ToList())
                    {
                        var text = data[key] is System.Text.Json.Nodes.JsonArray lines ? string.Concat(lines.Select(l => l?.GetValue<string>()))
                            : data[key] is System.Text.Json.Nodes.JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                        if (text is null) continue;
                        try { compact.Add(System.Text.Json.Nodes.JsonNode.Parse(text)!.ToJsonString()); }
                        catch (JsonException) { continue; /* not JSON after all: kept as text */ }
                        data[key] = $"@@cbi-json-{compact.Count - 1}@@";
                        changed = true;
                    }
        }
        if (!changed) return ipynb;
        var written = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        return System.Text.RegularExpressions.Regex.Replace(written, "\"@@cbi-json-(\\d+)@@\"", m => compact[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]);
    }

    /// <summary>One cell's outputs, recorded as dotnet-repl's NotebookRunner records them (so the executed notebooks
    /// match): displays in order, a DisplayedValue handle's updates as further displays, stdout then stderr as one
    /// text output at the end of the cell, errors as error outputs.</summary>
    sealed class CellOutputs
    {
        readonly object gate = new();
        readonly StringBuilder stdout = new(), stderr = new();
        bool anyOut, anyErr;
        public List<InteractiveDocumentOutputElement> Outputs { get; } = [];
        public ManualResetEventSlim Done { get; } = new();

        public void On(KernelEvent e, KernelCommand root)
        {
            lock (gate)
            {
                switch (e)
                {
                    case ErrorProduced error: Outputs.Add(new ErrorElement(errorValue: error.Message, errorName: "Error")); break;
                    case StandardOutputValueProduced o: anyOut = true; stdout.Append(o.FormattedValues.FirstOrDefault()?.Value); break;
                    case StandardErrorValueProduced o: anyErr = true; stderr.Append(o.FormattedValues.FirstOrDefault()?.Value); break;
                    case ReturnValueProduced { Value: Microsoft.DotNet.Interactive.Formatting.DisplayedValue }: break;
                    case DisplayEvent d: Outputs.Add(new DisplayElement(d.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value))); break;
                    case CommandFailed failed when failed.Command == root:
                        FlushText();
                        Outputs.Add(new ErrorElement(errorValue: failed.Message, errorName: "Error",
                            stackTrace: (failed.Exception?.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)));
                        Done.Set();
                        break;
                    case CommandSucceeded succeeded when succeeded.Command == root:
                        FlushText();
                        Done.Set();
                        break;
                }
            }
        }

        void FlushText()
        {
            if (!anyOut && !anyErr) return;
            var text = anyOut && anyErr ? $"{stdout}\n\n{stderr}" : anyOut ? stdout.ToString() : stderr.ToString();
            Outputs.Add(new TextElement(text, "stdout"));
        }
    }

    sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnNext(KernelEvent value) => onNext(value);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}
