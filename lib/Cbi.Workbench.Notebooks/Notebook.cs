using System.Text.Json.Nodes;

namespace Cbi.Workbench.Notebooks;

/// <summary>A Polyglot notebook in memory: what a .dib or .ipynb file holds. Read and write by file extension;
/// .dib keeps sources only, .ipynb keeps outputs and metadata too.</summary>
public sealed class Notebook
{
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
    public static void Write(Notebook notebook, string path)
    {
        var text = ToText(notebook, FormatOf(path));
        Cbi.Workbench.IO.AtomicFile.WriteAllText(path, text);
    }

    /// <summary>The file content <see cref="Write"/> would produce.</summary>
    public static string ToText(Notebook notebook, NotebookFormat format) =>
        format == NotebookFormat.Dib ? DibFormat.Serialize(notebook) : IpynbFormat.Serialize(notebook);

    public static NotebookFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".dib" => NotebookFormat.Dib,
        ".ipynb" => NotebookFormat.Ipynb,
        var e => throw new NotebookFormatException(path, null, null,
            $"unknown notebook extension '{e}' (expected .dib or .ipynb)"),
    };
}

public enum NotebookFormat { Dib, Ipynb }

/// <summary>One declared kernel: its name, aliases and (in .ipynb) language name.</summary>
public sealed record KernelDeclaration(string Name, IReadOnlyList<string> Aliases, string? LanguageName = null);

public sealed class NotebookCell
{
    public NotebookCell(string kernel, string source) { Kernel = kernel; Source = source; }

    /// <summary>Canonical kernel name: csharp, fsharp, pwsh, markdown, a name declared in the notebook, or "raw"
    /// for an .ipynb raw cell.</summary>
    public string Kernel { get; set; }
    public string Source { get; set; }
    public bool IsMarkdown => Kernel == "markdown";
    public bool IsRaw => Kernel == "raw";
    public List<CellOutput> Outputs { get; } = [];
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

    public string OutputType { get; }
    /// <summary>stream: "stdout" or "stderr".</summary>
    public string? Name { get; init; }
    /// <summary>stream: the text.</summary>
    public string? Text { get; set; }
    /// <summary>display_data / execute_result: mime type → value (a JSON string for text types).</summary>
    public SortedDictionary<string, JsonNode> Data { get; } = new(StringComparer.Ordinal);
    public JsonObject Metadata { get; init; } = [];
    public int? ExecutionCount { get; init; }
    public string? EName { get; init; }
    public string? EValue { get; init; }
    public List<string> Traceback { get; } = [];

    public string? DataText(string mime) =>
        Data.TryGetValue(mime, out var v) && v is JsonValue j && j.TryGetValue<string>(out var s) ? s : null;

    public static CellOutput Stream(string name, string text) => new("stream") { Name = name, Text = text };

    public static CellOutput Display(IEnumerable<KeyValuePair<string, string>> data)
    {
        var o = new CellOutput("display_data");
        foreach (var (k, v) in data) o.Data[k] = JsonValue.Create(v)!;
        return o;
    }

    public static CellOutput ExecuteResult(int executionCount, IEnumerable<KeyValuePair<string, string>> data)
    {
        var o = new CellOutput("execute_result") { ExecutionCount = executionCount };
        foreach (var (k, v) in data) o.Data[k] = JsonValue.Create(v)!;
        return o;
    }

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
public sealed class NotebookFormatException(string path, int? cell, int? line, string problem)
    : Exception(Describe(path, cell, line, problem))
{
    public string Path { get; } = path;
    public int? Cell { get; } = cell;
    public int? Line { get; } = line;

    static string Describe(string path, int? cell, int? line, string problem)
    {
        var where = path;
        if (cell is { } c) where += $", cell {c}";
        if (line is { } l) where += $", line {l}";
        return $"{where}: {problem}";
    }
}
