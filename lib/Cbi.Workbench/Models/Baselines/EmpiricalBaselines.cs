using System.Globalization;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>The four fast baselines. Their spread is the empirical distribution of past log returns known at
/// the origin (closes at or before the origin row), so they need no distributional assumption.</summary>
internal abstract class EmpiricalBaseline : IForecaster
{
    protected int horizon;
    DateOnly firstTrainDate, lastTrainDate;
    bool fitted;
    protected readonly int window;

    protected EmpiricalBaseline(int window)
    {
        if (window < 30) throw new ArgumentOutOfRangeException(nameof(window), window, "trailing window must be ≥ 30 trading days.");
        this.window = window;
    }

    public abstract string Name { get; }
    public FitInfo? Info { get; protected set; }
    protected virtual int MinTrainRows => 60;

    public virtual void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        SeriesInput.TrainingLogCloses(Name, frame, trainRows, horizon, Math.Max(MinTrainRows, horizon + 30));
        this.horizon = horizon;
        firstTrainDate = frame.Dates[trainRows[0]]; lastTrainDate = frame.Dates[trainRows[^1]];
        fitted = true;
        Info = SeriesInput.Info(Name, frame, trainRows, horizon, Parameters());
    }

    /// <summary>State of a fitted empirical baseline: rows are kept as dates so a reloaded model predicts on any
    /// frame that holds them.</summary>
    internal sealed record State(int Window, int Horizon, DateOnly FirstTrainDate, DateOnly LastTrainDate, QuantileForecast Constant, FitInfo Info);

    protected virtual QuantileForecast Constant { get => default; set { } }

    public void Save(string directory)
    {
        if (!fitted) throw new InvalidOperationException($"{Name}: Save before Fit.");
        ModelFiles.Write(directory, "state.json", new State(window, horizon, firstTrainDate, lastTrainDate, Constant, Info!));
    }

    internal static T Load<T>(string directory, Func<int, T> create) where T : EmpiricalBaseline
    {
        var m = create(1260);
        var s = ModelFiles.Read<State>(directory, "state.json", m.Name);
        m = create(s.Window);
        m.horizon = s.Horizon; m.firstTrainDate = s.FirstTrainDate; m.lastTrainDate = s.LastTrainDate;
        m.Constant = s.Constant; m.Info = s.Info; m.fitted = true;
        return m;
    }

    protected int FirstTrainRow(Frame frame) => ModelFiles.Row(Name, frame, firstTrainDate, "first training date");

    protected virtual Dictionary<string, string> Parameters() => new() { ["window"] = window.ToString(CultureInfo.InvariantCulture) };

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        if (!fitted) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var lastTrainRow = ModelFiles.Row(Name, frame, lastTrainDate, "last training date");
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < originRows.Count; i++)
        {
            SeriesInput.CheckOrigin(Name, frame, originRows[i], lastTrainRow);
            result[i] = PredictOne(frame, originRows[i]);
        }
        return result;
    }

    protected abstract QuantileForecast PredictOne(Frame frame, int origin);

    /// <summary>P10 and P90 of the lag-<paramref name="lag"/> log returns ending in the trailing window at the
    /// origin, relative to their median (so that the caller supplies the centre).</summary>
    /// <exception cref="ArgumentException">fewer than 30 such returns are known; the message names the sessions the data
    /// lack in that span when there are any (a return across one is missing), else says the history is too short.</exception>
    protected (double Lo, double Hi) CentredSpread(Frame f, int origin, int lag)
    {
        var from = Math.Max(lag, origin - window + 1);
        var r = new List<double>(origin - from + 1);
        for (var s = from; s <= origin; s++)
        {
            // Target is NaN for a return across a hole in the data: the gap is not a lag-day return.
            var v = f.Target(s - lag, lag);
            if (!double.IsNaN(v)) r.Add(v);
        }
        if (r.Count < 30)
        {
            // Returns across a session the data lack are missing, so one lost session can leave none: say that, not "too short".
            var lost = MissingSessions(f, Math.Max(0, from - lag), origin);
            throw new ArgumentException($"{Name}: only {r.Count} past {lag}-day returns before origin {f.Dates[origin]:yyyy-MM-dd}; need ≥ 30 " + (lost.Count == 0
                ? $"(history too short for horizon {horizon})."
                : $"(the data lack the session{(lost.Count > 1 ? "s" : "")} {string.Join(", ", lost.Take(5).Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}" +
                  $"{(lost.Count > 5 ? $" and {lost.Count - 5} more" : "")}, and a {lag}-day return across a missing session is missing, not longer)."));
        }
        var a = r.ToArray(); Array.Sort(a);
        var med = SeriesInput.SortedQuantile(a, 0.5);
        return (SeriesInput.SortedQuantile(a, 0.1) - med, SeriesInput.SortedQuantile(a, 0.9) - med);
    }

    /// <summary>Sessions of the frame's calendar between rows <paramref name="first"/> and <paramref name="last"/> that
    /// have no row, in date order.</summary>
    static List<DateOnly> MissingSessions(Frame f, int first, int last)
    {
        var lost = new List<DateOnly>();
        for (var row = first + 1; row <= last; row++)
            if (f.SessionOf(row) - f.SessionOf(row - 1) > 1)
                lost.AddRange(f.Calendar.Sessions(f.Dates[row - 1], f.Dates[row]).Where(d => d != f.Dates[row - 1] && d != f.Dates[row]));
        return lost;
    }
}

