using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Operations;

/// <summary>An operational forecast whose target session has closed, scored against the realised close.</summary>
/// <param name="Forecast">The forecast.</param>
/// <param name="Y">Realised log return ln(C[target]/C[origin]).</param>
/// <param name="TargetClose">ZL close at the target session, US cents per pound.</param>
/// <param name="QuantileScore">(2/3)·(pinball₀.₁ + pinball₀.₅ + pinball₀.₉) in log-return units (<see cref="Metrics.QuantileScore(double, double, double, double)"/>).</param>
/// <param name="Covered">Whether the outcome lies in [P10, P90].</param>
/// <param name="PriceAbsError">|P50 − realised close|, US cents per pound.</param>
/// <param name="Regime">Market regime at the origin (<see cref="Regimes.MarketRegime"/>, from closes at or before it).</param>
/// <param name="MoveSize">The realised move against the random walk's band of the same origin: <c>small</c> inside half
/// its P10–P90 half-width, <c>large</c> outside its P10–P90 band, <c>medium</c> between; <c>unknown</c> without a
/// reference forecast.</param>
public sealed record MaturedForecast(OperationalForecast Forecast, double Y, double TargetClose, double QuantileScore, bool Covered,
    double PriceAbsError, string Regime, string MoveSize);

/// <summary>Matured forecasts of one model at one horizon in one group, against the reference on the same origins.</summary>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Role"><see cref="Roles"/>.</param>
/// <param name="Model">Model name.</param>
/// <param name="Group"><c>all</c>, <c>last N</c> (the N latest targets), <c>regime: …</c> or <c>move: …</c>.</param>
/// <param name="N">Matured forecasts in the group.</param>
/// <param name="QuantileScore">Mean quantile score (log-return units).</param>
/// <param name="ReferenceQuantileScore">The reference's mean on the same origins (NaN without reference rows).</param>
/// <param name="Skill">1 − QuantileScore / ReferenceQuantileScore (&gt; 0 beats the random walk).</param>
/// <param name="Coverage80">Share inside P10–P90 (nominal 0.8).</param>
/// <param name="PriceMae">Mean |P50 − close|, US cents per pound.</param>
/// <param name="DmPValue">Diebold–Mariano p-value against the reference (HAC with h − 1 lags, Harvey et al. correction);
/// NaN for the reference itself, below 10 non-overlapping periods (N/h &lt; 10), as everywhere in the workbench, and for
/// the size-of-move groups: they are selected by the outcome itself (a small move favours a narrow band), so no test of
/// equal scores applies within them.</param>
public sealed record MaturedSummary(int Horizon, string Role, string Model, string Group, int N, double QuantileScore, double ReferenceQuantileScore,
    double Skill, double Coverage80, double PriceMae, double DmPValue);

/// <summary>Scores operational forecasts as their targets close — the daily validation of predictions against actuals.</summary>
public static class MaturedScoring
{
    /// <summary>Every forecast whose target date is at or before <paramref name="asOf"/> and has a close in
    /// <paramref name="prices"/>, scored; a target session without a close stays unscored (never filled).</summary>
    /// <param name="forecasts">Operational forecasts (any roles and horizons).</param>
    /// <param name="prices">ZL closes (a price frame; its rows are the sessions with a close).</param>
    /// <param name="asOf">The day of the scoring: only outcomes known by its close are used.</param>
    /// <returns>One entry per matured forecast, ordered by target date, horizon, role.</returns>
    public static IReadOnlyList<MaturedForecast> Score(IEnumerable<OperationalForecast> forecasts, Frame prices, DateOnly asOf)
    {
        var all = forecasts.Where(f => f.TargetDate <= asOf).ToList();
        var twice = all.GroupBy(f => (f.Horizon, f.Role, f.OriginDate)).FirstOrDefault(g => g.Count() > 1);
        if (twice != null)
            throw new ArgumentException($"{twice.Count()} {twice.Key.Role} forecasts at h {twice.Key.Horizon} from {twice.Key.OriginDate:yyyy-MM-dd} ({string.Join(", ", twice.Select(f => f.ModelVersion))}): " +
                                        "score the forecasts of one release at a time (their release id).", nameof(forecasts));
        var reference = all.Where(f => f.Role == Roles.Reference).ToDictionary(f => (f.Horizon, f.OriginDate));
        var list = new List<MaturedForecast>();
        foreach (var f in all)
        {
            var t = prices.RowOf(f.TargetDate);
            var o = prices.RowOf(f.OriginDate);
            if (t < 0 || o < 0) continue;
            var y = Math.Log(prices.Close[t] / f.OriginClose);
            var size = "unknown";
            if (reference.TryGetValue((f.Horizon, f.OriginDate), out var r))
            {
                var half = (r.Q90 - r.Q10) / 2;
                var dev = Math.Abs(y - r.Q50);
                size = y < r.Q10 || y > r.Q90 ? "large" : dev < half / 2 ? "small" : "medium";
            }
            list.Add(new MaturedForecast(f, y, prices.Close[t], Metrics.QuantileScore(y, f.Q10, f.Q50, f.Q90), y >= f.Q10 && y <= f.Q90,
                Math.Abs(f.P50 - prices.Close[t]), Regimes.MarketRegime(prices, o), size));
        }
        return list.OrderBy(m => m.Forecast.TargetDate).ThenBy(m => m.Forecast.Horizon).ThenBy(m => m.Forecast.Role, StringComparer.Ordinal).ToList();
    }

