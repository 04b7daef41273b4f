using System.Globalization;
using System.Text;

namespace Cbi.Workbench.Data;

/// <summary>Raised for any defect in a raw input: names the file, the 1-based line and the column so that the
/// person fixing it can open the file at the right place.</summary>
/// <param name="file">The file, relative to the repository (e.g. <c>data/raw/…</c>).</param>
/// <param name="line">1-based physical line; 0 when the defect concerns the whole file (missing, hash mismatch).</param>
/// <param name="column">Column name, or null when the defect is not tied to one column.</param>
/// <param name="problem">What is wrong; appended to the message.</param>
public sealed class RawDataException(string file, int line, string? column, string problem)
    : Exception($"{file}: line {line}{(column is null ? "" : $", column '{column}'")}: {problem}")
{
    /// <summary>The file, relative to the repository (e.g. <c>data/raw/…</c>).</summary>
    public string File { get; } = file;
    /// <summary>1-based physical line of the defect; 0 when it concerns the whole file.</summary>
    public int Line { get; } = line;
    /// <summary>Column name of the defect, or null when it is not tied to one column.</summary>
    public string? Column { get; } = column;
}

/// <summary>A strictly parsed CSV file: RFC 4180 quoting, every record must have exactly the header's field
/// count (a truncated last line or a shifted row is an error, not a short row), required columns are looked up
/// by exact name (a renamed column is an error naming the expected name).</summary>
internal sealed class RawCsv
{
    public string File { get; }
    public string[] Header { get; }
    /// <summary>Data records with their 1-based physical line numbers.</summary>
    public List<(int Line, string[] Fields)> Rows { get; } = [];

    /// <summary>Tokens that mean "no value" in the sources (Yahoo <c>null</c>, FRED <c>.</c> and blank,
    /// World Bank <c>…</c>, and its ASCII spelling <c>...</c> used 215 times in the same sheet). Never read as zero.</summary>
    static readonly HashSet<string> MissingTokens = new(StringComparer.Ordinal) { "", "null", ".", "…", "...", "NA", "N/A" };

    RawCsv(string file, string[] header) { File = file; Header = header; }

    /// <summary>Reads <paramref name="path"/>; <paramref name="skipLines"/> lines before the header are
    /// ignored (World Bank's title block). <paramref name="displayName"/> is used in errors (relative path).</summary>
    public static RawCsv Read(string path, string displayName, int skipLines = 0)
    {
        if (!System.IO.File.Exists(path)) throw new RawDataException(displayName, 0, null, "file is missing.");
        var text = System.IO.File.ReadAllText(path, Encoding.UTF8);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var records = Parse(text, displayName);
        if (records.Count <= skipLines) throw new RawDataException(displayName, records.Count, null, "file has no header line.");
        var header = records[skipLines].Fields.Select(h => h.Trim()).ToArray();
        var csv = new RawCsv(displayName, header);
        foreach (var (line, fields) in records.Skip(skipLines + 1))
        {
            if (fields.Length == 1 && fields[0].Length == 0) continue; // blank line
            if (fields.Length != header.Length)
                throw new RawDataException(displayName, line, fields.Length < header.Length ? header[fields.Length] : null,
                    $"expected {header.Length} fields as in the header, found {fields.Length} (truncated or malformed record).");
            csv.Rows.Add((line, fields));
        }
        if (csv.Rows.Count == 0) throw new RawDataException(displayName, records[skipLines].Line, null, "no data rows.");
        return csv;
    }

    static List<(int Line, string[] Fields)> Parse(string text, string file)
    {
        var result = new List<(int, string[])>();
        var fields = new List<string>();
        var sb = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool inQuotes = false, any = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                    inQuotes = false; i++; continue;
                }
                if (c == '\n') line++;
                sb.Append(c); i++; continue;
            }
            switch (c)
            {
                case '"': inQuotes = true; any = true; i++; break;
                case ',': fields.Add(sb.ToString()); sb.Clear(); any = true; i++; break;
                case '\r': i++; break;
                case '\n':
                    fields.Add(sb.ToString()); sb.Clear();
                    result.Add((recordLine, fields.ToArray())); fields.Clear();
                    line++; recordLine = line; any = false; i++; break;
                default: sb.Append(c); any = true; i++; break;
            }
        }
        if (inQuotes) throw new RawDataException(file, recordLine, null, "unterminated quoted field (truncated file?).");
        if (any || sb.Length > 0) { fields.Add(sb.ToString()); result.Add((recordLine, fields.ToArray())); }
        return result;
    }

    public int Column(string name)
    {
        var i = Array.IndexOf(Header, name);
        return i >= 0 ? i : throw new RawDataException(File, 1, name,
            $"required column is missing (header: {string.Join(",", Header.Take(12))}{(Header.Length > 12 ? ",…" : "")}).");
    }

    public static bool IsMissing(string s) => MissingTokens.Contains(s.Trim());

    /// <summary>A number, or NaN for a missing token. Anything else that is not a number is an error.</summary>
    public double Number(int line, string[] f, int col)
    {
        var s = f[col].Trim();
        if (MissingTokens.Contains(s)) return double.NaN;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new RawDataException(File, line, Header[col], $"'{s}' is not a number.");
    }

    /// <summary>A date in one of <paramref name="formats"/> (time of day must be midnight if present).</summary>
    public DateOnly Date(int line, string[] f, int col, params string[] formats)
    {
        var s = f[col].Trim();
        if (DateTime.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt) && dt.TimeOfDay == TimeSpan.Zero)
            return DateOnly.FromDateTime(dt);
        throw new RawDataException(File, line, Header[col], $"'{s}' is not a date ({string.Join(" or ", formats)}).");
    }
}
