using System.Text.Json.Nodes;

namespace Cbi.Workbench.Notebooks;

/// <summary>A Polyglot notebook in memory: what a .dib or .ipynb file holds. Read and write by file extension;
/// .dib keeps sources only, .ipynb keeps outputs and metadata too.</summary>
public sealed class Notebook
{
    /// <summary>The cells in file order (markdown, code and raw cells alike).</summary>
    public List<NotebookCell> Cells { get; } = [];

    /// <summary>Kernel of text before any separator and of cells that name none (Polyglot's defaultKernelName).</summary>
    public string DefaultKernel { get; set; } = "csharp";

    /// <summary>The kernels the notebook declares (#!meta in .dib, polyglot_notebook.kernelInfo in .ipynb).
    /// Empty when the file declares none.</summary>
    public List<KernelDeclaration> Kernels { get; } = [];

    /// <summary>Notebook-level .ipynb metadata kept as read, so that a written .ipynb round-trips;
    /// null for notebooks that came from a .dib (the writer then emits Polyglot's standard metadata).</summary>
    public JsonObject? Metadata { get; set; }

    /// <summary>Reads a .dib or .ipynb file (chosen by extension). Bad input throws
    /// <see cref="NotebookFormatException"/> naming the file (and cell or line).</summary>
    /// <param name="path">The notebook file; the extension (.dib or .ipynb, any case) selects the format.</param>
    /// <exception cref="NotebookFormatException">The file does not exist, has another extension, or is malformed
    /// (for .ipynb: not JSON, not nbformat 4, no cells array, or a malformed cell).</exception>
    public static Notebook Read(string path)
    {
        if (!File.Exists(path)) throw new NotebookFormatException(path, null, null, "notebook file does not exist");
        var text = File.ReadAllText(path);
        return FormatOf(path) switch
        {
            NotebookFormat.Dib => DibFormat.Parse(text, path),
            _ => IpynbFormat.Parse(text, path),
        };
    }

    /// <summary>Writes the notebook atomically in the format its extension names (.dib drops outputs).</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="path">Destination; the extension (.dib or .ipynb) selects the format. Replaced if it exists.</param>
    /// <exception cref="NotebookFormatException"><paramref name="path"/> has neither extension.</exception>
    public static void Write(Notebook notebook, string path)
    {
        var text = ToText(notebook, FormatOf(path));
        Cbi.Workbench.IO.AtomicFile.WriteAllText(path, text);
    }

    /// <summary>The file content <see cref="Write"/> would produce.</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="format">Output format.</param>
    public static string ToText(Notebook notebook, NotebookFormat format) =>
        format == NotebookFormat.Dib ? DibFormat.Serialize(notebook) : IpynbFormat.Serialize(notebook);

    /// <summary>The format named by a path's extension (case-insensitive).</summary>
    /// <param name="path">A file path.</param>
    /// <exception cref="NotebookFormatException">The extension is neither .dib nor .ipynb.</exception>
    public static NotebookFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".dib" => NotebookFormat.Dib,
        ".ipynb" => NotebookFormat.Ipynb,
        var e => throw new NotebookFormatException(path, null, null,
            $"unknown notebook extension '{e}' (expected .dib or .ipynb)"),
    };
}

/// <summary>A notebook file format.</summary>
public enum NotebookFormat
{
    /// <summary>Polyglot's plain-text .dib: cell sources and kernel declarations only.</summary>
    Dib,
    /// <summary>Jupyter nbformat 4 .ipynb: sources, outputs and metadata.</summary>
    Ipynb
}

/// <summary>One declared kernel: its name, aliases and (in .ipynb) language name.</summary>
/// <param name="Name">Kernel name as cells refer to it (e.g. csharp).</param>
/// <param name="Aliases">Other names that select the kernel in a .dib "#!name" line (e.g. C#).</param>
/// <param name="LanguageName">Language name from .ipynb kernelInfo; null when absent.</param>
public sealed record KernelDeclaration(string Name, IReadOnlyList<string> Aliases, string? LanguageName = null);

/// <summary>One cell: its kernel, source text and (for executed code cells) outputs and execution count.</summary>
public sealed class NotebookCell
{
    /// <summary>A cell with no outputs.</summary>
    /// <param name="kernel">Canonical kernel name (see <see cref="Kernel"/>).</param>
    /// <param name="source">The cell text, without the kernel separator line.</param>
    public NotebookCell(string kernel, string source) { Kernel = kernel; Source = source; }

    /// <summary>Canonical kernel name: csharp, fsharp, pwsh, markdown, a name declared in the notebook, or "raw"
    /// for an .ipynb raw cell.</summary>
    public string Kernel { get; set; }
    /// <summary>The cell text.</summary>
    public string Source { get; set; }
    /// <summary>True when <see cref="Kernel"/> is "markdown".</summary>
    public bool IsMarkdown => Kernel == "markdown";
    /// <summary>True when <see cref="Kernel"/> is "raw" (an .ipynb raw cell).</summary>
    public bool IsRaw => Kernel == "raw";
    /// <summary>Outputs in the order they happened (kept in .ipynb, dropped in .dib).</summary>
    public List<CellOutput> Outputs { get; } = [];
    /// <summary>Execution count of a code cell (1-based order of execution in a run); null when not executed.</summary>
    public int? ExecutionCount { get; set; }
    /// <summary>nbformat 4.5 cell id; generated when writing if missing.</summary>
    public string? Id { get; set; }
    /// <summary>Cell metadata kept as read (.ipynb) plus what the runner records (execution times).</summary>
    public JsonObject? Metadata { get; set; }
    /// <summary>Attachments of a markdown cell (kept as read).</summary>
    public JsonObject? Attachments { get; set; }
}

