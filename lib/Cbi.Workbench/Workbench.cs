namespace Cbi.Workbench;

/// <summary>Where things live and which run profile is active. Notebooks, the CLI and tests resolve every
/// path through here so that a notebook opened in VS Code and the same notebook run headless agree.</summary>
public static class Workbench
{
    /// <summary>The repository root: the nearest folder upward (from the current directory, then from this
    /// assembly's folder) that holds Cbi.Workbench.sln. Override with CBI_ROOT.</summary>
    public static string Root => root ??= FindRoot();
    static string? root;

    public static string DataDir => Path.Combine(Root, "data");
    public static string RawDir => Path.Combine(DataDir, "raw");
    public static string WarehousePath => Path.Combine(DataDir, "warehouse.duckdb");
    public static string ArtifactsDir => Path.Combine(Root, "artifacts");
    public static string BenchDir => Path.Combine(ArtifactsDir, "bench");

    /// <summary>artifacts/&lt;profile&gt;/ for the active profile.</summary>
    public static string ProfileDir => Path.Combine(ArtifactsDir, Profile);

    /// <summary>Active run profile: <c>smoke</c> (CI, minutes) or <c>full</c> (≈2 h on 2 cores).
    /// The headless runner's <c>--input profile=…</c> sets it; in VS Code it defaults to smoke.</summary>
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
    public static string Parameter(string key, string defaultValue)
    {
        var v = Environment.GetEnvironmentVariable(ParameterVariable(key));
        return string.IsNullOrWhiteSpace(v) ? defaultValue : v;
    }

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
