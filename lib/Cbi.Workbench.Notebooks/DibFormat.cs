using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cbi.Workbench.Notebooks;

/// <summary>Polyglot's plain-text .dib format. A line "#!name" starts a new cell only when "name" is a known
/// kernel name or alias (built-in ones plus those declared in the optional leading #!meta block); every other
/// "#!" line is a magic command and stays inside its cell. Cells are trimmed of blank lines and empty cells
/// dropped. Canonical form: "#!kernel", blank line, content, blank line between cells, "\n" line ends, UTF-8
/// without BOM, one final newline.</summary>
internal static class DibFormat
{
    /// <summary>Kernels Polyglot knows without any #!meta, alias → canonical name.</summary>
    internal static readonly IReadOnlyDictionary<string, string> BuiltInKernels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["csharp"] = "csharp", ["cs"] = "csharp", ["C#"] = "csharp", ["c#"] = "csharp",
        ["fsharp"] = "fsharp", ["fs"] = "fsharp", ["F#"] = "fsharp", ["f#"] = "fsharp",
        ["pwsh"] = "pwsh", ["powershell"] = "pwsh",
        ["markdown"] = "markdown", ["md"] = "markdown",
    };

    public static Notebook Parse(string text, string path)
    {
        var nb = new Notebook();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var kernels = new Dictionary<string, string>(BuiltInKernels, StringComparer.Ordinal);

        var i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0) i++;
        if (i < lines.Length && lines[i].TrimEnd() == "#!meta")
        {
            var metaStart = i + 1;
            var j = metaStart;
            var meta = new StringBuilder();
            while (j < lines.Length && !IsSeparator(lines[j], kernels, out _)) meta.Append(lines[j++]).Append('\n');
            ReadMeta(nb, meta.ToString(), path, metaStart + 1);
            foreach (var k in nb.Kernels)
            {
                kernels[k.Name] = k.Name;
                foreach (var a in k.Aliases) kernels.TryAdd(a, k.Name);
            }
            i = j;
        }
        else i = 0;

        var current = nb.DefaultKernel;
        var body = new List<string>();
        void Flush()
        {
            var start = 0; var end = body.Count;
            while (start < end && body[start].Trim().Length == 0) start++;
            while (end > start && body[end - 1].Trim().Length == 0) end--;
            if (end > start) nb.Cells.Add(new NotebookCell(current, string.Join("\n", body.Skip(start).Take(end - start))));
            body.Clear();
        }
        for (; i < lines.Length; i++)
        {
            if (IsSeparator(lines[i], kernels, out var kernel)) { Flush(); current = kernel; }
            else body.Add(lines[i]);
        }
        Flush();
        return nb;
    }

    static bool IsSeparator(string line, Dictionary<string, string> kernels, out string kernel)
    {
        kernel = "";
        if (!line.StartsWith("#!", StringComparison.Ordinal)) return false;
        var name = line[2..].TrimEnd();
        return name.Length > 0 && !name.Contains(' ') && kernels.TryGetValue(name, out kernel!);
    }

    static void ReadMeta(Notebook nb, string json, string path, int line)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e)
        {
            throw new NotebookFormatException(path, null, line + (int)(e.LineNumber ?? 0),
                $"the #!meta block is not valid JSON ({e.Message})");
        }
        if (root?["kernelInfo"] is not JsonObject info) return;
        if (info["defaultKernelName"]?.GetValue<string>() is { Length: > 0 } d) nb.DefaultKernel = d;
        if (info["items"] is JsonArray items)
            foreach (var item in items.OfType<JsonObject>())
            {
                var name = item["name"]?.GetValue<string>();
                if (string.IsNullOrEmpty(name))
                    throw new NotebookFormatException(path, null, line, "a #!meta kernelInfo item has no name");
                var aliases = (item["aliases"] as JsonArray)?.Select(a => a!.GetValue<string>()).ToList() ?? [];
                nb.Kernels.Add(new KernelDeclaration(name, aliases, item["languageName"]?.GetValue<string>()));
            }
    }

    public static string Serialize(Notebook nb)
    {
        var sb = new StringBuilder();
        var blocks = new List<(string Kernel, string Content)>();
        if (nb.Kernels.Count > 0) blocks.Add(("meta", MetaJson(nb)));
        foreach (var c in nb.Cells)
        {
            if (c.IsRaw) continue; // .dib has no raw cells
            var content = c.Source.Replace("\r\n", "\n").Trim('\n');
            if (content.Trim().Length == 0) continue;
            blocks.Add((c.Kernel, content));
        }
        for (var b = 0; b < blocks.Count; b++)
        {
            if (b > 0) sb.Append('\n');
            sb.Append("#!").Append(blocks[b].Kernel).Append("\n\n").Append(blocks[b].Content).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Polyglot writes the kernel info as compact JSON with keys in ordinal order.</summary>
    internal static string MetaJson(Notebook nb)
    {
        var root = new JsonObject { ["kernelInfo"] = KernelInfoNode(nb) };
        return JsonText.Compact(root);
    }

    internal static JsonObject KernelInfoNode(Notebook nb)
    {
        var items = new JsonArray();
        foreach (var k in nb.Kernels)
        {
            var item = new JsonObject { ["aliases"] = new JsonArray(k.Aliases.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()) };
            if (k.LanguageName is not null) item["languageName"] = k.LanguageName;
            item["name"] = k.Name;
            items.Add(item);
        }
        return new JsonObject { ["defaultKernelName"] = nb.DefaultKernel, ["items"] = items };
    }
}
