namespace Cbi.Workbench.IO;

/// <summary>Where the library writes progress and warnings (one line per event, prefixed with the stage in
/// brackets, e.g. <c>[walk-forward lgbm] h=5 fold 3 …</c>). Library code never writes to the console
/// directly, so a host can redirect or silence it: a notebook shows it under the cell, the CLI on standard
/// error, a test in its own output. Thread-safe.</summary>
public static class Log
{
    static readonly Lock Gate = new();
    static TextWriter writer = Console.Error;

    /// <summary>The sink of progress lines; standard error by default. Set it to <see cref="TextWriter.Null"/>
    /// to silence the library. Never null.</summary>
    /// <exception cref="ArgumentNullException">when set to null.</exception>
    public static TextWriter Writer
    {
        get { lock (Gate) return writer; }
        set { ArgumentNullException.ThrowIfNull(value); lock (Gate) writer = value; }
    }

    /// <summary>Writes one progress line to <see cref="Writer"/>.</summary>
    /// <param name="line">The text, without a trailing newline.</param>
    public static void Progress(string line)
    {
        lock (Gate) writer.WriteLine(line);
    }
}
