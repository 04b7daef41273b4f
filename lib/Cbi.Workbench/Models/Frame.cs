namespace Cbi.Workbench.Models;

/// <summary>The point-in-time design matrix every model sees: one row per ZL trading day (ascending), the
/// quoted ZL close, the feature columns (NaN = missing, never filled) and optional sample weights.
/// Targets are derived here, from <see cref="Close"/>, so that no feature column can carry one.</summary>
public sealed class Frame
{
    /// <summary>A frame over <paramref name="dates"/>.</summary>
    /// <param name="dates">Trading days, strictly ascending; length n.</param>
    /// <param name="close">Quoted ZL close per date (US cents per pound); length n.</param>
    /// <param name="featureNames">Feature column names; length p.</param>
    /// <param name="features">p columns of length n (column-major), NaN where missing.</param>
    /// <param name="weights">Optional sample weights (finite, ≥ 0), length n.</param>
    /// <exception cref="ArgumentException">lengths disagree, or dates are not strictly ascending (message names the row).</exception>
    public Frame(DateOnly[] dates, double[] close, string[] featureNames, double[][] features, double[]? weights = null)
    {
        if (close.Length != dates.Length) throw new ArgumentException($"close has {close.Length} rows, dates {dates.Length}.");
        if (features.Length != featureNames.Length)
            throw new ArgumentException($"{features.Length} feature columns but {featureNames.Length} names.");
        for (var j = 0; j < features.Length; j++)
            if (features[j].Length != dates.Length)
                throw new ArgumentException($"feature '{featureNames[j]}' has {features[j].Length} rows, dates {dates.Length}.");
        for (var i = 1; i < dates.Length; i++)
            if (dates[i] <= dates[i - 1])
                throw new ArgumentException($"dates must be strictly ascending: row {i} ({dates[i]:yyyy-MM-dd}) follows {dates[i - 1]:yyyy-MM-dd}.");
        if (weights != null && weights.Length != dates.Length) throw new ArgumentException("weights length differs from dates.");
        Dates = dates; Close = close; FeatureNames = featureNames; Features = features; Weights = weights;
        segment = new int[dates.Length];
        for (var i = 1; i < dates.Length; i++)
            segment[i] = segment[i - 1] + (dates[i].DayNumber - dates[i - 1].DayNumber > HoleCalendarDays ? 1 : 0);
    }

    /// <summary>A gap of more than this many calendar days between two ZL trading days is a hole in the data
    /// (2003-11-24…12-26 in the Yahoo series), not a market pause; the warehouse's targets use the same rule.</summary>
    public const int HoleCalendarDays = 30;

    // Rows on either side of a hole belong to different segments: "N trading days ahead" cannot be counted across one.
    readonly int[] segment;

    /// <summary>The trading days, ascending (length <see cref="Rows"/>).</summary>
    public DateOnly[] Dates { get; }
    /// <summary>Quoted (not back-adjusted) ZL close in US cents per pound.</summary>
    public double[] Close { get; }
    /// <summary>Feature column names, in the order of <see cref="Features"/>.</summary>
    public string[] FeatureNames { get; }
    /// <summary>Column-major: <c>Features[j][row]</c>.</summary>
    public double[][] Features { get; }
    /// <summary>Sample weights per row (e.g. regime weights), or null.</summary>
    public double[]? Weights { get; }
    /// <summary>Number of rows (trading days).</summary>
    public int Rows => Dates.Length;

    /// <summary>First 16 hex digits of SHA-256 over the feature names joined by newlines: two frames with the same
    /// hash have the same columns in the same order.</summary>
    public string FeatureHash => featureHash ??= HashOf(FeatureNames);
    string? featureHash;

    internal static string HashOf(IEnumerable<string> names) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', names))))[..16];

    /// <summary>Row index of <paramref name="date"/>, or -1 when the frame has no such trading day.</summary>
    public int RowOf(DateOnly date) { var i = Array.BinarySearch(Dates, date); return i >= 0 ? i : -1; }

    /// <summary>Row index of the n-th next ZL trading day, or -1 when beyond the data or across a hole.</summary>
    public int TargetRow(int row, int horizon) =>
        row + horizon < Rows && segment[row + horizon] == segment[row] ? row + horizon : -1;

    /// <summary>Forward log return ln(close[t+h]/close[t]); NaN when t+h is beyond the data or across a hole.</summary>
    public double Target(int row, int horizon)
    {
        if (horizon <= 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon must be ≥ 1 trading day.");
        var t = TargetRow(row, horizon);
        return t < 0 ? double.NaN : Math.Log(Close[t] / Close[row]);
    }
}
