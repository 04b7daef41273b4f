using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Operations;

/// <summary>What an operational forecast is for: the <c>released</c> model of its horizon, the <c>reference</c> random walk
/// it is scored against (same origins), or a <c>shadow</c> candidate forecasting beside the release before any swap.</summary>
public static class Roles
{
    /// <summary>The released model of the horizon (the release card's model and version).</summary>
    public const string Released = "released";
    /// <summary>The random walk fitted like the release: the skill reference.</summary>
    public const string Reference = "reference";
    /// <summary>A candidate forecasting beside the release (never used for decisions until promoted).</summary>
    public const string Shadow = "shadow";
}

/// <summary>One forecast made in operations, from one origin session, as log returns and as ZL prices.</summary>
/// <param name="OriginDate">The session whose close is the last price used (the as-of date).</param>
/// <param name="Horizon">Trading days ahead (1, 5, 21, 63, 126, 252).</param>
/// <param name="TargetDate">The <paramref name="Horizon"/>-th CBOT session after the origin (from the exchange calendar;
/// it may lie beyond the data).</param>
/// <param name="Role"><see cref="Roles"/>.</param>
/// <param name="Model">Catalogue model name.</param>
/// <param name="Version">Model-store version of the fit that forecast (12 hex digits).</param>
/// <param name="OriginClose">ZL close at the origin, US cents per pound (&gt; 0).</param>
/// <param name="Q10">P10 of the log return ln(C[target]/C[origin]).</param>
/// <param name="Q50">Median log return.</param>
/// <param name="Q90">P90 log return (Q10 ≤ Q50 ≤ Q90).</param>
/// <param name="Release">Id of the release the forecast came from (<see cref="OperationalModels.ReleaseId"/>: 12 hex digits
/// naming the released models, versions and shadows), whatever its role.</param>
/// <param name="CreatedAt">When the forecast was first made (UTC); a re-run keeps the first.</param>
/// <param name="ExAnte">True for a forecast made as a live one is: its origin was the last ZL session in the data when it was
/// made, so nothing after the origin was known. False for an ex-post forecast — a replayed day, or <c>cbi forecast --as-of</c>
/// a past day — made from data cut at its origin (the same numbers, tested) but filed when later sessions, part of its
/// outcome path, were already in the data. A ledger written before this field existed reads as false.</param>
public sealed record OperationalForecast(DateOnly OriginDate, int Horizon, DateOnly TargetDate, string Role, string Model, string Version,
    double OriginClose, double Q10, double Q50, double Q90, string Release, DateTime CreatedAt, bool ExAnte = false)
{
    /// <summary>P10 of the price at the target date, US cents per pound: close · exp(Q10).</summary>
    public double P10 => OriginClose * Math.Exp(Q10);
    /// <summary>Median price at the target date.</summary>
    public double P50 => OriginClose * Math.Exp(Q50);
    /// <summary>P90 price at the target date.</summary>
    public double P90 => OriginClose * Math.Exp(Q90);
    /// <summary>"model@version", as the forecast export cites a fit.</summary>
    public string ModelVersion => $"{Model}@{Version}";

    /// <summary>The row of the warehouse table <c>forecasts</c> (prices).</summary>
    public ForecastRow InPrices() => new(OriginDate, Horizon, TargetDate, ModelVersion, P10, P50, P90, CreatedAt);
}

/// <summary>One model operated at one horizon: its role, name, version and the fitted forecaster (owned by
/// <see cref="OperationalModels"/>).</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Role"><see cref="Roles"/>.</param>
/// <param name="Model">Catalogue model name.</param>
/// <param name="Version">Model-store version.</param>
/// <param name="Inputs">What the model reads (selects its frame).</param>
/// <param name="Forecaster">The fitted model.</param>
public sealed record OperatedModel(int Horizon, string Role, string Model, string Version, ModelInputs Inputs, IForecaster Forecaster);

/// <summary>An origin at which an operated model made no forecast, with the reason (its missing-input rule, the sanity
/// bound, or no such session).</summary>
/// <param name="OriginDate">The origin asked for.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Role"><see cref="Roles"/>.</param>
/// <param name="Model">Catalogue model name.</param>
/// <param name="Reason">Why there is no forecast.</param>
public sealed record OperationalAbstention(DateOnly OriginDate, int Horizon, string Role, string Model, string Reason);

/// <summary>The models operations run: per horizon the released fit named on the release card, the random walk fitted the
/// same way (the reference every forecast is scored against) and optionally a shadow candidate. Forecasting is a pure
/// function of the fitted models and the frames handed in: a forecast at an origin uses closes and features at or before
/// that origin only (the <see cref="IForecaster.Predict"/> contract; tested by cutting the data at the origin).</summary>
public sealed class OperationalModels : IDisposable
{
    /// <summary>The operated models, ordered by horizon then role.</summary>
    public IReadOnlyList<OperatedModel> Models { get; }
    /// <summary>The release id (see <see cref="ReleaseId"/>) all forecasts are filed under.</summary>
    public string Release { get; }

