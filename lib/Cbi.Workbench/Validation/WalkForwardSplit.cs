using System.Globalization;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Validation;

/// <summary>How a walk-forward fold chooses its training rows.</summary>
public enum TrainWindow
{
    /// <summary>Train on every row from <see cref="WalkForwardOptions.TrainStart"/> (or the first row) up to the purge point.</summary>
    Expanding,
    /// <summary>Train on at most <see cref="WalkForwardOptions.WindowRows"/> rows ending at the purge point.</summary>
    Rolling
}

/// <summary>Options of <see cref="WalkForwardSplit"/>. Dates are inclusive; row counts are ZL trading days
/// (rows of the <see cref="Frame"/>).</summary>
public sealed record WalkForwardOptions
{
    /// <summary>Forecast horizon in trading days (≥ 1). Training rows whose target date (row + horizon)
    /// reaches the first scored date of a fold are purged.</summary>
    public int Horizon { get; init; } = 1;
    /// <summary>Number of consecutive scored blocks.</summary>
    public int Folds { get; init; } = 7;
    /// <summary>Rows per scored block (the last block may be shorter; scorable rows beyond Folds × Step are not
    /// scored). Default null: the n scorable rows divided over <see cref="Folds"/> — blocks of ⌈n/K⌉ with the remainder
    /// in the last block, the layout of every published run, as long as that last block keeps at least half a block;
    /// otherwise (where ⌈n/K⌉ would leave the last blocks short or empty, e.g. 36 folds of 873 rows) K balanced
    /// blocks of ⌊n/K⌋ or ⌈n/K⌉ rows, the longer ones first. Every K ≤ n works.</summary>
    public int? Step { get; init; }
    /// <summary>Expanding (default) or rolling training window.</summary>
    public TrainWindow Window { get; init; } = TrainWindow.Expanding;
    /// <summary>Training rows kept by a rolling window (required when <see cref="Window"/> is Rolling).</summary>
    public int? WindowRows { get; init; }
    /// <summary>Extra rows dropped between the last purged training row and the first scored row.</summary>
    public int Embargo { get; init; }
    /// <summary>First date a fold may train on; null = the frame's first row.</summary>
    public DateOnly? TrainStart { get; init; }
    /// <summary>First date that may be scored (default <see cref="Splits.ValidationStart"/>, 2020-01-01).</summary>
    public DateOnly ScoreStart { get; init; } = Splits.ValidationStart;
    /// <summary>Last date that may be scored (default <see cref="Splits.ValidationEnd"/>, 2023-06-30); rows in the holdout
    /// or whose target row is in it are never scored whatever this says.</summary>
    public DateOnly ScoreEnd { get; init; } = Splits.ValidationEnd;
    /// <summary>A fold with fewer training rows than this is an error, not a silently weak fold.</summary>
    public int MinTrainRows { get; init; } = 1;
    /// <summary>Name stored in each <see cref="Fold.Split"/> (default "validation"); not settable through <see cref="Parse"/>.</summary>
    public string SplitName { get; init; } = "validation";

    static readonly string[] Known = ["horizon", "folds", "step", "window", "window-rows", "embargo", "train-start",
        "score-start", "score-end", "min-train-rows"];

    /// <summary>Reads options from key=value text (notebook parameters, CLI). Unknown keys are an error.
    /// Keys: horizon, folds, step, window (expanding|rolling), window-rows, embargo, train-start, score-start,
    /// score-end (dates yyyy-MM-dd), min-train-rows; integers in invariant culture. Values are not range-checked
    /// here (<see cref="WalkForwardSplit.Create(Frame, WalkForwardOptions)"/> does).</summary>
    /// <param name="values">Key → value; keys are case-sensitive.</param>
    /// <exception cref="ArgumentException">An unknown key, or a value that is not an integer, a date or a window name.</exception>
    public static WalkForwardOptions Parse(IReadOnlyDictionary<string, string> values)
    {
        var o = new WalkForwardOptions();
        foreach (var (k, v) in values)
        {
            o = k switch
            {
                "horizon" => o with { Horizon = Int(k, v) },
                "folds" => o with { Folds = Int(k, v) },
                "step" => o with { Step = Int(k, v) },
                "window" => o with
                {
                    Window = v switch
                    {
                        "expanding" => TrainWindow.Expanding,
                        "rolling" => TrainWindow.Rolling,
                        _ => throw new ArgumentException($"split option window='{v}': expected 'expanding' or 'rolling'.")
                    }
                },
                "window-rows" => o with { WindowRows = Int(k, v) },
                "embargo" => o with { Embargo = Int(k, v) },
                "train-start" => o with { TrainStart = Date(k, v) },
                "score-start" => o with { ScoreStart = Date(k, v) },
                "score-end" => o with { ScoreEnd = Date(k, v) },
                "min-train-rows" => o with { MinTrainRows = Int(k, v) },
                _ => throw new ArgumentException($"unknown split option '{k}'; known: {string.Join(", ", Known)}.")
            };
        }
        return o;
    }

