using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cbi.Workbench.IO;

namespace Cbi.Workbench.Data;

/// <summary>One incoming file accepted into the data: the vendored file it extends, its hash and the rows it added.</summary>
/// <param name="Path">Path relative to the incoming folder, '/'-separated — the same as the vendored file it extends
/// relative to data/raw.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of its bytes when accepted.</param>
/// <param name="Rows">Rows it added (rows it repeats from the vendored file are not counted).</param>
/// <param name="FirstKey">Key (first field, a date) of its first added row.</param>
/// <param name="LastKey">Key of its last added row.</param>
/// <param name="AcceptedUtc">When it was accepted.</param>
public sealed record IncomingFile(string Path, string Sha256, int Rows, string FirstKey, string LastKey, DateTime AcceptedUtc);

/// <summary>New data arriving as files: data/incoming/&lt;path&gt; holds newer rows of the vendored file data/raw/&lt;path&gt;,
/// in its exact format (same header). <c>cbi ingest</c> accepts a file only when it extends the vendored history and
/// nothing else: every row it shares with the history (same key, the first field) is identical, every new key comes
/// after the last one, and the combined data pass the same loaders and quality gate as the vendored data (a build into
/// a scratch warehouse first). Accepted files are listed with their hashes in data/incoming/ACCEPTED.tsv (append-only);
/// data/raw never changes. The warehouse is built from <see cref="EffectiveRawDir"/>: data/raw itself while nothing is
/// accepted, otherwise a derived copy (data/effective/…, not committed) with the accepted rows appended and its own
/// manifest, so the data version names exactly what was used. A refused file changes nothing.</summary>
public static class Incoming
{
    /// <summary>The list of accepted files inside the incoming folder.</summary>
    public const string AcceptedFile = "ACCEPTED.tsv";
    const string Header = "path\tsha256\trows\tfirst_key\tlast_key\taccepted_utc";

    /// <summary>data/incoming.</summary>
    public static string DefaultDir => Path.Combine(Workbench.DataDir, "incoming");

