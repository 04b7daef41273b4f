using Cbi.Workbench.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Validation;

/// <summary>The only door to holdout rows (dates ≥ 2023-07-01). Each read is appended to
/// artifacts/&lt;profile&gt;/holdout-reads.jsonl (time UTC, caller, reason, git commit). The holdout is meant to be
/// read once: a second read fails unless the caller passes <c>release: true</c>, which is recorded too, so every
/// extra look at the holdout is visible in the log.</summary>
public static class Holdout
{
    /// <summary>First holdout date, 2023-07-01 (<see cref="Splits.HoldoutStart"/>).</summary>
    public static DateOnly Start => Splits.HoldoutStart;

    /// <summary>One entry of the read log.</summary>
    /// <param name="TimeUtc">When the read happened, UTC.</param>
    /// <param name="Caller">"file:line member" of the code that called <see cref="Read"/>.</param>
    /// <param name="Reason">The reason given, trimmed.</param>
    /// <param name="Commit">Git commit of the working tree at the time.</param>
    /// <param name="Profile">Run profile parameter at the time (smoke or full).</param>
    /// <param name="Release">Whether the read was made with <c>release: true</c>.</param>
    /// <param name="Rows">Number of holdout rows handed out.</param>
    /// <param name="FirstDate">Date of the first holdout row, yyyy-MM-dd.</param>
    /// <param name="LastDate">Date of the last holdout row, yyyy-MM-dd.</param>
    public sealed record ReadRecord(DateTime TimeUtc, string Caller, string Reason, string Commit, string Profile,
        bool Release, int Rows, string FirstDate, string LastDate);

    /// <summary>Default log: artifacts/&lt;profile&gt;/holdout-reads.jsonl.</summary>
    public static string DefaultLogPath => Path.Combine(Workbench.ProfileDir, "holdout-reads.jsonl");

    /// <summary>Reads the holdout rows of <paramref name="frame"/> and records the read.</summary>
    /// <param name="frame">The full frame; its rows dated ≥ <see cref="Start"/> are the holdout.</param>
    /// <param name="reason">Why the holdout is being looked at (required, non-empty).</param>
    /// <param name="release">Must be true for any read after the first one recorded in the log.</param>
    /// <param name="logPath">Read log; defaults to <see cref="DefaultLogPath"/>.</param>
    /// <param name="member">Filled in by the compiler (caller member name); do not pass.</param>
    /// <param name="profile">The run profile recorded with the read; default the active one (the entry points' parameter).</param>
    /// <param name="file">Filled in by the compiler (caller source file); do not pass.</param>
    /// <param name="line">Filled in by the compiler (caller line number); do not pass.</param>
    /// <returns>The holdout rows (every row from the first one dated ≥ <see cref="Start"/> to the end of the frame).</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty or whitespace.</exception>
    /// <exception cref="InvalidOperationException">The log already records a read and <paramref name="release"/> is false,
    /// or the frame has no holdout rows.</exception>
    /// <exception cref="InvalidDataException">The existing log has a line that is not a read record.</exception>
    public static HoldoutSet Read(Frame frame, string reason, bool release = false, string? logPath = null, string? profile = null,
        [CallerMemberName] string member = "", [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new ArgumentException("a holdout read needs a reason (why are you looking at the holdout?).", nameof(reason));
        var path = logPath ?? DefaultLogPath;
        var previous = History(path);
        if (previous.Count > 0 && !release)
        {
            var p = previous[^1];
            throw new InvalidOperationException(
                $"the holdout was already read ({previous.Count} read(s) in {path}; last {p.TimeUtc:yyyy-MM-dd HH:mm:ss}Z by {p.Caller}, " +
                $"reason '{p.Reason}'). Reading it again requires release: true, which is recorded.");
        }
        var first = Splits.FirstRowOnOrAfter(frame, Start);
        if (first >= frame.Rows)
            throw new InvalidOperationException($"the frame has no holdout rows (frame {WalkForwardSplit.Describe(frame)}, holdout from {Start:yyyy-MM-dd}).");
        var rows = Enumerable.Range(first, frame.Rows - first).ToArray();
        var rec = new ReadRecord(DateTime.UtcNow, $"{Path.GetFileName(file)}:{line} {member}", reason.Trim(),
            Benchmark.GitCommit(), profile ?? Workbench.Parameter("profile", "smoke"), release, rows.Length,
            frame.Dates[first].ToString("yyyy-MM-dd"), frame.Dates[^1].ToString("yyyy-MM-dd"));
        JsonLines.Append(path, rec);
        Log.Progress($"[holdout] read {rows.Length} rows {rec.FirstDate}…{rec.LastDate} recorded in {Workbench.Relative(path)}");
        return new HoldoutSet(frame, rows);
    }

    /// <summary>The recorded reads (empty when none), in log order.</summary>
    /// <param name="logPath">Read log; defaults to <see cref="DefaultLogPath"/>.</param>
    /// <exception cref="InvalidDataException">A non-blank line is not a read record.</exception>
    public static IReadOnlyList<ReadRecord> History(string? logPath = null) =>
        JsonLines.Read<ReadRecord>(logPath ?? DefaultLogPath, "a holdout read record");
}

/// <summary>Holdout rows handed out by <see cref="Holdout.Read"/>, with the fold for each horizon: train on
/// every row before 2023-07-01 whose target date is before it too, score the holdout rows that have a target.</summary>
public sealed class HoldoutSet
{
    internal HoldoutSet(Frame frame, int[] rows) { Frame = frame; Rows = rows; }
    /// <summary>The full frame the holdout rows index.</summary>
    public Frame Frame { get; }
    /// <summary>Holdout row indices into <see cref="Frame"/>, ascending and contiguous to the frame's end (non-empty).</summary>
    public int[] Rows { get; }

    /// <summary>The holdout fold at a horizon: train rows are all rows from 0 whose target row lies strictly before
    /// the first holdout row minus <paramref name="embargo"/>; score rows are the holdout rows that have a target.</summary>
    /// <param name="horizon">Forecast horizon in ZL trading days, ≥ 1.</param>
    /// <param name="embargo">Extra rows dropped before the holdout, ≥ 0.</param>
    /// <returns>A fold with index 0 and split name "holdout".</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> &lt; 1 or <paramref name="embargo"/> &lt; 0.</exception>
    /// <exception cref="InvalidOperationException">No row is early enough to train on.</exception>
    public Fold Fold(int horizon, int embargo = 0)
    {
        if (horizon <= 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon must be ≥ 1 trading day.");
        if (embargo < 0) throw new ArgumentOutOfRangeException(nameof(embargo), embargo, "embargo must be ≥ 0 rows.");
        var first = Rows[0];
        var last = first - horizon - 1 - embargo;
        if (last < 0)
            throw new InvalidOperationException($"holdout fold at horizon {horizon}: no training rows before {Frame.Dates[first]:yyyy-MM-dd}.");
        var score = Rows.Where(r => Frame.TargetRow(r, horizon) >= 0).ToArray();
        return new Fold(0, horizon, Splits.RowsWithTarget(Frame, 0, last, horizon), score, "holdout");
    }
}
