namespace Cbi.Workbench.Models.Baselines;

/// <summary>Input checks shared by the statistical baselines, so that every model rejects the same bad input
/// with the same kind of message (parameter, row, date).</summary>
internal static class SeriesInput
{
    /// <summary>Checks the training rows and returns the log closes along them (ascending rows).</summary>
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
        return y;
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
