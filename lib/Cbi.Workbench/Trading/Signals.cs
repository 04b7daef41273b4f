using Cbi.Workbench.Models;

namespace Cbi.Workbench.Trading;

/// <summary>Direction of a signal.</summary>
public enum Side
{
    /// <summary>Expect the price to rise: hold a long position.</summary>
    Long,
    /// <summary>Expect it to fall: hold a short position.</summary>
    Short,
    /// <summary>No position: the expected move is small against the forecast's uncertainty.</summary>
    Neutral,
}

/// <summary>Risk limits and costs of the signal rules and the trading backtest.</summary>
/// <param name="MaxPosition">Largest position from one horizon's signal, in units of notional per unit of equity (0 &lt; x ≤ 1).</param>
/// <param name="MaxLeverage">Largest gross position summed over horizons (≥ MaxPosition).</param>
/// <param name="StopDrawdown">Drawdown from the equity peak (0–1) at which the strategy goes flat for the rest of the test.</param>
/// <param name="MinScore">|P50| / (P90 − P10) below which a signal is neutral.</param>
/// <param name="Scale">Position = Scale · P50 / (P90 − P10), capped at ±MaxPosition: a wide band means a small position.</param>
/// <param name="CostPerTurnover">Cost per unit of position traded (fraction of notional; 0.0005 = 5 basis points,
/// commission plus half the bid-ask spread of a liquid future).</param>
public sealed record SignalOptions(double MaxPosition = 1.0, double MaxLeverage = 3.0, double StopDrawdown = 0.20, double MinScore = 0.05,
    double Scale = 4.0, double CostPerTurnover = 0.0005)
{
    internal void Check()
    {
        if (!(MaxPosition > 0 && MaxPosition <= 1)) throw new ArgumentOutOfRangeException(nameof(MaxPosition), MaxPosition, "must be in (0, 1].");
        if (!(MaxLeverage >= MaxPosition)) throw new ArgumentOutOfRangeException(nameof(MaxLeverage), MaxLeverage, "must be ≥ MaxPosition.");
        if (!(StopDrawdown > 0 && StopDrawdown < 1)) throw new ArgumentOutOfRangeException(nameof(StopDrawdown), StopDrawdown, "must be in (0, 1).");
        if (!(MinScore >= 0) || !(Scale > 0) || !(CostPerTurnover >= 0)) throw new ArgumentException("MinScore ≥ 0, Scale > 0 and CostPerTurnover ≥ 0 are required.");
    }
}

/// <summary>A position taken at an origin from one forecast.</summary>
/// <param name="Origin">Forecast origin (the position is held from this close to the next).</param>
/// <param name="Horizon">Forecast horizon in trading days.</param>
/// <param name="Side">Long, short or neutral.</param>
/// <param name="Position">Signed position (−MaxPosition … +MaxPosition; 0 when neutral).</param>
/// <param name="Score">P50 / (P90 − P10): expected move per unit of uncertainty.</param>
public sealed record Signal(DateOnly Origin, int Horizon, Side Side, double Position, double Score);

/// <summary>Turns quantile forecasts into positions, from prediction rows only (never from prices or outcomes).</summary>
public static class Signals
{
    /// <summary>One signal per prediction row: score s = P50 / (P90 − P10); neutral when |s| &lt; MinScore (or the band is
    /// empty), otherwise the sign of P50 with position Scale·s capped at ±MaxPosition.</summary>
    /// <exception cref="ArgumentException">options out of range.</exception>
    public static IReadOnlyList<Signal> From(IEnumerable<PredictionRow> rows, SignalOptions? options = null)
    {
        var o = options ?? new SignalOptions();
        o.Check();
        return rows.OrderBy(r => r.OriginDate).ThenBy(r => r.Horizon).Select(r =>
        {
            var width = r.Q90 - r.Q10;
            var score = width > 0 ? r.Q50 / width : 0;
            if (!(Math.Abs(score) >= o.MinScore) || width <= 0) return new Signal(r.OriginDate, r.Horizon, Side.Neutral, 0, score);
            var position = Math.Clamp(o.Scale * score, -o.MaxPosition, o.MaxPosition);
            return new Signal(r.OriginDate, r.Horizon, position > 0 ? Side.Long : Side.Short, position, score);
        }).ToList();
    }
}