    /// <summary>Per horizon and model: all matured forecasts, the <paramref name="recent"/> latest, and by regime and by size
    /// of move, each against the reference on the same origins.</summary>
    /// <param name="matured">Scored forecasts (<see cref="Score"/>).</param>
    /// <param name="recent">Size of the recent window, in matured forecasts per horizon and model (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recent"/> &lt; 1.</exception>
    public static IReadOnlyList<MaturedSummary> Summarize(IReadOnlyList<MaturedForecast> matured, int recent = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recent, 1);
        var reference = matured.Where(m => m.Forecast.Role == Roles.Reference).ToDictionary(m => (m.Forecast.Horizon, m.Forecast.OriginDate));
        var list = new List<MaturedSummary>();
        foreach (var g in matured.GroupBy(m => (m.Forecast.Horizon, m.Forecast.Role, m.Forecast.Model)).OrderBy(g => g.Key.Horizon).ThenBy(g => RoleOrder(g.Key.Role)))
        {
            var rows = g.OrderBy(m => m.Forecast.TargetDate).ToList();
            list.Add(Summary(g.Key, "all", rows, reference));
            list.Add(Summary(g.Key, $"last {recent}", rows.TakeLast(recent).ToList(), reference));
            foreach (var r in rows.GroupBy(m => m.Regime).OrderBy(x => x.Key, StringComparer.Ordinal))
                list.Add(Summary(g.Key, $"regime: {r.Key}", r.ToList(), reference));
            foreach (var s in rows.GroupBy(m => m.MoveSize).OrderBy(x => MoveOrder(x.Key)))
                list.Add(Summary(g.Key, $"move: {s.Key}", s.ToList(), reference));
        }
        return list;
    }

    /// <summary>Coverage and skill of the latest <paramref name="window"/> forecasts of one horizon and role matured by each
    /// target date (the operations chart; the alert rules read the last point).</summary>
    /// <returns>(target date, N, coverage, skill against the reference on the same origins), one point per target date from
    /// the first with a full window.</returns>
    public static IReadOnlyList<(DateOnly Date, int N, double Coverage80, double Skill)> Rolling(IReadOnlyList<MaturedForecast> matured, int horizon, string role, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var reference = matured.Where(m => m.Forecast.Role == Roles.Reference && m.Forecast.Horizon == horizon).ToDictionary(m => m.Forecast.OriginDate);
        var rows = matured.Where(m => m.Forecast.Role == role && m.Forecast.Horizon == horizon).OrderBy(m => m.Forecast.TargetDate).ToList();
        var points = new List<(DateOnly, int, double, double)>();
        for (var i = window - 1; i < rows.Count; i++)
        {
            if (i + 1 < rows.Count && rows[i + 1].Forecast.TargetDate == rows[i].Forecast.TargetDate) continue;
            var w = rows.Skip(i + 1 - window).Take(window).ToList();
            var paired = w.Where(m => reference.ContainsKey(m.Forecast.OriginDate)).ToList();
            var skill = paired.Count == 0 ? double.NaN : SkillOrNaN(paired.Average(m => m.QuantileScore), paired.Average(m => reference[m.Forecast.OriginDate].QuantileScore));
            points.Add((rows[i].Forecast.TargetDate, w.Count, w.Count(m => m.Covered) / (double)w.Count, skill));
        }
        return points;
    }

    static MaturedSummary Summary((int Horizon, string Role, string Model) key, string group, IReadOnlyList<MaturedForecast> rows,
        IReadOnlyDictionary<(int, DateOnly), MaturedForecast> reference)
    {
        var paired = rows.Where(m => reference.ContainsKey((key.Horizon, m.Forecast.OriginDate))).ToList();
        var qs = rows.Average(m => m.QuantileScore);
        var refQs = paired.Count == 0 ? double.NaN : paired.Average(m => reference[(key.Horizon, m.Forecast.OriginDate)].QuantileScore);
        var ownQs = paired.Count == 0 ? double.NaN : paired.Average(m => m.QuantileScore);
        var dm = double.NaN;
        if (key.Role != Roles.Reference && !group.StartsWith("move:", StringComparison.Ordinal) && paired.Count >= 10 * key.Horizon && paired.Count >= key.Horizon + 2)
        {
            try
            {
                dm = Metrics.DieboldMariano(paired.Select(m => m.QuantileScore).ToArray(),
                    paired.Select(m => reference[(key.Horizon, m.Forecast.OriginDate)].QuantileScore).ToArray(), key.Horizon).PValue;
            }
            catch (ArgumentException) { dm = double.NaN; } // identical losses (a shadow equal to the reference): no test
        }
        return new MaturedSummary(key.Horizon, key.Role, key.Model, group, rows.Count, qs, refQs, SkillOrNaN(ownQs, refQs),
            rows.Count(m => m.Covered) / (double)rows.Count, rows.Average(m => m.PriceAbsError), dm);
    }

    /// <summary>1 − loss/reference, NaN where there is no reference loss (no paired rows, or a zero reference loss).</summary>
    static double SkillOrNaN(double loss, double reference) => reference > 0 ? Metrics.Skill(loss, reference) : double.NaN;

    static int RoleOrder(string role) => role switch { Roles.Released => 0, Roles.Shadow => 1, _ => 2 };
    static int MoveOrder(string size) => size switch { "small" => 0, "medium" => 1, "large" => 2, _ => 3 };
}
