using Cbi.Workbench.Data;

namespace Cbi.Workbench.Trading;

/// <summary>One daily return of ZL from one session's close to the next, roll-aware.</summary>
/// <param name="Date">The later session (the return is earned over the day ending here).</param>
/// <param name="Previous">The earlier session.</param>
/// <param name="LogReturn">ln(close/previous close), back-adjusted on a measured roll day; NaN when dropped.</param>
/// <param name="Source"><c>quoted</c>, <c>back-adjusted</c> (a roll day whose gap was measured) or <c>dropped</c> (a
/// roll day without a measured gap: the quoted move is a contract switch, not P&amp;L).</param>
public sealed record DailyReturn(DateOnly Date, DateOnly Previous, double LogReturn, string Source);

/// <summary>A day of a strategy.</summary>
/// <param name="Date">Session.</param>
/// <param name="Position">Gross-capped signed position held over the day ending here (set at the previous close).</param>
/// <param name="Return">Simple return of ZL that day (NaN when dropped).</param>
/// <param name="Pnl">Position × return − costs, as a fraction of equity.</param>
/// <param name="Equity">Equity after the day (starting at 1).</param>
/// <param name="Drawdown">1 − equity / running peak.</param>
public sealed record StrategyDay(DateOnly Date, double Position, double Return, double Pnl, double Equity, double Drawdown);

/// <summary>Summary of a strategy over the test period.</summary>
/// <param name="Name">Strategy name.</param>
/// <param name="Days">Days traded.</param>
/// <param name="TotalReturn">Equity at the end − 1.</param>
/// <param name="Sharpe">√252 · mean / sd of daily P&amp;L (no risk-free rate).</param>
/// <param name="MaxDrawdown">Largest drawdown from a peak (0–1).</param>
/// <param name="HitRate">Share of days with a position whose P&amp;L was positive.</param>
/// <param name="DroppedRollDays">Roll days whose return was left out (no measured gap).</param>
/// <param name="StoppedOn">The day the drawdown stop flattened the strategy, or null.</param>
/// <param name="MaxGrossPosition">Largest |position| held (must stay ≤ the leverage cap).</param>
public sealed record StrategySummary(string Name, int Days, double TotalReturn, double Sharpe, double MaxDrawdown, double HitRate,
    int DroppedRollDays, DateOnly? StoppedOn, double MaxGrossPosition);

/// <summary>Backtest of the signals against buy-and-hold on roll-aware ZL returns: the position set at a close (the sum of
/// the horizons' signals at that origin, capped at the leverage limit) earns the next day's return; costs are charged on
/// every change of position; the whole strategy goes flat for good once its drawdown reaches the stop.</summary>
public static class TradingBacktest
{
    /// <summary>Daily returns of the quoted ZL close, roll-aware: on a roll day whose gap was measured, the back-adjusted
    /// series' return (the new contract's own move); on a roll day without one, dropped; otherwise the quoted return.</summary>
    public static IReadOnlyList<DailyReturn> Returns(Snapshot snapshot, DateOnly from, DateOnly to)
    {
        var zl = snapshot.Bars("ZL").Where(b => b.Date >= from && b.Date <= to && b.Close > 0).ToArray();
        var adj = snapshot.Bars("ZL_BACKADJ").ToDictionary(b => b.Date, b => b.Close);
        var rolls = snapshot.ZlRollDays.ToHashSet();
        var measured = snapshot.ZlMeasuredRollDays.ToHashSet();
        var list = new List<DailyReturn>(zl.Length);
        for (var i = 1; i < zl.Length; i++)
        {
            var (a, b) = (zl[i - 1], zl[i]);
            if (!rolls.Contains(b.Date)) list.Add(new DailyReturn(b.Date, a.Date, Math.Log(b.Close / a.Close), "quoted"));
            else if (measured.Contains(b.Date) && adj.TryGetValue(a.Date, out var pa) && adj.TryGetValue(b.Date, out var pb))
                list.Add(new DailyReturn(b.Date, a.Date, Math.Log(pb / pa), "back-adjusted"));
            else list.Add(new DailyReturn(b.Date, a.Date, double.NaN, "dropped"));
        }
        return list;
    }

