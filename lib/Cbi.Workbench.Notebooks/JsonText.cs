using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cbi.Workbench.Notebooks;

/// <summary>JSON the way Jupyter and Polyglot write it: keys in ordinal order, non-ASCII kept as is,
/// "\n" line ends; .ipynb uses an indent of one space.</summary>
internal static class JsonText
{
    public static string Compact(JsonNode node) => Write(node, indented: false);
    public static string Indented(JsonNode node) => Write(node, indented: true);

    static string Write(JsonNode node, bool indented)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions
        {
            Indented = indented, IndentSize = 1, IndentCharacter = ' ', NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
            WriteSorted(w, node);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static void WriteSorted(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null: w.WriteNullValue(); break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(k);
                    WriteSorted(w, v);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var v in a) WriteSorted(w, v);
                w.WriteEndArray();
                break;
            default: node.WriteTo(w); break;
        }
    }
}