    /// <summary>The accepted files, in acceptance order (empty without a list).</summary>
    /// <exception cref="RawDataException">a line of the list is malformed (naming the line).</exception>
    public static IReadOnlyList<IncomingFile> Accepted(string incomingDir)
    {
        var path = Path.Combine(incomingDir, AcceptedFile);
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        var list = new List<IncomingFile>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var f = lines[i].Split('\t');
            if (f.Length != 6 || !int.TryParse(f[2], CultureInfo.InvariantCulture, out var rows) ||
                !DateTime.TryParse(f[5], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
                throw new RawDataException(Workbench.Relative(path), i + 1, null, $"expected 6 tab-separated fields ({Header.Replace('\t', ' ')}).");
            list.Add(new IncomingFile(f[0], f[1], rows, f[3], f[4], at));
        }
        return list;
    }

    /// <summary>The raw directory the warehouse is built from: <paramref name="rawDir"/> while no incoming file is accepted;
    /// otherwise data/effective/&lt;id&gt; — the vendored files with the accepted rows appended and a regenerated
    /// MANIFEST.tsv — made once per (vendored manifest, accepted list).</summary>
    /// <exception cref="RawDataException">an accepted file is missing or no longer has the hash it was accepted with.</exception>
    public static string EffectiveRawDir(string rawDir, string incomingDir)
    {
        var accepted = Accepted(incomingDir);
        if (accepted.Count == 0) return rawDir;
        foreach (var a in accepted)
        {
            var file = Path.Combine(incomingDir, a.Path);
            if (!File.Exists(file) || RawManifest.Sha256Of(incomingDir, a.Path) != a.Sha256)
                throw new RawDataException(Workbench.Relative(file), 0, null, $"accepted on {a.AcceptedUtc:yyyy-MM-dd} with SHA-256 {a.Sha256[..12]}… but now {(File.Exists(file) ? "different" : "missing")}; accepted data are append-only.");
        }
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(rawDir, RawManifest.FileName)) + File.ReadAllText(Path.Combine(incomingDir, AcceptedFile)))))[..12];
        var dir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(incomingDir))!, "effective", id);
        if (File.Exists(Path.Combine(dir, RawManifest.FileName))) return dir;
        var tmp = dir + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            Combine(rawDir, incomingDir, accepted.Select(a => a.Path).ToList(), tmp);
            Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
            if (!Directory.Exists(dir)) Directory.Move(tmp, dir);
        }
        finally { if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true); }
        return dir;
    }

    /// <summary>Checks the incoming files not yet accepted and, when every one extends the data, builds the combined data
    /// into a scratch warehouse (the loaders and the quality gate), then lists them as accepted and rebuilds
    /// <paramref name="warehousePath"/> from the effective data. A refusal leaves the list and the warehouse unchanged.</summary>
    /// <param name="rawDir">The vendored data (data/raw).</param>
    /// <param name="incomingDir">The incoming folder.</param>
    /// <param name="warehousePath">The warehouse to rebuild.</param>
    /// <param name="log">Progress lines.</param>
    /// <returns>The files accepted now (empty when there was nothing new).</returns>
    /// <exception cref="RawDataException">a file that does not extend its vendored file (naming file, line and column, and
    /// for a changed past row the old and the new value), a malformed file, or combined data the loaders or the quality
    /// gate refuse.</exception>
    public static IReadOnlyList<IncomingFile> Ingest(string rawDir, string incomingDir, string warehousePath, TextWriter log)
    {
        var accepted = Accepted(incomingDir);
        EffectiveRawDir(rawDir, incomingDir); // the accepted files are still what they were
        var known = accepted.Select(a => a.Path).ToHashSet(StringComparer.Ordinal);
        var pending = Directory.Exists(incomingDir)
            ? Directory.EnumerateFiles(incomingDir, "*.csv", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(incomingDir, f).Replace('\\', '/'))
                .Where(p => !known.Contains(p)).Order(StringComparer.Ordinal).ToList()
            : [];
        if (pending.Count == 0) { log.WriteLine("[incoming] nothing new"); return []; }
        var scratch = Directory.CreateTempSubdirectory("cbi-incoming-").FullName;
        try
        {
            var all = accepted.Select(a => a.Path).Concat(pending).ToList();
            var added = Combine(rawDir, incomingDir, all, Path.Combine(scratch, "raw"));
            log.WriteLine($"[incoming] {pending.Count} new file(s) extend the vendored data; building a scratch warehouse to run the loaders and the quality gate");
            Warehouse.Build(Path.Combine(scratch, "raw"), Path.Combine(scratch, "warehouse.duckdb"), log);
            var now = DateTime.UtcNow;
            var fresh = pending.Select(p => new IncomingFile(p, RawManifest.Sha256Of(incomingDir, p), added[p].Rows, added[p].First, added[p].Last, now)).ToList();
            AtomicFile.AppendLines(Path.Combine(incomingDir, AcceptedFile), fresh.Select(f =>
                string.Join('\t', f.Path, f.Sha256, f.Rows.ToString(CultureInfo.InvariantCulture), f.FirstKey, f.LastKey, f.AcceptedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))), Header);
            foreach (var f in fresh) log.WriteLine($"[incoming] accepted {f.Path}: {f.Rows} rows {f.FirstKey} … {f.LastKey}");
            Warehouse.Build(EffectiveRawDir(rawDir, incomingDir), warehousePath, log);
            return fresh;
        }
        finally { Directory.Delete(scratch, recursive: true); }
    }

    /// <summary>Writes the vendored files with the rows of <paramref name="files"/> appended into <paramref name="outDir"/>
    /// and regenerates its manifest; returns per file the rows added and their first and last keys.</summary>
    static Dictionary<string, (int Rows, string First, string Last)> Combine(string rawDir, string incomingDir, IReadOnlyList<string> files, string outDir)
    {
        foreach (var f in Directory.EnumerateFiles(rawDir, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(outDir, Path.GetRelativePath(rawDir, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        var added = new Dictionary<string, (int, string, string)>(StringComparer.Ordinal);
        foreach (var rel in files)
        {
            var target = Path.Combine(outDir, rel);
            var incoming = Path.Combine(incomingDir, rel);
            var name = Workbench.Relative(incoming);
            if (!File.Exists(target))
                throw new RawDataException(name, 0, null, $"no vendored file data/raw/{rel} to extend: an incoming file must have the path of the file it continues.");
            var rows = NewRows(target, incoming, name);
            AtomicFile.AppendLines(target, rows.Select(r => r.Text));
            added[rel] = (rows.Count, rows.Count > 0 ? rows[0].Key : "", rows.Count > 0 ? rows[^1].Key : "");
        }
        RawManifest.Write(outDir);
        return added;
    }

    /// <summary>The rows of <paramref name="incoming"/> that extend <paramref name="existing"/>: their keys (first field) and
    /// their text, parsed by the loaders' strict CSV reader (<see cref="RawCsv"/>: quoting, field counts).</summary>
    static List<(string Key, string Text)> NewRows(string existing, string incoming, string name)
    {
        var old = RawCsv.Read(existing, Workbench.Relative(existing));
        var csv = RawCsv.Read(incoming, name);
        if (!csv.Header.SequenceEqual(old.Header))
            throw new RawDataException(name, 1, null, $"header '{string.Join(',', csv.Header)}' differs from the vendored file's '{string.Join(',', old.Header)}'.");
        var column = old.Header[0];
        var byKey = new Dictionary<string, (string[] Fields, int Line)>(StringComparer.Ordinal);
        foreach (var (line, fields) in old.Rows)
            if (!byKey.TryAdd(fields[0], (fields, line)))
                throw new RawDataException(name, 0, column, $"the vendored file's first column does not identify a row (key '{fields[0]}' twice), so rows cannot be appended to it.");
        var last = byKey.Keys.Max(StringComparer.Ordinal) ?? "";
        var text = File.ReadAllLines(incoming);
        var fresh = new List<(string Key, string Text)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, fields) in csv.Rows)
        {
            var key = fields[0];
            if (!DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && !DateOnly.TryParse(key, CultureInfo.InvariantCulture, out _))
                throw new RawDataException(name, line, column, $"'{key}' is not a date.");
            if (!seen.Add(key)) throw new RawDataException(name, line, column, $"key {key} appears twice.");
            if (byKey.TryGetValue(key, out var o))
            {
                var c = Enumerable.Range(0, fields.Length).FirstOrDefault(j => fields[j] != o.Fields[j], -1);
                if (c < 0) continue; // a repeat of the history: nothing new
                throw new RawDataException(name, line, old.Header[c],
                    $"rewrites the past: on {key} the vendored file ({Workbench.Relative(existing)} line {o.Line}) has '{o.Fields[c]}', this file '{fields[c]}'; history is append-only.");
            }
            var previous = fresh.Count > 0 ? fresh[^1].Key : last;
            if (string.CompareOrdinal(key, previous) <= 0)
                throw new RawDataException(name, line, column, $"key {key} is not after the last one ({previous}): new rows are appended in date order.");
            fresh.Add((key, text[line - 1].TrimEnd('\r')));
        }
        return fresh;
    }

}
