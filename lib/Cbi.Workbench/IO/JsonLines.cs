using System.Text.Json;

namespace Cbi.Workbench.IO;

/// <summary>Append-only JSON-lines logs (the holdout guard's reads, the holdout ledger): one JSON object per line.</summary>
internal static class JsonLines
{
    /// <summary>The log's records in file order; blank lines are skipped; an absent file is an empty log.</summary>
    /// <param name="path">The log file.</param>
    /// <param name="what">What a record is, for the error ("a ledger entry").</param>
    /// <exception cref="InvalidDataException">A non-blank line is not a <typeparamref name="T"/> (names file and line).</exception>
    internal static IReadOnlyList<T> Read<T>(string path, string what)
    {
        if (!File.Exists(path)) return [];
        var list = new List<T>();
        var n = 0;
        foreach (var l in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(l)) continue;
            try { list.Add(JsonSerializer.Deserialize<T>(l) ?? throw new JsonException("the line is JSON null")); }
            catch (JsonException e) { throw new InvalidDataException($"{Workbench.Relative(path)} line {n}: not {what} ({e.Message}).", e); }
        }
        return list;
    }

    /// <summary>Appends one record by rewriting the whole log atomically: a crash leaves the previous log, never a
    /// torn line; a last line without its newline gets one first.</summary>
    internal static void Append<T>(string path, T record) => AppendAll(path, [record]);

    /// <summary>Appends records, one line each, by one atomic rewrite (as <see cref="Append{T}"/>).</summary>
    internal static void AppendAll<T>(string path, IEnumerable<T> records) =>
        AtomicFile.AppendLines(path, records.Select(r => JsonSerializer.Serialize(r)));
}