    /// <summary>Operates <paramref name="models"/> under release id <paramref name="release"/>; takes ownership (disposes them).</summary>
    /// <exception cref="ArgumentException">no released model, a horizon without a reference, or a (horizon, role) twice.</exception>
    public OperationalModels(IReadOnlyList<OperatedModel> models, string release)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (!models.Any(m => m.Role == Roles.Released)) throw new ArgumentException("operations need at least one released model.", nameof(models));
        foreach (var h in models.Select(m => m.Horizon).Distinct())
            if (!models.Any(m => m.Horizon == h && m.Role == Roles.Reference))
                throw new ArgumentException($"horizon {h} has no reference (random-walk) model to score against.", nameof(models));
        var twice = models.GroupBy(m => (m.Horizon, m.Role)).FirstOrDefault(g => g.Count() > 1);
        if (twice != null) throw new ArgumentException($"horizon {twice.Key.Horizon} has {twice.Count()} {twice.Key.Role} models.", nameof(models));
        Models = models.OrderBy(m => m.Horizon).ThenBy(m => m.Role, StringComparer.Ordinal).ToList();
        Release = release;
    }

    /// <summary>The release id of a release file: the first 12 hex digits of SHA-256 of what it puts into operation — per
    /// horizon the released model and version, and the shadow candidate it names with that candidate's validation score and
    /// origins (the shadow is fitted when operations start, so its evidence stands in for its fit: re-tuned, it scores
    /// differently). A promotion, a new fit or a re-tuned shadow changes it; re-worded or added evidence on the cards (a
    /// reason, a new diagnostic) does not, so forecasts already filed stay the release's own and keep being scored. A
    /// revision of the development data that leaves every card's scores alone would not change it either: the shadow's
    /// refit then files beside the old one.</summary>
    /// <exception cref="FileNotFoundException">no such file.</exception>
    /// <exception cref="InvalidDataException">the file is not a release.</exception>
    public static string ReleaseId(string releasePath)
    {
        var operated = string.Join("\n", Evaluation.Release.Read(releasePath).OrderBy(c => c.Horizon).Select(c =>
        {
            var shadow = OperationsJob.ShadowOf(c) is { } spec ? c.Candidates.First(x => x.Model == spec.Name) : null;
            return FormattableString.Invariant($"{c.Horizon} {c.Model}@{c.Version} ") +
                   (shadow is null ? "-" : FormattableString.Invariant($"{shadow.Model} {shadow.QuantileScore:R} {shadow.N}"));
        }));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(operated)))[..12];
    }

    /// <summary>Forecasts of every operated model from each origin date, one batch per model (an origin's forecast depends
    /// only on data at or before it, so the batch equals one call per day).</summary>
    /// <param name="frames">The frame of each input kind the models read (the full data: prices and point-in-time features).</param>
    /// <param name="origins">Origin sessions; each must be a row of every frame (a ZL session with a close).</param>
    /// <param name="createdAt">The time stamped on new rows (UTC).</param>
    /// <returns>The forecasts (ex ante at the price frame's last session, ex post before it; without a price frame none is
    /// ex ante), and the origins where a model abstained (with its reason) or the session has no close.</returns>
    /// <exception cref="KeyNotFoundException">a model's input kind has no frame.</exception>
    public (IReadOnlyList<OperationalForecast> Forecasts, IReadOnlyList<OperationalAbstention> Abstentions) Forecast(
        IReadOnlyDictionary<ModelInputs, Frame> frames, IReadOnlyList<DateOnly> origins, DateTime createdAt)
    {
        var list = new List<OperationalForecast>();
        var missing = new List<OperationalAbstention>();
        // The outcome is a ZL close: whether later sessions were known is judged on the price frame, the same for every role.
        DateOnly? dataEnd = frames.TryGetValue(ModelInputs.Prices, out var pf) ? pf.Dates[^1] : null;
        foreach (var m in Models)
        {
            var frame = frames.TryGetValue(m.Inputs, out var f) ? f : throw new KeyNotFoundException($"no {m.Inputs} frame for {m.Model} (h {m.Horizon}).");
            var rows = new List<int>();
            var dates = new List<DateOnly>();
            foreach (var d in origins)
            {
                var r = frame.RowOf(d);
                if (r < 0) { missing.Add(new(d, m.Horizon, m.Role, m.Model, $"{d:yyyy-MM-dd} is not a row of the {m.Inputs} frame (no ZL close that session)")); continue; }
                rows.Add(r); dates.Add(d);
            }
            if (rows.Count == 0) continue;
            var q = m.Forecaster.Predict(frame, rows);
            for (var i = 0; i < rows.Count; i++)
            {
                if (q[i].IsAbstention) { missing.Add(new(dates[i], m.Horizon, m.Role, m.Model, "the model abstained (missing inputs)")); continue; }
                var (o, _) = q[i].Repaired();
                if (!(double.IsFinite(o.Q10) && double.IsFinite(o.Q90)))
                {
                    missing.Add(new(dates[i], m.Horizon, m.Role, m.Model, $"non-finite quantiles {o.Q10}/{o.Q50}/{o.Q90}"));
                    continue;
                }
                list.Add(new OperationalForecast(dates[i], m.Horizon, ForecastExport.TargetDate(frame, rows[i], m.Horizon), m.Role, m.Model, m.Version,
                    frame.Close[rows[i]], o.Q10, o.Q50, o.Q90, Release, createdAt, ExAnte: dates[i] == dataEnd));
            }
        }
        return (list, missing);
    }

    /// <summary>Disposes every forecaster that holds native memory.</summary>
    public void Dispose()
    {
        foreach (var m in Models) (m.Forecaster as IDisposable)?.Dispose();
    }
}