    static int Int(string k, string v) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
        ? i : throw new ArgumentException($"split option {k}='{v}' is not an integer.");
    static DateOnly Date(string k, string v) => DateOnly.TryParseExact(v, "yyyy-MM-dd", out var d)
        ? d : throw new ArgumentException($"split option {k}='{v}' is not a date YYYY-MM-DD.");
}

/// <summary>Chronological walk-forward folds over a <see cref="Frame"/>: the scored period is cut into
/// consecutive blocks; each fold trains on rows before its block (expanding, or a rolling window) with every
/// row whose target date reaches the block's first date purged, plus an optional embargo. Scored rows never
/// include holdout rows (≥ <see cref="Splits.HoldoutStart"/>) nor rows whose target date lies in the holdout,
/// so validation metrics never see a holdout price.</summary>
public static class WalkForwardSplit
{
    /// <summary>Walk-forward folds with default options (expanding window, validation period 2020-01-01 → 2023-06-30, no embargo).</summary>
    /// <param name="frame">The frame the fold rows index.</param>
    /// <param name="horizon">Forecast horizon in ZL trading days, ≥ 1.</param>
    /// <param name="folds">Number of scored blocks, ≥ 1.</param>
    /// <returns>As <see cref="Create(Frame, WalkForwardOptions)"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="folds"/> &lt; 1.</exception>
    /// <exception cref="InvalidOperationException">No scorable rows, fewer scorable rows than folds, or a fold with no training rows.</exception>
    public static IReadOnlyList<Fold> Create(Frame frame, int horizon, int folds = 7) =>
        Create(frame, new WalkForwardOptions { Horizon = horizon, Folds = folds });

    /// <summary>Walk-forward folds as described on the class.</summary>
    /// <param name="frame">The frame the fold rows index.</param>
    /// <param name="o">The options.</param>
    /// <returns><see cref="WalkForwardOptions.Folds"/> folds in chronological order, each scoring consecutive scorable rows
    /// (block sizes as described on <see cref="WalkForwardOptions.Step"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">Horizon or folds &lt; 1, embargo &lt; 0, or step &lt; 1.</exception>
    /// <exception cref="ArgumentException">ScoreEnd before ScoreStart, a rolling window without WindowRows ≥ 1, or
    /// WindowRows with an expanding window.</exception>
    /// <exception cref="InvalidOperationException">No scorable rows, fewer scorable rows than folds, a fold whose block
    /// is empty under an explicit step, or a fold with fewer than max(1, <see cref="WalkForwardOptions.MinTrainRows"/>)
    /// training rows.</exception>
    public static IReadOnlyList<Fold> Create(Frame frame, WalkForwardOptions o)
    {
        Validate(o);
        // Scored candidates: inside [ScoreStart, ScoreEnd], before the holdout, with a target date that exists
        // and is itself before the holdout.
        var holdoutRow = Splits.FirstRowOnOrAfter(frame, Splits.HoldoutStart);
        var scored = new List<int>();
        for (var i = 0; i < frame.Rows; i++)
        {
            var d = frame.Dates[i];
            if (d < o.ScoreStart || d > o.ScoreEnd || i >= holdoutRow) continue;
            var tr = frame.TargetRow(i, o.Horizon);
            if (tr < 0 || tr >= holdoutRow) continue;
            scored.Add(i);
        }
        if (scored.Count == 0)
            throw new InvalidOperationException(
                $"no scorable rows between {o.ScoreStart:yyyy-MM-dd} and {o.ScoreEnd:yyyy-MM-dd} at horizon {o.Horizon} " +
                $"(frame {Describe(frame)}; scored rows need a target date before the holdout {Splits.HoldoutStart:yyyy-MM-dd}).");
        if (o.Step is < 1) throw new ArgumentOutOfRangeException(nameof(o.Step), o.Step, "step must be ≥ 1 row.");
        if (o.Step is null && scored.Count < o.Folds)
            throw new InvalidOperationException(
                $"{o.Folds} folds need at least one scored row each, but horizon {o.Horizon} leaves {scored.Count} scorable rows " +
                $"between {o.ScoreStart:yyyy-MM-dd} and {o.ScoreEnd:yyyy-MM-dd} — use at most {scored.Count} folds.");
        var starts = BlockStarts(scored.Count, o.Folds, o.Step);
        var firstTrainRow = o.TrainStart is { } ts ? Splits.FirstRowOnOrAfter(frame, ts) : 0;

        var result = new List<Fold>();
        for (var k = 0; k < o.Folds; k++)
        {
            var block = scored.Skip(starts[k]).Take(starts[k + 1] - starts[k]).ToArray();
            if (block.Length == 0)
                throw new InvalidOperationException(
                    $"fold {k}: no scored rows left ({scored.Count} scorable rows, step {o.Step}, {o.Folds} folds) — reduce folds or step.");
            var first = block[0];
            // Purge: the target of training row i is row i+h; it must fall strictly before the first scored row.
            var lastTrain = first - o.Horizon - 1 - o.Embargo;
            var start = firstTrainRow;
            if (o.Window == TrainWindow.Rolling) start = Math.Max(start, lastTrain - o.WindowRows!.Value + 1);
            var train = Splits.RowsWithTarget(frame, start, lastTrain, o.Horizon);
            if (train.Length < Math.Max(1, o.MinTrainRows))
                throw new InvalidOperationException(
                    $"fold {k} (first scored date {frame.Dates[first]:yyyy-MM-dd}, horizon {o.Horizon}, embargo {o.Embargo}) " +
                    $"has {train.Length} training rows; at least {Math.Max(1, o.MinTrainRows)} needed. " +
                    "Move the scored period later or shorten horizon/embargo.");
            result.Add(new Fold(k, o.Horizon, train, block, o.SplitName));
        }
        return result;
    }

