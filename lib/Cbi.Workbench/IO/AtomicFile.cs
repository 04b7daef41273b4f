namespace Cbi.Workbench.IO;

/// <summary>Writes a file so that readers see either the old content or the complete new one: the writer
/// fills a temporary sibling, which is renamed over the target only when the writer returns.</summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<string> writeToTempPath)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = TempPath(full);
        try
        {
            writeToTempPath(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, tmp => File.WriteAllText(tmp, text, new System.Text.UTF8Encoding(false)));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

    /// <summary>Appends lines to a text file by rewriting it atomically: a crash leaves the previous file, never a torn
    /// line; a last line without its newline gets one first; an absent or empty file starts with <paramref name="header"/>
    /// when one is given.</summary>
    public static void AppendLines(string path, IEnumerable<string> lines, string? header = null)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        if (text.Length == 0 && header != null) text = header + "\n";
        if (text.Length > 0 && !text.EndsWith('\n')) text += "\n";
        WriteAllText(path, text + string.Concat(lines.Select(l => l + "\n")));
    }

    /// <summary>A temporary sibling of <paramref name="full"/> named after this process
    /// (<c>name.&lt;pid&gt;-&lt;random&gt;.tmp</c>), after removing the temporaries that killed writers left behind.</summary>
    internal static string TempPath(string full)
    {
        RemoveStaleTemps(full);
        return $"{full}.{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.tmp";
    }

    /// <summary>Deletes <c>full.*.tmp</c> (and DuckDB's <c>.tmp.wal</c>) left by writers that are no longer running: a
    /// killed write leaves its temporary file, and the next write cleans it up. Files of live processes are kept.</summary>
    internal static void RemoveStaleTemps(string full)
    {
        var dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir)) return;
        var name = Path.GetFileName(full);
        foreach (var f in Directory.EnumerateFiles(dir, name + ".*.tmp*"))
        {
            var rest = Path.GetFileName(f)[(name.Length + 1)..];
            if (!(rest.EndsWith(".tmp", StringComparison.Ordinal) || rest.EndsWith(".tmp.wal", StringComparison.Ordinal))) continue;
            var dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest[..dash], out var pid) && IsAlive(pid)) continue;
            try { File.Delete(f); } catch (IOException) { /* in use by a writer we could not see; next time */ }
        }
    }

    static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
