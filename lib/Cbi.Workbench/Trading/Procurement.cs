using Cbi.Workbench.Data;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Trading;

/// <summary>One month of the procurement test.</summary>
/// <param name="Month">First day of the month.</param>
/// <param name="Sessions">Sessions in the month with a price.</param>
/// <param name="EvenPrice">Average close over the month's sessions (buying 1/n each session), US cents per pound.</param>
/// <param name="BoughtOn">The session the forecast buyer bought the month's volume.</param>
/// <param name="Price">Its close, US cents per pound.</param>
/// <param name="Saving">EvenPrice − Price (positive: the forecast saved money), cents per pound.</param>
public sealed record ProcurementMonth(DateOnly Month, int Sessions, double EvenPrice, DateOnly BoughtOn, double Price, double Saving);

/// <summary>What the forecast buyer saved against buying evenly.</summary>
/// <param name="Months">Months tested.</param>
/// <param name="MeanSaving">Mean saving per month, US cents per pound.</param>
/// <param name="MeanSavingPercent">Mean saving as a percentage of the even price.</param>
/// <param name="Low">2.5 % bootstrap quantile of the mean saving (cents per pound; months resampled with replacement).</param>
/// <param name="High">97.5 % bootstrap quantile.</param>
/// <param name="Horizon">The forecast horizon used (trading days).</param>
public sealed record ProcurementSummary(int Months, double MeanSaving, double MeanSavingPercent, double Low, double High, int Horizon);

/// <summary>A buyer who must cover a fixed volume every month chooses when within the month to buy, using the forecast:
/// it buys the whole month's volume at the first session whose forecast P50 of the h-day return is positive (prices
/// expected to rise: waiting would cost), and at the month's last session if none is. Compared with buying the same
/// volume evenly over the month's sessions, at the quoted ZL close.</summary>
public static class Procurement
{
    /// <summary>Runs the test over the months covered by both the prices and the prediction rows of one horizon.</summary>
    /// <param name="bars">ZL bars (quoted closes, US cents per pound).</param>
    /// <param name="rows">Prediction rows of one model at one horizon (only P50 and the origin are used).</param>
    /// <param name="bootstraps">Bootstrap replications for the interval.</param>
    /// <param name="seed">Bootstrap seed.</param>
    /// <exception cref="ArgumentException">rows of several horizons, or no complete month.</exception>
    public static (IReadOnlyList<ProcurementMonth> Months, ProcurementSummary Summary) Run(IReadOnlyList<Bar> bars, IReadOnlyList<PredictionRow> rows,
        int bootstraps = 5000, int seed = 42)
    {
        var horizons = rows.Select(r => r.Horizon).Distinct().ToArray();
        if (horizons.Length != 1) throw new ArgumentException($"procurement: rows of one horizon expected, got {horizons.Length} ({string.Join(", ", horizons)}).", nameof(rows));
        var p50 = rows.GroupBy(r => r.OriginDate).ToDictionary(g => g.Key, g => g.First().Q50);
        var first = rows.Min(r => r.OriginDate);
        var last = rows.Max(r => r.OriginDate);
        var months = new List<ProcurementMonth>();
        foreach (var g in bars.Where(b => b.Close > 0 && b.Date >= first && b.Date <= last).GroupBy(b => new DateOnly(b.Date.Year, b.Date.Month, 1)))
        {
            var sessions = g.OrderBy(b => b.Date).ToArray();
            // Only whole months: the first and last session of the calendar month must be inside the tested span.
            if (sessions[0].Date.Day > 7 || g.Key.AddMonths(1).AddDays(-1).DayNumber - sessions[^1].Date.DayNumber > 7) continue;
            var hit = Array.FindIndex(sessions, b => p50.TryGetValue(b.Date, out var q) && q > 0);
            var buy = hit >= 0 ? sessions[hit] : sessions[^1];
            var even = sessions.Average(b => b.Close);
            months.Add(new ProcurementMonth(g.Key, sessions.Length, even, buy.Date, buy.Close, even - buy.Close));
        }
        if (months.Count == 0) throw new ArgumentException("procurement: no complete month in the tested span.", nameof(rows));
        var savings = months.Select(m => m.Saving).ToArray();
        var rng = new Random(seed);
        var means = new double[bootstraps];
        for (var b = 0; b < bootstraps; b++)
        {
            double s = 0;
            for (var i = 0; i < savings.Length; i++) s += savings[rng.Next(savings.Length)];
            means[b] = s / savings.Length;
        }
        Array.Sort(means);
        return (months, new ProcurementSummary(months.Count, savings.Average(), months.Average(m => 100 * m.Saving / m.EvenPrice),
            means[(int)(0.025 * (bootstraps - 1))], means[(int)(0.975 * (bootstraps - 1))], horizons[0]));
    }
}