    /// <summary>First position (in the scorable rows) of each block, plus the end of the last: K + 1 offsets.</summary>
    internal static int[] BlockStarts(int n, int folds, int? step)
    {
        var starts = new int[folds + 1];
        if (step is { } st)
        {
            for (var k = 0; k <= folds; k++) starts[k] = (int)Math.Min((long)k * st, n);
            return starts;
        }
        var c = (n + folds - 1) / folds;
        var last = n - (folds - 1) * c;
        // The ⌈n/K⌉ layout is kept wherever it leaves the last block at least half a block: every published
        // walk-forward (7 folds at each horizon) was cut that way, and moving its fold boundaries would change every
        // stored prediction. Where it would starve the last blocks, the sizes are balanced instead.
        if (2 * last >= c)
        {
            for (var k = 0; k < folds; k++) starts[k] = k * c;
            starts[folds] = n;
            return starts;
        }
        int small = n / folds, extra = n % folds;
        for (var k = 0; k < folds; k++) starts[k + 1] = starts[k] + small + (k < extra ? 1 : 0);
        return starts;
    }

    static void Validate(WalkForwardOptions o)
    {
        if (o.Horizon <= 0) throw new ArgumentOutOfRangeException("horizon", o.Horizon, "horizon must be ≥ 1 trading day.");
        if (o.Folds <= 0) throw new ArgumentOutOfRangeException("folds", o.Folds, "folds must be ≥ 1.");
        if (o.Embargo < 0) throw new ArgumentOutOfRangeException("embargo", o.Embargo, "embargo must be ≥ 0 rows.");
        if (o.ScoreEnd < o.ScoreStart)
            throw new ArgumentException($"score-end {o.ScoreEnd:yyyy-MM-dd} is before score-start {o.ScoreStart:yyyy-MM-dd}.");
        if (o.Window == TrainWindow.Rolling && o.WindowRows is not > 0)
            throw new ArgumentException("a rolling window needs window-rows ≥ 1.");
        if (o.Window == TrainWindow.Expanding && o.WindowRows is not null)
            throw new ArgumentException("window-rows applies only to window=rolling.");
    }

    internal static string Describe(Frame f) =>
        f.Rows == 0 ? "empty" : $"{f.Rows} rows {f.Dates[0]:yyyy-MM-dd}…{f.Dates[^1]:yyyy-MM-dd}";
}

/// <summary>The seeds' chronological scheme: train before 2020-01-01, validation folds 2020-01-01 → 2023-06-30,
/// holdout from 2023-07-01 (read only through <see cref="Holdout"/>).</summary>
public static class Splits
{
    /// <summary>Last date of the seed training period, 2019-12-31.</summary>
    public static readonly DateOnly TrainEnd = new(2019, 12, 31);
    /// <summary>First date of the validation period, 2020-01-01.</summary>
    public static readonly DateOnly ValidationStart = new(2020, 1, 1);
    /// <summary>Last date of the validation period, 2023-06-30.</summary>
    public static readonly DateOnly ValidationEnd = new(2023, 6, 30);
    /// <summary>First holdout date, 2023-07-01: rows from here on are read only through <see cref="Holdout.Read"/>.</summary>
    public static readonly DateOnly HoldoutStart = new(2023, 7, 1);