/// <summary>No-change forecast (<c>rw</c>): P50 = 0; P10/P90 = P10/P90 of the overlapping h-day log returns in
/// the trailing window (default 1260 trading days ≈ 5 years), centred on their median.</summary>
internal sealed class RandomWalk(int window = 1260) : EmpiricalBaseline(window)
{
    public override string Name => "rw";
    protected override QuantileForecast PredictOne(Frame f, int origin)
    {
        var (lo, hi) = CentredSpread(f, origin, horizon);
        return new(lo, 0, hi);
    }
}

/// <summary>Random walk with drift (<c>rw_drift</c>): centre h·(ln C_o − ln C_first)/(o − first) over the whole
/// history from the first training row to the origin (Hyndman &amp; Athanasopoulos, FPP3 §5.2), spread as rw.</summary>
internal sealed class RandomWalkWithDrift(int window = 1260) : EmpiricalBaseline(window)
{
    public override string Name => "rw_drift";
    protected override QuantileForecast PredictOne(Frame f, int origin)
    {
        var firstTrainRow = FirstTrainRow(f);
        // Per session, not per row: a session the data lacks still took a day of drift.
        var sessions = f.SessionOf(origin) - f.SessionOf(firstTrainRow);
        var drift = sessions > 0 ? Math.Log(f.Close[origin] / f.Close[firstTrainRow]) / sessions : 0;
        var (lo, hi) = CentredSpread(f, origin, horizon);
        var c = horizon * drift;
        return new(c + lo, c, c + hi);
    }
}

/// <summary>Seasonal naive with a 252-trading-day season (<c>snaive</c>): the price at t+h is forecast by the
/// price at t+h−252, so the centre is ln(C[t+h−252]/C[t]); the error of that rule is a 252-day log return, so
/// the spread is the trailing distribution of 252-day returns around its median. Defined for h ≤ 252.</summary>
internal sealed class SeasonalNaive(int window = 1260) : EmpiricalBaseline(window)
{
    public const int Season = 252;
    public override string Name => "snaive";
    protected override int MinTrainRows => Season + 60;

    public override void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        if (horizon > Season)
            throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"snaive: horizon must be ≤ the season ({Season}).");
        base.Fit(frame, trainRows, horizon);
    }

    protected override QuantileForecast PredictOne(Frame f, int origin)
    {
        // The session one season (252 sessions) before the target; where the data lacks it there is no seasonal value.
        var src = f.RowOfSession(f.SessionOf(origin) + horizon - Season);
        if (src < 0)
        {
            if (f.SessionOf(origin) + horizon - Season < f.SessionOf(0))
                throw new ArgumentException($"snaive: origin {f.Dates[origin]:yyyy-MM-dd} has no close one season before its target.");
            return QuantileForecast.Abstain;
        }
        var c = Math.Log(f.Close[src] / f.Close[origin]);
        var (lo, hi) = CentredSpread(f, origin, Season);
        return new(c + lo, c, c + hi);
    }
}

/// <summary>Historical mean return (<c>mean</c>): the unconditional P10/P50/P90 of the h-day forward returns of
/// the training rows (their targets, which the caller has purged), with P50 replaced by their mean so that the
/// point forecast is the historical mean return. The same forecast for every origin.</summary>
internal sealed class HistoricalMean() : EmpiricalBaseline(30)
{
    QuantileForecast q;
    public override string Name => "mean";
    protected override QuantileForecast Constant { get => q; set => q = value; }
    protected override Dictionary<string, string> Parameters() => new() { ["centre"] = "mean" };

    public override void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        base.Fit(frame, trainRows, horizon);
        var r = new List<double>(trainRows.Count);
        foreach (var row in trainRows)
        {
            var t = frame.Target(row, horizon);
            if (!double.IsNaN(t)) r.Add(t);
        }
        if (r.Count < 30) throw new ArgumentException($"mean: only {r.Count} training rows have an h = {horizon} target; need ≥ 30.", nameof(trainRows));
        var a = r.ToArray(); Array.Sort(a);
        q = new(SeriesInput.SortedQuantile(a, 0.1), a.Average(), SeriesInput.SortedQuantile(a, 0.9));
    }

    protected override QuantileForecast PredictOne(Frame f, int origin) => q;
}
