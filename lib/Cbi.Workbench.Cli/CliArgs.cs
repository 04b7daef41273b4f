namespace Cbi.Workbench.Cli;

/// <summary>Minimal `--name value` / `--flag` parsing shared by the commands.</summary>
internal sealed class CliArgs
{
    readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);
    public List<string> Positional { get; } = [];

    public CliArgs(string[] args, params string[] flags)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) { Positional.Add(a); continue; }
            var eq = a.IndexOf('=');
            string name, value;
            if (eq > 0) { name = a[2..eq]; value = a[(eq + 1)..]; }
            else if (flags.Contains(a[2..])) { name = a[2..]; value = "true"; }
            else
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"option {a} needs a value.");
                name = a[2..]; value = args[++i];
            }
            if (!options.TryGetValue(name, out var list)) options[name] = list = [];
            list.Add(value);
        }
    }

    public string? Get(string name) => options.TryGetValue(name, out var l) ? l[^1] : null;
    public IReadOnlyList<string> All(string name) => options.TryGetValue(name, out var l) ? l : [];
    public bool Has(string name) => options.ContainsKey(name);

    public DateOnly? GetDate(string name)
    {
        var s = Get(name);
        if (s is null) return null;
        return DateOnly.TryParseExact(s, "yyyy-MM-dd", out var d)
            ? d
            : throw new ArgumentException($"--{name} '{s}' is not a date of the form YYYY-MM-DD.");
    }

    /// <summary>An integer option ≥ <paramref name="min"/>, or <paramref name="defaultValue"/> when absent.</summary>
    public int GetInt(string name, int defaultValue, int min = 1) =>
        Get(name) is { } s ? ParseInt(s, "--" + name, min) : defaultValue;

    /// <summary>A comma-separated list of integers ≥ <paramref name="min"/> (e.g. horizons), or the default when absent.</summary>
    public int[] GetInts(string name, int[] defaultValue, int min = 1) =>
        Get(name) is { } s ? s.Split(',', StringSplitOptions.TrimEntries).Select(x => ParseInt(x, "--" + name, min)).ToArray() : defaultValue;

    static int ParseInt(string s, string option, int min) =>
        int.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new ArgumentException($"{option} '{s}' is not an integer ≥ {min}.");

    public void RejectUnknown(params string[] known)
    {
        foreach (var k in options.Keys)
            if (!known.Contains(k)) throw new ArgumentException($"unknown option --{k}; known: {string.Join(", ", known.Select(x => "--" + x))}.");
    }
}
