namespace Cbi.Workbench;

/// <summary>Where things live and which run profile is active. Notebooks, the CLI and tests resolve every
/// path through here so that a notebook opened in VS Code and the same notebook run headless agree.</summary>
public static class Workbench
{
    /// <summary>The repository root: the nearest folder upward (from the current directory, then from this
    /// assembly's folder) that holds Cbi.Workbench.sln. Override with CBI_ROOT. Resolved on first use and cached
    /// for the life of the process.</summary>
    /// <exception cref="DirectoryNotFoundException">CBI_ROOT is unset and no such folder exists.</exception>
    public static string Root => root ??= FindRoot();
    static string? root;

    /// <summary>A path as shown to people and stored in artifacts: relative to <see cref="Root"/> (with '/') when it lies
    /// inside the repository, so executed notebooks and records carry no machine's absolute paths; unchanged otherwise.</summary>
    /// <param name="path">Any path (relative paths are taken from the current directory).</param>
    public static string Relative(string path)
    {
        var full = Path.GetFullPath(path);
        var rel = Path.GetRelativePath(Root, full);
        return rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? full : rel.Replace('\\', '/');
    }

    /// <summary>&lt;root&gt;/data.</summary>
    public static string DataDir => Path.Combine(Root, "data");
    /// <summary>&lt;root&gt;/data/raw: the vendored raw files and MANIFEST.tsv.</summary>
    public static string RawDir => Path.Combine(DataDir, "raw");
    /// <summary>&lt;root&gt;/data/warehouse.duckdb: the warehouse built by <see cref="Data.Warehouse.Build"/>.</summary>
    public static string WarehousePath => Path.Combine(DataDir, "warehouse.duckdb");
    /// <summary>&lt;root&gt;/artifacts.</summary>
    public static string ArtifactsDir => Path.Combine(Root, "artifacts");
    /// <summary>&lt;root&gt;/artifacts/bench.</summary>
    public static string BenchDir => Path.Combine(ArtifactsDir, "bench");

    /// <summary>artifacts/&lt;profile&gt;/ for the active profile.</summary>
    public static string ProfileDir => Path.Combine(ArtifactsDir, Profile);

    /// <summary>Active run profile: <c>smoke</c> (CI, minutes) or <c>full</c> (≈2 h on 2 cores).
    /// The headless runner's <c>--input profile=…</c> sets it; in VS Code it defaults to smoke. Read from
    /// CBI_INPUT_PROFILE on every access.</summary>
    /// <exception cref="ArgumentException">CBI_INPUT_PROFILE holds anything other than smoke or full.</exception>
    public static string Profile
    {
        get
        {
            var p = Parameter("profile", "smoke");
            return p is "smoke" or "full"
                ? p
                : throw new ArgumentException($"Unknown profile '{p}': expected 'smoke' or 'full'.");
        }
    }

    /// <summary>A notebook or CLI parameter. The runner's <c>--input key=value</c> arrives as the
    /// environment variable CBI_INPUT_&lt;KEY&gt; (upper case), which works identically in VS Code.</summary>
    /// <param name="key">Parameter name (any case).</param>
    /// <param name="defaultValue">Returned when the variable is unset, empty or whitespace.</param>
    /// <returns>The variable's value (not trimmed) or <paramref name="defaultValue"/>.</returns>
    public static string Parameter(string key, string defaultValue)
    {
        var v = Environment.GetEnvironmentVariable(ParameterVariable(key));
        return string.IsNullOrWhiteSpace(v) ? defaultValue : v;
    }

    /// <summary>The environment variable that carries parameter <paramref name="key"/>: CBI_INPUT_ + the key in upper case.</summary>
    /// <param name="key">Parameter name (any case).</param>
    public static string ParameterVariable(string key) => "CBI_INPUT_" + key.ToUpperInvariant();

    static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("CBI_ROOT");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Cbi.Workbench.sln"))) return d.FullName;
        }
        throw new DirectoryNotFoundException(
            "Cannot find the workbench root (a folder holding Cbi.Workbench.sln) above " +
            Directory.GetCurrentDirectory() + "; set CBI_ROOT.");
    }
}