    /// <summary>Runs the strategy of <paramref name="signals"/> over <paramref name="returns"/>.</summary>
    /// <exception cref="ArgumentException">options out of range.</exception>
    public static (IReadOnlyList<StrategyDay> Days, StrategySummary Summary) Run(string name, IReadOnlyList<Signal> signals,
        IReadOnlyList<DailyReturn> returns, SignalOptions? options = null)
    {
        var o = options ?? new SignalOptions();
        o.Check();
        var byOrigin = signals.GroupBy(s => s.Origin).ToDictionary(g => g.Key, g => Math.Clamp(g.Sum(s => s.Position), -o.MaxLeverage, o.MaxLeverage));
        double equity = 1, peak = 1, previous = 0;
        DateOnly? stopped = null;
        var days = new List<StrategyDay>(returns.Count);
        foreach (var d in returns)
        {
            var position = stopped is null && byOrigin.TryGetValue(d.Previous, out var p) ? p : 0;
            var cost = o.CostPerTurnover * Math.Abs(position - previous);
            var simple = double.IsNaN(d.LogReturn) ? double.NaN : Math.Exp(d.LogReturn) - 1;
            var pnl = (double.IsNaN(simple) ? 0 : position * simple) - cost;
            equity *= 1 + pnl;
            peak = Math.Max(peak, equity);
            var dd = 1 - equity / peak;
            days.Add(new StrategyDay(d.Date, position, simple, pnl, equity, dd));
            previous = position;
            if (stopped is null && dd >= o.StopDrawdown) stopped = d.Date; // flat from the next day on
        }
        return (days, Summarise(name, days, returns, stopped));
    }

    /// <summary>Buy-and-hold: a constant position of 1 on the same roll-aware returns, no costs after entry.</summary>
    public static (IReadOnlyList<StrategyDay> Days, StrategySummary Summary) BuyAndHold(IReadOnlyList<DailyReturn> returns)
    {
        double equity = 1, peak = 1;
        var days = new List<StrategyDay>(returns.Count);
        foreach (var d in returns)
        {
            var simple = double.IsNaN(d.LogReturn) ? double.NaN : Math.Exp(d.LogReturn) - 1;
            var pnl = double.IsNaN(simple) ? 0 : simple;
            equity *= 1 + pnl;
            peak = Math.Max(peak, equity);
            days.Add(new StrategyDay(d.Date, 1, simple, pnl, equity, 1 - equity / peak));
        }
        return (days, Summarise("buy and hold", days, returns, null));
    }

    static StrategySummary Summarise(string name, IReadOnlyList<StrategyDay> days, IReadOnlyList<DailyReturn> returns, DateOnly? stopped)
    {
        var pnl = days.Select(d => d.Pnl).ToArray();
        var mean = pnl.Length == 0 ? double.NaN : pnl.Average();
        var sd = pnl.Length < 2 ? double.NaN : Math.Sqrt(pnl.Sum(x => (x - mean) * (x - mean)) / (pnl.Length - 1));
        var active = days.Where(d => d.Position != 0 && !double.IsNaN(d.Return)).ToArray();
        return new StrategySummary(name, days.Count, days.Count == 0 ? 0 : days[^1].Equity - 1, sd > 0 ? Math.Sqrt(252) * mean / sd : double.NaN,
            days.Count == 0 ? 0 : days.Max(d => d.Drawdown), active.Length == 0 ? double.NaN : active.Average(d => d.Pnl > 0 ? 1.0 : 0),
            returns.Count(r => r.Source == "dropped"), stopped, days.Count == 0 ? 0 : days.Max(d => Math.Abs(d.Position)));
    }
}