    /// <summary>Walk-forward validation folds over 2020-01-01 → 2023-06-30 (expanding window from the first row).</summary>
    /// <param name="frame">The frame the fold rows index.</param>
    /// <param name="horizon">Forecast horizon in ZL trading days, ≥ 1.</param>
    /// <param name="folds">Number of scored blocks, ≥ 1.</param>
    /// <param name="embargo">Extra rows dropped before each block, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="folds"/> &lt; 1, or <paramref name="embargo"/> &lt; 0.</exception>
    /// <exception cref="InvalidOperationException">No scorable rows, an empty block, or a fold with no training rows.</exception>
    public static IReadOnlyList<Fold> Validation(Frame frame, int horizon, int folds = 7, int embargo = 0) =>
        WalkForwardSplit.Create(frame, new WalkForwardOptions { Horizon = horizon, Folds = folds, Embargo = embargo });

    /// <summary>First date of the scored history before validation (<see cref="History"/>).</summary>
    public static readonly DateOnly HistoryStart = new(2016, 1, 1);

    /// <summary>Split name of the scored history before validation.</summary>
    public const string HistorySplit = "history";

    /// <summary>True for the splits a combination or a calibration may learn from: <c>validation</c> and <see cref="HistorySplit"/>
    /// (never <c>holdout</c>).</summary>
    public static bool IsValidationOrHistory(string split) => split is "validation" or HistorySplit;

    /// <summary>Walk-forward folds over 2016-01-01 → 2019-12-31 (split <c>history</c>, fold indexes −K … −1 so they sort
    /// before the validation folds): forecasts scored before the validation period, for a combination or a calibration
    /// to learn from at the first validation folds (which otherwise have no scored history at all). Not a validation
    /// result: no score of the workbench is reported on them. Expanding windows, purged at the horizon.</summary>
    /// <param name="frame">The frame the fold rows index.</param>
    /// <param name="horizon">Forecast horizon in ZL trading days, ≥ 1.</param>
    /// <param name="folds">Number of scored blocks (default 4, one a year), ≥ 1.</param>
    /// <exception cref="InvalidOperationException">no scorable rows or a fold without training rows.</exception>
    public static IReadOnlyList<Fold> History(Frame frame, int horizon, int folds = 4) =>
        WalkForwardSplit.Create(frame, new WalkForwardOptions { Horizon = horizon, Folds = folds, ScoreStart = HistoryStart, ScoreEnd = TrainEnd, SplitName = HistorySplit })
            .Select(f => f with { Index = f.Index - folds }).ToList();

    /// <summary>The training rows of the seed scheme: dates before 2020-01-01 whose target date is too
    /// (the scaler and any fitted transform are fitted on these).</summary>
    /// <param name="frame">The frame the rows index.</param>
    /// <param name="horizon">Forecast horizon in ZL trading days, ≥ 1.</param>
    /// <returns>Ascending row indices whose target row lies before the first row dated ≥ 2020-01-01.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> &lt; 1.</exception>
    /// <exception cref="InvalidOperationException">No row is early enough.</exception>
    public static int[] TrainRows(Frame frame, int horizon)
    {
        if (horizon <= 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon must be ≥ 1 trading day.");
        var firstValidation = FirstRowOnOrAfter(frame, ValidationStart);
        var last = firstValidation - horizon - 1;
        if (last < 0)
            throw new InvalidOperationException($"no training rows before {ValidationStart:yyyy-MM-dd} at horizon {horizon} " +
                                                $"(frame {WalkForwardSplit.Describe(frame)}).");
        return RowsWithTarget(frame, 0, last, horizon);
    }

    /// <summary>Rows <paramref name="first"/>…<paramref name="last"/> that have a target at the horizon: a row just
    /// before a hole in the data has none and cannot be trained on.</summary>
    internal static int[] RowsWithTarget(Frame frame, int first, int last, int horizon) =>
        Enumerable.Range(first, Math.Max(0, last - first + 1)).Where(i => frame.TargetRow(i, horizon) >= 0).ToArray();

    /// <summary>The rows before the holdout as their own frame: what search and validation notebooks work on,
    /// so that not even a target can reach a holdout price.</summary>
    /// <param name="frame">The full frame.</param>
    /// <returns>A new frame with the rows dated before <see cref="HoldoutStart"/> (copies of the arrays; same feature names).</returns>
    public static Frame Development(Frame frame)
    {
        var n = FirstRowOnOrAfter(frame, HoldoutStart);
        return new Frame(frame.Dates[..n], frame.Close[..n], frame.FeatureNames,
            frame.Features.Select(c => c[..n]).ToArray(), frame.Weights?[..n], frame.Calendar);
    }

    internal static int FirstRowOnOrAfter(Frame frame, DateOnly d)
    {
        var i = Array.BinarySearch(frame.Dates, d);
        return i >= 0 ? i : ~i;
    }
}
