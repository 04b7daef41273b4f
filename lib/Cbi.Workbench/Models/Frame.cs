using Cbi.Workbench.Data;

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
    /// <param name="calendar">Exchange calendar the dates are sessions of (default <see cref="SessionCalendar.Weekdays"/>;
    /// real ZL data uses <see cref="SessionCalendar.Cbot"/>).</param>
    /// <exception cref="ArgumentException">lengths disagree, dates are not strictly ascending, or a date is not a session
    /// of the calendar (message names the row).</exception>
    public Frame(DateOnly[] dates, double[] close, string[] featureNames, double[][] features, double[]? weights = null,
        SessionCalendar? calendar = null)
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
        Calendar = calendar ?? SessionCalendar.Weekdays;
        session = new int[dates.Length];
        for (var i = 0; i < dates.Length; i++)
        {
            if (!Calendar.IsSession(dates[i]))
                throw new ArgumentException($"row {i} ({dates[i]:yyyy-MM-dd}) is not a {Calendar.Name} session ({Calendar.ClosureReason(dates[i]) ?? dates[i].DayOfWeek.ToString()}).", nameof(dates));
            session[i] = Calendar.SessionNumber(dates[i]);
        }
    }

    // Session number of each row on the calendar: "N trading days ahead" is N sessions ahead, so a span over a
    // session the data lacks (a gap) is never counted as a shorter one.
    readonly int[] session;

    /// <summary>The exchange calendar the rows' trading days are counted on (<see cref="SessionCalendar.Weekdays"/>
    /// when none was given).</summary>
    public SessionCalendar Calendar { get; }

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

    /// <summary>Row index of the <paramref name="horizon"/>-th next session, or -1 when it lies beyond the data or the
    /// data lacks a session in between (a gap: the row <paramref name="horizon"/> rows later is further away).</summary>
    public int TargetRow(int row, int horizon) =>
        row + horizon < Rows && session[row + horizon] - session[row] == horizon ? row + horizon : -1;

    /// <summary>Session number of a row on <see cref="Calendar"/> (consecutive sessions differ by 1).</summary>
    internal int SessionOf(int row) => session[row];

    /// <summary>The row holding session number <paramref name="s"/>, or -1 when the data lacks that session.</summary>
    internal int RowOfSession(int s) { var i = Array.BinarySearch(session, s); return i >= 0 ? i : -1; }

    /// <summary>True when rows <paramref name="row"/> − 1 and <paramref name="row"/> are consecutive sessions (no gap).</summary>
    public bool FollowsWithoutGap(int row) => row > 0 && session[row] - session[row - 1] == 1;

    /// <summary>Forward log return ln(close[t+h]/close[t]); NaN when t+h is beyond the data or the span has a gap.</summary>
    public double Target(int row, int horizon)
    {
        if (horizon <= 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon must be ≥ 1 trading day.");
        var t = TargetRow(row, horizon);
        return t < 0 ? double.NaN : Math.Log(Close[t] / Close[row]);
    }
}
