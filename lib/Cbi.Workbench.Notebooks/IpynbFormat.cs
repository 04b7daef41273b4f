using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cbi.Workbench.Notebooks;

/// <summary>Jupyter nbformat 4.5 as VS Code Polyglot Notebooks writes it: Polyglot kernel info in the notebook
/// metadata, each code cell's kernel in its metadata, multi-line strings as arrays of lines, keys sorted,
/// one-space indent. Metadata read from a file is kept, so a file written by this class round-trips.</summary>
internal static class IpynbFormat
{
    public static Notebook Parse(string text, string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false }); }
        catch (JsonException e)
        {
            throw new NotebookFormatException(path, null, (int)(e.LineNumber ?? 0) + 1,
                $"malformed .ipynb JSON (column {(e.BytePositionInLine ?? 0) + 1}): {ProblemOnly(e.Message)}");
        }
        if (root is not JsonObject o) throw new NotebookFormatException(path, null, null, "an .ipynb must hold a JSON object");
        if (o["nbformat"]?.GetValueKind() != JsonValueKind.Number || o["nbformat"]!.GetValue<int>() != 4)
            throw new NotebookFormatException(path, null, null, "only nbformat 4 notebooks are supported (\"nbformat\": 4 missing)");
        if (o["cells"] is not JsonArray cells) throw new NotebookFormatException(path, null, null, "no \"cells\" array");

        var nb = new Notebook { Metadata = (o["metadata"] as JsonObject)?.DeepClone() as JsonObject ?? [] };
        if (nb.Metadata["polyglot_notebook"]?["kernelInfo"] is JsonObject info)
        {
            if (info["defaultKernelName"] is JsonValue d && d.TryGetValue<string>(out var dk)) nb.DefaultKernel = dk;
            if (info["items"] is JsonArray items)
                foreach (var item in items.OfType<JsonObject>())
                {
                    if (item["name"] is not JsonValue n || !n.TryGetValue<string>(out var name)) continue;
                    var aliases = (item["aliases"] as JsonArray)?.Select(a => a!.GetValue<string>()).ToList() ?? [];
                    nb.Kernels.Add(new KernelDeclaration(name, aliases, (item["languageName"] as JsonValue)?.GetValue<string>()));
                }
        }

        var index = 0;
        foreach (var node in cells)
        {
            index++;
            if (node is not JsonObject c) throw new NotebookFormatException(path, index, null, "a cell is not a JSON object");
            try { nb.Cells.Add(ParseCell(nb, c)); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or KeyNotFoundException)
            {
                throw new NotebookFormatException(path, index, null, e.Message);
            }
        }
        return nb;
    }

    /// <summary>System.Text.Json appends its own zero-based position; ours (one-based) is already in the message.</summary>
    static string ProblemOnly(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at > 0) message = message[..at];
        }
        return message.TrimEnd();
    }

    static NotebookCell ParseCell(Notebook nb, JsonObject c)
    {
        var type = c["cell_type"]?.GetValue<string>() ?? throw new FormatException("cell has no cell_type");
        var source = JoinLines(c["source"]);
        var metadata = (c["metadata"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        var kernel = type switch
        {
            "markdown" => "markdown",
            "raw" => "raw",
            "code" => Canonical(nb, (metadata["polyglot_notebook"]?["kernelName"] as JsonValue)?.GetValue<string>()
                                    ?? (metadata["dotnet_interactive"]?["language"] as JsonValue)?.GetValue<string>()
                                    ?? nb.DefaultKernel),
            _ => throw new FormatException($"unknown cell_type '{type}'"),
        };
        var cell = new NotebookCell(kernel, source)
        {
            Id = (c["id"] as JsonValue)?.GetValue<string>(),
            Metadata = metadata,
            Attachments = (c["attachments"] as JsonObject)?.DeepClone() as JsonObject,
        };
        if (type == "code")
        {
            if (c["execution_count"] is JsonValue ec && ec.GetValueKind() == JsonValueKind.Number) cell.ExecutionCount = ec.GetValue<int>();
            if (c["outputs"] is JsonArray outputs)
                foreach (var on in outputs)
                    cell.Outputs.Add(ParseOutput(on as JsonObject ?? throw new FormatException("an output is not a JSON object")));
        }
        return cell;
    }

    static string Canonical(Notebook nb, string name)
    {
        if (DibFormat.BuiltInKernels.TryGetValue(name, out var k)) return k;
        foreach (var d in nb.Kernels) if (d.Name == name || d.Aliases.Contains(name)) return d.Name;
        return name;
    }

    static CellOutput ParseOutput(JsonObject o)
    {
        var type = o["output_type"]?.GetValue<string>() ?? throw new FormatException("an output has no output_type");
        var metadata = (o["metadata"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        CellOutput r;
        switch (type)
        {
            case "stream":
                return CellOutput.Stream(o["name"]?.GetValue<string>() ?? "stdout", JoinLines(o["text"]));
            case "display_data":
            case "execute_result":
                int? count = o["execution_count"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<int>() : null;
                r = CellOutput.Empty(type, count, metadata: metadata);
                if (o["data"] is JsonObject data)
                    foreach (var (mime, value) in data)
                        r.Data[mime] = value is JsonArray lines && lines.All(l => l is JsonValue lv && lv.GetValueKind() == JsonValueKind.String)
                            ? JsonValue.Create(JoinLines(lines))!
                            : value?.DeepClone() ?? JsonValue.Create("")!;
                return r;
            case "error":
                r = CellOutput.Empty(type, ename: o["ename"]?.GetValue<string>() ?? "", evalue: o["evalue"]?.GetValue<string>() ?? "");
                if (o["traceback"] is JsonArray tb) r.Traceback.AddRange(tb.Select(t => t!.GetValue<string>()));
                return r;
            default:
                throw new FormatException($"unknown output_type '{type}'");
        }
    }

    static string JoinLines(JsonNode? node) => node switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => throw new FormatException("expected a string or an array of strings"),
    };

    /// <summary>nbformat's multi-line string: lines keeping their "\n", the last one without.</summary>
    static JsonArray SplitLines(string s)
    {
        var a = new JsonArray();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
            if (s[i] == '\n') { a.Add(s[start..(i + 1)]); start = i + 1; }
        if (start < s.Length) a.Add(s[start..]);
        return a;
    }

    public static string Serialize(Notebook nb)
    {
        var cells = new JsonArray();
        for (var i = 0; i < nb.Cells.Count; i++) cells.Add(CellNode(nb.Cells[i], i));
        var metadata = nb.Metadata?.DeepClone() as JsonObject ?? new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
        };
        if (nb.Kernels.Count > 0 || metadata["polyglot_notebook"] is null)
        {
            var withDefaults = nb;
            if (nb.Kernels.Count == 0)
            {
                withDefaults = new Notebook { DefaultKernel = nb.DefaultKernel };
                withDefaults.Kernels.Add(new KernelDeclaration("csharp", [], "csharp"));
                withDefaults.Kernels.Add(new KernelDeclaration("markdown", [], "markdown"));
            }
            metadata["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = DibFormat.KernelInfoNode(withDefaults) };
        }
        var root = new JsonObject { ["cells"] = cells, ["metadata"] = metadata, ["nbformat"] = 4, ["nbformat_minor"] = 5 };
        return JsonText.Indented(root) + "\n";
    }

    static JsonObject CellNode(NotebookCell c, int index)
    {
        var metadata = c.Metadata?.DeepClone() as JsonObject ?? [];
        var node = new JsonObject { ["id"] = c.Id ?? $"cell-{index + 1:D2}", ["source"] = SplitLines(c.Source) };
        if (c.IsMarkdown || c.IsRaw)
        {
            node["cell_type"] = c.IsMarkdown ? "markdown" : "raw";
            if (c.Attachments is not null) node["attachments"] = c.Attachments.DeepClone();
        }
        else
        {
            node["cell_type"] = "code";
            node["execution_count"] = c.ExecutionCount;
            metadata["dotnet_interactive"] = new JsonObject { ["language"] = c.Kernel };
            metadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = c.Kernel };
            var outputs = new JsonArray();
            foreach (var o in c.Outputs) outputs.Add(OutputNode(o));
            node["outputs"] = outputs;
        }
        node["metadata"] = metadata;
        return node;
    }

    static JsonObject OutputNode(CellOutput o)
    {
        var node = new JsonObject { ["output_type"] = o.OutputType };
        switch (o.OutputType)
        {
            case "stream":
                node["name"] = o.Name;
                node["text"] = SplitLines(o.Text ?? "");
                break;
            case "display_data":
            case "execute_result":
                var data = new JsonObject();
                foreach (var (mime, value) in o.Data)
                    data[mime] = value is JsonValue v && v.TryGetValue<string>(out var s) && !IsJsonMime(mime) ? SplitLines(s) : value.DeepClone();
                node["data"] = data;
                node["metadata"] = o.Metadata.DeepClone();
                if (o.OutputType == "execute_result") node["execution_count"] = o.ExecutionCount;
                break;
            case "error":
                node["ename"] = o.EName;
                node["evalue"] = o.EValue;
                node["traceback"] = new JsonArray(o.Traceback.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());
                break;
        }
        return node;
    }

    static bool IsJsonMime(string mime) => mime == "application/json" || mime.EndsWith("+json", StringComparison.Ordinal);
}