/// <summary>One nbformat output: stream, display_data, execute_result or error.</summary>
public sealed class CellOutput
{
    CellOutput(string outputType) { OutputType = outputType; }

    /// <summary>nbformat output_type: "stream", "display_data", "execute_result" or "error".</summary>
    public string OutputType { get; }
    /// <summary>stream: "stdout" or "stderr".</summary>
    public string? Name { get; init; }
    /// <summary>stream: the text.</summary>
    public string? Text { get; set; }
    /// <summary>display_data / execute_result: mime type → value (a JSON string for text types).</summary>
    public SortedDictionary<string, JsonNode> Data { get; } = new(StringComparer.Ordinal);
    /// <summary>Output metadata (kept as read; empty for outputs the runner makes).</summary>
    public JsonObject Metadata { get; init; } = [];
    /// <summary>execute_result: the cell's execution count; null for other output types.</summary>
    public int? ExecutionCount { get; init; }
    /// <summary>error: the exception type name (e.g. CompilationError, ArgumentException).</summary>
    public string? EName { get; init; }
    /// <summary>error: the message.</summary>
    public string? EValue { get; init; }
    /// <summary>error: traceback lines.</summary>
    public List<string> Traceback { get; } = [];

    /// <summary>The value of <paramref name="mime"/> in <see cref="Data"/> when it is a JSON string; otherwise null.</summary>
    /// <param name="mime">Mime type, e.g. text/plain.</param>
    public string? DataText(string mime) =>
        Data.TryGetValue(mime, out var v) && v is JsonValue j && j.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A stream output.</summary>
    /// <param name="name">"stdout" or "stderr".</param>
    /// <param name="text">The text written.</param>
    public static CellOutput Stream(string name, string text) => new("stream") { Name = name, Text = text };

    /// <summary>A display_data output.</summary>
    /// <param name="data">Mime type → text value (a later duplicate key replaces an earlier one).</param>
    public static CellOutput Display(IEnumerable<KeyValuePair<string, string>> data)
    {
        var o = new CellOutput("display_data");
        foreach (var (k, v) in data) o.Data[k] = JsonValue.Create(v)!;
        return o;
    }

    /// <summary>An execute_result output.</summary>
    /// <param name="executionCount">The cell's execution count.</param>
    /// <param name="data">Mime type → text value.</param>
    public static CellOutput ExecuteResult(int executionCount, IEnumerable<KeyValuePair<string, string>> data)
    {
        var o = new CellOutput("execute_result") { ExecutionCount = executionCount };
        foreach (var (k, v) in data) o.Data[k] = JsonValue.Create(v)!;
        return o;
    }

    /// <summary>An error output.</summary>
    /// <param name="ename">Exception type name.</param>
    /// <param name="evalue">Message.</param>
    /// <param name="traceback">Traceback lines.</param>
    public static CellOutput Error(string ename, string evalue, IEnumerable<string> traceback)
    {
        var o = new CellOutput("error") { EName = ename, EValue = evalue };
        o.Traceback.AddRange(traceback);
        return o;
    }

    internal static CellOutput Empty(string outputType, int? executionCount = null, string? name = null,
        string? ename = null, string? evalue = null, JsonObject? metadata = null) =>
        new(outputType) { ExecutionCount = executionCount, Name = name, EName = ename, EValue = evalue, Metadata = metadata ?? [] };
}

/// <summary>Bad notebook input: names the file and, where known, the cell (1-based, counting every cell as the
/// editor shows them) and line.</summary>
/// <param name="path">The notebook file.</param>
/// <param name="cell">1-based cell number, or null.</param>
/// <param name="line">1-based line (in the file, or within the cell when <paramref name="cell"/> is set), or null.</param>
/// <param name="problem">What is wrong; the message is "path[, cell c][, line l]: problem".</param>
public sealed class NotebookFormatException(string path, int? cell, int? line, string problem)
    : Exception(Describe(path, cell, line, problem))
{
    /// <summary>The notebook file.</summary>
    public string Path { get; } = path;
    /// <summary>1-based cell number, or null when the problem is not tied to one cell.</summary>
    public int? Cell { get; } = cell;
    /// <summary>1-based line, or null when unknown.</summary>
    public int? Line { get; } = line;

    static string Describe(string path, int? cell, int? line, string problem)
    {
        var where = path;
        if (cell is { } c) where += $", cell {c}";
        if (line is { } l) where += $", line {l}";
        return $"{where}: {problem}";
    }
}
