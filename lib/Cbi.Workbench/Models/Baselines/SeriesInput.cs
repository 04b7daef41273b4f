namespace Cbi.Workbench.Models.Baselines;

/// <summary>Input checks shared by the statistical baselines, so that every model rejects the same bad input
/// with the same kind of message (parameter, row, date).</summary>
internal static class SeriesInput
{
    /// <summary>A run of missing sessions longer than this is a hole (the 2003-11-24…12-26 month without Yahoo bars): a
    /// time-series model is fitted on the data after it, never filtered through it. Shorter gaps (an early-close session
    /// Yahoo left empty, a day in 2000–2001) stay inside the series as missing values that each model handles.</summary>
    internal const int MaxGapSessions = 5;

    /// <summary>The log closes on the session grid from row <paramref name="first"/> to row <paramref name="last"/>:
    /// one value per expected session, NaN where the data lacks the session (never filled).</summary>
    internal static double[] SessionGrid(string model, Frame frame, int first, int last)
    {
        var y = new double[frame.SessionOf(last) - frame.SessionOf(first) + 1];
        Array.Fill(y, double.NaN);
        for (var r = first; r <= last; r++) y[frame.SessionOf(r) - frame.SessionOf(first)] = LogClose(model, frame, r);
        return y;
    }

    /// <summary>Checks the training rows and returns the log closes on the session grid from the first to the last
    /// training row (NaN at sessions the data lacks; the rows must be one run, see <see cref="UnbrokenTrainingRows"/>).</summary>
    internal static double[] TrainingLogCloses(string model, Frame frame, IReadOnlyList<int> trainRows, int horizon, int minRows)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(trainRows);
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"{model}: horizon must be ≥ 1 trading day.");
        if (trainRows.Count < minRows)
            throw new ArgumentException($"{model}: too short a series: {trainRows.Count} training rows, need at least {minRows} (horizon {horizon}).", nameof(trainRows));
        if (horizon >= trainRows.Count)
            throw new ArgumentException($"{model}: horizon {horizon} is not shorter than the {trainRows.Count} training rows.", nameof(horizon));
        var y = new double[trainRows.Count];
        for (var i = 0; i < trainRows.Count; i++)
        {
            var r = trainRows[i];
            if (r < 0 || r >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(trainRows), r, $"{model}: training row outside the frame (0..{frame.Rows - 1}).");
            if (i > 0 && r <= trainRows[i - 1]) throw new ArgumentException($"{model}: training rows must be strictly ascending (position {i}).", nameof(trainRows));
            y[i] = LogClose(model, frame, r);
        }
        var first = y[0];
        if (y.All(v => v == first))
            throw new ArgumentException($"{model}: constant series: all {y.Length} training closes equal {Math.Exp(first)}.", nameof(trainRows));
        return SessionGrid(model, frame, trainRows[0], trainRows[^1]);
    }

    /// <summary>The rows a time-series model (ETS, ARIMA, GARCH) is fitted on: the unbroken run of trading days
    /// that ends at the last training row and starts at the first training row or just after the latest hole in
    /// the data before it. The splits leave out rows whose target crosses a hole, and the hole itself is a month
    /// without prices, so the training rows are not one series; stitching them together would make the gap one
    /// "daily" step of the model. Rows inside the run are all at or before the last training row, so their
    /// closes are known when the model is fitted.</summary>
    internal static int[] UnbrokenTrainingRows(string model, Frame frame, IReadOnlyList<int> trainRows)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(trainRows);
        if (trainRows.Count == 0) throw new ArgumentException($"{model}: no training rows.", nameof(trainRows));
        int first = trainRows[0], last = trainRows[^1];
        if (first < 0 || last >= frame.Rows || first > last)
            throw new ArgumentOutOfRangeException(nameof(trainRows), $"{model}: training rows {first}..{last} are not ascending rows of the frame (0..{frame.Rows - 1}).");
        var start = last;
        while (start > first && frame.SessionOf(start) - frame.SessionOf(start - 1) - 1 <= MaxGapSessions) start--;
        // Not printed per fit (every fold after 2003 would say it): the model's FitInfo.TrainStart records the run used.
        return Enumerable.Range(start, last - start + 1).ToArray();
    }

    /// <summary>The log closes on the session grid from a time-series model's first training row through the origin
    /// (NaN at sessions the data lacks), which its fitted recursion is filtered through; that span must not cross a
    /// hole in the data.</summary>
    internal static double[] LogClosesThrough(string model, Frame frame, int firstRow, int origin)
    {
        for (var r = firstRow + 1; r <= origin; r++)
            if (frame.SessionOf(r) - frame.SessionOf(r - 1) - 1 > MaxGapSessions)
                throw new ArgumentException($"{model}: origin row {origin} ({frame.Dates[origin]:yyyy-MM-dd}) lies across a hole in the data " +
                                            $"from the training rows (from {frame.Dates[firstRow]:yyyy-MM-dd}); refit on rows after the hole.");
        return SessionGrid(model, frame, firstRow, origin);
    }

    internal static double LogClose(string model, Frame frame, int row)
    {
        var c = frame.Close[row];
        if (double.IsNaN(c)) throw new ArgumentException($"{model}: NaN close at row {row} ({frame.Dates[row]:yyyy-MM-dd}), column close.");
        if (!(c > 0)) throw new ArgumentException($"{model}: non-positive close {c} at row {row} ({frame.Dates[row]:yyyy-MM-dd}), column close.");
        return Math.Log(c);
    }

    internal static void CheckOrigin(string model, Frame frame, int row, int lastTrainRow)
    {
        if (row < 0 || row >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"{model}: origin row outside the frame.");
        if (row < lastTrainRow)
            throw new ArgumentException($"{model}: origin row {row} ({frame.Dates[row]:yyyy-MM-dd}) precedes the end of training (row {lastTrainRow}).");
    }

    /// <summary>Empirical quantile, R type 7 (linear interpolation of order statistics) on a sorted array.</summary>
    internal static double SortedQuantile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    internal static FitInfo Info(string model, Frame frame, IReadOnlyList<int> trainRows, int horizon, IReadOnlyDictionary<string, string> parameters) =>
        new(model, horizon, frame.Dates[trainRows[0]], frame.Dates[trainRows[^1]], trainRows.Count, "none", parameters, 0);
}
